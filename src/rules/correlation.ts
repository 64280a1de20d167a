// Sigma correlation rules (event_count, value_count, temporal, temporal_ordered) evaluated over the
// time-sorted events that their referenced rules marked. Pure: no I/O, no tool-call knowledge; the
// pipeline turns each hit into one violation placed at the hit's anchor event.
//
// Matches are taken one at a time, in time order, and each group keeps only the events of its open
// window: memory follows the windows, not the number of matches (a port scan of a million refused
// connections is a million matches in a few hundred windows).
import { compareRefs, type ForensicEvent } from '../model/event.js';
import { fieldKey } from './fields.js';
import type { CorrelationRule, CountCondition, RuleHeader } from './rule.js';

/** An event one or more detection rules marked, at its clock-corrected time. */
export interface CorrelationMatch {
  event: ForensicEvent;
  timeMs: number;
  /** the detection rules that marked it (any subset of the rule set) */
  rules: readonly RuleHeader[];
}

export interface CorrelationHit {
  rule: CorrelationRule;
  /** the anchor event (attribution.anchor: the last of the group by default) and its time */
  event: ForensicEvent;
  timeMs: number;
  /** every event of the group, time-sorted (empty unless the evaluator keeps events) */
  events: CorrelationMatch[];
  /** the group's earliest and latest events, in (time, ref) order */
  first: CorrelationMatch;
  last: CorrelationMatch;
  /** group-by field → value ('' when the event has none) */
  group: Record<string, string>;
  /** the number the condition was tested on: events, distinct values or distinct rules */
  count: number;
  firstMs: number;
  lastMs: number;
}

interface Occurrence {
  timeMs: number;
  /** the event group-by fields are read from: the match itself, or an inner hit's anchor */
  event: ForensicEvent;
  /** what it stands for: one match, or an inner correlation's hit */
  match?: CorrelationMatch;
  inner?: CorrelationHit;
  /** the reference as written in `rules`, and its position */
  ref: string;
  index: number;
}

/** Does a count satisfy every bound given? */
export function countSatisfies(cond: CountCondition, n: number): boolean {
  return (cond.gt === undefined || n > cond.gt) && (cond.gte === undefined || n >= cond.gte)
    && (cond.lt === undefined || n < cond.lt) && (cond.lte === undefined || n <= cond.lte)
    && (cond.eq === undefined || n === cond.eq);
}

const compareMatches = (a: CorrelationMatch, b: CorrelationMatch) => a.timeMs - b.timeMs || compareRefs(a.event.ref, b.event.ref);
const compareOccurrences = (a: Occurrence, b: Occurrence) => a.timeMs - b.timeMs || compareRefs(a.event.ref, b.event.ref) || a.index - b.index;

/**
 * Evaluates correlations (in the order loadRuleSet gives: a chained correlation after the ones it
 * uses) over matches in any order. Windows slide from each group's events: a hit takes every event
 * within `timespan` of its first one, and the next window starts after the hit, so a scan lasting
 * ten timespans gives about ten hits, never one per event. Only correlations that stand alone are
 * returned unless `includeInner` (rule self-tests) asks for all. Hits list their events.
 */
export function evaluateCorrelations(
  correlations: readonly CorrelationRule[],
  matches: readonly CorrelationMatch[],
  options: { includeInner?: boolean } = {},
): CorrelationHit[] {
  const sorted = isSorted(matches) ? matches : [...matches].sort(compareMatches);
  const evaluator = new CorrelationEvaluator(correlations, { keepEvents: true });
  for (let k = 0; k < evaluator.passes; k++) {
    const pass = evaluator.pass(k);
    for (const m of sorted) pass.add(m);
    pass.finish();
  }
  return evaluator.hits(options.includeInner === true);
}

function isSorted(matches: readonly CorrelationMatch[]): boolean {
  for (let i = 1; i < matches.length; i++) if (compareMatches(matches[i - 1]!, matches[i]!) > 0) return false;
  return true;
}

/** One pass over the matches, in (time, ref) order. */
export interface CorrelationPass {
  add(match: CorrelationMatch): void;
  finish(): void;
}

/**
 * Correlations evaluated over one or more passes over the matches: a correlation that counts the
 * hits of another needs them all before its own pass (they come out as windows close, out of time
 * order), so each level of chaining is a pass. Most rule sets need one.
 */
export class CorrelationEvaluator {
  private readonly levels: CorrelationRule[][] = [];
  private readonly hitsOf = new Map<CorrelationRule, CorrelationHit[]>();
  private readonly byKey = new Map<string, CorrelationRule>();

  /**
   * `keepEvents`: hits list every event of their window (tests); otherwise only the first and last.
   * `sweepEvery`: matches between two closings of groups no later match can reach (tests make it small).
   */
  constructor(private readonly correlations: readonly CorrelationRule[], private readonly options: { keepEvents: boolean; sweepEvery?: number }) {
    for (const c of correlations) {
      this.byKey.set(c.id, c);
      if (c.name) this.byKey.set(c.name, c);
    }
    const levelOf = new Map<CorrelationRule, number>();
    for (const c of correlations) {
      const inner = c.refs.map((r) => this.byKey.get(r)).filter((r): r is CorrelationRule => r !== undefined);
      const level = inner.reduce((l, r) => Math.max(l, (levelOf.get(r) ?? 0) + 1), 0);
      levelOf.set(c, level);
      (this.levels[level] ??= []).push(c);
    }
  }

