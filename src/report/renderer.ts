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
  /**
   * The same text in pieces, for reports too large for one string (a million violations is more
   * than a JavaScript string holds). Renderers of machine formats provide it; the CLI prefers it.
   */
  chunks?(report: Report, options: RenderOptions): AsyncIterable<string>;
}

/** Joins a renderer's chunks into the one string `render` returns. */
export async function joinChunks(chunks: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const c of chunks) parts.push(c);
  return parts.join('');
}
