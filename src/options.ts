// The validated settings of a run: what the CLI hands the pipeline after checking every flag.
import type { ReportHead, Violation } from './model/report.js';
import type { ManualSkew } from './timeline/skew.js';

export interface AnalysisOptions {
  paths: string[];
  inventory?: string;
  tz: string;
  year?: number;
  skews: ManualSkew[];
  autoSkew: boolean;
  /** rule files or folders; empty = the built-in rules */
  rules: string[];
  sinceMs?: number;
  untilMs?: number;
  minConfidence: number;
  strict: boolean;
  geoip: string[];
  /** reading limits (see ReadSettings); undefined = the defaults */
  maxLineBytes?: number;
  maxDocumentBytes?: number;
  maxJsonDepth?: number;
  maxDecompressedBytes?: number;
  maxGzipRatio?: number;
  /** scan workers for firewall and audit inputs: 0 or 1 = none; undefined = automatic (2 for large inputs) */
  workers?: number;
  /** how many violations stay in memory before the rest spill to disk (tests make it small) */
  violationsInMemory?: { head: number; inMemory: number };
  /** marked records held in memory per scan and in all before the rest wait on disk (tests make it small) */
  marksInMemory?: { perScan: number; total: number };
  /** tool-call records held in memory before they go to disk and are read through windows (default: all, unless the transcripts exceed 128 MiB; tests make it small) */
  callsInMemory?: number;
  /** events the timeline holds in memory while sorting inputs that are out of order (tests make it small) */
  timelineEventsInMemory?: number;
  /** keep every event for the timeline command */
  keepEvents?: boolean;
  /**
   * The report lists only this many violations one by one (the table, Markdown and HTML formats): the
   * others are still built for the counts, the statistics and the incidents, but neither kept nor
   * spilled to disk. Undefined: every violation is kept.
   */
  violationsListed?: number;
  /**
   * Only the clocks and the read plan are wanted (the timeline command): the analysis stops once the
   * clocks are settled, and its report has no violations nor incidents (its statistics count none).
   */
  clocksOnly?: boolean;
  /**
   * Gets every violation as it is built, in report order, instead of the report keeping them: the
   * report then holds none (its counts, statistics and incidents are complete). `begin` comes first,
   * with the report's fields that precede its violations.
   */
  violationSink?: ViolationSink;
  /** called as inputs are read, for a progress display */
  onProgress?: (done: number, total: number, path: string) => void;
  /** called during a long step after the reading (building a million violations takes minutes), for a progress display */
  onStep?: (step: string, done: number, total: number) => void;
}

/** Where violations go as they are built (AnalysisOptions.violationSink). */
export interface ViolationSink {
  begin(head: ReportHead): void;
  add(v: Violation): void;
}
