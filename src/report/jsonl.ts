// --format jsonl: one violation object per line, exactly the objects of report.violations, for
// jq, log shippers and SIEM ingestion. Nothing else is written (no summary line).
import type { Report, Violation, ViolationSource } from '../model/report.js';
import { jsonInert } from './escape.js';
import { joinChunks, violationBatches, type ReportRenderer, type ReportStream } from './renderer.js';

/** Lines per piece: small pieces die young (see json.ts). */
const PER_CHUNK = 32;

async function* jsonlChunks(report: Report, all?: ViolationSource): AsyncGenerator<string> {
  if (all) {
    // Read back from disk as the very lines this format prints.
    for await (const texts of all.texts()) {
      for (let i = 0; i < texts.length; i += PER_CHUNK) yield texts.slice(i, i + PER_CHUNK).map((t) => jsonInert(t) + '\n').join('');
    }
    return;
  }
  for await (const batch of violationBatches(report)) {
    for (let i = 0; i < batch.length; i += PER_CHUNK) {
      yield batch.slice(i, i + PER_CHUNK).map(lineOf).join('');
    }
  }
}

/** A violation's line. */
const lineOf = (v: Violation): string => jsonInert(JSON.stringify(v)) + '\n';

const JSONL_STREAM: ReportStream = { begin: () => '', violation: lineOf, end: () => '' };

export const jsonlRenderer: ReportRenderer = {
  name: 'jsonl',
  description: 'one JSON violation object per line (the objects of the json report\'s "violations")',
  chunks: (report, _options, all) => jsonlChunks(report, all),
  stream: () => JSONL_STREAM,
  // JSON.stringify escapes every control character, so a log's terminal escapes stay inert text.
  render: (report) => joinChunks(jsonlChunks(report)),
};
