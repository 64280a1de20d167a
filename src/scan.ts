// One input read once: events counted and dated, rules applied, and only what later stages need kept
// (findings, correlation matches, tool calls, name ↔ address pairs). The same function runs on the
// main thread and in scan workers, so a report does not depend on how many workers read it.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CallRunWriter } from './attribution/call-spill.js';
import { DNS_FIELD_KEYS, DnsIndex } from './attribution/dns.js';
import { Inventory, type Asset } from './attribution/inventory.js';
import type { InputFormat } from './ingest/format.js';
import { parseInput, type DetectedInput, type LeanReading, type ReadSettings } from './ingest/ingest.js';
import { sha256Base64 } from './model/digest.js';
import { compareEvents, type ForensicEvent } from './model/event.js';
import { InputError } from './model/errors.js';
import type { Issue } from './model/issue.js';
import { SharedStrings } from './model/shared-strings.js';
import { fieldKeysRulesRead, matchingRules, NO_RULES, rulesMayRead } from './rules/match.js';
import type { Rule } from './rules/rule.js';
import { JsonLinesFile } from './timeline/json-lines-file.js';

export interface ScanOptions {
  read: ReadSettings;
  /** --skew for this input, added to its times */
  manualOffsetMs: number;
  strict: boolean;
  keepEvents: boolean;
  /** allow lean reading when it cannot change the result (default true; tests turn it off to compare) */
  lean?: boolean;
  /**
   * Keep copies of the marked records, their short strings shared through this, rather than the
   * records themselves (see detached()): for scans on the main thread, whose marked records live
   * until the report is built. A worker's records are copied anyway when posted. Tool calls (parsed
   * from JSON, so they hold no line) keep their objects, their repeated strings shared the same way
   * and a long output kept as its digest (keptCall).
   */
  detach?: SharedStrings;
  /**
   * Takes the marks found so far, in order, whenever there are MARKS_PER_BATCH of them (a worker
   * posts them while it reads on); the result then holds only the ones after the last batch.
   * A record in both lists is always in the same batch.
   */
  onMarks?: (findings: ScanMark[], correlationMatches: ScanMark[]) => void;
  /**
   * Past `keep` marked records, the rest go as JSON lines (see SpilledMark) to a new file in
   * `folder`, a private temporary folder the caller owns and removes: a flood of marked records then
   * costs disk, not memory.
   */
  spill?: { folder: string; keep: number };
  /**
   * The input's tool calls go to sorted runs in `folder` as they are read (CallRunWriter), named by
   * `input` (CallRecords.runsFor), instead of to ScanResult.calls: a worker's calls then never cross
   * threads. `assets`: the inventory, which a call's host and sandbox come from.
   */
  callRuns?: { folder: string; input: number; assets: Asset[] };
}

/** A marked record as a line of a spill file: the event, its time, and the ids of the rules that marked it. */
export interface SpilledMark {
  t: number;
  e: ForensicEvent;
  /** detection rules (a finding) */
  f?: string[];
  /** correlation inputs (a correlation match) */
  m?: string[];
}

/** The spill-file line of a record marked by `finding` detection rules and `match` correlation inputs (either may be empty). */
export function spilledMark(timeMs: number, event: ForensicEvent, finding: readonly Rule[] | undefined, match: readonly Rule[] | undefined): SpilledMark {
  return { t: timeMs, e: event, ...(finding?.length ? { f: ids(finding) } : {}), ...(match?.length ? { m: ids(match) } : {}) };
}

/** The marked records a scan wrote to disk, after the ones it kept. */
export interface SpilledMarks {
  file: string;
  count: number;
  /** how many of them are findings */
  findings: number;
}

/** Marks handed to ScanOptions.onMarks at a time. */
export const MARKS_PER_BATCH = 2000;

export interface ScanRules {
  rules: readonly Rule[];
  correlationInputs: readonly Rule[];
  hasCorrelations: boolean;
}

