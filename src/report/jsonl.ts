// --format jsonl: one violation object per line, exactly the objects of report.violations, for
// jq, log shippers and SIEM ingestion. Nothing else is written (no summary line).
import { jsonInert } from './escape.js';
import type { ReportRenderer } from './renderer.js';

export const jsonlRenderer: ReportRenderer = {
  name: 'jsonl',
  description: 'one JSON violation object per line (the objects of the json report\'s "violations")',
  async render(report) {
    // JSON.stringify escapes every control character, so a log's terminal escapes stay inert text.
    return report.violations.map((v) => jsonInert(JSON.stringify(v)) + '\n').join('');
  },
};
