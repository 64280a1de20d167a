// The shape of one output format: a finished Report in, text out. Renderers never compute facts.
import type { Report, ReportHead, Violation, ViolationSource } from '../model/report.js';

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
   * `all` gives every violation when some of them were spilled to disk (see attribution/violation-store.ts).
   */
  chunks?(report: Report, options: RenderOptions, all?: ViolationSource): AsyncIterable<string>;
  /**
   * The text `chunks` gives, made as the violations are built (AnalysisOptions.violationSink) instead
   * of from a finished report: a flood's millions need not wait on disk to be printed at the end.
   * A new stream for each report (a format may keep state between its parts).
   */
  stream?(): ReportStream;
}

/** A report's text in three parts: before its violations, each violation, after them. Their concatenation is `chunks`'s text. */
export interface ReportStream {
  begin(head: ReportHead): string;
  /** `first`: no violation came before this one */
  violation(v: Violation, first: boolean): string;
  /** `any`: some violation was written; `report`: the finished report (its own `violations` are not read) */
  end(report: Report, any: boolean): string;
}

/** Violations per batch when they are all in memory. */
const BATCH = 256;

/** The report's violations in batches, or all of them (spilled ones too) when `all` is given. */
export function violationBatches(report: Report, all?: ViolationSource): AsyncIterable<readonly Violation[]> {
  if (all) return all.batches();
  return (async function* () {
    for (let i = 0; i < report.violations.length; i += BATCH) yield report.violations.slice(i, i + BATCH);
  })();
}

/** Joins a renderer's chunks into the one string `render` returns. */
export async function joinChunks(chunks: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const c of chunks) parts.push(c);
  return parts.join('');
}
