// Small inputs are listed, detected and read a few at a time; what comes out must be what one at a
// time gives: results in input order, and a failure reported where a plain loop would stop.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mapInOrder, settleInOrder } from '../../src/ingest/in-order.js';
import { detectInput, parseInput, withoutProbeHead } from '../../src/ingest/ingest.js';
import { gunzipChunkBytes, readChunkBytes } from '../../src/ingest/read.js';
import type { AnalysisOptions } from '../../src/options.js';
import { analyze } from '../../src/pipeline.js';
import { ensureBuilt } from '../cli/built-cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('settleInOrder()', () => {
  it('gives results in item order whatever order they finish in, with at most `limit` running', async () => {
    let running = 0;
    let most = 0;
    const out = await mapInOrder([30, 5, 20, 1, 10, 2, 15], 3, async (ms, i) => {
      most = Math.max(most, ++running);
      await sleep(ms);
      running--;
      return i * 10;
    });
    expect(out).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(most).toBe(3);
  });

  it('stops like a plain loop: nothing after a failure starts, and results end at the first failure in item order', async () => {
    const started: number[] = [];
    // item 1 fails late, item 2 fails early: the loop would have stopped at item 1
    const settled = await settleInOrder([0, 1, 2, 3, 4, 5], 3, async (i) => {
      started.push(i);
      await sleep(i === 1 ? 30 : 1);
      if (i === 1 || i === 2) throw new Error(`item ${i}`);
      return i;
    });
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('item 1');
    expect(started).not.toContain(5);
    await expect(mapInOrder([0, 1, 2], 2, async (i) => {
      await sleep(i === 0 ? 20 : 1);
      if (i > 0) throw new Error(`item ${i}`);
      return i;
    })).rejects.toThrow('item 1');
    expect(await settleInOrder([], 4, async () => 1)).toEqual([]);
  });
});

describe('read buffers', () => {
  it('are 1 MiB for large or unknown sizes, small for small files and slices', () => {
    expect(readChunkBytes({ path: 'x', isStdin: true })).toBe(1 << 20);
    expect(readChunkBytes({ path: 'x', isStdin: false, size: 5e9 })).toBe(1 << 20);
    expect(readChunkBytes({ path: 'x', isStdin: false, size: 3000 })).toBe(16 * 1024);
    expect(readChunkBytes({ path: 'x', isStdin: false, size: 100_000 })).toBe(100_001);
    expect(readChunkBytes({ path: 'x', isStdin: false, size: 5e9, range: { start: 0, end: 40_000 } })).toBe(40_001);
    expect(gunzipChunkBytes({ path: 'x', isStdin: false })).toBe(256 * 1024);
    expect(gunzipChunkBytes({ path: 'x', isStdin: false, size: 3000 })).toBe(64 * 1024);
    expect(gunzipChunkBytes({ path: 'x', isStdin: false, size: 500 })).toBe(16 * 1024);
    expect(gunzipChunkBytes({ path: 'x', isStdin: false, size: 1e6 })).toBe(256 * 1024);
  });
});

describe('a folder of many small gzip CloudTrail files (the S3 delivery layout)', () => {
  it('is read whole, in name order, with every record counted and hashed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-many-'));
    const lines = readFileSync('samples/audit/cloudtrail-111122223333.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    const names: string[] = [];
    for (let f = 0; f < 240; f++) {
      // nested by hour like CloudTrail's prefixes; every other file a Records document, the rest JSON lines
      const sub = join(dir, `h${String(f % 3)}`);
      mkdirSync(sub, { recursive: true });
      const name = join(sub, `111122223333_CloudTrail_us-east-1_${String(f).padStart(4, '0')}.json.gz`);
      const body = f % 2 === 0 ? JSON.stringify({ Records: lines }) : lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
      writeFileSync(name, gzipSync(body));
      names.push(name);
    }
    const options: AnalysisOptions = { paths: [dir], tz: 'UTC', skews: [], autoSkew: true, rules: [], minConfidence: 0.5, strict: false, geoip: [] };
    const { report } = await analyze(options);
    expect(report.inputs.map((i) => i.path)).toEqual([...names].sort());
    expect(report.inputs.every((i) => i.format === 'aws-cloudtrail' && i.records === lines.length && i.gzip)).toBe(true);
    expect(report.stats.events).toBe(240 * lines.length);
    for (const input of report.inputs) expect(input.sha256).toBe(createHash('sha256').update(readFileSync(input.path)).digest('hex'));
    expect(report.errors).toEqual([]);
    const again = await analyze(options);
    expect(JSON.stringify(again.report)).toBe(JSON.stringify(report));
  });
});

