// --format json: the contract's report object, pretty-printed, in a fixed key order.
import { jsonInert } from './escape.js';
import type { ReportRenderer } from './renderer.js';

export const jsonRenderer: ReportRenderer = {
  name: 'json',
  description: 'the full report as one JSON object (schema agent-forensics.report/v1)',
  async render(report) {
    return jsonInert(JSON.stringify(report, null, 2)) + '\n';
  },
};
