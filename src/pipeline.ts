// The glue (ripgrep's search.rs): options → inputs → events → rules → clock → attribution → Report.
// Agent transcripts are read first and indexed (past 128 MiB of them, by the workers, their calls
// going to disk); firewall and audit inputs are then streamed once (by worker threads when they are
// large), keeping only the records rules mark, so memory follows the findings, not the input.
// Results are folded in input order: the report does not depend on how many workers read it.
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { originOf, widestWindows, type Finding, type ToolCall } from './attribution/attribute.js';
import { buildToolCallsFrom } from './attribution/calls.js';
import { CALLS_ON_DISK_BYTES, CallRecords } from './attribution/call-spill.js';
import { WindowedCallIndex, LONG_CALL_MS, type CallFile } from './attribution/call-window.js';
import { DnsIndex } from './attribution/dns.js';
import { Inventory, loadInventory } from './attribution/inventory.js';
import { NamingIndex } from './attribution/naming-index.js';
import { SkewPairFinder } from './attribution/skew-pairs.js';
import { activityStats } from './attribution/stats.js';
import { ViolationStore, type SpilledViolations } from './attribution/violation-store.js';
import { buildViolation, CallIndex, countedViolation, IncidentBuilder, type Scoring } from './attribution/violations.js';
import { enrichViolation, geoipSetting, GeoIpLookup } from './enrich/geoip.js';
import { detectInput, parseInput, withoutProbeHead, type DetectedInput, type ReadSettings } from './ingest/ingest.js';
import { IO_AT_ONCE, mapInOrder, settleInOrder } from './ingest/in-order.js';
import { gzipContentBytes, openInput, resolveInputs, type InputSource, type ResolvedInputs } from './ingest/read.js';
import { appendAll } from './model/arrays.js';
import { compareEvents, compareRefs, refFor, type ForensicEvent, type Ref, type SourceKind } from './model/event.js';
import { ISSUES_KEPT, type Issue } from './model/issue.js';
import { SharedStrings } from './model/shared-strings.js';
import { REPORT_SCHEMA, type Incident, type Report, type ReportClock, type ReportError, type ReportHead, type ReportInput, type Violation } from './model/report.js';
import type { AnalysisOptions } from './options.js';
import { CorrelationEvaluator } from './rules/correlation.js';
import { DEFAULT_HINTS, loadRuleSet, type RuleSet } from './rules/load.js';
import type { Rule, RuleHeader } from './rules/rule.js';
import { ScanPool, workersAvailable } from './scan-pool.js';
import { hashAndCountLines, joinSlices, sliceStarts, SPLITTABLE } from './scan-split.js';
import type { ScanTask, TimelineBatch } from './scan-worker.js';
import { InputError, UserError } from './model/errors.js';
import { OrderTracker, scanInput, type ScanOptions, type ScanResult } from './scan.js';
import { CopyFinder, dedupeRecords } from './timeline/dedupe.js';
import { forEachMerged, InputMarks, type MarkSource } from './scan-marks.js';
import { privateTempFolder, type TempFolder } from './timeline/temp.js';
import { EVENT_LINES, flattened, inBatches, MAX_MERGED_AT_ONCE, mergeMany, mergeSortedBatches, sortEvents, type LineCodec } from './timeline/merge.js';
import { shifted, shiftEvent, stillInOrder, withinRange } from './timeline/shift.js';
import { estimateSkew, manualOffsetFor, type SkewPair } from './timeline/skew.js';
import { BUILTIN_RULES, VERSION } from './version.js';

/** Problems the report lists in detail (each input keeps as many: see ISSUES_KEPT); `errorsTotal` counts them all. */
export const MAX_REPORTED_ERRORS = ISSUES_KEPT;

export interface Analysis {
  report: Report;
  /**
   * Present when there were too many violations to hold: `report.violations` is then only the head,
   * and the renderers that list every violation read them all from here. Dispose of it when done.
   */
  spilled?: SpilledViolations;
  /** every event, clock-corrected and ordered, when options.keepEvents */
  events?: ForensicEvent[];
  ruleSet: RuleSet;
  /** how each input was read, by path, to read it again identically */
  readPlan: Map<string, ReadPlan>;
  /** marked records that waited on disk between the reading and the violations (past the memory budget) */
  spilledMarks: number;
  /** tool calls that went to disk and were read back through a window (past the memory budget) */
  spilledCalls: number;
}

/** How an input was read by the analysis, so that the timeline reads it again the same way. */
export interface ReadPlan {
  settings: ReadSettings;
  offsetMs: number;
  /** its events came in timeline order (the timeline need not sort them) */
  ordered: boolean;
  /** SHA-256 of what was read: a second reading must find the same bytes */
  sha256: string;
}

interface InputState {
  detected: DetectedInput;
  path: string;
  format: string;
  source: SourceKind;
  sha256: string;
  bytes: number;
  gzip: boolean;
  records: number;
  skipped: number;
  /** skipped records whose problem was counted but not kept in detail (past ISSUES_KEPT) */
  unlisted: number;
  firstMs: number;
  lastMs: number;
  notes: string[];
  manualOffsetMs?: number;
  offsetMs: number;
  /** the events were read in timeline order */
  ordered: boolean;
  /** the records rules marked (findings and correlation matches), in memory or spilled */
  marks: InputMarks;
  events: ForensicEvent[];
}

export async function analyze(options: AnalysisOptions): Promise<Analysis> {
  const rulePaths = options.rules.length ? options.rules : [fileURLToPath(BUILTIN_RULES)];
  // The inputs are listed once (a folder may hold tens of thousands of files) and detected while this
  // thread loads the rules; a failure is reported by analyzeWith, in its turn.
  const settings = readSettingsOf(options);
  const detecting = detectAll(resolveInputs(options.paths), settings);
  detecting.catch(() => undefined);
  // Marked records past the memory budget wait in this folder until the violations are built.
  const spill = options.keepEvents ? undefined : MarkSpill.open(options.marksInMemory);
  const planning = detecting.then((detected) => planScans(detected, options, spill));
  planning.catch(() => undefined);
  // Workers take a while to start: when the detected inputs need them, they load their code now,
  // while this thread loads the rules they will compile; openReader takes them over.
  const early: EarlyPool = { pool: planning.then((plan) => (plan.workers > 1 ? new ScanPool(plan.workers) : undefined), () => undefined), adopted: false };
  try {
    return await analyzeWith(options, rulePaths, early, detecting, planning, settings, spill);
  } finally {
    if (!early.adopted) await (await early.pool)?.close();
    spill?.folder.remove();
  }
}

interface EarlyPool {
  pool: Promise<ScanPool | undefined>;
  /** openReader took the pool over (and closes it) */
  adopted: boolean;
}

/** The inputs found under the paths, detected (in order), and the paths that could not be listed. */
interface Detected {
  detections: DetectedInput[];
  problems: Issue[];
}

async function detectAll(resolving: Promise<ResolvedInputs>, settings: ReadSettings): Promise<Detected> {
  const { sources, problems } = await resolving;
  const detections = await mapInOrder(sources, IO_AT_ONCE, async (source) => withoutProbeHead(await detectInput(source, settings)));
  return { detections, problems };
}

