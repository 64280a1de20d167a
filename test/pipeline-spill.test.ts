// Marked records past the memory budget wait on disk between the reading and the violations: the
// report must not change, whatever the budget, with or without scan workers cutting files into
// slices, with copies between inputs, correlations over the spilled records and inputs out of order.
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisOptions, ViolationSink } from '../src/options.js';
import { csvRenderer } from '../src/report/csv.js';
import { jsonRenderer } from '../src/report/json.js';
import { jsonlRenderer } from '../src/report/jsonl.js';
import { joinChunks } from '../src/report/renderer.js';
import { analyze } from '../src/pipeline.js';
import { ensureBuilt } from './cli/built-cli.js';

const base = (paths: string[], extra: Partial<AnalysisOptions> = {}): AnalysisOptions => ({
  paths, tz: 'UTC', skews: [], autoSkew: true, rules: [], minConfidence: 0.5, strict: false, geoip: [], inventory: 'samples/inventory.csv', ...extra,
});

/** The samples, plus an internal port scan big enough to be cut into slices, part of it copied into a second log, and refused API calls out of time order. */
function evidence(): string {
  const dir = mkdtempSync(join(tmpdir(), 'af-spill-'));
  cpSync('samples/agent', join(dir, 'agent'), { recursive: true });
  cpSync('samples/audit', join(dir, 'audit'), { recursive: true });
  cpSync('samples/firewall', join(dir, 'firewall'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 12_000; i++) {
    const s = 600 + Math.floor(i / 3); // three records a second: ties in time
    const stamp = `Mar  2 10:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    const verdict = i % 5 === 4 ? 'ACCEPT' : 'DROP';
    lines.push(`${stamp} gpu-node-07 kernel: [${46000 + i}.000000] SBX-EGRESS ${verdict}: IN=docker0 OUT=eth0 MAC=02:42:ac:11:00:03:02:42:5e:1a:2b:3c:08:00 SRC=172.17.0.${3 + (i % 2)} DST=10.0.4.${2 + (i % 3)} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=${i} DF PROTO=TCP SPT=${40000 + (i % 900)} DPT=${1 + (i % 50)} WINDOW=64240 RES=0x00 SYN URGP=0`);
  }
  writeFileSync(join(dir, 'firewall', 'scan-a.log'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'firewall', 'scan-b.log'), lines.slice(0, 300).join('\n') + '\n');
  const denied = Array.from({ length: 400 }, (_, i) => JSON.stringify({
    eventVersion: '1.09', eventTime: new Date(Date.UTC(2026, 2, 2, 10, 0, 0) + ((i * 7919) % 400) * 3000).toISOString().replace('.000', ''), eventSource: 's3.amazonaws.com', eventName: 'GetObject',
    awsRegion: 'us-east-1', sourceIPAddress: '172.17.0.3', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/agent' }, errorCode: 'AccessDenied', eventID: `e${i}`,
  }));
  writeFileSync(join(dir, 'audit', 'denied.jsonl'), denied.join('\n') + '\n');
  return dir;
}

let dir = '';
let held: Awaited<ReturnType<typeof analyze>>;
beforeAll(async () => {
  dir = evidence();
  held = await analyze(base([dir]));
}, 120_000);
afterAll(() => held.spilled?.dispose());

describe('marked records past the memory budget', () => {
  it('give the same report, byte for byte, whatever the budget', async () => {
    const report = JSON.stringify(held.report);
    expect(held.spilledMarks).toBe(0);
    expect(held.report.stats.violations).toBeGreaterThan(9000);
    // The cases this must cover are there: copies between inputs, port-scan hits, an input out of order.
    expect(held.report.inputs.find((i) => i.path.endsWith('scan-b.log'))!.notes?.join(' ')).toMatch(/240 violations are copies of records in .*scan-a\.log/);
    expect(held.report.violations.some((v) => v.rules.some((r) => r.id === 'af-internal-port-scan'))).toBe(true);
    expect(held.report.violations.filter((v) => v.ref.path.endsWith('denied.jsonl'))).toHaveLength(400);
    // In report order: by time, then path, then line (the merge of the inputs keeps it).
    const order = held.report.violations.map((v) => [Date.parse(v.time), v.ref.path, v.ref.line ?? v.ref.index ?? 0] as const);
    const sorted = [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] - b[2]));
    expect(order).toEqual(sorted);
    // The last: scans spill past their share, and the run's budget takes every record back after the reading.
    for (const marksInMemory of [{ perScan: 7, total: 20 }, { perScan: 0, total: 0 }, { perScan: 100_000, total: 50 }, { perScan: 7, total: 100_000 }]) {
      const spilt = await analyze(base([dir], { marksInMemory }));
      expect(spilt.spilledMarks, JSON.stringify(marksInMemory)).toBeGreaterThan(0);
      expect(JSON.stringify(spilt.report), JSON.stringify(marksInMemory)).toBe(report);
      spilt.spilled?.dispose();
    }
  }, 120_000);

  it('give the same report from scan workers reading slices and spilling on their side', async () => {
    ensureBuilt();
    const built = (await import(resolve('dist/pipeline.js'))) as typeof import('../src/pipeline.js');
    const spilt = await built.analyze(base([dir], { workers: 2, marksInMemory: { perScan: 5, total: 10 } }));
    expect(spilt.spilledMarks).toBeGreaterThan(0);
    expect(JSON.stringify(spilt.report)).toBe(JSON.stringify(held.report));
    spilt.spilled?.dispose();
  }, 180_000);

  it('give the same report text when the violations are written as they are built, copies noted before them', async () => {
    for (const renderer of [jsonRenderer, jsonlRenderer, csvRenderer]) {
      const expected = await joinChunks(renderer.chunks!(held.report, { color: false }, held.spilled));
      for (const marksInMemory of [undefined, { perScan: 7, total: 20 }]) {
        const parts: string[] = [];
        let written = false;
        const stream = renderer.stream!();
        const sink: ViolationSink = {
          begin: (head) => parts.push(stream.begin(head)),
          add: (v) => {
            parts.push(stream.violation(v, !written));
            written = true;
          },
        };
        const streamed = await analyze(base([dir], { violationSink: sink, ...(marksInMemory ? { marksInMemory } : {}) }));
        // the report keeps none of them; its counts, incidents and notes are the same
        expect(streamed.report.violations).toEqual([]);
        expect(streamed.spilled).toBeUndefined();
        expect(streamed.report.stats).toEqual(held.report.stats);
        expect(streamed.report.inputs).toEqual(held.report.inputs);
        parts.push(stream.end(streamed.report, written));
        expect(parts.join(''), `${renderer.name} ${JSON.stringify(marksInMemory)}`).toBe(expected);
      }
    }
  }, 180_000);

  it('leave nothing behind in the temporary folder', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'af-spill-tmp-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const spilt = await analyze(base([dir], { marksInMemory: { perScan: 3, total: 3 } }));
      expect(spilt.spilledMarks).toBeGreaterThan(0);
      spilt.spilled?.dispose();
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);

  it('stay in memory when no temporary folder can be made (the run goes on as before there was a budget)', async () => {
    const before = process.env.TMPDIR;
    process.env.TMPDIR = join(dir, 'no-such-folder');
    try {
      const run = await analyze(base(['samples'], { marksInMemory: { perScan: 1, total: 1 } }));
      expect(run.spilledMarks).toBe(0);
      expect(run.report.stats.violations).toBeGreaterThan(1);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  });
});
