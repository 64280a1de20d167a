// The shape of one output format: a finished Report in, text out. Renderers never compute facts.
import type { Report } from '../model/report.js';

export interface RenderOptions {
  /** ANSI colours (table only); off for pipes, NO_COLOR and --no-color */
  color: boolean;
  /** terminal width for the table, when known */
  width?: number;
}

export interface ReportRenderer {
  /** the --format name */
  name: string;
  description: string;
  render(report: Report, options: RenderOptions): Promise<string>;
}
