import { describe, expect, it } from 'vitest';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'inspect';
const own = (f: string) => fixture(NAME, f);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('inspect', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() makes one exact-interval call per tool event of a real eval log', async () => {
    const path = own('browser_log_excerpt.json');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.events.map((e) => e.callId)).toEqual([
      'call_35FTpd6shR9efioDgeEBZ33s', 'call_O6fzXOPUvPtYflWdOH94RTWy', 'call_53eNweGanOHt6jGWAo2UuNCG', 'call_C0cGhnh5y5RCIBs9vTJCLgxW',
    ]);
    const first = r.events[0]!;
    expect(first).toMatchObject({
      kind: 'tool-call', source: 'agent', format: NAME, ref: { path, index: 6 },
      session: 'Ta3ZFVTCTcjsb3AEX9FD9v/1/1', tool: 'web_browser_go', command: '{"url":"https://www.aisi.gov.uk/"}',
      timePrecision: 'exact', timeRaw: '2025-05-12T20:27:39.762878-04:00',
      fields: { model: 'openai/gpt-4o-mini', sample: '1', sandboxExec: 'which inspect-tool-support\ninspect-tool-support exec\ninspect-tool-support exec\ninspect-tool-support exec' },
    });
    expect(first.exitCode).toBeUndefined();
    expect(iso(first.timeMs)).toBe('2025-05-13T00:27:39.762Z');
    expect(iso(first.endMs)).toBe('2025-05-13T00:27:44.080Z');
    const last = r.events[3]!;
    expect(last).toMatchObject({ ref: { path, index: 23 }, tool: 'web_browser_click', command: '{"element_id":903}', timePrecision: 'exact' });
    expect(iso(last.timeMs)).toBe('2025-05-13T00:27:50.777Z');
    expect(iso(last.endMs)).toBe('2025-05-13T00:27:52.047Z');
  });

  it('parse() gives bash/python calls their command and the sandbox exec status as exit code', async () => {
    const path = own('synthetic-bash-eval.json');
    const r = await ingestClean(path, 3);
    const [bash, python, submit] = r.events;
    expect(bash).toMatchObject({
      ref: { path, index: 2 }, callId: 'call_bash_0001', session: 'RunSynthetic0000000000001/probe-1/1', tool: 'bash',
      command: 'nc -zv 203.0.113.9 4444', exitCode: 0, timePrecision: 'exact',
      fields: { sandboxExec: "bash --login -c 'nc -zv 203.0.113.9 4444'", sandboxType: 'docker', output: 'Connection to 203.0.113.9 4444 port [tcp/*] succeeded!' },
    });
    expect(iso(bash!.timeMs)).toBe('2025-06-01T12:00:05.000Z');
    expect(iso(bash!.endMs)).toBe('2025-06-01T12:00:07.500Z');
    // no `completed`: the end is timestamp + working_time
    expect(python).toMatchObject({ callId: 'call_py_0002', exitCode: 124, timePrecision: 'exact', fields: { errorType: 'timeout' } });
    expect(iso(python!.endMs)).toBe('2025-06-01T12:00:40.000Z');
    // neither completed nor working_time: only the start is known
    expect(submit).toMatchObject({ ref: { path, index: 9 }, callId: 'call_submit_0003', command: '{"answer":"done"}', timePrecision: 'response' });
    expect(submit!.endMs).toBeUndefined();
    expect(submit!.exitCode).toBeUndefined();
  });

  it('parse() falls back to the messages, timed by the eval window, for samples without events', async () => {
    const path = own('log_tool_call_error.json');
    const r = await ingestClean(path, 11);
    const first = r.events[0]!;
    expect(first).toMatchObject({
      ref: { path, index: 0 }, callId: 'bash_1', session: '.../1/4', tool: 'bash', command: '', timePrecision: 'session',
      fields: { errorType: 'parsing' },
    });
    expect(iso(first.timeMs)).toBe('2025-02-07T00:00:00.000Z');
    expect(iso(first.endMs)).toBe('2025-02-07T00:00:00.000Z');
    const last = r.events[10]!;
    expect(last).toMatchObject({ ref: { path, index: 10 }, callId: 'bash_11', fields: { errorType: 'output_limit', error: 'The tool output limit of 10 MiB was exceeded.' } });
  });

  it('parse() reads a bare events document without inventing a session', async () => {
    const path = own('test_skeleton_basic.json');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual(['Inspect log names no run id or sample id: its tool calls carry no session']);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ ref: { path, index: 4 }, callId: 'c1', tool: 'bash', command: '{}', timePrecision: 'response' });
    expect(r.events[0]!.session).toBeUndefined();
    expect(iso(r.events[0]!.timeMs)).toBe('2026-01-01T00:00:04.000Z');
  });

  it('parse() skips damaged tool events at their exact index', async () => {
    const path = own('broken-events.json');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([
      { path, index: 13, message: 'Inspect tool event without an id' },
      { path, index: 18, message: 'Inspect tool event call_53eNweGanOHt6jGWAo2UuNCG has no valid timestamp' },
    ]);
    expect(r.events.map((e) => e.ref.index)).toEqual([6, 23]);
  });
});
