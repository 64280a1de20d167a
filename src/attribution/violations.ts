// From findings to the report's violations and incidents: candidate calls near each violation (by
// time index), the rule joins, the ranking, the attribution above the threshold, the runner-ups,
// and the grouping of violations caused by one call into incidents.
import { formatRef, severityRank, type Severity } from '../model/event.js';
import type { Incident, Violation } from '../model/report.js';
import type { JoinKey, RuleHeader } from '../rules/rule.js';
import { contentKeys, filterByJoin, mayShareContent, rankCandidates, toAttribution, windowsFor, type DnsEvidence, type Finding, type Scored, type ToolCall, type Windows } from './attribute.js';
import type { Inventory } from './inventory.js';

/** The first of `count` items, ordered by start, whose start is at or after `from` (`count` when none is). */
export function firstStartingFrom(count: number, startOf: (i: number) => number, from: number): number {
  let lo = 0, hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (startOf(mid) < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Calls of one kind (background or not, and of similar length) by their positions in the sorted calls, with the longest of them. */
interface CallClass {
  at: number[];
  longestMs: number;
}

/**
 * The calls split by how far back they can reach a violation: a long or background call may explain
 * a violation hours after it started, an ordinary short call only minutes. Searching each class with
 * its own look-back keeps the candidates of a violation to the calls that can reach it, where one
 * look-back for all (the longest call plus the persistent window) made every violation score hours of calls.
 */
export class CallIndex {
  private readonly ordinary: CallClass[];
  private readonly background: CallClass[];
  /** the ordinary calls by searchable text (positions rising): made on first use, null when commands rarely repeat */
  private byText: Map<string, number[]> | null | undefined;
  /** the longest ordinary call */
  private readonly longestOrdinaryMs: number;
  /** lingeringByQuestion's progress per windows and question */
  private readonly questions = new WeakMap<Windows, Map<string, LingeringQuestion>>();

  /** `calls`: sorted by start (buildToolCalls); candidates come back in this order. */
  constructor(readonly calls: ToolCall[]) {
    // One pass over the calls (RL traces hold hundreds of thousands): each goes to the first class
    // its length fits; a length that is not a number fits none.
    const classes = (): CallClass[] => LENGTH_CLASSES_MS.map(() => ({ at: [], longestMs: 0 }));
    const ordinary = classes(), background = classes();
    calls.forEach((c, i) => {
      const length = c.endMs - c.startMs;
      let k = 0;
      while (k < LENGTH_CLASSES_MS.length && !(length <= LENGTH_CLASSES_MS[k]!)) k++;
      if (k === LENGTH_CLASSES_MS.length) return;
      const cls = (c.background ? background : ordinary)[k]!;
      cls.at.push(i);
      if (length > cls.longestMs) cls.longestMs = length;
    });
    this.ordinary = ordinary.filter((c) => c.at.length > 0);
    this.background = background.filter((c) => c.at.length > 0);
    this.longestOrdinaryMs = Math.max(0, ...this.ordinary.map((c) => c.longestMs));
  }

  /**
   * Every call that started by `t + w.beforeMs` and whose end plus the window it may linger reaches `t`.
   * `content`, when given, says whether a call's command may share content with the violation (an
   * answer that depends on the command's text alone; `key` names the question, see buildViolation): an
   * ordinary call that ended more than `w.afterMs` before `t` is then left out unless it may, as
   * scoring would rule it out anyway.
   */
  near(t: number, w: Windows, content?: ContentTest): ToolCall[] {
    const lingerMs = Math.max(w.afterMs, w.persistentAfterMs);
    const found: number[] = [];
    let sources = 0;
    const collect = (classes: CallClass[], reachMs: number) => {
      for (const c of classes) {
        const before = found.length;
        // positions in a class rise with start time: the first call that may reach t, then on
        const lo = firstStartingFrom(c.at.length, (k) => this.calls[c.at[k]!]!.startMs, t - c.longestMs - reachMs);
        for (let k = lo; k < c.at.length; k++) {
          const call = this.calls[c.at[k]!]!;
          if (call.startMs > t + w.beforeMs) break;
          if (call.endMs + reachMs >= t) found.push(c.at[k]!);
        }
        if (found.length > before) sources++;
      }
    };
    // A persistent rule looks back hours over every session; the ordinary calls that ended long ago
    // count only through content, so they are not visited one by one for each violation: they are
    // looked up by command when there are fewer commands than calls in the look-back, else tested
    // once for all the violations that ask the same question (a miner reconnecting for hours).
    if (!w.persistentRule) collect(this.ordinary, w.afterMs);
    else if (!content || lingerMs <= w.afterMs) collect(this.ordinary, lingerMs);
    else {
      collect(this.ordinary, w.afterMs);
      // the earliest start of an ordinary call that may still linger until t
      const from = t - this.longestOrdinaryMs - lingerMs;
      const byText = this.commandIndex();
      sources += byText && byText.size < this.firstStarting(t + w.beforeMs + 1) - this.firstStarting(from)
        ? this.lingeringByCommand(byText, from, t, w, lingerMs, content.mayShare, found)
        : this.lingeringByQuestion(from, t, w, lingerMs, content, found);
    }
    collect(this.background, lingerMs);
    // one source is already in order; several are merged back into the order of `calls`
    const order = sources > 1 ? Int32Array.from(found).sort() : found;
    return Array.from(order, (i) => this.calls[i]!);
  }

  /**
   * Adds the ordinary calls that ended more than w.afterMs but at most `lingerMs` before t whose
   * command may share content, testing each call once for all the violations that ask the same
   * question with the same windows, in time order (a later violation tests only the calls started
   * since; a violation earlier than the last asks afresh). Returns 1 when it added calls (in order).
   */
  private lingeringByQuestion(from: number, t: number, w: Windows, lingerMs: number, content: ContentTest, found: number[]): number {
    let questions = this.questions.get(w);
    if (!questions) this.questions.set(w, (questions = new Map()));
    let q = questions.get(content.key);
    if (!q || t < q.lastT) {
      if (questions.size >= MAX_QUESTIONS) questions.clear();
      q = { next: this.firstStarting(from), hits: [], first: 0, lastT: t };
      questions.set(content.key, q);
    }
    q.lastT = t;
    for (; q.next < this.calls.length && this.calls[q.next]!.startMs <= t + w.beforeMs; q.next++) {
      const call = this.calls[q.next]!;
      if (inOrdinaryClass(call) && content.mayShare(call)) q.hits.push(q.next);
    }
    // Calls that started before `from` reach no violation from here on (times only rise).
    while (q.first < q.hits.length && this.calls[q.hits[q.first]!]!.startMs < from) q.first++;
    if (q.first > 1024 && q.first * 2 > q.hits.length) {
      q.hits = q.hits.slice(q.first);
      q.first = 0;
    }
    const before = found.length;
    for (let k = q.first; k < q.hits.length; k++) {
      const call = this.calls[q.hits[k]!]!;
      if (lingers(call, t, w.afterMs, lingerMs)) found.push(q.hits[k]!);
    }
    return found.length > before ? 1 : 0;
  }

  /**
   * The ordinary calls by searchable text, made once. Not kept when the texts number more than a
   * quarter of the calls (traces whose commands rarely repeat): lookups by command would not pay,
   * and the map would cost tens of bytes a call.
   */
  private commandIndex(): Map<string, number[]> | null {
    if (this.byText !== undefined) return this.byText;
    const byText = new Map<string, number[]>();
    const most = this.calls.length / 4;
    for (let i = 0; i < this.calls.length; i++) {
      const c = this.calls[i]!;
      if (!inOrdinaryClass(c)) continue;
      const same = byText.get(c.text);
      if (same) same.push(i);
      else if (byText.size >= most) return (this.byText = null);
      else byText.set(c.text, [i]);
    }
    return (this.byText = byText);
  }

  /** The position of the first call that started at or after `ms`. */
  private firstStarting(ms: number): number {
    return firstStartingFrom(this.calls.length, (i) => this.calls[i]!.startMs, ms);
  }

  /**
   * Adds the ordinary calls that ended more than w.afterMs but at most `lingerMs` before t, of
   * commands that may share content; returns how many commands had some (each adds its calls in order).
   */
  private lingeringByCommand(byText: Map<string, number[]>, from: number, t: number, w: Windows, lingerMs: number, mayShare: (c: ToolCall) => boolean, found: number[]): number {
    let commands = 0;
    for (const at of byText.values()) {
      if (!mayShare(this.calls[at[0]!]!)) continue;
      const before = found.length;
      const lo = firstStartingFrom(at.length, (k) => this.calls[at[k]!]!.startMs, from);
      for (let k = lo; k < at.length; k++) {
        const call = this.calls[at[k]!]!;
        if (call.startMs > t + w.beforeMs) break;
        if (lingers(call, t, w.afterMs, lingerMs)) found.push(at[k]!);
      }
      if (found.length > before) commands++;
    }
    return commands;
  }
}

/** Whether a call ended more than `afterMs` but at most `lingerMs` before t: it reaches t only through content. */
function lingers(c: ToolCall, t: number, afterMs: number, lingerMs: number): boolean {
  return c.endMs + afterMs < t && c.endMs + lingerMs >= t;
}

/** Whether the constructor puts a call in an ordinary class: not in the background, of a length that is a number. */
function inOrdinaryClass(c: ToolCall): boolean {
  return !c.background && c.endMs - c.startMs <= Infinity;
}

/** Whether a call's command may share content with a violation, and a name for that question (equal names, equal answers). */
export interface ContentTest {
  mayShare: (c: ToolCall) => boolean;
  key: string;
}

/** The ordinary calls tested so far for one question: those up to `next` (by start), `hits` those that passed (from `first` on). */
interface LingeringQuestion {
  next: number;
  hits: number[];
  first: number;
  lastT: number;
}

/**
 * Questions remembered per windows (a port scan asks a new one for each port). Each holds the
 * positions of the calls in its look-back that passed: at most this many times those, in memory.
 */
const MAX_QUESTIONS = 64;

/** Upper bounds of the call-length classes: a minute, ten minutes, an hour, longer. */
const LENGTH_CLASSES_MS = [60_000, 600_000, 3_600_000, Infinity];

/** The candidate calls of an instant: CallIndex, or one over a window of calls on disk (WindowedCallIndex). */
export interface CallLookup {
  near(t: number, w: Windows, content?: ContentTest): ToolCall[];
}

export interface Scoring {
  calls: CallLookup;
  dns: DnsEvidence;
  inventory: Inventory;
  minConfidence: number;
}

function originView(o: NonNullable<Finding['origin']>): NonNullable<Violation['origin']> {
  return { ...(o.host ? { host: o.host } : {}), ...(o.sandbox ? { sandbox: o.sandbox } : {}), ...(o.session ? { session: o.session } : {}), how: o.how };
}

/**
 * What a violation's rules say about attribution, worked out once per list of rules: a flood's
 * findings share a handful of lists (the scan gives records marked by the same rules one list).
 */
const RULE_SETTINGS = new WeakMap<readonly RuleHeader[], { windows: Windows; join: JoinKey[] }>();

function ruleSettings(rules: readonly RuleHeader[]): { windows: Windows; join: JoinKey[] } {
  let known = RULE_SETTINGS.get(rules);
  if (!known) RULE_SETTINGS.set(rules, (known = { windows: windowsFor(rules), join: rules.flatMap((r) => r.attribution.join) }));
  return known;
}

/** The candidate calls of a violation, best first, the attribution among them, and its rules by severity. */
function rankFor(f: Finding, s: Scoring): { ranked: Scored[]; best: Scored | undefined; rules: RuleHeader[]; severity: Severity } {
  const { windows: w, join } = ruleSettings(f.rules);
  const keys = contentKeys(f, w, s.dns);
  // mayShareContent reads the needles and the windows' patterns (near() keeps questions per windows);
  // an audit operation makes every call a candidate, so there is no question to share.
  const near = s.calls.near(f.timeMs, w, keys.operation ? undefined : { mayShare: (c) => mayShareContent(c, keys), key: keys.needles.join('\0') });
  const joined = filterByJoin(f, near, join, s.inventory);
  const list = rankCandidates(f, joined, w, s.dns, keys);
  const best = list[0] && list[0].confidence >= s.minConfidence ? list[0] : undefined;
  const rules = [...f.rules].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.id < b.id ? -1 : 1));
  return { ranked: list, best, rules, severity: rules[0]!.severity };
}

