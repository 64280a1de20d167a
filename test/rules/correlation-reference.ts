// The batch evaluation of correlations as it was before windows were evaluated one match at a time
// (all occurrences of a correlation gathered, grouped, then scanned with two pointers). Kept as the
// oracle of test/property/correlation-stream.property.test.ts: the streaming evaluator must give the
// same hits.
import { compareRefs, type ForensicEvent } from '../../src/model/event.js';
import { countSatisfies, type CorrelationMatch } from '../../src/rules/correlation.js';
import { fieldKey } from '../../src/rules/fields.js';
import type { CorrelationRule, CountCondition, RuleHeader } from '../../src/rules/rule.js';

export interface ReferenceHit {
  rule: CorrelationRule;
  event: ForensicEvent;
  timeMs: number;
  events: CorrelationMatch[];
  group: Record<string, string>;
  count: number;
  firstMs: number;
  lastMs: number;
}
type CorrelationHit = ReferenceHit;

interface Occurrence {
  timeMs: number;
  event: ForensicEvent;
  items: CorrelationMatch[] | CorrelationMatch;
  ref: string;
  index: number;
}

/**
 * Evaluates correlations (in the order loadRuleSet gives: a chained correlation after the ones it
 * uses) over matches sorted by time. Windows slide from each group's events: a hit takes every
 * event within `timespan` of its first one, and the next window starts after the hit, so a scan
 * lasting ten timespans gives about ten hits, never one per event. Only correlations that stand
 * alone are returned unless `includeInner` (rule self-tests) asks for all.
 */
export function referenceCorrelations(
  correlations: readonly CorrelationRule[],
  matches: readonly CorrelationMatch[],
  options: { includeInner?: boolean } = {},
): CorrelationHit[] {
  const hitsOf = new Map<CorrelationRule, CorrelationHit[]>();
  const byKey = new Map<string, CorrelationRule>();
  for (const c of correlations) {
    byKey.set(c.id, c);
    if (c.name) byKey.set(c.name, c);
  }
  for (const c of correlations) hitsOf.set(c, evaluateOne(c, occurrencesFor(c, matches, byKey, hitsOf)));
  const out = correlations.filter((c) => options.includeInner || c.standalone).flatMap((c) => hitsOf.get(c)!);
  return out.sort((a, b) => a.timeMs - b.timeMs || compareRefs(a.event.ref, b.event.ref) || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
}

function occurrencesFor(c: CorrelationRule, matches: readonly CorrelationMatch[], byKey: Map<string, CorrelationRule>, hitsOf: Map<CorrelationRule, CorrelationHit[]>): Occurrence[] {
  const out: Occurrence[] = [];
  c.refs.forEach((ref, index) => {
    const inner = byKey.get(ref);
    if (inner) {
      for (const h of hitsOf.get(inner) ?? []) out.push({ timeMs: h.timeMs, event: h.event, items: h.events, ref, index });
      return;
    }
    const names = (r: RuleHeader) => r.id === ref || r.name === ref;
    for (const m of matches) if (m.rules.some(names)) out.push({ timeMs: m.timeMs, event: m.event, items: m, ref, index });
  });
  return out.sort((a, b) => a.timeMs - b.timeMs || compareRefs(a.event.ref, b.event.ref) || a.index - b.index);
}

function fieldFor(c: CorrelationRule, name: string, ref: string): string {
  return c.aliases.get(name)?.get(ref) ?? name;
}

function evaluateOne(c: CorrelationRule, occurrences: Occurrence[]): CorrelationHit[] {
  const groups = new Map<string, { parts: string[]; occs: Occurrence[] }>();
  for (const o of occurrences) {
    const parts = c.groupBy.map((g) => fieldKey(o.event, fieldFor(c, g, o.ref)));
    // One field is its own key; several are a JSON list (no separator a log value could contain).
    const key = parts.length === 1 ? parts[0]! : JSON.stringify(parts);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { parts, occs: [] }));
    group.occs.push(o);
  }
  const hits: CorrelationHit[] = [];
  const least = leastCount(c);
  for (const { parts, occs } of groups.values()) {
    // Every count is at most the group's size: a group smaller than the condition's lower bound
    // cannot hit (a scan from a million sources makes a million groups of one).
    if (occs.length < least) continue;
    const windows = c.type === 'temporal_ordered' ? orderedWindows(c, occs) : countedWindows(c, occs);
    if (windows.length === 0) continue;
    const values: Record<string, string> = {};
    c.groupBy.forEach((g, i) => (values[g] = parts[i]!));
    for (const w of windows) hits.push(toHit(c, w.occs, values, w.count));
  }
  return hits;
}