describe('a detection without its probe head', () => {
  it('parses exactly as the full detection does, long first lines included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-slim-'));
    const record = readFileSync('samples/audit/cloudtrail-111122223333.jsonl', 'utf8').trim().split('\n')[0]!;
    const long = JSON.stringify({ ...JSON.parse(record), pad: 'x'.repeat(3000) });
    const cases = {
      // several lines in the head: a long first line is an over-long line
      'lines.jsonl': `${long}\n${record}\n${record}\n`,
      // the head is one unfinished line: the first line may be a one-line document
      'one-line.jsonl': `${JSON.stringify({ pad: 'y'.repeat(70 * 1024), ...JSON.parse(record) })}\n${record}\n`,
    };
    const settings = { tz: 'UTC', maxLineBytes: 2048, maxDocumentBytes: 1 << 20 };
    for (const [name, text] of Object.entries(cases)) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const full = await detectInput({ path, isStdin: false }, settings);
      const slim = withoutProbeHead(full);
      expect(slim.head.lines).toEqual([]);
      const read = async (d: typeof full) => {
        const parsed = parseInput(d, d.format!, settings);
        const events = [];
        for await (const e of parsed.events) events.push(e);
        return { events, issues: parsed.issues };
      };
      expect(await read(slim), name).toEqual(await read(full));
    }
  });
});