function readSettingsOf(options: AnalysisOptions): ReadSettings {
  return {
    tz: options.tz, year: options.year, maxLineBytes: options.maxLineBytes, maxDocumentBytes: options.maxDocumentBytes,
    maxJsonDepth: options.maxJsonDepth, maxDecompressedBytes: options.maxDecompressedBytes, maxGzipRatio: options.maxGzipRatio,
  };
}

/** How the reading is shared out, planned once from the detected inputs (a gzip file's trailer is read then). */
interface ScanSharing {
  /** call records held in memory (CallRecords) */
  callsBudget: number;
  /** the scan workers (a pool only past one) */
  workers: number;
}

async function planScans(detected: Detected, options: AnalysisOptions, spill: MarkSpill | undefined): Promise<ScanSharing> {
  const inputs = detected.detections.map((d) => ({ detected: d, source: d.format?.source ?? ('other' as const) }));
  const budget = await callsBudget(inputs, options);
  // The calls go to disk from the start (CallRecords.runsInScans): the workers may read the transcripts.
  const callsOnDisk = spill?.folder.path !== undefined && budget === 0;
  return { callsBudget: budget, workers: await workerCount(scanPlan(inputs, callsOnDisk).files, options) };
}

async function analyzeWith(options: AnalysisOptions, rulePaths: string[], early: EarlyPool, detecting: Promise<Detected>, planning: Promise<ScanSharing>, settings: ReadSettings, spill: MarkSpill | undefined): Promise<Analysis> {
  const ruleSet = await loadRuleSet(rulePaths);
  // The early workers compile these while this thread goes on (a failed start is openReader's to report).
  early.pool.then((pool) => pool?.useRules(ruleSet.portable), () => undefined);
  const inventory = options.inventory ? await loadInventory(options.inventory) : new Inventory();
  const { detections, problems } = await detecting;
  const errors: Issue[] = [...problems];

  const byId = new Map([...ruleSet.detections, ...ruleSet.rules].map((r) => [r.id, r]));
  const states: InputState[] = [];
  for (const detected of detections) {
    const source = detected.source;
    const format = detected.format;
    states.push({
      detected, path: source.path, format: format?.name ?? 'unknown', source: format?.source ?? 'other',
      sha256: '', bytes: 0, gzip: false, records: 0, skipped: 0, unlisted: 0, firstMs: Infinity, lastMs: -Infinity, notes: [],
      manualOffsetMs: manualOffsetFor(options.skews, source.path, format?.name ?? ''), offsetMs: 0, ordered: false, marks: new InputMarks(byId), events: [],
    });
  }
  const agentOffsets = new Map(states.filter((s) => s.source === 'agent').map((s) => [s.path, s.manualOffsetMs ?? 0]));
  const calls = new CallRecords(spill?.folder.path, (await planning).callsBudget, (p) => agentOffsets.get(p) ?? 0, inventory);
  const dns = new DnsIndex();
  const reader = await openReader(states, ruleSet, byId, options, early, spill, calls);
  let readSettings: Map<string, ReadSettings>;
  try {
    readSettings = await readInputs(states, settings, reader, (st, scan) => applyScan(st, scan, calls, dns, errors));
  } finally {
    await reader.close();
  }

  // Records scans spilled past their own share come back when the run's budget holds them all (the
  // passes below read them several times); the clocks alone read them once.
  if (!options.clocksOnly) await spill?.reload(states.map((s) => s.marks));
  // With the calls on disk, their merge notes those that name a destination the clocks pass asks about.
  const naming = calls.inMemory ? undefined : new NamingIndex(await findingDestinations(states.filter((st) => clockEstimated(st, options))));
  const toolCalls = uniqueToolCalls(calls, states, inventory, ruleSet, naming);
  const clock = await settleClocks(states, toolCalls, inventory, options, naming);
  const inRange = withinRange(options.sinceMs, options.untilMs);
  // A caller that wants the clocks only (the timeline) gets a report with no violations nor incidents
  // (its statistics count none), its inputs, clocks, errors and event counts those of a full analysis.
  const { built, geo } = options.clocksOnly ? { built: NO_VIOLATIONS, geo: undefined } : await attributeViolations(states, toolCalls, dns, inventory, ruleSet, spill, inRange, options, () => reportHead(states, clock));
  const report = assemble(states, clock, built, toolCalls, errors, ruleSet, options);
  if (geo) report.settings = { ...report.settings, geoip: geoipSetting(geo) };
  const events = options.keepEvents ? mergedEvents(states, inRange) : undefined;
  const readPlan = new Map(states.map((st) => [st.path, { settings: readSettings.get(st.path) ?? settings, offsetMs: st.offsetMs, ordered: st.ordered, sha256: st.sha256 }]));
  const spilledMarks = states.reduce((n, s) => n + s.marks.spilledCount, 0);
  const spilledCalls = Array.isArray(toolCalls) ? 0 : toolCalls.count;
  return { report, events, ruleSet, readPlan, spilledMarks, spilledCalls, ...(built.spilled ? { spilled: built.spilled } : {}) };
}

const NO_VIOLATIONS: BuiltViolations = { violations: [], total: 0, attributed: 0, times: [], incidents: [] };

/** The violations of the marked records on the corrected clock, attributed to the tool calls (copies between inputs noted). */
async function attributeViolations(states: InputState[], toolCalls: RunCalls, dns: DnsIndex, inventory: Inventory, ruleSet: RuleSet, spill: MarkSpill | undefined, inRange: (t: number) => boolean, options: AnalysisOptions, head: () => ReportHead): Promise<{ built: BuiltViolations; geo: GeoIpLookup | undefined }> {
  await sortOutOfOrder(states, spill);
  const marked: MarkSource[] = states.map((s) => ({ marks: s.marks, offsetMs: s.offsetMs }));
  const selection: Selection = { sources: marked, anchors: await correlationAnchors(marked, ruleSet), inRange };
  // A report whose violations are written as they are built needs its inputs' notes before them,
  // the copies among the violations with them: they are counted beforehand, in a pass of their own.
  const sink = options.violationSink;
  const counted = await violationCount(selection, states, sink !== undefined);
  const total = counted.total;
  if (sink) noteCopies(states, counted.copies!, 'violations');
  const w = widest(ruleSet);
  const window = Array.isArray(toolCalls) ? undefined : toolCalls.window(LONG_CALL_MS + w.lingerMs, w.beforeMs);
  const scoring: Scoring = { calls: window ? new WindowedCallIndex(window) : new CallIndex(toolCalls as ToolCall[]), dns, inventory, minConfidence: options.minConfidence };
  const geo = options.geoip.length > 0 ? await GeoIpLookup.open(options.geoip) : undefined;
  const copies = new CopyFinder();
  let built: BuiltViolations;
  try {
    sink?.begin(head());
    built = await buildViolations(selection, copies, total, scoring, geo, options);
  } finally {
    window?.close();
  }
  if (!sink) noteCopies(states, copies.copies, 'violations');
  return { built, geo };
}

/** The passes that merge the inputs by time need each in order: an input read out of order is sorted, once (on disk past the budget). */
async function sortOutOfOrder(states: InputState[], spill: MarkSpill | undefined): Promise<void> {
  for (const st of states) if (!st.ordered) await st.marks.sort(spill?.folder.path, spill?.runSize ?? Infinity);
}

/**
 * The run's tool calls as attribution reads them: a list in memory, or (past the budget) a file of
 * calls read through windows, with the few calls longer than an hour in memory.
 */
