import { describe, expect, it } from 'vitest';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'openhands';
const own = (f: string) => fixture(NAME, f);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('openhands', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() pairs the actions of a real trajectory with their observations', async () => {
    const path = own('wrong_initial_state.json');
    const r = await ingestFile(path);
    expect(r.container).toBe('json');
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual(['OpenHands trajectory names no conversation/session id: its tool calls carry no session']);
    // read, run, read; the finish action and the user message are not tool calls
    expect(r.events.map((e) => e.callId)).toEqual(['toolu_01USom24cuiyvAembLhEryrn', 'toolu_01PuY3mXrE6fm3j52GscR4rj', 'toolu_01DodVjoeVmEY3gU5ALbqmGj']);
    const [first, run, last] = r.events;
    expect(first).toMatchObject({
      kind: 'tool-call', source: 'agent', format: NAME, ref: { path, index: 1 },
      tool: 'str_replace_editor', command: '{"command":"view","path":"/workspace"}', timePrecision: 'call-result',
      timeRaw: '2025-01-27T23:16:54.105108',
    });
    expect(first!.session).toBeUndefined();
    expect(first!.exitCode).toBeUndefined();
    expect(iso(first!.timeMs)).toBe('2025-01-27T23:16:54.105Z');
    expect(iso(first!.endMs)).toBe('2025-01-27T23:16:54.140Z');
    expect(run).toMatchObject({
      ref: { path, index: 3 }, tool: 'execute_bash', command: 'mv /workspace/game_2048.py /workspace/2048.py',
      exitCode: 0, host: '0301ebbced1e', container: '0301ebbced1e', timePrecision: 'call-result',
      fields: { action: 'run', cwd: '/workspace', model: 'claude-3-5-sonnet-20241022' },
    });
    expect(iso(run!.timeMs)).toBe('2025-01-27T23:16:56.951Z');
    expect(iso(run!.endMs)).toBe('2025-01-27T23:16:57.600Z');
    expect(last).toMatchObject({ ref: { path, index: 5 }, tool: 'str_replace_editor', timePrecision: 'call-result' });
    expect(iso(last!.timeMs)).toBe('2025-01-27T23:16:59.803Z');
    expect(iso(last!.endMs)).toBe('2025-01-27T23:16:59.824Z');
    expect(String(last!.fields!.output)).toContain('/workspace/2048.py');
  });

  it('parse() reads zone-less timestamps in --tz', async () => {
    const r = await ingestFile(own('wrong_initial_state.json'), { tz: 'America/New_York' });
    expect(iso(r.events[0]!.timeMs)).toBe('2025-01-28T04:16:54.105Z');
  });

  it('parse() reads JSON lines of events, with event-<id> for actions without tool_call_metadata', async () => {
    const path = own('synthetic-event-stream.jsonl');
    const r = await ingestClean(path, 3);
    expect(r.container).toBe('jsonl');
    const [curl, py, browse] = r.events;
    expect(curl).toMatchObject({
      ref: { path, line: 2 }, callId: 'toolu_synthetic_01', tool: 'execute_bash', command: 'curl -sSf https://example.com/install.sh | sh',
      exitCode: 6, host: 'runtime-7f3a', timePrecision: 'call-result', fields: { output: 'curl: (6) Could not resolve host: example.com', success: false },
    });
    expect(curl!.container).toBeUndefined();
    expect(iso(curl!.timeMs)).toBe('2025-03-02T10:00:02.500Z');
    expect(iso(curl!.endMs)).toBe('2025-03-02T10:00:09.250Z');
    expect(py).toMatchObject({ callId: 'toolu_synthetic_02', tool: 'execute_ipython_cell', command: "import socket; socket.gethostbyname('pool.example.net')" });
    expect(browse).toMatchObject({ ref: { path, line: 6 }, callId: 'event-5', tool: 'browse', command: 'https://example.org/', timePrecision: 'response' });
    expect(browse!.endMs).toBeUndefined();
    expect(iso(browse!.timeMs)).toBe('2025-03-02T10:00:20.000Z');
  });

  it('parse() takes the session from the trajectory wrapper', async () => {
    const r = await ingestFile(own('synthetic-trajectory-wrapper.json'));
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ callId: 'toolu_synthetic_01', session: '3458dce407074113961b51ee95851d0c', ref: { index: 1 } });
  });

  it('parse() skips damaged events of a document at their exact index', async () => {
    const path = own('broken-events.json');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([
      { path, index: 2, message: 'OpenHands event is not a JSON object' },
      { path, index: 3, message: 'OpenHands run action has no valid timestamp: yesterday' },
    ]);
    expect(r.events.map((e) => e.ref.index)).toEqual([1, 5]);
    // the observation of the damaged first read was replaced: that call keeps only its own time
    expect(r.events[0]).toMatchObject({ timePrecision: 'response' });
    expect(r.events[0]!.endMs).toBeUndefined();
  });

  it('parse() skips damaged JSON lines at their exact line', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues.map((i) => [i.line, i.message.split(':')[0]])).toEqual([
      [2, 'OpenHands run action has no valid timestamp'],
      [4, 'not valid JSON'],
      [6, 'not a JSON object'],
    ]);
    expect(r.events.map((e) => [e.ref.line, e.callId])).toEqual([[7, 'event-5']]);
  });
});