  /** How many passes over the matches the correlations need. */
  get passes(): number {
    return this.levels.length;
  }

  /** Pass `k`: the correlations of that level of chaining, fed the matches in (time, ref) order. */
  pass(k: number): CorrelationPass {
    const isCorrelation = (ref: string) => this.byKey.has(ref);
    const windows = (this.levels[k] ?? []).map((c) => new CorrelationWindows(c, this.innerOccurrences(c), isCorrelation, this.options.keepEvents));
    let added = 0;
    const sweepEvery = this.options.sweepEvery ?? SWEEP_EVERY;
    return {
      add: (m) => {
        for (const w of windows) w.add(m);
        // Groups whose last event is older than their timespan can be closed: a million sources
        // seen once each must not stay open until the end.
        if (++added % sweepEvery === 0) for (const w of windows) w.sweep(m.timeMs);
      },
      finish: () => {
        for (const w of windows) this.hitsOf.set(w.rule, w.finish());
      },
    };
  }

  /** Every hit of the correlations that stand alone (or of all of them), in (time, ref, rule id) order. */
  hits(includeInner: boolean): CorrelationHit[] {
    const out = this.correlations.filter((c) => includeInner || c.standalone).flatMap((c) => this.hitsOf.get(c) ?? []);
    return out.sort((a, b) => a.timeMs - b.timeMs || compareRefs(a.event.ref, b.event.ref) || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
  }

  /** The hits of the correlations `c` counts, as its occurrences, sorted. */
  private innerOccurrences(c: CorrelationRule): Occurrence[] {
    const out: Occurrence[] = [];
    c.refs.forEach((ref, index) => {
      const inner = this.byKey.get(ref);
      if (inner) for (const h of this.hitsOf.get(inner) ?? []) out.push({ timeMs: h.timeMs, event: h.event, inner: h, ref, index });
    });
    return out.sort(compareOccurrences);
  }
}

/** Matches between two sweeps for groups that can be closed. */
const SWEEP_EVERY = 4096;

interface Group {
  parts: string[];
  /** the open window: occurrences from `head` on */
  occs: Occurrence[];
  head: number;
  /** value or reference → how many occurrences of the window carry it (value_count, temporal) */
  tally: Map<string, number>;
}

/** One correlation's groups and their open windows, fed occurrences in order. */
class CorrelationWindows {
  private readonly groups = new Map<string, Group>();
  private readonly hits: CorrelationHit[] = [];
  private readonly direct: { ref: string; index: number; names: (r: RuleHeader) => boolean }[] = [];
  private innerAt = 0;
  private readonly cond: CountCondition;

  /** `inner`: the hits of the correlations it counts, as occurrences, sorted */
  constructor(readonly rule: CorrelationRule, private readonly inner: Occurrence[], isCorrelation: (ref: string) => boolean, private readonly keepEvents: boolean) {
    const c = rule;
    c.refs.forEach((ref, index) => {
      if (!isCorrelation(ref)) this.direct.push({ ref, index, names: (r) => r.id === ref || r.name === ref });
    });
    this.cond = c.condition ?? { gte: c.type === 'temporal_ordered' ? c.refs.length : new Set(c.refs).size };
  }

  add(m: CorrelationMatch): void {
    for (const d of this.direct) {
      if (!m.rules.some(d.names)) continue;
      const o: Occurrence = { timeMs: m.timeMs, event: m.event, match: m, ref: d.ref, index: d.index };
      this.innerBefore(o);
      this.place(o);
    }
  }

  /** Closes the groups no later match can reach (their last event is over a timespan before `nowMs`). */
  sweep(nowMs: number): void {
    // Inner hits before now first: a group is closed only when nothing earlier can still join it.
    while (this.innerAt < this.inner.length && this.inner[this.innerAt]!.timeMs < nowMs) this.place(this.inner[this.innerAt++]!);
    for (const [key, g] of this.groups) {
      if (nowMs - g.occs[g.occs.length - 1]!.timeMs > this.rule.timespanMs) {
        this.close(g);
        this.groups.delete(key);
      }
    }
  }

  finish(): CorrelationHit[] {
    this.innerBefore(undefined);
    for (const g of this.groups.values()) this.close(g);
    this.groups.clear();
    return this.hits;
  }

  /** The inner hits that come before `o` (all of them at the end), placed first. */
  private innerBefore(o: Occurrence | undefined): void {
    while (this.innerAt < this.inner.length && (!o || compareOccurrences(this.inner[this.innerAt]!, o) < 0)) this.place(this.inner[this.innerAt++]!);
  }