type RunCalls = ToolCall[] | CallFile;

/** Call records held in memory (options.callsInMemory): all of them, unless the transcripts together are larger than CALLS_ON_DISK_BYTES. */
export async function callsBudget(inputs: readonly ScannedInput[], options: Pick<AnalysisOptions, 'callsInMemory'>): Promise<number> {
  if (options.callsInMemory !== undefined) return options.callsInMemory;
  // Gzipped transcripts count by their content: 424 MiB of them in 28 MB of gzip held 950 MB.
  return (await reachesWorkBytes(inputs.filter((s) => s.source === 'agent'), CALLS_ON_DISK_BYTES + 1)) ? 0 : Infinity;
}


function callCount(calls: RunCalls): number {
  return Array.isArray(calls) ? calls.length : calls.count;
}

/** The widest windows of the run's rules. */
function widest(ruleSet: RuleSet): ReturnType<typeof widestWindows> {
  return widestWindows([...ruleSet.detections, ...ruleSet.correlations]);
}

/** The tool calls as attribution reads them, copies between inputs left out (and noted on the copies); empties `records`. */
function uniqueToolCalls(records: CallRecords, states: InputState[], inventory: Inventory, ruleSet: RuleSet, naming: NamingIndex | undefined): RunCalls {
  const calls = records.inMemory;
  if (!calls) {
    const { calls: onDisk, copies } = records.finish(widest(ruleSet).afterMs, naming?.empty ? undefined : naming);
    noteCopies(states, copies, 'tool calls');
    return onDisk;
  }
  const offsetOf = records.offsetOf;
  const unique = dedupeRecords(calls, (e) => ({ event: e, timeMs: e.timeMs + offsetOf(e.ref.path) }));
  noteCopies(states, unique.copies, 'tool calls');
  // The records are not read again (a ToolCall keeps what is): they go as their calls are made.
  const kept: (ForensicEvent | undefined)[] = unique.kept === calls ? calls.slice() : unique.kept;
  calls.length = 0;
  return buildToolCallsFrom(kept, inventory, offsetOf);
}

/** What the report says about all violations, gathered while they are built one at a time. */
interface BuiltViolations {
  /** the violations the report holds: all of them, or the head when the rest spilled */
  violations: Violation[];
  spilled?: SpilledViolations;
  total: number;
  attributed: number;
  /** each violation's time, in report order, for the activity statistics */
  times: number[];
  incidents: Incident[];
}

/**
 * Builds the violations in report order as the findings are read, each violation handed to the
 * store (which spills to disk past its bound): memory holds the report's head and the incidents,
 * not every violation. `total`: how many selectFindings gives.
 */
async function buildViolations(selection: Selection, copies: CopyFinder, total: number, scoring: Scoring, geo: GeoIpLookup | undefined, options: AnalysisOptions): Promise<BuiltViolations> {
  const { onStep, violationsListed, violationSink } = options;
  const store = new ViolationStore(options.violationsInMemory);
  const incidents = new IncidentBuilder();
  const times: number[] = [];
  let attributed = 0;
  let i = 0;
  await selectFindings(selection, copies, (f) => {
    if (onStep && i % STEP_REPORT_EVERY === 0) onStep('attributing violations', i, total);
    f.origin = originOf(f.event, scoring.inventory);
    const index = i++;
    // A violation past those the report lists counts (and joins its incident), but is not kept: a
    // flood's would go to disk for nothing, with reasons and runner-ups nobody reads.
    const listed = violationsListed === undefined || index < violationsListed;
    const v = listed ? buildViolation(f, index, scoring) : countedViolation(f, index, scoring);
    if (geo && listed) enrichViolation(v, geo);
    if (v.attribution) attributed++;
    times.push(f.timeMs);
    incidents.add(v);
    if (!listed) return;
    if (violationSink) violationSink.add(v);
    else store.add(v);
  });
  onStep?.('attributing violations', i, i);
  return { ...store.finish(), total: i, attributed, times, incidents: incidents.finish() };
}

/**
 * How many violations there will be, for the progress of the building: counted when every marked
 * record is in memory or when `exact` (with the copies among them); with records on disk (a flood:
 * each reading costs a parse), an upper bound, leaving copies and --since/--until out and counting
 * every correlation hit apart.
 */
async function violationCount(selection: Selection, states: InputState[], exact: boolean): Promise<{ total: number; copies?: CopyFinder['copies'] }> {
  if (!exact && states.some((s) => s.marks.onDisk > 0)) return { total: states.reduce((n, s) => n + s.marks.findings, 0) + selection.anchors.length };
  let total = 0;
  const copies = new CopyFinder();
  await selectFindings(selection, copies, () => total++);
  return { total, copies: copies.copies };
}

/** What the violations are built from: every input's marked records, and the records correlations hit. */
interface Selection {
  sources: MarkSource[];
  anchors: Anchor[];
  inRange: (timeMs: number) => boolean;
}

/** A record one or more correlations hit, with their rules in (time, position, rule id) order of the hits. */
interface Anchor {
  event: ForensicEvent;
  timeMs: number;
  rules: RuleHeader[];
}

/**
 * The findings in report order (corrected time, then position), handed to `visit` one at a time:
 * copies of a record in another input left out (counted in `copies`), the rules of correlations
 * that hit a finding's record added to it, a record hit but not a finding made one, and only those
 * within --since/--until.
 */
async function selectFindings(selection: Selection, copies: CopyFinder, visit: (f: Finding) => void): Promise<void> {
  const { anchors, inRange } = selection;
  let a = 0;
  const emit = (f: Finding) => inRange(f.timeMs) && visit(f);
  const emitAnchor = (an: Anchor) => emit({ event: an.event, timeMs: an.timeMs, rules: [...an.rules], origin: undefined });
  const anchorBefore = (f: Finding) => a < anchors.length && (anchors[a]!.timeMs - f.timeMs || compareRefs(anchors[a]!.event.ref, f.event.ref)) < 0;
  let run: Finding[] = [];
  // Copies are found among the findings of one instant: the instant is complete once a later one comes.
  const flush = () => {
    const keep = copies.keep(run);
    run.forEach((f, i) => {
      while (anchorBefore(f)) emitAnchor(anchors[a++]!);
      const hit = a < anchors.length && anchors[a]!.timeMs === f.timeMs && compareRefs(anchors[a]!.event.ref, f.event.ref) === 0 ? anchors[a++] : undefined;
      if (!keep[i]) {
        if (hit) emitAnchor(hit);
        return;
      }
      if (hit) f.rules = [...f.rules, ...hit.rules.filter((r) => !f.rules.includes(r))];
      emit(f);
    });
    run = [];
  };
  await forEachMerged(selection.sources, (r, timeMs) => {
    if (!r.finding) return;
    if (run.length && run[0]!.timeMs !== timeMs) flush();
    // `origin` is set when the violation is built; present from the start, it keeps one object shape.
    run.push({ event: r.event, timeMs, rules: r.finding, origin: undefined });
  });
  flush();
  while (a < anchors.length) emitAnchor(anchors[a++]!);
}

/** Violations built between two calls of AnalysisOptions.onStep. */
const STEP_REPORT_EVERY = 2048;

