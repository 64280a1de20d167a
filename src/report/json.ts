// --format json: the contract's report object, pretty-printed, in a fixed key order. Written in
// pieces (one per violation) so reports with millions of violations never become one giant string;
// the bytes are exactly JSON.stringify(report, null, 2).
import type { Report, ViolationBatches } from '../model/report.js';
import { jsonInert } from './escape.js';
import { joinChunks, violationBatches, type ReportRenderer } from './renderer.js';

const PLACEHOLDER = '\u0000violations\u0000';
/**
 * Violations per piece: about 70 KB of text. Pieces of megabytes went to V8's large-object space and
 * piled up as garbage until a full collection (a 60 MB report raised the peak memory by 250 MB).
 */
const PER_CHUNK = 16;
/** A piece as JSON.stringify nests it in the report: `{"v": [...]}` indents the items by four spaces. */
const OPEN = '{\n  "v": [\n';
const CLOSE = '\n  ]\n}';

async function* jsonChunks(report: Report, all?: ViolationBatches): AsyncGenerator<string> {
  if (report.violations.length === 0 && !all) {
    yield jsonInert(JSON.stringify(report, null, 2)) + '\n';
    return;
  }
  const skeleton = jsonInert(JSON.stringify({ ...report, violations: PLACEHOLDER }, null, 2));
  const marker = JSON.stringify(PLACEHOLDER);
  const at = skeleton.indexOf(marker);
  let first = true;
  for await (const batch of violationBatches(report, all)) {
    for (let i = 0; i < batch.length; i += PER_CHUNK) {
      const text = JSON.stringify({ v: batch.slice(i, i + PER_CHUNK) }, null, 2);
      const part = jsonInert(text.slice(OPEN.length, text.length - CLOSE.length));
      yield (first ? skeleton.slice(0, at) + '[\n' : ',\n') + part;
      first = false;
    }
  }
  // No violations after all: the empty list as JSON.stringify prints it.
  yield (first ? skeleton.slice(0, at) + '[]' : '\n  ]') + skeleton.slice(at + marker.length) + '\n';
}

export const jsonRenderer: ReportRenderer = {
  name: 'json',
  description: 'the full report as one JSON object (schema agent-forensics.report/v1)',
  chunks: (report, _options, all) => jsonChunks(report, all),
  render: (report) => joinChunks(jsonChunks(report)),
};
