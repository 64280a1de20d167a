import { describe, expect, it } from 'vitest';
import { itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'openai-chat';
const own = (f: string) => fixture(NAME, f);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('openai-chat', () => {
  itClaimsOnlyItsFixtures(NAME, { neighbours: 'ROCK proxy logs included' });

  it('parse() reads the tool call of a real chat.completion response at its created time', async () => {
    const path = own('openai_chat_tool_calls.json');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.events).toHaveLength(1);
    const e = r.events[0]!;
    expect(e).toMatchObject({
      kind: 'tool-call', source: 'agent', format: NAME, ref: { path, index: 0 },
      callId: 'call_EKUsxI7LNqe2beBJlNAGNsd3', session: 'chatcmpl-BBGezcTVVHN6Q6TyMHvTqe0IUQyvW', tool: 'get_weather',
      command: '{"location":"San Francisco, CA","unit":"celsius"}', timePrecision: 'response', timeRaw: '1742025349',
      fields: { model: 'gpt-4o-2024-08-06', finishReason: 'tool_calls' },
    });
    expect(iso(e.timeMs)).toBe('2025-03-15T07:55:49.000Z');
    expect(e.endMs).toBeUndefined();
    expect(e.exitCode).toBeUndefined();
  });

  it('parse() emits each call once across request histories and attaches the tool results', async () => {
    const path = own('synthetic-conversation.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => e.callId)).toEqual(['call_AAA111', 'call_BBB222', 'call_CCC333']);
    const [first, , last] = r.events;
    expect(first).toMatchObject({
      ref: { path, line: 1 }, session: 'conv-chat-0001', tool: 'bash', command: 'curl -sI https://mirror.example.net/',
      timePrecision: 'response', fields: { output: 'HTTP/2 200', responseId: 'chatcmpl-S1' },
    });
    expect(iso(first!.timeMs)).toBe('2025-06-15T15:06:40.000Z');
    expect(r.events[1]).toMatchObject({ command: 'nc -zv 203.0.113.9 4444', fields: { output: 'Connection refused' } });
    expect(last).toMatchObject({ ref: { path, line: 2 }, tool: 'lookup', command: '{"host":"mirror.example.net"}', fields: { output: '198.51.100.4' } });
    expect(iso(last!.timeMs)).toBe('2025-06-15T15:06:52.000Z');
  });

  it('parse() skips a message list that carries no time at all', async () => {
    const path = own('synthetic-messages-no-time.json');
    const r = await ingestFile(path);
    expect(r.events).toEqual([]);
    expect(r.issues).toEqual([{ path, index: 2, message: '1 tool call(s) carry no time: no created/created_at/timestamp in the record or its response' }]);
  });

  it('parse() skips damaged lines at their exact line', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues.map((i) => [i.line, i.message.split(':')[0]])).toEqual([
      [2, 'not valid JSON'],
      [3, '1 tool call(s) carry no time'],
      [4, 'not a JSON object'],
    ]);
    // the calls of the lost line 2 are recovered from line 5's request history, at line 5's time
    expect(r.events.map((e) => [e.ref.line, e.callId])).toEqual([[1, 'call_AAA111'], [5, 'call_BBB222'], [5, 'call_CCC333']]);
    expect(iso(r.events[1]!.timeMs)).toBe('2025-06-15T15:07:00.000Z');
  });
});