/**
 * Reads every input once, in three phases, and returns the settings each was read with.
 * 1. Transcripts, in order: they are the reference clock and date year-less logs.
 * 2. Everything else (in parallel where workers help), dated by the transcripts.
 * 3. With no transcript to date them, year-less logs are read again, dated by the other inputs
 *    (standard input and pipes cannot be read again: they keep the year phase 2 gave them).
 */
async function readInputs(states: InputState[], settings: ReadSettings, reader: Reader, apply: (st: InputState, scan: Scanned | undefined) => void): Promise<Map<string, ReadSettings>> {
  const used = new Map<string, ReadSettings>();
  const rest = states.filter((s) => s.source !== 'agent');
  // With workers, inputs whose dates carry their year need nothing from the transcripts: they are
  // scanned while this thread reads the transcripts. Results are still applied in input order.
  const early = reader.parallel ? rest.filter((st) => !st.detected.format?.yearless) : [];
  const earlyScans = reader.settleAll(early, settings);
  let referenceMs: number | undefined;
  const transcripts = states.filter((s) => s.source === 'agent');
  // Read together, transcripts get no reference time: their formats date themselves (openReader).
  const together = reader.transcriptsInWorkers ? firstFailureThrown(await reader.settleAll(transcripts, settings)) : undefined;
  for (const [i, st] of transcripts.entries()) {
    used.set(st.path, together ? settings : { ...settings, referenceMs });
    apply(st, together ? together[i] : await reader.scan(st, { ...settings, referenceMs }));
    if (Number.isFinite(st.lastMs)) referenceMs = Math.max(referenceMs ?? -Infinity, st.lastMs);
  }
  const phase2 = { ...settings, referenceMs };
  const late = rest.filter((st) => !early.includes(st));
  const settled = new Map<InputState, PromiseSettledResult<Scanned | undefined>>();
  const keep = (list: InputState[], done: PromiseSettledResult<Scanned | undefined>[]) => list.forEach((st, i) => settled.set(st, done[i]!));
  keep(early, await earlyScans);
  keep(late, await reader.settleAll(late, phase2));
  const results = firstFailureThrown(rest.map((st) => settled.get(st)!));
  early.forEach((st) => used.set(st.path, settings));
  if (referenceMs === undefined && settings.year === undefined) {
    const dated = results.filter((r) => r && !r.yearUsed && Number.isFinite(r.lastMs)).map((r) => r!.lastMs);
    if (dated.length) {
      const again = { ...settings, referenceMs: Math.max(...dated) };
      const redo = rest.filter((st, i) => results[i]?.yearUsed && !st.detected.kept);
      const second = firstFailureThrown(await reader.settleAll(redo, again));
      redo.forEach((st, i) => {
        results[rest.indexOf(st)]?.marks.dispose();
        results[rest.indexOf(st)] = second[i];
        used.set(st.path, again);
      });
    }
  }
  rest.forEach((st, i) => {
    if (!used.has(st.path)) used.set(st.path, phase2);
    apply(st, results[i]);
  });
  return used;
}

