// --format json: the contract's report object, pretty-printed, in a fixed key order. Written in
// pieces (one per violation) so reports with millions of violations never become one giant string;
// the bytes are exactly JSON.stringify(report, null, 2).
import type { Report } from '../model/report.js';
import { jsonInert } from './escape.js';
import { joinChunks, type ReportRenderer } from './renderer.js';

const PLACEHOLDER = '\u0000violations\u0000';
/**
 * Violations per piece: about 70 KB of text. Pieces of megabytes went to V8's large-object space and
 * piled up as garbage until a full collection (a 60 MB report raised the peak memory by 250 MB).
 */
const PER_CHUNK = 16;

async function* jsonChunks(report: Report): AsyncGenerator<string> {
  if (report.violations.length === 0) {
    yield jsonInert(JSON.stringify(report, null, 2)) + '\n';
    return;
  }
  const skeleton = jsonInert(JSON.stringify({ ...report, violations: PLACEHOLDER }, null, 2));
  const marker = JSON.stringify(PLACEHOLDER);
  const at = skeleton.indexOf(marker);
  yield skeleton.slice(0, at) + '[\n';
  // Each violation as JSON.stringify would nest it: two levels deep, so indented by four spaces.
  for (let i = 0; i < report.violations.length; i += PER_CHUNK) {
    const part = report.violations.slice(i, i + PER_CHUNK)
      .map((v) => '    ' + jsonInert(JSON.stringify(v, null, 2)).replace(/\n/g, '\n    '))
      .join(',\n');
    yield (i === 0 ? '' : ',\n') + part;
  }
  yield '\n  ]' + skeleton.slice(at + marker.length) + '\n';
}

export const jsonRenderer: ReportRenderer = {
  name: 'json',
  description: 'the full report as one JSON object (schema agent-forensics.report/v1)',
  chunks: (report) => jsonChunks(report),
  render: (report) => joinChunks(jsonChunks(report)),
};
