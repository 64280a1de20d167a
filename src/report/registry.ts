// The one list of output formats; --format choices come from here.
import { jsonRenderer } from './json.js';
import type { ReportRenderer } from './renderer.js';
import { tableRenderer } from './table.js';
// (report-formats)
import { csvRenderer } from './csv.js';
import { htmlRenderer } from './html.js';
import { jsonlRenderer } from './jsonl.js';
import { mdRenderer } from './md.js';

export const RENDERERS: readonly ReportRenderer[] = [
  tableRenderer,
  jsonRenderer,
  // report-formats
  jsonlRenderer,
  csvRenderer,
  mdRenderer,
  htmlRenderer,
];

export function rendererByName(name: string): ReportRenderer | undefined {
  return RENDERERS.find((r) => r.name === name);
}