/** The results in order, or the first failure in that order thrown. */
function firstFailureThrown<T>(settled: PromiseSettledResult<T>[]): T[] {
  const failed = settled.find((r) => r?.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Events held in memory across the inputs the timeline sorts; beyond, sorted runs spill to disk. */
const TIMELINE_MEMORY_EVENTS = 400_000;

/**
 * The clock-corrected timeline of every event, read again input by input with the settings of the
 * analysis, then merged. An input whose events the analysis read in timeline order (most logs) is
 * streamed as it is; the others are sorted with bounded memory (sorted runs spill to disk).
 */
export async function* timelineEvents(options: AnalysisOptions, plan: Analysis['readPlan']): AsyncGenerator<ForensicEvent> {
  const again = await readingAgain(options, plan);
  yield* mergeMany(again.inputs.map((d) => () => again.events(d)), compareEvents, EVENT_LINES);
  await again.verify();
}

/** Inputs read a second time for the timeline, each checked against the first reading. */
interface ReadingAgain {
  /** the inputs of the analysis, detected again (those of no known format left out) */
  inputs: DetectedInput[];
  /** an input's events on the corrected clock, in timeline order, read on this thread */
  events(detected: DetectedInput): AsyncIterable<ForensicEvent>;
  /** the SHA-256 of an input read elsewhere, once it is known */
  readElsewhere(path: string, read: Promise<{ sha256: string }>): void;
  /** throws when an input's bytes differ from the first reading (call once every input is read) */
  verify(): Promise<void>;
}

async function readingAgain(options: AnalysisOptions, plan: Analysis['readPlan']): Promise<ReadingAgain> {
  const { sources } = await resolveInputs(options.paths);
  const inRange = withinRange(options.sinceMs, options.untilMs);
  const toSort = sources.filter((s) => plan.get(s.path)?.ordered === false).length;
  const runSize = Math.max(1_000, Math.floor((options.timelineEventsInMemory ?? TIMELINE_MEMORY_EVENTS) / Math.max(1, toSort)));
  const rereads: { path: string; sha256: string; read: Promise<{ sha256: string; error?: string }> }[] = [];
  const planned = sources.filter((s) => plan.has(s.path));
  const detections = await mapInOrder(planned, IO_AT_ONCE, async (source) => withoutProbeHead(await detectInput(source, plan.get(source.path)!.settings)));
  return {
    inputs: detections.filter((d) => d.format),
    events: (detected) => {
      const path = detected.source.path;
      const how = plan.get(path)!;
      const parsed = parseInput(detected, detected.format!, how.settings);
      rereads.push({ path, sha256: how.sha256, read: parsed.read });
      const events = shifted(parsed.events, how.offsetMs, inRange);
      return how.ordered ? stillInOrder(events, path) : sortEvents(events, { runSize });
    },
    readElsewhere: (path, read) => rereads.push({ path, sha256: plan.get(path)!.sha256, read }),
    verify: async () => {
      // The timeline is only as good as the evidence the analysis hashed: a second reading of other bytes fails it.
      for (const r of rereads) {
        const read = await r.read;
        // A file that could not be read again is not a changed one (too many open files, say).
        if (read.error && read.sha256 !== r.sha256) throw new InputError(`could not read it again for the timeline: ${read.error}`, r.path);
        if (read.sha256 !== r.sha256) throw new InputError('the input changed while it was read: its SHA-256 differs from the first reading', r.path);
      }
    },
  };
}

/** One output line of the timeline, with what places it in the merge. */
interface TimelineLine {
  timeMs: number;
  ref: Ref;
  text: string;
}

const compareLines = (a: TimelineLine, b: TimelineLine) => a.timeMs - b.timeMs || compareRefs(a.ref, b.ref);

/** Timeline lines as lines of the temporary files of a merge of many inputs (mergeMany). */
const TIMELINE_LINES: LineCodec<TimelineLine> = {
  write: (l) => JSON.stringify([l.timeMs, l.ref.path, l.ref.line ?? null, l.ref.index ?? null, l.text]),
  read: (line) => {
    const [timeMs, path, at, index, text] = JSON.parse(line) as [number, string, number | null, number | null, string];
    return { timeMs, ref: refFor(path, at, index), text };
  },
};

/** An input this large, read in timeline order, is read again by a scan worker for the timeline. */
const TIMELINE_WORKER_BYTES = 1024 * 1024;

/**
 * Inputs read by the workers at once, the largest: each holds a read buffer there and two batches of
 * lines here (a folder of a thousand transcripts would hold a thousand of each).
 */
const TIMELINE_WORKER_INPUTS = 32;

/** How the timeline prints an event: a line per event, formatted here by `line` and in a worker by the format's name. */
export interface TimelinePrinting {
  format: string;
  line: (e: ForensicEvent) => string;
}

/**
 * timelineEvents() as output lines of a format written a line per event: the same lines in the same
 * order as formatting that stream. Large inputs the analysis read in timeline order are read, checked
 * and formatted by scan workers, side by side, while this thread merges their lines.
 */
export async function* timelineLines(options: AnalysisOptions, plan: Analysis['readPlan'], printing: TimelinePrinting): AsyncGenerator<string[]> {
  const again = await readingAgain(options, plan);
  const inWorkers = timelineWorkerInputs(again.inputs, plan, options);
  const pool = inWorkers.size > 0 ? new ScanPool(Math.min(options.workers ?? 2, availableParallelism(), inWorkers.size)) : undefined;
  try {
    // Each input's lines in batches (a worker posts them so): the merge moves lines without an await each.
    const streams = again.inputs.map((detected) => (): AsyncIterable<readonly TimelineLine[]> => {
      if (!pool || !inWorkers.has(detected)) return inBatches(formattedLines(again.events(detected), printing.line));
      const path = detected.source.path;
      const how = plan.get(path)!;
      let finished!: (sha256: string) => void;
      again.readElsewhere(path, new Promise((resolve) => (finished = (sha256) => resolve({ sha256 }))));
      return linesOfBatches(pool.timeline({
        path, format: detected.format!.name, read: how.settings, offsetMs: how.offsetMs, lines: printing.format, head: detected.head,
        ...(options.sinceMs !== undefined ? { sinceMs: options.sinceMs } : {}), ...(options.untilMs !== undefined ? { untilMs: options.untilMs } : {}),
        ...(detected.source.size !== undefined ? { size: detected.source.size } : {}),
      }), path, finished);
    });
    const merged = streams.length <= MAX_MERGED_AT_ONCE
      ? mergeSortedBatches(streams.map((open) => open()), compareLines)
      : inBatches(mergeMany(streams.map((open) => () => flattened(open())), compareLines, TIMELINE_LINES));
    for await (const batch of merged) yield batch.map((l) => l.text);
    await again.verify();
  } finally {
    await pool?.close();
  }
}

/** The inputs the timeline hands to scan workers: large files (not standard input or pipes) read in timeline order, when workers may be used. */
function timelineWorkerInputs(detections: DetectedInput[], plan: Analysis['readPlan'], options: AnalysisOptions): Set<DetectedInput> {
  if ((options.workers !== undefined && options.workers < 2) || !workersAvailable()) return new Set();
  const asked = options.workers !== undefined;
  // a gzip file by what it may hold, as for the scans (scannedHere)
  const size = (d: DetectedInput) => (d.source.size ?? 0) * (d.gzip ? GZIP_EXPANSION_GUESS : 1);
  const eligible = detections.filter((d) => !d.source.isStdin && !d.source.isStream && !d.kept && plan.get(d.source.path)!.ordered
    && (asked || size(d) >= TIMELINE_WORKER_BYTES));
  // The largest, in input order among equals (a stable sort).
  return new Set([...eligible].sort((a, b) => size(b) - size(a)).slice(0, TIMELINE_WORKER_INPUTS));
}

async function* formattedLines(events: AsyncIterable<ForensicEvent>, line: (e: ForensicEvent) => string): AsyncGenerator<TimelineLine> {
  for await (const e of events) yield { timeMs: e.timeMs, ref: e.ref, text: line(e) };
}

/** A worker's batches of lines; `finished` gets the SHA-256 of what it read once it is done. */
async function* linesOfBatches(batches: AsyncGenerator<TimelineBatch, string>, path: string, finished: (sha256: string) => void): AsyncGenerator<TimelineLine[]> {
  for (;;) {
    const next = await batches.next();
    if (next.done) return finished(next.value);
    const b = next.value;
    yield b.texts.map((text, k) => ({ timeMs: b.timesMs[k]!, ref: refFor(path, b.lines[k]! >= 0 ? b.lines[k] : undefined, b.indexes[k]! >= 0 ? b.indexes[k] : undefined), text }));
  }
}

/** Folds one input's scan into the run, in input order (so workers cannot change the report). */
function applyScan(st: InputState, scan: Scanned | undefined, calls: CallRecords, dns: DnsIndex, errors: Issue[]): void {
  if (!scan) return;
  st.records = scan.records;
  st.firstMs = scan.firstMs;
  st.lastMs = scan.lastMs;
  st.sha256 = scan.sha256;
  st.bytes = scan.bytes;
  st.gzip = scan.gzip;
  st.skipped = scan.skipped;
  st.unlisted = scan.skipped - scan.issues.length;
  st.ordered = scan.readOrder.sorted;
  st.notes.push(...scan.notes);
  appendAll(errors, scan.issues);
  if (scan.readError) errors.push({ path: st.path, ...(scan.readError.line ? { line: scan.readError.line } : {}), message: scan.readError.message });
  st.marks = scan.marks;
  calls.add(scan.calls);
  if (scan.callRuns) calls.addRuns(scan.callRuns);
  for (const [ip, domain, where] of scan.dnsPairs) dns.add(ip, domain, where);
  st.events = scan.events;
}

/** Scans inputs on the main thread, or hands whole files to a pool of workers when that pays. */
interface Reader {
  /** scans run in workers, beside this thread */
  parallel: boolean;
  /** the workers read the transcripts, all at once, writing their calls to disk themselves (CallRecords.runsFor) */
  transcriptsInWorkers: boolean;
  scan(st: InputState, read: ReadSettings): Promise<Scanned>;
  /** every scan settled, in the order of `list` (never rejects) */
  settleAll(list: InputState[], read: ReadSettings): Promise<PromiseSettledResult<Scanned | undefined>[]>;
  close(): Promise<void>;
}

/**
 * A file smaller than this is read on the main thread even when there are workers: handing it over
 * (a message each way, a second open) costs more than reading it (CloudTrail delivers ~1–100 KB files).
 */
const SMALL_INPUT_BYTES = 1024 * 1024;

/**
 * What a gzip file is taken to hold per byte when telling small files from others (logs and
 * transcripts shrink 8–15 fold): reading its trailer for the exact figure would open each of
 * CloudTrail's thousands of small files a second time.
 */
const GZIP_EXPANSION_GUESS = 8;

/**
 * Whether an input is read on the main thread although there are workers: transcripts (needed first,
 * unless the workers write their calls to disk: `transcriptsInWorkers`), stdin and unknown formats,
 * and, unless workers were asked for by number, small files (a gzip file by what it may hold).
 */
export function scannedHere(detected: DetectedInput, source: SourceKind, workersAsked: boolean, transcriptsInWorkers = false): boolean {
  if (!detected.format || detected.kept || (source === 'agent' && !transcriptsInWorkers)) return true;
  const size = (detected.source.size ?? Infinity) * (detected.gzip ? GZIP_EXPANSION_GUESS : 1);
  return !workersAsked && size < SMALL_INPUT_BYTES;
}

/** Below this much firewall and audit input, starting workers costs more than it saves. */
const WORKER_MIN_BYTES = 64 * 1024 * 1024;

/** `rules`: every detection and correlation rule by id, for the ids marked records carry. */
async function openReader(states: InputState[], ruleSet: RuleSet, rules: Map<string, Rule>, options: AnalysisOptions, early: EarlyPool, spill: MarkSpill | undefined, calls: CallRecords): Promise<Reader> {
  const strings = new SharedStrings();
  // A transcript whose calls go to disk from the start writes them as runs as it is read, here as in
  // a worker: one transcript larger than memory is then read in bounded memory too.
  const callRuns = (st: InputState) => {
    const runs = st.source === 'agent' ? calls.runsFor(st.path) : undefined;
    return runs ? { callRuns: { ...runs, assets: calls.inventory.assets } } : {};
  };
  const local = async (st: InputState, read: ReadSettings) => withMarks(await scanLocally(st, read, ruleSet, options, strings, spill, callRuns(st)), rules, spill);
  const { transcriptsInWorkers } = scanPlan(states, calls.runsInScans);
  // The pool planned from the same inputs (planScans), started early and given the rules by analyzeWith.
  const pool = await early.pool;
  early.adopted = true;
  const scan = async (st: InputState, read: ReadSettings): Promise<Scanned> => {
    const transcript = st.source === 'agent';
    if (!pool || scannedHere(st.detected, st.source, options.workers !== undefined, transcriptsInWorkers)) return local(st, read);
    const task = { path: st.path, format: st.format, read, manualOffsetMs: st.manualOffsetMs ?? 0, strict: options.strict, ...(spill ? { spill: spill.scanOption } : {}), ...callRuns(st) };
    // A transcript is read whole: its lines depend on the lines before them (sessions name the host).
    const starts = transcript ? undefined : await sliceable(st, pool.size, options.workers !== undefined);
    if (starts) {
      const joined = await scanSlices(pool, { ...task, container: st.detected.head.container }, starts, rules);
      if (joined) {
        spill?.hold(joined.marks);
        return joined;
      }
    }
    const listedSize = st.detected.source.size;
    return withMarks(await pool.scan({ ...task, head: st.detected.head, ...(listedSize !== undefined ? { size: listedSize } : {}) }), rules, spill);
  };
  let done = 0;
  const total = states.length;
  const progress = (st: InputState) => options.onProgress?.(Math.min(++done, total), total, st.path);
  return {
    parallel: pool !== undefined,
    transcriptsInWorkers: pool !== undefined && transcriptsInWorkers,
    scan: async (st, read) => {
      const r = await scan(st, read);
      progress(st);
      return r;
    },
    settleAll: async (list, read) => {
      if (!pool) {
        // One thread: a few inputs at a time (small files mostly wait on the disk), stopping at the
        // first failure like a plain loop.
        return settleInOrder(list, IO_AT_ONCE, async (st) => {
          const scan = await local(st, read);
          progress(st);
          return scan;
        });
      }
      // Workers take the large inputs; small ones are read here meanwhile, a few at a time.
      return settleInOrder(list, IO_AT_ONCE, (st) => scan(st, read).finally(() => progress(st)));
    },
    close: async () => pool?.close(),
  };
}

/** What the pool is planned on: a detected input and its source kind. */
export interface ScannedInput {
  detected: DetectedInput;
  source: SourceKind;
}

/**
 * Which inputs the workers may read: transcripts whose calls go to disk from the start
 * (`callsOnDisk`) can be read in the workers, all at once: each worker writes its input's calls as
 * sorted runs, and only their file names come back. Those of a format that dates by the other inputs
 * (none so far) would need the transcripts read before them. Otherwise transcripts are read here.
 */
export function scanPlan<T extends ScannedInput>(inputs: readonly T[], callsOnDisk: boolean): { transcriptsInWorkers: boolean; files: T[] } {
  const transcripts = inputs.filter((s) => s.source === 'agent');
  const transcriptsInWorkers = callsOnDisk && transcripts.length > 0 && transcripts.every((s) => s.detected.format && !s.detected.format.yearless && !s.detected.kept);
  const files = inputs.filter((s) => (s.source !== 'agent' || transcriptsInWorkers) && s.detected.format && !s.detected.kept);
  return { transcriptsInWorkers, files };
}

/** A file at least this large is cut into slices for the workers (when they were asked for: 1 MiB). */
const SLICE_MIN_BYTES = 32 * 1024 * 1024;

const SLICE_TARGET_BYTES = 32 * 1024 * 1024;

/** Where to cut an input for the workers, or undefined to read it whole. */
async function sliceable(st: InputState, workers: number, asked: boolean): Promise<number[] | undefined> {
  if (workers < 2) return undefined;
  const size = await cuttableSize(st, asked);
  if (size === undefined) return undefined;
  // Slices of about 32 MiB rather than one per worker: the workers then finish together.
  const starts = await sliceStarts(st.path, size, Math.max(workers, Math.min(64, Math.ceil(size / SLICE_TARGET_BYTES))));
  return starts.length > 1 ? starts : undefined;
}

/** The size of an input that may be cut into slices (a large plain file of a line format), else undefined. */
async function cuttableSize(st: ScannedInput, asked: boolean): Promise<number | undefined> {
  const { format, head, source } = st.detected;
  if (!format || !SPLITTABLE.has(format.name) || head.container === 'json') return undefined;
  // The size listed with the file (a regular file) saves a stat per input; pipes and stdin have none.
  const size = source.size ?? (await stat(source.path).then((s) => (s.isFile() ? s.size : 0), () => 0));
  if (size < (asked ? 1024 * 1024 : SLICE_MIN_BYTES)) return undefined;
  // Gzip and UTF-16 streams cannot be entered in the middle.
  return (await compressedOrWide(source.path)) ? undefined : size;
}

async function compressedOrWide(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    await file.read(b, 0, 2, 0);
    return (b[0] === 0x1f && b[1] === 0x8b) || (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
  } finally {
    await file.close();
  }
}

/** Scans the slices in the workers while this thread hashes the file and counts lines; joins them in order. */
async function scanSlices(pool: ScanPool, task: Omit<ScanTask, 'id'>, starts: number[], rules: Map<string, Rule>): Promise<Scanned | undefined> {
  const size = (await stat(task.path)).size;
  const ranges = starts.map((start, k) => ({ start, end: starts[k + 1] ?? size }));
  // The hash covers what the slices read: a log still being written may have grown since.
  const whole = hashAndCountLines(task.path, starts, size);
  // The slices share the input's budget of marked records in memory (a flood's dozen slices would each keep theirs).
  const spill = task.spill ? { spill: { ...task.spill, keep: Math.ceil(task.spill.keep / ranges.length) } } : {};
  const settled = await Promise.allSettled(ranges.map((range) => pool.scan({ ...task, range, ...spill })));
  const { sha256, bytes, linesBefore } = await whole;
  const failed = settled.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const err = (settled[failed] as PromiseRejectedResult).reason as Error & { line?: number };
    // A strict failure names a line counted from its slice: make it the file's line.
    if (err instanceof UserError && err.line !== undefined) throw new InputError(err.message, task.path, err.line + linesBefore[failed]!);
    throw err;
  }
  const slices = settled.map((r) => (r as PromiseFulfilledResult<ScanResult>).value);
  // The marked records go to the input's list slice by slice, their lines counted from the file's start.
  const marks = new InputMarks(rules);
  slices.forEach((slice, k) => {
    marks.add(slice.findings, slice.correlationMatches, slice.spilled, linesBefore[k]!);
    slice.findings = [];
    slice.correlationMatches = [];
  });
  const joined = joinSlices(task.path, slices, linesBefore, { sha256, bytes });
  if (!joined) {
    marks.dispose();
    return undefined;
  }
  const now = await stat(task.path).then((st) => st.size, () => size);
  if (now > size) joined.notes.push(`the file grew from ${size} to ${now} bytes while it was read (a live log?): its first ${size} bytes were analysed and hashed`);
  return { ...joined, marks };
}

/** A scan's result with its marked records as the input's list (held against the run's budget). */
type Scanned = ScanResult & { marks: InputMarks };

function withMarks(scan: ScanResult, rules: Map<string, Rule>, spill: MarkSpill | undefined): Scanned {
  const marks = new InputMarks(rules);
  marks.add(scan.findings, scan.correlationMatches, scan.spilled, 0);
  spill?.hold(marks);
  return { ...scan, findings: [], correlationMatches: [], marks };
}

/** How many marked records stay in memory: per scan (a worker's or this thread's), and in all. */
export interface MarkLimits {
  perScan: number;
  total: number;
}

// A scan worker's share: a file cut into a dozen slices is a dozen scans at once.
export const DEFAULT_MARK_LIMITS: MarkLimits = { perScan: 20_000, total: 200_000 };

/**
 * Where marked records past the memory budget wait (a private temporary folder, removed when the
 * analysis ends), and how many the run holds in memory.
 */
class MarkSpill {
  private held = 0;
  private moved = 0;

  private constructor(readonly folder: TempFolder, private readonly limits: MarkLimits) {}

  /**
   * Undefined when no temporary folder can be made: the records then stay in memory, as they did
   * before there was a budget (a run that needs the disk for violations still says why it failed).
   */
  static open(limits: MarkLimits = DEFAULT_MARK_LIMITS): MarkSpill | undefined {
    try {
      return new MarkSpill(privateTempFolder('marks'), limits);
    } catch {
      return undefined;
    }
  }

  /** Marked records sorted in memory at a time (an input read out of order). */
  get runSize(): number {
    return Math.max(16, this.limits.total);
  }

  /** ScanOptions.spill for one scan. */
  get scanOption(): { folder: string; keep: number } {
    return { folder: this.folder.path, keep: this.limits.perScan };
  }

  /**
   * Brings the spilled records back into memory when the run's budget holds every marked record after
   * all: scans spill past their own share (a file cut into a dozen slices is a dozen scans), so a
   * burst that fits the run was parsed again by each pass after the reading. A flood larger than the
   * budget stays on disk (partly loaded, it cost memory for little time).
   */
  async reload(marks: InputMarks[]): Promise<void> {
    if (marks.reduce((n, m) => n + m.count, 0) > this.limits.total) return;
    // Parsed records carry a copy of every string: they share them as the scans' records do.
    const strings = new SharedStrings();
    for (const m of marks) await m.reload(strings);
  }

  /** Counts an input's records in memory against the budget; past it, they go to disk too. */
  hold(marks: InputMarks): void {
    const n = marks.inMemory;
    if (this.held + n <= this.limits.total) {
      this.held += n;
      return;
    }
    marks.spillTo(this.folder.path, `held-${this.moved++}`);
  }
}

export async function workerCount(files: readonly ScannedInput[], options: Pick<AnalysisOptions, 'keepEvents' | 'workers'>): Promise<number> {
  if (options.keepEvents || files.length === 0 || !workersAvailable()) return 0;
  const asked = options.workers !== undefined;
  // A single input keeps more than one worker busy only when it is cut into slices.
  const tasks = files.length > 1 ? files.length : (await cuttableSize(files[0]!, asked)) !== undefined ? Infinity : 1;
  if (tasks < 2) return 0;
  if (asked) return Math.min(options.workers!, tasks);
  return (await reachesWorkBytes(files, WORKER_MIN_BYTES)) ? Math.min(2, availableParallelism(), tasks) : 0;
}

/**
 * Whether reading these inputs is at least `bytes` of work: their sizes, a gzip file's by what its
 * trailer says it holds (logs shrink tenfold: 850 MB of gzipped logs weighed 63 MB and were read on
 * one thread). Trailers are read only until the sizes reach `bytes`; a file of several gzip members
 * counts at least its size on disk.
 */
async function reachesWorkBytes(files: readonly ScannedInput[], bytes: number): Promise<boolean> {
  let total = await totalBytes(files.map((f) => f.detected.source));
  for (const f of files) {
    if (total >= bytes) return true;
    if (!f.detected.gzip) continue;
    const stored = f.detected.source.size ?? 0;
    total += Math.max(stored, (await gzipContentBytes(f.detected.source.path)) ?? 0) - stored;
  }
  return total >= bytes;
}

/** The size of these files together, as listed (a file that cannot be read counts 0). */
async function totalBytes(files: InputSource[]): Promise<number> {
  const sizes = await mapInOrder(files, IO_AT_ONCE, async (f) => f.size ?? (await stat(f.path).then((st) => st.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

async function scanLocally(st: InputState, read: ReadSettings, ruleSet: RuleSet, options: AnalysisOptions, strings: SharedStrings, spill: MarkSpill | undefined, runs: Pick<ScanOptions, 'callRuns'>): Promise<ScanResult> {
  const format = st.detected.format;
  if (format) {
    // Kept events (the timeline of standard input) hold their lines anyway: no copies for them.
    const detach = options.keepEvents ? undefined : strings;
    return scanInput(st.detected, format, { rules: ruleSet.rules, correlationInputs: ruleSet.correlationInputs, hasCorrelations: ruleSet.correlations.length > 0 },
      { read, manualOffsetMs: st.manualOffsetMs ?? 0, strict: options.strict, keepEvents: options.keepEvents === true, ...(detach ? { detach } : {}), ...(spill ? { spill: spill.scanOption } : {}), ...runs });
  }
  // Not an error: evidence folders hold notes, inventories and other files. Listed, hashed, never hidden.
  const opened = openInput(st.detected.source, read);
  for await (const _ of opened.chunks) void _;
  const r = await opened.result;
  return {
    records: 0, firstMs: Infinity, lastMs: -Infinity, sha256: r.sha256, bytes: r.bytes, gzip: r.gzip,
    notes: ['format not recognized: not analysed (see `agent-forensics formats`)'], issues: [], skipped: 0, yearUsed: false,
    ...(r.error ? { readError: { message: r.error, ...(r.errorLine ? { line: r.errorLine } : {}) } } : {}),
    findings: [], correlationMatches: [], calls: [], dnsPairs: [], events: [], readOrder: new OrderTracker().order,
  };
}

/** Whether an input's clock offset is estimated against the transcripts (when there are calls). */
function clockEstimated(st: InputState, options: AnalysisOptions): boolean {
  return st.manualOffsetMs === undefined && options.autoSkew && st.source !== 'agent' && st.source !== 'other';
}

/**
 * Manual offsets win; otherwise estimate each firewall/audit input's offset against the transcripts.
 * `naming`: with the calls on disk, the calls that name the findings' destinations (NamingIndex).
 */
async function settleClocks(states: InputState[], calls: RunCalls, inventory: Inventory, options: AnalysisOptions, naming: NamingIndex | undefined): Promise<ReportClock[]> {
  const estimated = callCount(calls) > 0 ? states.filter((st) => clockEstimated(st, options)) : [];
  const pairs = new Map<InputState, SkewPair[]>();
  for (const st of estimated) {
    if (Array.isArray(calls)) {
      const finder = new SkewPairFinder(calls, inventory);
      await forEachFinding(st, (f) => finder.add(f));
      pairs.set(st, finder.pairs);
    } else {
      const found: SkewPair[] = [];
      await forEachFinding(st, (f) => {
        const pair = naming!.pairOf(f, inventory);
        if (pair) found.push(pair);
      });
      pairs.set(st, found);
    }
  }
  return states.map((st) => settleClock(st, pairs.get(st)));
}

function settleClock(st: InputState, pairs: SkewPair[] | undefined): ReportClock {
  if (st.manualOffsetMs !== undefined) {
    st.offsetMs = st.manualOffsetMs;
    return { path: st.path, offsetMs: st.offsetMs, method: 'manual', pairs: 0, confidence: 1 };
  }
  if (!pairs || pairs.length === 0) return { path: st.path, offsetMs: 0, method: 'none', pairs: 0, confidence: 0 };
  const est = estimateSkew(pairs, 5_000, DEFAULT_HINTS.beforeMs);
  st.offsetMs = est.offsetMs;
  return { path: st.path, offsetMs: est.offsetMs, method: 'estimated', pairs: est.pairs, confidence: est.confidence };
}

/** An input's findings on its own clock, in the order it holds them. */
async function forEachFinding(st: InputState, visit: (f: Finding) => void): Promise<void> {
  for await (const batch of st.marks.batches()) {
    for (const r of batch) if (r.finding) visit({ event: r.event, timeMs: r.timeMs, rules: r.finding });
  }
}

/** The destinations (addresses and domains, lower-cased) of these inputs' findings. */
async function findingDestinations(states: InputState[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const st of states) {
    await forEachFinding(st, (f) => {
      const dst = f.event.dst;
      if (dst?.ip) found.add(dst.ip.toLowerCase());
      if (dst?.domain) found.add(dst.domain.toLowerCase());
    });
  }
  return found;
}

function noteCopies(states: InputState[], copies: Map<string, { count: number; of: string }>, what: string): void {
  for (const [path, c] of copies) {
    states.find((s) => s.path === path)?.notes.push(`${c.count} ${what} are copies of records in ${c.of} (the same record in two inputs) and are reported once, from there`);
  }
}

/**
 * Sigma correlation hits, on the clock-corrected timeline, as the records they land on: a hit on a
 * record that is already a violation adds its rule there; otherwise it is a violation of its own
 * at its anchor record. The matches are read once per level of chaining.
 */
async function correlationAnchors(sources: MarkSource[], ruleSet: RuleSet): Promise<Anchor[]> {
  if (ruleSet.correlations.length === 0) return [];
  const evaluator = new CorrelationEvaluator(ruleSet.correlations, { keepEvents: false });
  for (let k = 0; k < evaluator.passes; k++) {
    const pass = evaluator.pass(k);
    await forEachMerged(sources, (r, timeMs) => r.match && pass.add({ event: r.event, timeMs, rules: r.match }));
    pass.finish();
  }
  // Hits come in (time, position, rule id) order: those on one record are neighbours.
  const anchors: Anchor[] = [];
  for (const hit of evaluator.hits(false)) {
    const last = anchors.at(-1);
    if (last && last.timeMs === hit.timeMs && compareRefs(last.event.ref, hit.event.ref) === 0) {
      if (!last.rules.includes(hit.rule)) last.rules.push(hit.rule);
    } else anchors.push({ event: hit.event, timeMs: hit.timeMs, rules: [hit.rule] });
  }
  return anchors;
}

/** The report's inputs, their first and last times on the corrected clock. */
function reportInputs(states: InputState[]): ReportInput[] {
  return states.map((s) => ({
    path: s.path, sha256: s.sha256, bytes: s.bytes, format: s.format, source: s.source,
    records: s.records, skipped: s.skipped,
    first: Number.isFinite(s.firstMs) ? new Date(s.firstMs - (s.manualOffsetMs ?? 0) + s.offsetMs).toISOString() : null,
    last: Number.isFinite(s.lastMs) ? new Date(s.lastMs - (s.manualOffsetMs ?? 0) + s.offsetMs).toISOString() : null,
    ...(s.gzip ? { gzip: true } : {}),
    ...(s.notes.length ? { notes: s.notes } : {}),
  }));
}

/** What precedes the violations in a report. */
function reportHead(states: InputState[], clock: ReportClock[]): ReportHead {
  return { schema: REPORT_SCHEMA, tool: { name: 'agent-forensics', version: VERSION }, inputs: reportInputs(states), clock };
}

function assemble(states: InputState[], clock: ReportClock[], built: BuiltViolations, calls: RunCalls, errors: Issue[], ruleSet: RuleSet, options: AnalysisOptions): Report {
  const head = reportHead(states, clock);
  const { inputs } = head;
  const firsts = inputs.filter((i) => i.first).map((i) => Date.parse(i.first!));
  const lasts = inputs.filter((i) => i.last).map((i) => Date.parse(i.last!));
  const spanStart = options.sinceMs ?? (firsts.length ? Math.min(...firsts) : 0);
  const spanEnd = options.untilMs ?? (lasts.length ? Math.max(...lasts) : 0);
  const activity = activityStats(Array.isArray(calls) ? calls : calls.spans(), built.times, spanStart, spanEnd);
  const { total, attributed } = built;
  const sortedErrors: ReportError[] = [...errors].sort((a, b) => compareRefs(a, b) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  const errorsTotal = sortedErrors.length + states.reduce((n, s) => n + s.unlisted, 0);
  return {
    ...head,
    violations: built.violations,
    incidents: built.incidents,
    stats: {
      events: states.reduce((n, s) => n + s.records, 0),
      violations: total,
      attributed,
      unattributed: total - attributed,
      agentActiveFraction: activity.agentActiveFraction,
      overRepresentation: activity.overRepresentation,
      pValue: activity.pValue,
      toolCalls: callCount(calls),
      violationsDuringActivity: activity.violationsDuringActivity,
      spanMs: activity.spanMs,
    },
    errors: sortedErrors.slice(0, MAX_REPORTED_ERRORS),
    ...(errorsTotal > MAX_REPORTED_ERRORS ? { errorsTotal } : {}),
    settings: {
      tz: options.tz,
      year: options.year ?? null,
      minConfidence: options.minConfidence,
      autoSkew: options.autoSkew,
      since: options.sinceMs === undefined ? null : new Date(options.sinceMs).toISOString(),
      until: options.untilMs === undefined ? null : new Date(options.untilMs).toISOString(),
      rules: ruleSet.rules.length,
      rulesSha256: ruleSet.sha256,
      inventory: options.inventory ?? null,
    },
  };
}

function mergedEvents(states: InputState[], inRange: (t: number) => boolean): ForensicEvent[] {
  const all: ForensicEvent[] = [];
  for (const s of states) {
    for (const e of s.events) {
      const moved = shiftEvent(e, s.offsetMs);
      if (inRange(moved.timeMs)) all.push(moved);
    }
  }
  return all.sort(compareEvents);
}