/**
 * A violation the report does not list one by one (past the first ones a human format prints): what
 * the counts, the statistics and the incidents read of it (id, time, rules, severity, who caused it),
 * with the same attribution buildViolation gives, but without its reasons, the runner-ups or the
 * record's fields.
 */
export function countedViolation(f: Finding, i: number, s: Scoring): Violation {
  const { best, rules, severity } = rankFor(f, s);
  const e = f.event;
  return {
    id: `V${i + 1}`, time: new Date(f.timeMs).toISOString(), ref: e.ref, source: e.source, format: e.format,
    rules: rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity })),
    severity,
    attribution: best ? toAttribution(f, best, false) : null,
    candidates: [],
  };
}

export function buildViolation(f: Finding, i: number, s: Scoring): Violation {
  const { ranked: list, best, rules, severity } = rankFor(f, s);
  const e = f.event;
  return {
    id: `V${i + 1}`,
    time: new Date(f.timeMs).toISOString(),
    ref: e.ref,
    source: e.source,
    format: e.format,
    ...(e.host !== undefined ? { host: e.host } : {}),
    ...((f.origin?.sandbox ?? e.sandbox) ? { sandbox: f.origin?.sandbox ?? e.sandbox } : {}),
    ...((f.origin?.session ?? e.session) ? { session: f.origin?.session ?? e.session } : {}),
    ...(f.origin ? { origin: originView(f.origin) } : {}),
    ...(e.src ? { src: { ...e.src } } : {}),
    ...(e.dst ? { dst: { ...e.dst } } : {}),
    ...(e.proto ? { proto: e.proto } : {}),
    ...(e.action ? { action: e.action } : {}),
    ...(e.operation ? { operation: e.operation } : {}),
    ...(e.actor ? { actor: e.actor } : {}),
    ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    ...(e.message ? { message: e.message } : {}),
    rules: rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity })),
    severity,
    attribution: best ? toAttribution(f, best) : null,
    candidates: list.filter((s) => s !== best).slice(0, 5).map((s) => toAttribution(f, s)),
  };
}

