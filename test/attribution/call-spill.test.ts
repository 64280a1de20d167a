// Tool calls past the memory budget go to disk as sorted runs and come back merged (CallRecords.finish):
// the calls read back must be the calls kept in memory make, field for field, whatever their times
// (a fraction of a millisecond, before 1970, past 2^50), with copies between inputs left out and
// open ends linked the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolCall } from '../../src/attribution/attribute.js';
import { CallRecords } from '../../src/attribution/call-spill.js';
import type { CallFile } from '../../src/attribution/call-window.js';
import { buildToolCalls } from '../../src/attribution/calls.js';
import { Inventory } from '../../src/attribution/inventory.js';
import type { ForensicEvent } from '../../src/model/event.js';
import { dedupeRecords } from '../../src/timeline/dedupe.js';

const T = Date.parse('2026-03-02T10:00:00Z');
const inventory = new Inventory([]);
const folders: string[] = [];

afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function call(path: string, line: number, timeMs: number, extra: Partial<ForensicEvent> = {}): ForensicEvent {
  return { kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs, timeRaw: String(timeMs), ref: { path, line }, session: `s-${path}`, callId: `c${line}`, tool: 'bash', command: `echo ${line}`, ...extra };
}

/** Calls of three inputs: ordinary, open-ended (linked to the next), long, at odd times, and a record copied into a second input. */
function records(): ForensicEvent[] {
  const a = '/e/agent/a.jsonl', b = '/e/agent/b.jsonl', c = '/e/agent/c "x" ü.jsonl';
  return [
    call(a, 1, T, { endMs: T + 1_500 }),
    call(a, 2, T + 2_000.25),
    call(a, 3, T + 9_000, { endMs: T + 3 * 3_600_000 }),
    call(a, 4, T + 10_000),
    call(b, 1, T + 2_000.25, { command: 'curl http://203.0.113.9/x', session: 'shared' }),
    call(b, 2, -2_000_000_000_000, { endMs: -1_999_999_999_000, session: 'old' }),
    call(b, 4, T + 700.5, { endMs: T + 800.75, session: 'frac' }),
    call(b, 3, 2 ** 50 + 7, { endMs: 2 ** 50 + 9, session: 'far' }),
    { ...call(c, 1, T + 2_000.25, { command: 'curl http://203.0.113.9/x', session: 'shared' }), ref: { path: c, line: 7 } },
    call(c, 2, T + 2_000.25, { command: 'curl http://203.0.113.9/x', session: 'shared', exitCode: 1 }),
    call(c, 3, T + 5_000, { session: 'shared', tool: undefined }),
    { ...call(c, 4, T + 6_000), ref: { path: c, index: 3 } },
  ];
}

/** Every call of the calls file, the long ones kept in memory among them, in start order; the file must be in that order (windows read it so). */
function readBack(file: CallFile): ToolCall[] {
  const all: ToolCall[] = [];
  const lines = file.lines();
  for (let line = lines.next(); line !== undefined; line = lines.next()) all.push(file.callOf(line));
  const starts = all.map((c) => c.startMs);
  expect(starts).toEqual([...starts].sort((x, y) => x - y));
  return [...all, ...file.long].sort((x, y) => x.startMs - y.startMs);
}

describe('tool calls on disk (CallRecords.finish)', () => {
  it('come back as the calls kept in memory, copies left out and open ends linked alike', () => {
    const events = records();
    const unique = dedupeRecords(events, (e) => ({ event: e, timeMs: e.timeMs }));
    const expected = buildToolCalls(unique.kept, inventory, () => 0);

    const folder = mkdtempSync(join(tmpdir(), 'af-calls-'));
    folders.push(folder);
    // a budget of one call: every call in a run of its own, so that the merge orders them by what it reads
    const onDisk = new CallRecords(folder, 1, () => 0, inventory);
    for (const e of records()) onDisk.add([e]);
    // an after-window longer than any gap: every next start is linked, as in memory
    const { calls, copies } = onDisk.finish(2 ** 52);
    const back = readBack(calls);

    expect(back.map((c) => [c.ref.path, c.ref.line, c.ref.index])).toEqual(expected.map((c) => [c.ref.path, c.ref.line, c.ref.index]));
    back.forEach((c, i) => {
      for (const key of Object.keys(expected[i]!) as (keyof ToolCall)[]) expect(c[key], `${i} ${key}`).toEqual(expected[i]![key]);
    });
    expect(copies).toEqual(unique.copies);
    expect([...copies.values()].reduce((n, c) => n + c.count, 0)).toBe(1);
    // the open end of a.jsonl line 2 ends where its session's next call starts
    expect(back.find((c) => c.ref.path.endsWith('a.jsonl') && c.ref.line === 2)!.endMs).toBe(T + 9_000);
  });
});