  private place(o: Occurrence): void {
    const c = this.rule;
    const parts = c.groupBy.map((g) => fieldKey(o.event, fieldFor(c, g, o.ref)));
    // One field is its own key; several are a JSON list (no separator a log value could contain).
    const key = parts.length === 1 ? parts[0]! : JSON.stringify(parts);
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { parts, occs: [], head: 0, tally: new Map() }));
    if (c.type === 'temporal_ordered') {
      g.occs.push(o);
      // A window is known once an event beyond its timespan has come.
      while (g.head < g.occs.length && o.timeMs - g.occs[g.head]!.timeMs > c.timespanMs) this.orderedStep(g);
    } else {
      while (g.head < g.occs.length && o.timeMs - g.occs[g.head]!.timeMs > c.timespanMs) this.countedStep(g);
      g.occs.push(o);
      this.tallyAdd(g, o);
    }
    compact(g);
  }

  /** The end of a group's events: its remaining windows, as at the end of the input. */
  private close(g: Group): void {
    const step = this.rule.type === 'temporal_ordered' ? () => this.orderedStep(g) : () => this.countedStep(g);
    while (g.head < g.occs.length) step();
  }

  /**
   * event_count, value_count, temporal: the window from the group's first open event holds every
   * event within the timespan of it. It hits and is consumed, or its first event leaves.
   */
  private countedStep(g: Group): void {
    const count = this.rule.type === 'event_count' ? g.occs.length - g.head : g.tally.size;
    if (countSatisfies(this.cond, count)) {
      this.hit(g, g.occs.slice(g.head), count);
      g.occs = [];
      g.head = 0;
      g.tally.clear();
    } else {
      this.tallyRemove(g, g.occs[g.head]!);
      g.head++;
    }
  }

  /** temporal_ordered: the rules must occur in the order listed, within timespan of the first. */
  private orderedStep(g: Group): void {
    const c = this.rule;
    const occs = g.occs;
    const s = g.head;
    if (occs[s]!.index !== 0) {
      g.head++;
      return;
    }
    let step = 0;
    let best = -1;
    for (let j = s; j < occs.length && occs[j]!.timeMs - occs[s]!.timeMs <= c.timespanMs && step < c.refs.length; j++) {
      if (occs[j]!.index === step) {
        step++;
        if (countSatisfies(this.cond, step)) best = j;
      }
    }
    if (best >= 0 && countSatisfies(this.cond, step)) {
      this.hit(g, occs.slice(s, best + 1), step);
      g.head = best + 1;
    } else g.head++;
  }

  private keyOf(o: Occurrence): string | undefined {
    const c = this.rule;
    if (c.type === 'temporal') return o.ref;
    if (c.type === 'value_count') {
      const v = fieldKey(o.event, fieldFor(c, c.field!, o.ref));
      // An event without the counted field adds no value (Sigma counts values, not events).
      return v === '' ? undefined : v;
    }
    return undefined;
  }

  private tallyAdd(g: Group, o: Occurrence): void {
    const k = this.keyOf(o);
    if (k !== undefined) g.tally.set(k, (g.tally.get(k) ?? 0) + 1);
  }

  private tallyRemove(g: Group, o: Occurrence): void {
    const k = this.keyOf(o);
    if (k === undefined) return;
    const n = g.tally.get(k)! - 1;
    if (n === 0) g.tally.delete(k);
    else g.tally.set(k, n);
  }

  private hit(g: Group, occs: Occurrence[], count: number): void {
    const c = this.rule;
    const group: Record<string, string> = {};
    c.groupBy.forEach((name, i) => (group[name] = g.parts[i]!));
    let first: CorrelationMatch | undefined;
    let last: CorrelationMatch | undefined;
    for (const o of occs) {
      const a = o.match ?? o.inner!.first;
      const b = o.match ?? o.inner!.last;
      if (!first || compareMatches(a, first) < 0) first = a;
      if (!last || compareMatches(b, last) >= 0) last = b;
    }
    const anchor = c.attribution.anchor === 'first' ? first! : last!;
    this.hits.push({
      rule: c, event: anchor.event, timeMs: anchor.timeMs, events: this.keepEvents ? eventsOf(occs) : [],
      first: first!, last: last!, group, count, firstMs: first!.timeMs, lastMs: last!.timeMs,
    });
  }
}

/** Drops the occurrences before a group's open window once they are half of its list. */
function compact(g: Group): void {
  if (g.head > 64 && g.head * 2 > g.occs.length) {
    g.occs = g.occs.slice(g.head);
    g.head = 0;
  }
}

/** Every match a window stands for, once each, in (time, ref) order. */
function eventsOf(occs: Occurrence[]): CorrelationMatch[] {
  const seen = new Set<CorrelationMatch>();
  const events: CorrelationMatch[] = [];
  const take = (m: CorrelationMatch) => {
    if (!seen.has(m)) (seen.add(m), events.push(m));
  };
  for (const o of occs) {
    if (o.match) take(o.match);
    else o.inner!.events.forEach(take);
  }
  return events.sort(compareMatches);
}

function fieldFor(c: CorrelationRule, name: string, ref: string): string {
  return c.aliases.get(name)?.get(ref) ?? name;
}
