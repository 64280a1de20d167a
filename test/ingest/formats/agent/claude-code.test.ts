import { describe, expect, it } from 'vitest';
import { buildHead } from '../../../../src/ingest/detect.js';
import { claudeCodeFormat } from '../../../../src/ingest/formats/agent/claude-code.js';
import { itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'claude-code';
const own = (f: string) => fixture(NAME, f);
const SESSION = 'c45af7b1-cb7c-4e51-93db-8cbb250a877a';

describe('claude-code', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('detect() leaves the fasthooks hook log (same session ids, not a transcript) unknown', async () => {
    const r = await ingestFile(fixture('unknown', 'sample_hook_logs.jsonl'));
    expect(r.format).toBeUndefined();
    expect(r.scores).toEqual([]);
  });

  it('parse() pairs tool_use and tool_result lines of the main transcript', async () => {
    const path = own('sample_main_transcript.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.events).toHaveLength(10);
    expect(r.events.map((e) => e.ref.line)).toEqual([4, 12, 21, 29, 37, 38, 44, 45, 46, 52]);
    expect(r.events.every((e) => e.kind === 'tool-call' && e.source === 'agent' && e.session === SESSION && e.timePrecision === 'call-result')).toBe(true);
    const first = r.events[0]!;
    expect(first).toMatchObject({
      format: NAME,
      callId: 'toolu_01BYfGNktE4d25hZnxHwFh2s',
      session: SESSION,
      tool: 'Bash',
      command: 'ls -la',
      timeMs: Date.parse('2026-01-02T19:18:34.422Z'),
      endMs: Date.parse('2026-01-02T19:18:34.728Z'),
      timeRaw: '2026-01-02T19:18:34.422Z',
      timePrecision: 'call-result',
      ref: { path, line: 4 },
      message: 'Bash: ls -la',
    });
    expect(first.exitCode).toBeUndefined();
    expect(first.fields).toMatchObject({ cwd: '/workspace', model: 'claude-haiku-4-5-20251001' });
    expect(String(first.fields!.output)).toMatch(/^total 76\ndrwxr-xr-x 15 root root/);
    const last = r.events[9]!;
    expect(last).toMatchObject({
      callId: 'toolu_011me5zNiEpQow2s4GgvoUhN',
      session: SESSION,
      tool: 'Bash',
      command: 'python3 /workspace/number_generator.py',
      timeMs: Date.parse('2026-01-02T19:20:34.733Z'),
      endMs: Date.parse('2026-01-02T19:20:36.380Z'),
      timePrecision: 'call-result',
      ref: { path, line: 52 },
    });
    expect(last.exitCode).toBeUndefined();
    expect(last.fields!.output).toBe('Generated numbers: [94, 17, 68, 80, 48]\nSum: 307\nAverage: 61.4');
  });

  it('parse() reads exit codes only from failed results and keeps other tools as compact JSON input', async () => {
    const r = await ingestFile(own('sample_main_transcript.jsonl'));
    expect(r.events.map((e) => e.exitCode)).toEqual([undefined, undefined, undefined, 1, undefined, undefined, undefined, 127, undefined, undefined]);
    const failed = r.events[3]!;
    expect(failed).toMatchObject({ command: 'cat nonexistent.txt', exitCode: 1, endMs: Date.parse('2026-01-02T19:19:44.970Z') });
    expect(failed.fields).toMatchObject({ isError: true, output: 'Exit code 1\ncat: nonexistent.txt: No such file or directory' });
    expect(r.events[2]).toMatchObject({ tool: 'Read', command: '{"file_path":"/workspace/hello_world.py"}' });
    // three calls from one assistant turn (lines 44-46), results on lines 47-49: each keeps its own interval
    expect(r.events.slice(6, 9).map((e) => [e.timeMs, e.endMs])).toEqual([
      [Date.parse('2026-01-02T19:20:28.291Z'), Date.parse('2026-01-02T19:20:29.364Z')],
      [Date.parse('2026-01-02T19:20:28.496Z'), Date.parse('2026-01-02T19:20:30.887Z')],
      [Date.parse('2026-01-02T19:20:29.004Z'), Date.parse('2026-01-02T19:20:31.821Z')],
    ]);
  });

  it('parse() reads a sidechain (subagent) transcript without tool calls as zero events and zero issues', async () => {
    const r = await ingestFile(own('sample_agent_sidechain.jsonl'));
    expect(r.events).toEqual([]);
    expect(r.issues).toEqual([]);
  });

  it('parse() reports the damaged lines and keeps calls whose result was lost as response-precision', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues.map((i) => [i.line, i.message.split(':')[0]])).toEqual([
      [3, 'not valid JSON'],
      [5, 'not valid JSON'],
      [12, 'tool_use line without a valid timestamp'],
      [30, 'tool_result block without a tool_use_id'],
    ]);
    expect(r.events.map((e) => e.ref.line)).toEqual([4, 21, 29, 37, 38, 44, 45, 46, 52]);
    const lost = r.events[0]!;
    expect(lost).toMatchObject({ callId: 'toolu_01BYfGNktE4d25hZnxHwFh2s', timePrecision: 'response', timeMs: Date.parse('2026-01-02T19:18:34.422Z') });
    expect(lost.endMs).toBeUndefined();
    expect(r.events[2]).toMatchObject({ command: 'cat nonexistent.txt', timePrecision: 'response' });
    expect(r.events[2]!.endMs).toBeUndefined();
  });
});

describe('claude-code probe near misses', () => {
  const head = (lines: object[]) => buildHead(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'), true);
  const ok = { type: 'user', sessionId: 's1', uuid: 'u1', timestamp: '2026-01-02T19:18:31.028Z', message: { role: 'user', content: 'hi' } };

  it('probe() claims a transcript line and refuses lines without a parsable timestamp or sessionId', () => {
    expect(claudeCodeFormat.probe(head([ok]))).toBe(1);
    expect(claudeCodeFormat.probe(head([{ ...ok, timestamp: 'yesterday' }]))).toBe(0);
    const { sessionId: _drop, ...noSession } = ok;
    expect(claudeCodeFormat.probe(head([noSession]))).toBe(0);
    // Anthropic API messages without the Claude Code envelope
    expect(claudeCodeFormat.probe(head([{ role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'Bash', input: {} }] }]))).toBe(0);
  });
});
