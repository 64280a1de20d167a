// The same record in two inputs (overlapping exports, a transcript copied twice) is one record:
// reported once, at its first place in (time, path, line) order, with the copies counted per input.
import { compareRefs, type ForensicEvent, type Ref } from '../model/event.js';

/** What makes two records the same: everything the parser read, except where it stands. */
export function recordKey(event: ForensicEvent, timeMs: number): string {
  const { ref: _ref, timeMs: _t, endMs, ...rest } = event;
  return JSON.stringify([timeMs, endMs === undefined ? null : endMs - event.timeMs, rest]);
}

export interface Deduplicated<T> {
  kept: T[];
  /** path of a copy → how many of its records were copies, and of which input */
  copies: Map<string, { count: number; of: string }>;
}

/** Keeps the first of each set of identical records; `items` need not be sorted. */
export function dedupeRecords<T>(items: T[], view: (item: T) => { event: ForensicEvent; timeMs: number }): Deduplicated<T> {
  // Records of one input are never copies of each other: a million findings of one log need no sort.
  const first = items.length > 0 ? view(items[0]!).event.ref.path : undefined;
  if (items.every((item) => view(item).event.ref.path === first)) return { kept: items, copies: new Map() };
  const order = items.map((item, i) => ({ item, i, v: view(item) }))
    .sort((a, b) => a.v.timeMs - b.v.timeMs || compareRefs(a.v.event.ref, b.v.event.ref));
  // Only records at the same instant in different inputs can be copies: the rest are kept without
  // building their keys (a JSON text per record was most of the cost for tens of thousands of calls).
  const pathAt = new Map<number, string | null>();
  for (const { v } of order) {
    const seen = pathAt.get(v.timeMs);
    if (seen === undefined) pathAt.set(v.timeMs, v.event.ref.path);
    else if (seen !== null && seen !== v.event.ref.path) pathAt.set(v.timeMs, null);
  }
  const firstSeen = new Map<string, Ref>();
  const copies = new Map<string, { count: number; of: string }>();
  const keep = new Set<number>();
  for (const { i, v } of order) {
    if (pathAt.get(v.timeMs) !== null) {
      keep.add(i);
      continue;
    }
    const key = recordKey(v.event, v.timeMs);
    const original = firstSeen.get(key);
    if (!original) {
      firstSeen.set(key, v.event.ref);
      keep.add(i);
      continue;
    }
    // A record repeated inside one input is two records (e.g. a retransmission logged twice).
    if (original.path === v.event.ref.path) {
      keep.add(i);
      continue;
    }
    const c = copies.get(v.event.ref.path) ?? { count: 0, of: original.path };
    c.count++;
    copies.set(v.event.ref.path, c);
  }
  return { kept: items.filter((_, i) => keep.has(i)), copies };
}
