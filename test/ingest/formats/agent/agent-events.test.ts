import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentEventsFormat, oneLine } from '../../../../src/ingest/formats/agent/agent-events.js';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'agent-events';
const own = (f: string) => fixture(NAME, f);

describe('agent-events', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() merges results, applies session defaults and keeps the call line as ref', async () => {
    const path = own('sessions.jsonl');
    const r = await ingestClean(path, 4);
    expect(r.events.map((e) => [e.session, e.callId, e.ref.line, e.timePrecision])).toEqual([
      ['run-42', 'c1', 2, 'exact'],
      ['run-42', 'c2', 3, 'exact'],
      ['run-43', 'c1', 5, 'response'],
      ['run-42', 'c3', 7, 'exact'],
    ]);
    expect(r.events[0]).toEqual({
      kind: 'tool-call',
      source: 'agent',
      format: NAME,
      timeMs: Date.parse('2026-03-01T10:15:02.250Z'),
      endMs: Date.parse('2026-03-01T10:15:09.020Z'),
      timeRaw: '2026-03-01T10:15:02.250Z',
      ref: { path, line: 2 },
      session: 'run-42',
      callId: 'c1',
      tool: 'bash',
      command: 'pip install requests',
      exitCode: 0,
      timePrecision: 'exact',
      host: 'gpu-node-3',
      sandbox: 'sb-9f2c',
      message: 'bash: pip install requests',
      fields: { cwd: '/workspace', output: 'Successfully installed requests-2.32.3' },
    });
    // argv joined; epoch-ms start; end, exit code and output merged from the tool_result on line 6
    expect(r.events[1]).toMatchObject({
      command: 'curl -s https://example.org/x.sh',
      timeMs: 1772360112000,
      timeRaw: '1772360112000',
      endMs: 1772360113500,
      exitCode: 6,
      fields: { output: 'curl: (6) Could not resolve host: example.org' },
    });
    // +08:00 zone; no end: the instant only; session run-43 defaults; input object as compact JSON
    const open = r.events[2]!;
    expect(open).toMatchObject({
      timeMs: Date.parse('2026-03-01T10:15:20Z'),
      tool: 'python',
      command: `{"code":"import socket; socket.create_connection(('203.0.113.9', 3333))"}`,
      host: 'gpu-node-4',
      container: 'ctr-77',
      fields: { model: 'qwen3-coder-plus' },
    });
    expect(open.endMs).toBeUndefined();
    expect(open.sandbox).toBeUndefined();
    const last = r.events[3]!;
    expect(last).toMatchObject({
      callId: 'c3',
      command: 'ssh -N -R 80:localhost:8080 serveo.net',
      timeMs: Date.parse('2026-03-01T10:16:00Z'),
      endMs: Date.parse('2026-03-01T10:21:00Z'),
      exitCode: 255,
      sandbox: 'sb-other',
      host: 'gpu-node-3',
    });
  });

  it('parse() reports every invalid line of the damaged copy with its reason', async () => {
    const r = await ingestFile(own('broken-lines.jsonl'));
    expect(r.issues.map((i) => [i.line, i.message])).toEqual([
      [3, 'call_id is missing or not a non-empty string'],
      [4, 'start "2026-03-01T10:16:00" has no zone'],
      [5, expect.stringMatching(/^not valid JSON/)],
      [6, 'tool_result for call "c9" with no earlier tool_call in session "run-42"'],
      [7, "end 2026-03-01T10:17:59Z is before the call's start 2026-03-01T10:18:00Z"],
      [8, 'unsupported version "agent-events/2"'],
      [10, 'exit_code is not an integer'],
    ]);
    expect(r.events.map((e) => [e.ref.line, e.callId, e.timePrecision, e.exitCode])).toEqual([
      [2, 'c1', 'response', undefined],
      [9, 'c6', 'response', undefined],
    ]);
  });
});

describe('agent-events line by line', () => {
  const ctx = { path: 'calls.jsonl', container: 'jsonl' as const, tz: 'UTC', yearFor: () => 2026, skip: (_where: { line?: number }, message: string) => skipped.push(message), note: () => {} };
  const skipped: string[] = [];
  const call = (id: string, start: string, end?: string) =>
    JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session: 's', call_id: id, command: 'ls', start, ...(end ? { end } : {}) });
  const result = (id: string, end: string) => JSON.stringify({ v: 'agent-events/1', type: 'tool_result', session: 's', call_id: id, end });
  const read = (lines: string[]) => {
    skipped.length = 0;
    const reader = agentEventsFormat.statefulReader!(ctx);
    const out = lines.map((text, i) => reader.line({ text, line: i + 1 }).map((e) => e.callId));
    return { perLine: out, atEnd: reader.end().map((e) => e.callId), skipped: [...skipped] };
  };

  it('hands a call with its end over at once when no call waits, else after the calls before it', () => {
    expect(read([
      call('a', '2026-03-01T10:00:00Z', '2026-03-01T10:00:01Z'),
      call('b', '2026-03-01T10:00:02Z'),
      call('c', '2026-03-01T10:00:03Z', '2026-03-01T10:00:04Z'),
      result('b', '2026-03-01T10:00:05Z'),
      call('d', '2026-03-01T10:00:06Z', '2026-03-01T10:00:07Z'),
      call('e', '2026-03-01T10:00:08Z'),
    ])).toEqual({ perLine: [['a'], [], [], ['b', 'c'], ['d'], []], atEnd: ['e'], skipped: [] });
  });

  it('still refuses a call id that repeats an open call, and a result for a call already handed over', () => {
    const r = read([
      call('a', '2026-03-01T10:00:00Z'),
      call('a', '2026-03-01T10:00:01Z', '2026-03-01T10:00:02Z'),
      call('b', '2026-03-01T10:00:03Z', '2026-03-01T10:00:04Z'),
      result('a', '2026-03-01T10:00:05Z'),
      result('b', '2026-03-01T10:00:06Z'),
    ]);
    expect(r.perLine).toEqual([[], [], [], ['a', 'b'], []]);
    expect(r.skipped).toEqual(['call_id "a" repeats an open call of session "s"', 'tool_result for call "b" with no earlier tool_call in session "s"']);
  });

  it("summarises a command as the whitespace-run replacement does (oneLine)", () => {
    const alphabet = ['a', 'b', ' ', ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u200b', 'é', '😀'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((a) => a.join('')), (text) => {
      expect(oneLine(text)).toBe(text.replace(/\s+/g, ' '));
    }), { numRuns: 3000 });
    expect(oneLine('pip  install\trequests')).toBe('pip install requests');
    expect(oneLine('ls -la /workspace')).toBe('ls -la /workspace');
  });
});
