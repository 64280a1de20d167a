// The same record in two inputs is reported once; repeats inside one input are separate records.
import { describe, expect, it } from 'vitest';
import type { ForensicEvent } from '../../src/model/event.js';
import { dedupeRecords, KEYED, recordKey } from '../../src/timeline/dedupe.js';

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

describe('recordKey()', () => {
  const full: ForensicEvent = {
    kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs: T, endMs: T + 5_000, timeRaw: '2026-03-02T10:00:00Z', ref: { path: 'a.jsonl', line: 3 },
    host: 'h', sandbox: 'sb', container: 'c', session: 's', src: { ip: '10.0.0.1', port: 1 }, dst: { ip: '10.0.0.2', port: 2, domain: 'd' }, proto: 'tcp',
    action: 'allow', actor: 'a', operation: 'o', errorCode: 'e', callId: 'k', tool: 't', command: 'ls', exitCode: 0, timePrecision: 'exact', message: 'm', fields: { x: 1 },
  };
  const other: { [K in keyof ForensicEvent]-?: ForensicEvent[K] } = {
    kind: 'audit', source: 'audit', format: 'aws-cloudtrail', timeMs: T, endMs: T + 6_000, timeRaw: 'r', ref: { path: 'b.jsonl', index: 9 },
    host: 'h2', sandbox: 'sb2', container: 'c2', session: 's2', src: { ip: '10.0.0.1', port: 9 }, dst: { ip: '10.0.0.2', port: 2 }, proto: 'udp',
    action: 'deny', actor: 'a2', operation: 'o2', errorCode: 'e2', callId: 'k2', tool: 't2', command: 'ls -l', exitCode: 1, timePrecision: 'response', message: 'm2', fields: { x: 2 },
  };

  it('tells apart records that differ in any property it keys, and only in those', () => {
    const keyed = Object.entries(KEYED).filter(([, k]) => k).map(([p]) => p);
    expect(keyed.length).toBe(Object.keys(KEYED).length - 1);
    for (const p of Object.keys(KEYED) as (keyof ForensicEvent)[]) {
      if (p === 'timeMs') continue; // the key is given the corrected time
      const changed = { ...full, [p]: other[p] } as ForensicEvent;
      expect(recordKey(changed, T) !== recordKey(full, T), p).toBe(KEYED[p]);
      // Absent is not the same as present.
      const { [p]: _, ...without } = full;
      if (p !== 'ref' && p !== 'kind' && p !== 'source' && p !== 'format' && p !== 'timeRaw') expect(recordKey(without as ForensicEvent, T), p).not.toBe(recordKey(full, T));
    }
    // The time that counts is the one given (the input's, corrected), with the record's length.
    expect(recordKey(full, T)).not.toBe(recordKey(full, T + 1));
    expect(recordKey({ ...full, timeMs: T + 1, endMs: T + 5_001 }, T)).toBe(recordKey(full, T));
  });
});
