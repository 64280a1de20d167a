// The same record in two inputs is reported once; repeats inside one input are separate records.
import { describe, expect, it } from 'vitest';
import type { ForensicEvent } from '../../src/model/event.js';
import { dedupeRecords } from '../../src/timeline/dedupe.js';

const T = Date.parse('2026-03-02T10:00:00Z');
const rec = (path: string, line: number, timeMs: number, dst = '203.0.113.9'): ForensicEvent => ({
  kind: 'network', source: 'firewall', format: 'iptables', timeMs, timeRaw: 'x', ref: { path, line }, dst: { ip: dst, port: 22 }, action: 'drop',
});
const view = (e: ForensicEvent) => ({ event: e, timeMs: e.timeMs });

describe('dedupeRecords()', () => {
  it('keeps the first of a record found in two inputs and counts the copy on the other', () => {
    const items = [rec('b.log', 1, T), rec('a.log', 7, T), rec('a.log', 8, T + 1_000)];
    const r = dedupeRecords(items, view);
    expect(r.kept.map((e) => `${e.ref.path}:${e.ref.line}`)).toEqual(['a.log:7', 'a.log:8']);
    expect([...r.copies]).toEqual([['b.log', { count: 1, of: 'a.log' }]]);
  });

  it('keeps repeats inside one input, and different records at the same instant', () => {
    const items = [rec('a.log', 1, T), rec('a.log', 2, T), rec('b.log', 1, T, '198.51.100.7')];
    const r = dedupeRecords(items, view);
    expect(r.kept).toHaveLength(3);
    expect(r.copies.size).toBe(0);
  });

  it('gives the records of one input back as they came, repeats and order included', () => {
    const items = [rec('a.log', 3, T + 2_000), rec('a.log', 1, T), rec('a.log', 2, T)];
    const r = dedupeRecords(items, view);
    expect(r.kept).toEqual(items);
    expect(r.copies.size).toBe(0);
    expect(dedupeRecords([], view).kept).toEqual([]);
  });

  it('compares on the corrected time the view gives', () => {
    const items = [rec('a.log', 1, T), rec('b.log', 1, T + 40_000)];
    const shifted = dedupeRecords(items, (e) => ({ event: e, timeMs: e.ref.path === 'b.log' ? e.timeMs - 40_000 : e.timeMs }));
    expect(shifted.kept).toHaveLength(1);
    expect(dedupeRecords(items, view).kept).toHaveLength(2);
  });
});