/** A record rules marked, with the ids of those rules (ids cross thread boundaries, rule objects do not). */
export interface ScanMark {
  event: ForensicEvent;
  timeMs: number;
  ruleIds: string[];
}

export interface ScanResult {
  records: number;
  firstMs: number;
  lastMs: number;
  sha256: string;
  bytes: number;
  gzip: boolean;
  notes: string[];
  /** the first problems (ISSUES_KEPT), in reading order */
  issues: Issue[];
  /** how many records were skipped as problems, in all */
  skipped: number;
  /** reading stopped early (truncated gzip, limits) */
  readError?: { message: string; line?: number };
  /** the input's dates needed a year from outside */
  yearUsed: boolean;
  /** marked records past ScanOptions.spill.keep, after those in `findings` and `correlationMatches` */
  spilled?: SpilledMarks;
  /** whether the events came in timeline order, and the times of the first and last one read */
  readOrder: ReadOrder;
  findings: ScanMark[];
  correlationMatches: ScanMark[];
  calls: ForensicEvent[];
  /** the runs of sorted calls written instead (ScanOptions.callRuns) */
  callRuns?: string[];
  /** name ↔ address pairs in the order learned: [ip, domain, where] */
  dnsPairs: [string, string, string][];
  events: ForensicEvent[];
}

/**
 * Events in timeline order (by time, then position) as read: the timeline streams such an input as
 * it is instead of sorting it. firstMs/lastMs: times of the first and last event read (NaN: none),
 * to tell whether slices of a file are in order one after another.
 */
export interface ReadOrder {
  sorted: boolean;
  firstMs: number;
  lastMs: number;
}

/** Follows the order of events as they are read. */
export class OrderTracker {
  private last?: ForensicEvent;
  readonly order: ReadOrder = { sorted: true, firstMs: NaN, lastMs: NaN };

  see(event: ForensicEvent): void {
    if (this.last === undefined) this.order.firstMs = event.timeMs;
    else if (this.order.sorted && compareEvents(this.last, event) > 0) this.order.sorted = false;
    this.last = event;
    this.order.lastMs = event.timeMs;
  }
}

