// dedupeRecords reads only the instants several records share, CopyFinder builds a record's full key only when another input has a record of the same outline at
// that instant: its answers must be those of comparing every record's full key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRefs, type ForensicEvent, type Ref } from '../../src/model/event.js';
import { CopyFinder, dedupeRecords, recordKey } from '../../src/timeline/dedupe.js';

/** The rule without the outline: every record keyed in full. */
function plainKeep(run: { event: ForensicEvent; timeMs: number }[], copies: Map<string, { count: number; of: string }>): boolean[] {
  const firstSeen = new Map<string, Ref>();
  return run.map((v) => {
    const key = recordKey(v.event, v.timeMs);
    const original = firstSeen.get(key);
    if (!original) {
      firstSeen.set(key, v.event.ref);
      return true;
    }
    if (original.path === v.event.ref.path) return true;
    const c = copies.get(v.event.ref.path) ?? { count: 0, of: original.path };
    c.count++;
    copies.set(v.event.ref.path, c);
    return false;
  });
}

// Few values, so that outlines and full keys collide often, and differ in fields the outline leaves out.
const recordArb = fc.record({
  path: fc.constantFrom('a.jsonl', 'b.jsonl', 'c.jsonl'),
  call: fc.constantFrom('call-1', 'call-2'),
  session: fc.constantFrom('s1', 's2'),
  command: fc.constantFrom('ls', 'id', 'curl x'),
  host: fc.constantFrom(undefined, 'gpu-1'),
  endMs: fc.constantFrom(undefined, 500),
});

describe('CopyFinder.keep()', () => {
  it('keeps and counts the same records as full keys for every record', () => {
    fc.assert(fc.property(fc.array(fc.array(recordArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }), (runs) => {
      const finder = new CopyFinder();
      const plainCopies = new Map<string, { count: number; of: string }>();
      runs.forEach((records, instant) => {
        const run = records
          .map((r, i) => ({
            event: {
              kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs: instant * 1000, timeRaw: 'x', ref: { path: r.path, line: i + 1 },
              session: r.session, callId: r.call, command: r.command, message: `bash: ${r.command}`,
              ...(r.endMs !== undefined ? { endMs: instant * 1000 + r.endMs } : {}), ...(r.host ? { host: r.host } : {}),
            } satisfies ForensicEvent,
            timeMs: instant * 1000,
          }))
          .sort((x, y) => x.event.ref.path.localeCompare(y.event.ref.path) || x.event.ref.line! - y.event.ref.line!);
        expect(finder.keep(run)).toEqual(plainKeep(run, plainCopies));
      });
      expect(finder.copies).toEqual(plainCopies);
    }), { numRuns: 500 });
  });
});

/** The rule without shortcuts: every record sorted by (time, path, line), each instant's run kept by plainKeep. */
function plainDedupe(items: ForensicEvent[]): { kept: ForensicEvent[]; copies: Map<string, { count: number; of: string }> } {
  const copies = new Map<string, { count: number; of: string }>();
  const order = items.map((event, i) => ({ i, v: { event, timeMs: event.timeMs } })).sort((a, b) => a.v.timeMs - b.v.timeMs || compareRefs(a.v.event.ref, b.v.event.ref));
  const keep = new Set<number>();
  for (let s = 0; s < order.length;) {
    let e = s + 1;
    while (e < order.length && order[e]!.v.timeMs === order[s]!.v.timeMs) e++;
    const run = order.slice(s, e);
    plainKeep(run.map((o) => o.v), copies).forEach((k, j) => k && keep.add(run[j]!.i));
    s = e;
  }
  return { kept: items.filter((_, i) => keep.has(i)), copies };
}

describe('dedupeRecords()', () => {
  it('keeps, in the order given, and counts the same records as sorting them all, whatever their order', () => {
    const itemArb = fc.record({ record: recordArb, second: fc.integer({ min: 0, max: 4 }) });
    fc.assert(fc.property(fc.array(itemArb, { maxLength: 40 }), (items) => {
      const lines = new Map<string, number>();
      const events = items.map(({ record: r, second }) => {
        const line = (lines.get(r.path) ?? 0) + 1;
        lines.set(r.path, line);
        return {
          kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs: second * 1000, timeRaw: 'x', ref: { path: r.path, line },
          session: r.session, callId: r.call, command: r.command, message: `bash: ${r.command}`,
          ...(r.endMs !== undefined ? { endMs: second * 1000 + r.endMs } : {}), ...(r.host ? { host: r.host } : {}),
        } satisfies ForensicEvent as ForensicEvent;
      });
      const got = dedupeRecords(events, (event) => ({ event, timeMs: event.timeMs }));
      const want = plainDedupe(events);
      expect(got.kept).toEqual(want.kept);
      expect(got.copies).toEqual(want.copies);
    }), { numRuns: 500 });
  });
});