/** The smallest count the rule's condition accepts (1 when it sets no lower bound). */
function leastCount(c: CorrelationRule): number {
  const cond: CountCondition = c.condition ?? { gte: c.type === 'temporal_ordered' ? c.refs.length : new Set(c.refs).size };
  return Math.max(1, cond.gte ?? 0, cond.gt === undefined ? 0 : Math.floor(cond.gt) + 1, cond.eq ?? 0);
}

/** event_count, value_count, temporal: two pointers with running counts, linear in the group size. */
function countedWindows(c: CorrelationRule, occs: Occurrence[]): { occs: Occurrence[]; count: number }[] {
  const out: { occs: Occurrence[]; count: number }[] = [];
  const distinctRefs = new Set(c.refs).size;
  const cond: CountCondition = c.condition ?? { gte: distinctRefs };
  const keyOf = (o: Occurrence): string | undefined => {
    if (c.type === 'temporal') return o.ref;
    if (c.type === 'value_count') {
      const v = fieldKey(o.event, fieldFor(c, c.field!, o.ref));
      // An event without the counted field adds no value (Sigma counts values, not events).
      return v === '' ? undefined : v;
    }
    return undefined;
  };
  const tally = new Map<string, number>();
  const add = (o: Occurrence) => {
    const k = keyOf(o);
    if (k !== undefined) tally.set(k, (tally.get(k) ?? 0) + 1);
  };
  const remove = (o: Occurrence) => {
    const k = keyOf(o);
    if (k === undefined) return;
    const n = tally.get(k)! - 1;
    if (n === 0) tally.delete(k);
    else tally.set(k, n);
  };
  let s = 0;
  let e = -1;
  while (s < occs.length) {
    while (e + 1 < occs.length && occs[e + 1]!.timeMs - occs[s]!.timeMs <= c.timespanMs) add(occs[++e]!);
    const count = c.type === 'event_count' ? e - s + 1 : tally.size;
    if (countSatisfies(cond, count)) {
      out.push({ occs: occs.slice(s, e + 1), count });
      tally.clear();
      s = e + 1;
      e = s - 1;
    } else {
      remove(occs[s]!);
      s++;
    }
  }
  return out;
}

/** temporal_ordered: the rules must occur in the order listed, within timespan of the first. */
function orderedWindows(c: CorrelationRule, occs: Occurrence[]): { occs: Occurrence[]; count: number }[] {
  const out: { occs: Occurrence[]; count: number }[] = [];
  const cond: CountCondition = c.condition ?? { gte: c.refs.length };
  let s = 0;
  while (s < occs.length) {
    if (occs[s]!.index !== 0) {
      s++;
      continue;
    }
    let step = 0;
    let best = -1;
    for (let j = s; j < occs.length && occs[j]!.timeMs - occs[s]!.timeMs <= c.timespanMs && step < c.refs.length; j++) {
      if (occs[j]!.index === step) {
        step++;
        if (countSatisfies(cond, step)) best = j;
      }
    }
    if (best >= 0 && countSatisfies(cond, step)) {
      out.push({ occs: occs.slice(s, best + 1), count: step });
      s = best + 1;
    } else s++;
  }
  return out;
}

function toHit(c: CorrelationRule, occs: Occurrence[], group: Record<string, string>, count: number): CorrelationHit {
  const seen = new Set<CorrelationMatch>();
  const events: CorrelationMatch[] = [];
  const take = (m: CorrelationMatch) => {
    if (!seen.has(m)) (seen.add(m), events.push(m));
  };
  for (const o of occs) {
    if (Array.isArray(o.items)) o.items.forEach(take);
    else take(o.items);
  }
  events.sort((a, b) => a.timeMs - b.timeMs || compareRefs(a.event.ref, b.event.ref));
  const anchor = c.attribution.anchor === 'first' ? events[0]! : events.at(-1)!;
  return { rule: c, event: anchor.event, timeMs: anchor.timeMs, events, group, count, firstMs: events[0]!.timeMs, lastMs: events.at(-1)!.timeMs };
}
