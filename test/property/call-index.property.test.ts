// The call index must find exactly the calls a plain scan of every call finds: any call that started
// by the violation (plus the clock-jitter window) and whose end plus the window it may linger reaches it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toToolCall, type ToolCall, type Windows } from '../../src/attribution/attribute.js';
import { buildToolCalls } from '../../src/attribution/calls.js';
import { Inventory } from '../../src/attribution/inventory.js';
import { CallIndex } from '../../src/attribution/violations.js';
import type { ForensicEvent } from '../../src/model/event.js';

const T = Date.parse('2026-03-05T10:00:00Z');
const noInventory = new Inventory([]);

const callArb = fc.record({
  start: fc.integer({ min: 0, max: 8 * 3_600_000 }),
  length: fc.oneof(fc.integer({ min: 0, max: 90_000 }), fc.integer({ min: 0, max: 5 * 3_600_000 }), fc.constant(-1)),
  background: fc.boolean(),
  session: fc.constantFrom('s1', 's2', 's3'),
  // agents repeat their commands: the index looks up long-ended calls by command
  command: fc.integer({ min: 0, max: 3 }),
});

function events(specs: { start: number; length: number; background: boolean; session: string; command?: number }[]): ForensicEvent[] {
  return specs.map((s, i) => ({
    kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs: T + s.start, ...(s.length >= 0 ? { endMs: T + s.start + s.length } : {}),
    timeRaw: '', ref: { path: 'agent.jsonl', line: i + 1 }, session: s.session, callId: `c${i}`,
    command: s.background ? `nohup ./job-${s.command ?? i} &` : `make step-${s.command ?? i}`,
  }));
}

function plainScan(calls: ToolCall[], t: number, w: Windows): ToolCall[] {
  const linger = Math.max(w.afterMs, w.persistentAfterMs);
  return calls.filter((c) => c.startMs <= t + w.beforeMs && c.endMs + (c.background ? linger : w.persistentRule ? linger : w.afterMs) >= t);
}

describe('CallIndex.near()', () => {
  it('finds the same calls in the same order as scanning them all', () => {
    fc.assert(fc.property(
      fc.array(callArb, { maxLength: 60 }), fc.integer({ min: -3_600_000, max: 12 * 3_600_000 }), fc.boolean(),
      fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 600_000 }), fc.integer({ min: 0, max: 7 * 3_600_000 }),
      (specs, at, persistentRule, beforeMs, afterMs, persistentAfterMs) => {
        const calls = buildToolCalls(events(specs), noInventory, () => 0);
        const w: Windows = { beforeMs, afterMs, persistentAfterMs, persistentRule, patterns: [] };
        const t = T + at;
        expect(new CallIndex(calls).near(t, w)).toEqual(plainScan(calls, t, w));
      },
    ), { numRuns: 400 });
  });

  it('with a content test, also leaves out exactly the ordinary calls ended past the window whose command fails it', () => {
    fc.assert(fc.property(
      fc.array(callArb, { maxLength: 80 }), fc.integer({ min: -3_600_000, max: 12 * 3_600_000 }), fc.boolean(),
      fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 600_000 }), fc.integer({ min: 0, max: 7 * 3_600_000 }), fc.subarray(['0', '1', '2', '3']),
      (specs, at, persistentRule, beforeMs, afterMs, persistentAfterMs, sharing) => {
        const calls = buildToolCalls(events(specs), noInventory, () => 0);
        const w: Windows = { beforeMs, afterMs, persistentAfterMs, persistentRule, patterns: [] };
        const t = T + at;
        const mayShare = (c: ToolCall) => sharing.some((d) => c.text.endsWith(d));
        const expected = plainScan(calls, t, w).filter((c) => c.background || c.endMs + afterMs >= t || mayShare(c));
        expect(new CallIndex(calls).near(t, w, { mayShare, key: sharing.join() })).toEqual(expected);
      },
    ), { numRuns: 3000 });
  });

  it('answers a run of violations asking a few questions, commands all different, as scanning every call for each', () => {
    const uniqueArb = callArb.map(({ command: _, ...spec }) => spec);
    const violationArb = fc.record({ at: fc.integer({ min: -3_600_000, max: 12 * 3_600_000 }), sharing: fc.subarray(['0', '1', '2', '3']) });
    fc.assert(fc.property(
      fc.array(uniqueArb, { maxLength: 80 }), fc.array(violationArb, { maxLength: 12 }), fc.boolean(),
      fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 600_000 }), fc.integer({ min: 0, max: 7 * 3_600_000 }),
      (specs, violations, rising, beforeMs, afterMs, persistentAfterMs) => {
        // each command its own (no `command` field): the index cannot look calls up by command
        const calls = buildToolCalls(events(specs), noInventory, () => 0);
        const w: Windows = { beforeMs, afterMs, persistentAfterMs, persistentRule: true, patterns: [] };
        const index = new CallIndex(calls);
        const asked = rising ? [...violations].sort((a, b) => a.at - b.at) : violations;
        for (const { at, sharing } of asked) {
          const t = T + at;
          const mayShare = (c: ToolCall) => sharing.some((d) => c.text.endsWith(d));
          const expected = plainScan(calls, t, w).filter((c) => c.background || c.endMs + afterMs >= t || mayShare(c));
          expect(index.near(t, w, { mayShare, key: sharing.join() })).toEqual(expected);
        }
      },
    ), { numRuns: 2000 });
  });

  it('leaves out a short call that ended long before, but keeps a background call of the same time', () => {
    const calls = [
      toToolCall(events([{ start: 0, length: 1_000, background: false, session: 's1' }])[0]!, noInventory, 0),
      toToolCall(events([{ start: 0, length: 1_000, background: true, session: 's1' }])[0]!, noInventory, 0),
    ];
    const w: Windows = { beforeMs: 2_000, afterMs: 60_000, persistentAfterMs: 6 * 3_600_000, persistentRule: false, patterns: [] };
    expect(new CallIndex(calls).near(T + 3_600_000, w).map((c) => c.background)).toEqual([true]);
  });
});
