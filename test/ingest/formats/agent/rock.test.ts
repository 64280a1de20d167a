import { describe, expect, it } from 'vitest';
import { detectInput } from '../../../../src/ingest/ingest.js';
import { itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'rock';
const own = (f: string) => fixture(NAME, f);
const NO_SESSION_NOTE = 'ROCK trajectory records carry no session or sandbox id: tie them to a sandbox with --inventory';

describe('rock', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('probe() is less sure of bare ChatCompletion lines than of recorder records', async () => {
    const bare = await detectInput({ path: own('qwen3_coder_plus.jsonl'), isStdin: false }, { tz: 'UTC' });
    const rec = await detectInput({ path: own('synthetic-recorder.jsonl'), isStdin: false }, { tz: 'UTC' });
    expect(bare.scores.find((s) => s.name === NAME)?.score).toBe(0.6);
    expect(rec.scores.find((s) => s.name === NAME)?.score).toBe(0.95);
  });

  it('parse() takes each response time from `created` and bounds it by the next response', async () => {
    const path = own('qwen3_coder_plus.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([NO_SESSION_NOTE]);
    expect(r.events).toHaveLength(7);
    expect(r.events.every((e) => e.kind === 'tool-call' && e.source === 'agent' && e.timePrecision === 'response' && e.session === undefined)).toBe(true);
    expect(r.events[0]).toMatchObject({
      format: NAME,
      callId: 'call_e3c0cefaa99b4a8b920f3a9a',
      tool: 'str_replace_editor',
      command: '{"command":"view","path":"/test_swe_agent"}',
      timeMs: 1767609005000,
      endMs: 1767609013000,
      timeRaw: '1767609005',
      timePrecision: 'response',
      ref: { path, line: 1 },
    });
    expect(r.events[2]).toMatchObject({ tool: 'bash', command: 'mv /test_swe_agent/1.txt /test_swe_agent/2.txt', timeMs: 1767609021000, endMs: 1767609029000 });
    const last = r.events[6]!;
    expect(last).toMatchObject({ callId: 'call_0c0342e13668493d88edb440', tool: 'submit', command: '{}', timeMs: 1767609055000, timeRaw: '1767609055', ref: { path, line: 7 } });
    expect(last.endMs).toBeUndefined();
    expect(last.exitCode).toBeUndefined();
  });

  it('parse() reads recorder records: end_time is the response, the next start_time bounds it, results come from the next request', async () => {
    const path = own('synthetic-recorder.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([NO_SESSION_NOTE]);
    expect(r.events).toHaveLength(2);
    expect(r.events[0]).toMatchObject({
      callId: 'call_7f1c0a9e',
      tool: 'bash',
      command: 'curl -s -o /tmp/data.csv http://198.51.100.23:8000/data.csv',
      timeMs: 1767609002435,
      endMs: 1767609004000,
      timeRaw: '1767609002.435',
      ref: { path, line: 1 },
      fields: { model: 'qwen3-coder-plus', output: 'curl: (7) Failed to connect to 198.51.100.23 port 8000: Connection refused' },
    });
    // the failed third exchange has no response, but its request still closes the second call
    expect(r.events[1]).toMatchObject({ callId: 'call_b2d4e6f8', timeMs: 1767609005500, endMs: 1767609007000, ref: { path, line: 2 } });
  });

  it('parse() reads trace records with their session_id header', async () => {
    const path = own('synthetic-trace.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.events.map((e) => [e.session, e.callId, e.timeMs, e.endMs])).toEqual([
      ['sess-rock-1', 'call_7f1c0a9e', Date.parse('2026-01-05T10:30:00.500Z') + 1520, Date.parse('2026-01-05T10:30:04.000Z')],
      ['sess-rock-1', 'call_b2d4e6f8', Date.parse('2026-01-05T10:30:04.900Z'), undefined],
    ]);
    expect(r.events[0]!.fields).toMatchObject({ traceId: '5b0e7a52-3f7e-4c1b-9d55-0c1f3f1f9a01', agentType: 'swe-agent' });
  });

  it('parse() reports the damaged lines of a broken copy and bounds calls by the next good record', async () => {
    const r = await ingestFile(own('broken-lines.jsonl'));
    expect(r.issues.map((i) => [i.line, i.message.split(':')[0].split(' (')[0]])).toEqual([
      [2, 'not valid JSON'],
      [4, 'not a ROCK trajectory record'],
      [6, 'response with malformed choices or tool_calls'],
    ]);
    expect(r.events.map((e) => [e.ref.line, e.timeMs, e.endMs])).toEqual([
      [1, 1767609005000, 1767609021000],
      [3, 1767609021000, 1767609037000],
      [5, 1767609037000, 1767609055000],
      [7, 1767609055000, undefined],
    ]);
  });
});