describe('which inputs the workers read', () => {
  it('all but transcripts, stdin and unknown formats when asked for by number; automatically, only files of 1 MiB or more', async () => {
    const { scannedHere } = await import('../../src/pipeline.js');
    const { formatByName } = await import('../../src/ingest/registry.js');
    const ct = formatByName('aws-cloudtrail')!;
    const head = { container: 'jsonl' as const, text: '', lines: [], objects: [] };
    const file = (size?: number, extra = {}) => ({ source: { path: 'x', isStdin: false, ...(size === undefined ? {} : { size }) }, format: ct, head, scores: [], ...extra });
    expect(scannedHere(file(3000), 'audit', false)).toBe(true);
    expect(scannedHere(file(3000), 'audit', true)).toBe(false);
    expect(scannedHere(file(2 << 20), 'audit', false)).toBe(false);
    expect(scannedHere(file(undefined), 'audit', false)).toBe(false);
    expect(scannedHere(file(2 << 20), 'agent', true)).toBe(true);
    // unless their calls go to disk from the workers (RL traces past 128 MiB)
    expect(scannedHere(file(2 << 20), 'agent', false, true)).toBe(false);
    expect(scannedHere(file(3000), 'agent', false, true)).toBe(true);
    expect(scannedHere({ ...file(2 << 20), format: undefined }, 'other', true)).toBe(true);
    expect(scannedHere(file(2 << 20, { kept: { chunks: [], result: Promise.resolve({ sha256: '', bytes: 0, gzip: false }) } }), 'audit', true)).toBe(true);
    // a gzip file by what it may hold: 300 KB of gzip is megabytes of records, 100 KB is still small
    expect(scannedHere(file(300_000, { gzip: true }), 'audit', false)).toBe(false);
    expect(scannedHere(file(300_000), 'audit', false)).toBe(true);
    expect(scannedHere(file(100_000, { gzip: true }), 'audit', false)).toBe(true);
    expect(scannedHere(file(300_000, { gzip: true }), 'agent', false, true)).toBe(false);
  });

  it('plans the pool from the detected inputs alone (the workers start early only when they will be used)', async () => {
    // the built pipeline: workers are available only where their compiled entry point is
    ensureBuilt();
    const { scanPlan, workerCount } = (await import(resolve('dist/pipeline.js'))) as typeof import('../../src/pipeline.js');
    const { formatByName } = (await import(resolve('dist/ingest/registry.js'))) as typeof import('../../src/ingest/registry.js');
    const head = { container: 'jsonl' as const, text: '', lines: [], objects: [] };
    const input = (format: string, mb: number, i: number) => {
      const f = formatByName(format)!;
      return { detected: { source: { path: `${format}-${i}`, isStdin: false, size: mb << 20 }, format: f, head, scores: [] }, source: f.source };
    };
    const pool = async (inputs: ReturnType<typeof input>[], callsOnDisk: boolean, workers?: number) => workerCount(scanPlan(inputs, callsOnDisk).files, { workers });
    const transcripts = (mb: number) => [0, 1, 2, 3].map((i) => input('agent-events', mb / 4, i));
    const logs = (mb: number) => [0, 1].map((i) => input('aws-cloudtrail', mb / 2, i));
    // RL traces of 110 MB beside 28 MB of logs: the transcripts are read here, the logs too small for workers
    expect(await pool([...transcripts(110), ...logs(28)], false)).toBe(0);
    expect(scanPlan([...transcripts(110), ...logs(28)], false).transcriptsInWorkers).toBe(false);
    // the same beside 100 MB of logs: two workers for the logs
    expect(await pool([...transcripts(110), ...logs(100)], false)).toBe(2);
    // calls on disk from the start: the workers read the transcripts too
    expect(scanPlan([...transcripts(400), ...logs(28)], true)).toMatchObject({ transcriptsInWorkers: true });
    expect(await pool([...transcripts(400), ...logs(28)], true)).toBe(2);
    // asked for by number
    expect(await pool([...transcripts(110), ...logs(28)], false, 3)).toBe(2);
    expect(await pool(transcripts(110), false, 2)).toBe(0);
  });

  it("weighs a gzip file by what its trailer says it holds, not by its size on disk", async () => {
    ensureBuilt();
    const { scanPlan, workerCount } = (await import(resolve('dist/pipeline.js'))) as typeof import('../../src/pipeline.js');
    const { detectInput: detect } = (await import(resolve('dist/ingest/ingest.js'))) as typeof import('../../src/ingest/ingest.js');
    const { gzipContentBytes } = (await import(resolve('dist/ingest/read.js'))) as typeof import('../../src/ingest/read.js');
    const dir = mkdtempSync(join(tmpdir(), 'af-gz-work-'));
    // 20 MB of netfilter lines a file, a few hundred kilobytes gzipped
    const line = 'Mar  2 10:00:00 host-a kernel: [1.0] DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.9 LEN=60 PROTO=TCP SPT=40000 DPT=22\n';
    const text = Buffer.from(line.repeat(Math.ceil((20 << 20) / line.length)));
    const paths = [0, 1, 2, 3].map((i) => join(dir, `kern-${i}.log.gz`));
    for (const p of paths) writeFileSync(p, gzipSync(text, { level: 1 }));
    writeFileSync(join(dir, 'plain.log'), line);
    expect(await gzipContentBytes(paths[0]!)).toBe(text.length);
    expect(await gzipContentBytes(join(dir, 'missing.gz'))).toBeUndefined();
    // several members: the last one's size (an estimate)
    writeFileSync(join(dir, 'members.gz'), Buffer.concat([gzipSync('abc'), gzipSync('defgh')]));
    expect(await gzipContentBytes(join(dir, 'members.gz'))).toBe(5);
    const inputs = await Promise.all(paths.map(async (p) => {
      const detected = await detect({ path: p, isStdin: false, size: readFileSync(p).length }, { tz: 'UTC', year: 2026 });
      return { detected, source: detected.format!.source };
    }));
    expect(inputs.every((i) => i.detected.gzip === true && i.detected.format?.name === 'iptables')).toBe(true);
    const plain = await detect({ path: join(dir, 'plain.log'), isStdin: false }, { tz: 'UTC', year: 2026 });
    expect(plain.gzip).toBeUndefined();
    expect(inputs.reduce((n, i) => n + i.detected.source.size!, 0)).toBeLessThan(8 << 20);
    // 80 MB of content in four files: two workers, though the files weigh a few megabytes
    expect(await workerCount(scanPlan(inputs, false).files, {})).toBe(2);
    expect(await workerCount(scanPlan(inputs.slice(0, 2), false).files, {})).toBe(0);
  });

  it('puts the tool calls on disk for transcripts past the budget by their content, gzipped or not', async () => {
    const { callsBudget } = await import('../../src/pipeline.js');
    const { formatByName } = await import('../../src/ingest/registry.js');
    const dir = mkdtempSync(join(tmpdir(), 'af-gz-calls-'));
    const gz = join(dir, 'episodes.jsonl.gz');
    // 130 MiB of content (past the 128 MiB budget) in a few hundred kilobytes of gzip
    writeFileSync(gz, gzipSync(Buffer.alloc(130 << 20, 0x20), { level: 1 }));
    const head = { container: 'jsonl' as const, text: '', lines: [], objects: [] };
    const transcript = (extra: object) => ({ detected: { source: { path: gz, isStdin: false, size: readFileSync(gz).length }, format: formatByName('agent-events')!, head, scores: [], ...extra }, source: 'agent' as const });
    expect(await callsBudget([transcript({ gzip: true })], {})).toBe(0);
    expect(await callsBudget([transcript({})], {})).toBe(Infinity);
    expect(await callsBudget([transcript({ gzip: true })], { callsInMemory: 50 })).toBe(50);
  });
});
