// The v1 JSON report of CONTRACT.md, field names verbatim. Renderers receive a finished Report
// and never work facts out again.
import type { Action, Ref, Severity, SourceKind, TimePrecision } from './event.js';

export const REPORT_SCHEMA = 'agent-forensics.report/v1';

export interface ReportInput {
  path: string;
  sha256: string;
  bytes: number;
  format: string;
  source: SourceKind;
  records: number;
  skipped: number;
  /** ISO time of the earliest / latest record after clock correction, null when none */
  first: string | null;
  last: string | null;
  gzip?: boolean;
  /** assumptions made reading this input (zone, inferred year) */
  notes?: string[];
}

export interface ReportClock {
  path: string;
  offsetMs: number;
  method: 'none' | 'manual' | 'estimated';
  pairs: number;
  confidence: number;
}

export interface ReportRuleHit {
  id: string;
  title: string;
  severity: Severity;
}

export interface Attribution {
  callId: string;
  session: string;
  tool: string;
  command: string;
  ref: Ref;
  time: string;
  deltaMs: number;
  confidence: number;
  reasons: string[];
  timePrecision?: TimePrecision;
  host?: string;
  sandbox?: string;
}

export interface ReportEndpoint {
  ip?: string;
  port?: number;
  domain?: string;
  /** GeoIP enrichment when --geoip is given */
  country?: string;
  asn?: number;
  org?: string;
}

export interface Violation {
  id: string;
  time: string;
  ref: Ref;
  source: SourceKind;
  format: string;
  /** the host that logged the record, as the log names it */
  host?: string;
  sandbox?: string;
  session?: string;
  /** where the traffic came from according to the inventory (or the log), and how that is known */
  origin?: { host?: string; sandbox?: string; session?: string; how: string };
  src?: ReportEndpoint;
  dst?: ReportEndpoint;
  proto?: string;
  action?: Action;
  operation?: string;
  actor?: string;
  errorCode?: string;
  message?: string;
  rules: ReportRuleHit[];
  severity: Severity;
  attribution: Attribution | null;
  candidates: Attribution[];
}

export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  callId: string;
  session: string;
  command: string;
  violations: string[];
  first: string;
  last: string;
  count: number;
}

export interface ReportStats {
  events: number;
  violations: number;
  attributed: number;
  unattributed: number;
  /** share of the analysed time span during which at least one agent tool call was executing */
  agentActiveFraction: number;
  /** (share of violations during agent activity) / agentActiveFraction; null when undefined */
  overRepresentation: number | null;
  /** one-sided binomial p-value of seeing that many violations during activity by chance */
  pValue: number | null;
  toolCalls?: number;
  violationsDuringActivity?: number;
  spanMs?: number;
}

export interface ReportError {
  path: string;
  line?: number;
  index?: number;
  message: string;
}

/**
 * Every violation of a report, in order, a batch at a time, when they did not all fit in memory (the
 * rest is read back from disk): as objects, or as their compact JSON text (JSON.stringify of each)
 * for the formats that only print them.
 */
export interface ViolationSource {
  batches(): AsyncIterable<readonly Violation[]>;
  texts(): AsyncIterable<readonly string[]>;
}

/** The fields of a report that come before its violations: known once the clocks are settled. */
export type ReportHead = Pick<Report, 'schema' | 'tool' | 'inputs' | 'clock'>;

export interface Report {
  schema: typeof REPORT_SCHEMA;
  tool: { name: 'agent-forensics'; version: string };
  inputs: ReportInput[];
  clock: ReportClock[];
  violations: Violation[];
  incidents: Incident[];
  stats: ReportStats;
  errors: ReportError[];
  /** how many errors there were in all, when `errors` was capped */
  errorsTotal?: number;
  /** human formats only: the violations were cut to the first `shown` of `total` for reading */
  listed?: { shown: number; total: number };
  /** the analysis settings that shape the result (zone, year, window), for the reader */
  settings?: Record<string, string | number | boolean | null>;
}