/** Records every pair a DnsIndex would learn, once each, for replay into the run's index. */
export class DnsRecorder extends DnsIndex {
  readonly pairs: [string, string, string][] = [];
  private seen = new Set<string>();
  /** the pairs seen as written, by address: most records repeat a pair (flow logs name their domain each time) */
  private written = new Map<string, Set<string>>();
  override add(ip: string, domain: string, where: string): void {
    let domains = this.written.get(ip);
    if (domains?.has(domain)) return;
    if (!domains) {
      // only a shortcut: forgetting it changes no answer, and many addresses cost no more memory than `seen`
      if (this.written.size >= WRITTEN_ADDRESSES) this.written.clear();
      this.written.set(ip, (domains = new Set()));
    }
    domains.add(domain);
    const key = `${ip}\0${domain.toLowerCase()}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.pairs.push([ip, domain, where]);
  }
}

const WRITTEN_ADDRESSES = 100_000;

const ids = (rules: readonly Rule[]) => rules.map((r) => r.id);

export async function scanInput(detected: DetectedInput, format: InputFormat, rules: ScanRules, options: ScanOptions): Promise<ScanResult> {
  const parsed = parseInput(detected, format, options.read);
  const path = detected.source.path;
  const manual = options.manualOffsetMs;
  const dns = new DnsRecorder();
  const order = new OrderTracker();
  const out: ScanResult = {
    records: 0, firstMs: Infinity, lastMs: -Infinity, sha256: '', bytes: 0, gzip: false, notes: [], issues: [], skipped: 0, yearUsed: false,
    findings: [], correlationMatches: [], calls: [], dnsPairs: dns.pairs, events: [], readOrder: order.order,
  };
  const marks = new Marks(rules, format);
  let inMemory = 0;
  let spill: JsonLinesFile | undefined;
  let spilledCount = 0;
  let spilledFindings = 0;
  const runs = options.callRuns && new CallRunWriter(options.callRuns.folder, new Inventory(options.callRuns.assets), () => manual, () => options.callRuns!.input);
  // Calls written as runs are kept as the main thread keeps them (keptCall): a copy of a call in an
  // input read there must have the same record (a long output as its digest).
  const callStrings = options.detach ?? (runs ? new SharedStrings() : undefined);
  const take = (event: ForensicEvent): void => {
    out.records++;
    order.see(event);
    const t = event.timeMs + manual;
    if (t < out.firstMs) out.firstMs = t;
    const end = (event.endMs ?? event.timeMs) + manual;
    if (end > out.lastMs) out.lastMs = end;
    dns.learn(event);
    if (options.keepEvents) out.events.push(event);
    if (event.kind === 'tool-call') {
      const call = callStrings ? keptCall(event, callStrings) : event;
      if (runs) runs.push(call);
      else out.calls.push(call);
      return;
    }
    const m = marks.of(event);
    if (m.hits.length === 0 && m.inputs.length === 0) return;
    if (options.spill && inMemory >= options.spill.keep) {
      spill ??= new JsonLinesFile(join(options.spill.folder, `marks-${randomUUID()}.jsonl`), 'marked records');
      spill.append(spilledMark(t, event, m.hits, m.inputs));
      spilledCount++;
      if (m.hits.length) spilledFindings++;
      return;
    }
    inMemory++;
    // One object for both lists: a record in both is then paired into one (scan-marks.ts).
    const kept = options.detach ? detached(event, options.detach) : event;
    if (m.hits.length) out.findings.push({ event: kept, timeMs: t, ruleIds: ids(m.hits) });
    if (m.inputs.length) out.correlationMatches.push({ event: kept, timeMs: t, ruleIds: ids(m.inputs) });
    if (options.onMarks && out.findings.length + out.correlationMatches.length >= MARKS_PER_BATCH) {
      options.onMarks(out.findings, out.correlationMatches);
      out.findings = [];
      out.correlationMatches = [];
    }
  };
  const stop = () => options.strict && parsed.issues.length > 0;
  if (parsed.each) {
    await parsed.each((event) => {
      if (stop()) return false;
      take(event);
    }, leanReading(format, rules, options, marks));
  } else {
    for await (const event of parsed.events) {
      if (stop()) break;
      take(event);
    }
  }
  const read = await parsed.read;
  if (runs) out.callRuns = runs.finish();
  if (spill) {
    spill.close();
    out.spilled = { file: spill.path, count: spilledCount, findings: spilledFindings };
  }
  out.sha256 = read.sha256;
  out.bytes = read.bytes;
  out.gzip = read.gzip;
  out.notes = parsed.notes;
  out.issues = parsed.issues;
  out.skipped = parsed.issueCount();
  out.yearUsed = parsed.yearUsed();
  if (read.error) out.readError = { message: read.error, ...(read.errorLine ? { line: read.errorLine } : {}) };
  if (options.strict) {
    // The problem at the lowest line, whichever stage (splitting, depth guard, parser) reported it first.
    const first = [...parsed.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0))[0];
    if (first) throw new InputError(`${first.message} (--strict)`, path, first.line);
    if (read.error) throw new InputError(`${read.error} (--strict)`, path);
  }
  return out;
}

/**
 * A copy of a record that shares no memory with the line it was read from. Parsers cut fields out
 * of the line (V8 keeps such substrings as views that hold the whole line alive) and join texts
 * (kept as trees of the parts): a flood's marked records held every line they came from, about
 * twice their own size. A structured clone writes each text out flat; the short texts records
 * repeat (kinds, actions, hosts, the path) are then shared again.
 */
function detached(event: ForensicEvent, strings: SharedStrings): ForensicEvent {
  return strings.shareEvent(structuredClone(event));
}

/**
 * A tool call as the analysis keeps it until the report (RL traces hold millions): the strings calls
 * repeat (tool, command, host, session) shared, and a long output (transcripts keep up to 2000
 * characters a call) replaced by its SHA-256. Nothing after the scan reads a call's output but the
 * search for copies between inputs, which compares it (as a digest, now: the same answer); the DNS
 * pairs it shows were learned above, and reports never print it.
 */
function keptCall(event: ForensicEvent, strings: SharedStrings): ForensicEvent {
  const output = event.fields?.output;
  if (typeof output === 'string' && output.length > KEPT_OUTPUT_CHARS) event.fields!.output = `sha256:${sha256Base64(output)}`;
  // A call's summary ('bash: pytest -q') repeats with its command, unlike a log record's; most calls
  // have no fields. Together these were 40 % of a kept call's memory. Summaries are shared only once
  // the command has been seen: traces whose commands never repeat would fill the table for nothing.
  if (event.message !== undefined && event.command !== undefined && strings.knows(event.command)) event.message = strings.share(event.message);
  if (event.fields && isEmpty(event.fields)) event.fields = NO_FIELDS;
  return strings.shareEvent(event);
}

/** The `fields` of every kept call that has none: read only from here on. */
const NO_FIELDS: Record<string, unknown> = Object.freeze({});

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Longer outputs are kept as a digest (51 characters). */
const KEPT_OUTPUT_CHARS = 64;

/** The rules and correlation inputs that mark an event; the last answer is kept for the same event. */
class Marks {
  private event?: ForensicEvent;
  hits: readonly Rule[] = NO_RULES;
  inputs: readonly Rule[] = NO_RULES;
  /** `format`: its declared `fields` keys let rules skip conditions its events can never meet */
  constructor(private readonly rules: ScanRules, private readonly format: InputFormat) {}

  /** This, answering for `event` (read its lists before asking about another event). */
  of(event: ForensicEvent): Marks {
    if (this.event !== event) {
      const keys = event.format === this.format.name ? this.format.fieldKeys : undefined;
      this.event = event;
      this.hits = matchingRules(this.rules.rules, event, keys);
      this.inputs = this.rules.hasCorrelations ? matchingRules(this.rules.correlationInputs, event, keys) : NO_RULES;
    }
    return this;
  }
}

/**
 * Lean events for records no rule marks, when nothing here reads what they leave out and events are
 * not kept. A format that lists its `fields` keys leaves out `fields` and `message` when neither the
 * rules of this format nor the DNS learning read them; a format that projects its fields keeps the
 * keys those read and leaves out the rest and `message`. A record a rule marks is read again in
 * full, so findings carry the whole record.
 */
function leanReading(format: InputFormat, rules: ScanRules, options: ScanOptions, marks: Marks): LeanReading | undefined {
  if (options.keepEvents || options.lean === false) return undefined;
  const all = [...rules.rules, ...(rules.hasCorrelations ? rules.correlationInputs : [])];
  const keep = leanKeys(format, all);
  if (!keep) return undefined;
  return {
    keep,
    needsFull: (event) => {
      const m = marks.of(event);
      return m.hits.length > 0 || m.inputs.length > 0;
    },
  };
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** The `fields` keys a lean event of this format keeps, or undefined when it may not be read lean. */
function leanKeys(format: InputFormat, rules: readonly Rule[]): ReadonlySet<string> | undefined {
  const keys = format.fieldKeys;
  if (keys) {
    if (keys.some((k) => DNS_FIELD_KEYS.includes(k))) return undefined;
    return rulesMayRead(rules, format.name, format.source, keys) ? undefined : NO_KEYS;
  }
  if (!format.projectsFields) return undefined;
  const read = fieldKeysRulesRead(rules, format.name, format.source);
  return read ? new Set([...read, ...DNS_FIELD_KEYS]) : undefined;
}
