// An input's marked records between the scan and the violations: the two lists of a scan paired into
// one list in read order, records moved to disk and back unchanged, and inputs merged by corrected
// time, then path and line, across batches.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ForensicEvent } from '../../src/model/event.js';
import { SharedStrings } from '../../src/model/shared-strings.js';
import type { Rule } from '../../src/rules/rule.js';
import { forEachMerged, InputMarks, type Marked } from '../../src/scan-marks.js';
import type { ScanMark } from '../../src/scan.js';

const rule = (id: string) => ({ id }) as Rule;
const RULES = new Map(['deny', 'scan'].map((id) => [id, rule(id)]));

function event(path: string, line: number, timeMs: number): ForensicEvent {
  return { kind: 'network', source: 'firewall', format: 'iptables', timeMs, timeRaw: String(timeMs), ref: { path, line }, action: 'drop', dst: { ip: '10.0.0.1', port: line } };
}

const view = (r: Marked) => [r.event.ref.path, r.event.ref.line, r.timeMs, r.finding?.map((x) => x.id) ?? null, r.match?.map((x) => x.id) ?? null];

async function all(marks: InputMarks): Promise<Marked[]> {
  const out: Marked[] = [];
  for await (const b of marks.batches()) out.push(...b);
  return out;
}

describe('InputMarks', () => {
  it('pairs a scan\'s findings and correlation matches into one list in read order, a record in both once', async () => {
    const [a, b, c, d] = [event('x', 1, 10), event('x', 2, 20), event('x', 3, 30), event('x', 4, 40)];
    const findings: ScanMark[] = [{ event: a, timeMs: 10, ruleIds: ['deny'] }, { event: c, timeMs: 30, ruleIds: ['deny'] }];
    const matches: ScanMark[] = [{ event: b, timeMs: 20, ruleIds: ['scan'] }, { event: c, timeMs: 30, ruleIds: ['scan'] }, { event: d, timeMs: 40, ruleIds: ['scan'] }];
    const marks = new InputMarks(RULES);
    marks.add(findings, matches, undefined, 0);
    expect((await all(marks)).map(view)).toEqual([
      ['x', 1, 10, ['deny'], null], ['x', 2, 20, null, ['scan']], ['x', 3, 30, ['deny'], ['scan']], ['x', 4, 40, null, ['scan']],
    ]);
    expect(marks.findings).toBe(2);
    // Records marked by the same rules share one list.
    const [first, , third] = await all(marks);
    expect(first!.finding).toBe(third!.finding);
  });

  it('gives the same records back after moving them to disk, lines shifted once per shared reference', async () => {
    const shared = { path: 'x', line: 5 };
    const one = { ...event('x', 5, 50), ref: shared };
    const two = { ...event('x', 5, 50), ref: shared, dst: { ip: '10.0.0.2' } };
    const marks = new InputMarks(RULES);
    marks.add([{ event: one, timeMs: 50, ruleIds: ['deny'] }, { event: two, timeMs: 50, ruleIds: ['deny'] }], [], undefined, 100);
    const before = (await all(marks)).map(view);
    expect(before.map((v) => v[1])).toEqual([105, 105]);
    marks.spillTo(mkdtempSync(join(tmpdir(), 'af-marks-')), 'held');
    expect(marks.spilledCount).toBe(2);
    expect(marks.inMemory).toBe(0);
    expect((await all(marks)).map(view)).toEqual(before);
    expect((await all(marks)).map((r) => r.event.dst)).toEqual([{ ip: '10.0.0.1', port: 5 }, { ip: '10.0.0.2' }]);
  });

  it('reloads spilled records into memory unchanged, in order, with their strings shared, and removes the files', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'af-marks-'));
    const marks = new InputMarks(RULES);
    marks.add([{ event: event('x', 1, 10), timeMs: 10, ruleIds: ['deny'] }], [], undefined, 0);
    marks.spillTo(folder, 'first');
    marks.add([{ event: event('x', 2, 20), timeMs: 20, ruleIds: ['deny'] }], [{ event: event('x', 3, 30), timeMs: 30, ruleIds: ['scan'] }], undefined, 0);
    marks.spillTo(folder, 'second');
    marks.add([{ event: event('x', 4, 40), timeMs: 40, ruleIds: ['deny'] }], [], undefined, 0);
    const before = (await all(marks)).map(view);
    expect(marks.onDisk).toBe(3);
    expect(readdirSync(folder)).toHaveLength(2);
    await marks.reload(new SharedStrings());
    expect(marks.onDisk).toBe(0);
    expect(marks.inMemory).toBe(4);
    expect(marks.count).toBe(4);
    expect(readdirSync(folder)).toEqual([]);
    const after = await all(marks);
    expect(after.map(view)).toEqual(before);
    // Each later pass gets the same objects: nothing is parsed again.
    expect((await all(marks))[1]!.event).toBe(after[1]!.event);
    expect(after[0]!.event.format).toBe(after[1]!.event.format);
    expect(after[0]!.event.ref.path).toBe(after[2]!.event.ref.path);
  });

  it('sorts an input read out of order, in memory or in runs on disk, to the same order', async () => {
    const times = [50, 10, 40, 10, 30, 20, 60, 0, 30];
    const build = () => {
      const marks = new InputMarks(RULES);
      marks.add(times.map((t, i) => ({ event: event('x', i + 1, t), timeMs: t, ruleIds: ['deny'] })), [], undefined, 0);
      return marks;
    };
    const inMemory = build();
    await inMemory.sort(undefined, Infinity);
    const onDisk = build();
    await onDisk.sort(mkdtempSync(join(tmpdir(), 'af-marks-')), 2);
    const expected = [[0, 8], [10, 2], [10, 4], [20, 6], [30, 5], [30, 9], [40, 3], [50, 1], [60, 7]];
    expect((await all(inMemory)).map((r) => [r.timeMs, r.event.ref.line])).toEqual(expected);
    expect((await all(onDisk)).map((r) => [r.timeMs, r.event.ref.line])).toEqual(expected);
    expect(onDisk.count).toBe(times.length);
  });
});

describe('forEachMerged', () => {
  it('merges inputs by corrected time, then path and line, across batches of any size', async () => {
    const input = (path: string, times: number[]) => {
      const marks = new InputMarks(RULES);
      marks.add(times.map((t, i) => ({ event: event(path, i + 1, t), timeMs: t, ruleIds: ['deny'] })), [], undefined, 0);
      return marks;
    };
    // 3000 records in b.log (three batches) against a.log shifted by +5 ms: ties fall to the path.
    const a = input('a.log', Array.from({ length: 1500 }, (_, i) => i * 2));
    const b = input('b.log', Array.from({ length: 3000 }, (_, i) => i + 5));
    const seen: [number, string, number, number][] = [];
    await forEachMerged([{ marks: b, offsetMs: 0 }, { marks: a, offsetMs: 5 }], (r, timeMs, source) => seen.push([timeMs, r.event.ref.path, r.event.ref.line!, source]));
    expect(seen).toHaveLength(4500);
    const sorted = [...seen].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : x[2] - y[2]));
    expect(seen).toEqual(sorted);
    expect(seen.slice(0, 3)).toEqual([[5, 'a.log', 1, 1], [5, 'b.log', 1, 0], [6, 'b.log', 2, 0]]);
  });
});
