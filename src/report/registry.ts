// The one list of output formats; --format choices come from here.
import { jsonRenderer } from './json.js';
import type { ReportRenderer } from './renderer.js';
import { tableRenderer } from './table.js';
// (report-formats)

export const RENDERERS: readonly ReportRenderer[] = [
  tableRenderer,
  jsonRenderer,
  // report-formats
];

export function rendererByName(name: string): ReportRenderer | undefined {
  return RENDERERS.find((r) => r.name === name);
}