export function buildIncidents(violations: Violation[]): Incident[] {
  const incidents = new IncidentBuilder();
  for (const v of violations) incidents.add(v);
  return incidents.finish();
}

interface IncidentGroup {
  top: Violation['rules'][number];
  severity: Severity;
  attribution: NonNullable<Violation['attribution']>;
  ids: string[];
  first: string;
  last: string;
}

/**
 * Incidents gathered one violation at a time (in report order), keeping per incident only what it
 * shows: a report with millions of violations need not hold them to group them.
 */
export class IncidentBuilder {
  private groups = new Map<string, IncidentGroup>();

  add(v: Violation): void {
    const a = v.attribution;
    if (!a) return;
    const key = `${a.session}\0${a.callId}\0${formatRef(a.ref)}`;
    const g = this.groups.get(key);
    if (!g) {
      this.groups.set(key, { top: v.rules[0]!, severity: v.severity, attribution: a, ids: [v.id], first: v.time, last: v.time });
      return;
    }
    // The first of the most severe violations names the incident.
    if (severityRank(v.severity) > severityRank(g.severity)) {
      g.top = v.rules[0]!;
      g.severity = v.severity;
    }
    g.ids.push(v.id);
    g.last = v.time;
  }

  finish(): Incident[] {
    const incidents: Incident[] = [...this.groups.values()].map((g) => ({
      id: '', title: g.top.title, severity: g.severity, callId: g.attribution.callId, session: g.attribution.session, command: g.attribution.command,
      violations: g.ids, first: g.first, last: g.last, count: g.ids.length,
    }));
    incidents.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : x.violations[0]! < y.violations[0]! ? -1 : 1));
    incidents.forEach((inc, i) => (inc.id = `I${i + 1}`));
    return incidents;
  }
}
