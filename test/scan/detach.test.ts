// Marked records scanned on the main thread are kept as copies detached from the lines they were
// read from (so a flood does not keep every line alive). The copies must be the same records, and a
// record both a finding and a correlation match must stay one object: hits are matched by identity.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SharedStrings } from '../../src/model/shared-strings.js';
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
