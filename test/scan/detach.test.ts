// Marked records scanned on the main thread are kept as copies detached from the lines they were
// read from (so a flood does not keep every line alive). The copies must be the same records, and a
// record both a finding and a correlation match must stay one object: hits are matched by identity.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SharedStrings } from '../../src/model/shared-strings.js';
import { recordKey } from '../../src/timeline/dedupe.js';
import { internalDrops, scanWithRules } from '../helpers/scan.js';

describe('detached marked records', () => {
  it('are copies equal to the records, one object per record in both lists', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'af-detach-')), 'kern.log');
    writeFileSync(path, internalDrops(600, 3));
    const plain = await scanWithRules(path);
    const detached = await scanWithRules(path, { detach: new SharedStrings() });
    expect(plain.findings.length).toBeGreaterThan(100);
    expect(plain.correlationMatches.length).toBeGreaterThan(100);
    expect(detached).toEqual(plain);
    for (let i = 0; i < plain.findings.length; i++) expect(detached.findings[i]!.event).not.toBe(plain.findings[i]!.event);
    const findingEvents = new Set(detached.findings.map((f) => f.event));
    expect(detached.correlationMatches.every((m) => findingEvents.has(m.event))).toBe(true);
  });
});

describe('tool calls kept on the main thread', () => {
  it('are the calls read, their empty fields one read-only object and their long outputs digests', async () => {
    const line = (id: string, command: string, output?: string) =>
      JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session: 's1', call_id: id, tool: 'bash', command, start: '2026-03-02T10:00:00Z', end: '2026-03-02T10:00:01Z', ...(output ? { output } : {}) });
    const path = join(mkdtempSync(join(tmpdir(), 'af-calls-')), 'calls.jsonl');
    writeFileSync(path, [line('c1', 'pytest -q'), line('c2', 'pytest -q'), line('c3', 'ls', 'x'.repeat(100))].join('\n') + '\n');
    const plain = await scanWithRules(path);
    const kept = await scanWithRules(path, { detach: new SharedStrings() });
    expect(kept.calls.map((c) => ({ ...c, fields: undefined }))).toEqual(plain.calls.map((c) => ({ ...c, fields: undefined })));
    expect(kept.calls[0]!.message).toBe('bash: pytest -q');
    expect(kept.calls[0]!.fields).toEqual({});
    expect(kept.calls[1]!.fields).toBe(kept.calls[0]!.fields);
    expect(() => { (kept.calls[0]!.fields as Record<string, unknown>).output = 'x'; }).toThrow(TypeError);
    expect(kept.calls[2]!.fields!.output).toMatch(/^sha256:/);
  });
});

describe('tool calls written as runs by the scan (calls on disk from the start)', () => {
  it('leave the scan as sorted runs named by input number, with the digests of the calls the main thread keeps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-call-runs-'));
    const path = join(dir, 'calls.jsonl');
    // thousands of calls, a long output (kept as its digest), calls out of order
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({
      v: 'agent-events/1', type: 'tool_call', session: `s${i % 3}`, call_id: `c${i}`, tool: 'bash', command: i % 2 ? 'pytest -q' : 'ls',
      start: new Date(Date.UTC(2026, 2, 2, 10) + ((i * 7919) % 5000) * 1000).toISOString(), ...(i === 9 ? { output: 'x'.repeat(100) } : {}),
    }));
    writeFileSync(path, lines.join('\n') + '\n');
    const kept = await scanWithRules(path, { detach: new SharedStrings() });
    const written = await scanWithRules(path, { callRuns: { folder: dir, input: 3, assets: [] } });
    expect(written.calls).toEqual([]);
    expect(written.callRuns).toHaveLength(1);
    const rows = readFileSync(written.callRuns![0]!, 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows).toHaveLength(5000);
    const starts = rows.map((r) => Number(r[0]));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // start, end, digest, the call (its input and line first)
    const calls = rows.map((r) => JSON.parse(r[3]!) as unknown[]);
    expect(new Set(calls.map((c) => c[0]))).toEqual(new Set([3]));
    // what makes a copy between inputs: the same digest as the call a main-thread scan keeps
    const digestOf = new Map(rows.map((r, i) => [calls[i]![1] as number, r[2]]));
    for (const e of [kept.calls[0]!, kept.calls[9]!]) {
      expect(digestOf.get(e.ref.line!)).toBe(createHash('sha256').update(recordKey(e, e.timeMs)).digest('base64'));
    }
    expect(kept.calls[9]!.fields!.output).toMatch(/^sha256:/);
  });
});
