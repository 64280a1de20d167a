// End-to-end behaviour of analyze() on the bundled samples and small synthetic inputs:
// attribution on the ROME-style story, time zones, year inference, skew, ranges, ties, strictness.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalysisOptions } from '../src/options.js';
import { analyze } from '../src/pipeline.js';

const base = (paths: string[], extra: Partial<AnalysisOptions> = {}): AnalysisOptions => ({
  paths, tz: 'UTC', skews: [], autoSkew: true, rules: [], minConfidence: 0.5, strict: false, geoip: [], ...extra,
});

const byRef = (report: Awaited<ReturnType<typeof analyze>>['report']) =>
  Object.fromEntries(report.violations.map((v) => [`${v.ref.path.replace(/^samples\//, '')}:${v.ref.line ?? v.ref.index}`, v.attribution?.callId ?? null]));

describe('analyze() on samples/', () => {
  it('attributes the tunnel, the miner, the metadata probe and the refused API call, and leaves host noise alone', async () => {
    const { report } = await analyze(base(['samples'], { inventory: 'samples/inventory.csv' }));
    const refs = byRef(report);
    for (const line of [1, 2, 3, 4]) expect(refs[`firewall/gpu-node-07-kern.log:${line}`]).toBe('call_ep412_04');
    expect(refs['firewall/gpu-node-07-kern.log:5']).toBeNull(); // internet scanner during the tunnel call
    expect(refs['firewall/gpu-node-07-kern.log:6']).toBeNull(); // the host's own NTP during training
    expect(refs['firewall/gpu-node-07-kern.log:7']).toBe('ep0416-t02');
    // Same bridge address on another host: resolved within gpu-node-08, so another session's call.
    expect(refs['firewall/gpu-node-08-kern.log:1']).toBe('ep0415-t01');
    expect(refs['firewall/gpu-node-08-kern.log:2']).toBe('ep0415-t01');
    for (let line = 3; line <= 23; line++) expect(refs[`firewall/cloudfirewall-traffic.jsonl:${line}`]).toBe('toolu_01Ep41302Xq7ZkVn3R');
    expect(refs['firewall/cloudfirewall-traffic.jsonl:2']).toBeNull();
    expect(refs['audit/cloudtrail-111122223333.jsonl:1']).toBeNull();
    expect(refs['audit/cloudtrail-111122223333.jsonl:3']).toBe('ep0415-t03');
    expect(report.incidents.map((i) => [i.callId, i.count])).toEqual([
      ['call_ep412_04', 4], ['ep0415-t01', 2], ['toolu_01Ep41302Xq7ZkVn3R', 21], ['ep0416-t02', 1], ['ep0415-t03', 1],
    ]);
    const kern = report.clock.find((c) => c.path.endsWith('gpu-node-07-kern.log'))!;
    expect(kern).toMatchObject({ method: 'estimated', offsetMs: 40_000, pairs: 5 });
    expect(report.stats.pValue).toBeLessThan(1e-6);
    expect(report.stats.overRepresentation).toBeGreaterThan(3);
  });

  it('states the inferred year and the files it could not read as evidence', async () => {
    const { report } = await analyze(base(['samples']));
    const kern = report.inputs.find((i) => i.path.endsWith('gpu-node-07-kern.log'))!;
    expect(kern.notes?.[0]).toMatch(/^timestamps carry no year: year 2026 inferred from the other inputs/);
    const readme = report.inputs.find((i) => i.path === 'samples/README.md')!;
    expect(readme).toMatchObject({ format: 'unknown', source: 'other', records: 0 });
    expect(readme.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.errors).toEqual([]);
  });

  it('--skew wins over the estimate, and --no-auto-skew leaves the skewed log unattributed', async () => {
    const manual = await analyze(base(['samples'], { skews: [{ name: 'gpu-node-07-kern.log', offsetMs: 40_000 }] }));
    expect(manual.report.clock.find((c) => c.path.endsWith('gpu-node-07-kern.log'))).toMatchObject({ method: 'manual', offsetMs: 40_000 });
    expect(byRef(manual.report)['firewall/gpu-node-07-kern.log:1']).toBe('call_ep412_04');
    const off = await analyze(base(['samples'], { autoSkew: false }));
    expect(off.report.clock.every((c) => c.method === 'none')).toBe(true);
    expect(byRef(off.report)['firewall/gpu-node-07-kern.log:1']).toBeNull();
  });

  it('--since/--until keep only violations inside the range', async () => {
    const { report } = await analyze(base(['samples'], { sinceMs: Date.parse('2026-03-02T10:14:00Z'), untilMs: Date.parse('2026-03-02T10:16:00Z') }));
    expect(report.violations.map((v) => v.time)).toEqual([
      '2026-03-02T10:14:50.000Z', '2026-03-02T10:14:51.000Z', '2026-03-02T10:14:52.000Z', '2026-03-02T10:14:53.000Z',
      '2026-03-02T10:14:55.000Z', '2026-03-02T10:14:57.000Z', '2026-03-02T10:15:01.000Z',
    ]);
  });
});

describe('analyze() time handling', () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-pipeline-'));
  const kern = (name: string, lines: string[]) => {
    const p = join(dir, name);
    writeFileSync(p, lines.join('\n') + '\n');
    return p;
  };
  const drop = (stamp: string, dst: string) => `${stamp} host-a kernel: [1.0] DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=${dst} LEN=60 PROTO=TCP SPT=40000 DPT=22`;

  it('--tz reads zone-less syslog in that zone, and --year dates it', async () => {
    const p = kern('tz.log', [drop('Mar  2 18:00:00', '203.0.113.9')]);
    const { report } = await analyze(base([p], { tz: 'Asia/Shanghai', year: 2025 }));
    expect(report.violations[0]!.time).toBe('2025-03-02T10:00:00.000Z');
    expect(report.inputs[0]!.notes).toEqual(['timestamps carry no year: year 2025 from --year']);
  });

  it('a log that crosses New Year moves to the next year', async () => {
    const p = kern('newyear.log', [drop('Dec 31 23:59:59', '203.0.113.9'), drop('Jan  1 00:00:01', '203.0.113.9')]);
    const { report } = await analyze(base([p], { year: 2025 }));
    expect(report.violations.map((v) => v.time)).toEqual(['2025-12-31T23:59:59.000Z', '2026-01-01T00:00:01.000Z']);
  });

  it('orders ties by path then line, and reads gzip and CRLF the same as plain text', async () => {
    const a = kern('b-second.log', [drop('Mar  2 10:00:00', '203.0.113.1'), drop('Mar  2 10:00:00', '203.0.113.2')]);
    const gz = join(dir, 'a-first.log.gz');
    writeFileSync(gz, gzipSync(Buffer.from([drop('Mar  2 10:00:00', '203.0.113.3'), ''].join('\r\n'))));
    const { report } = await analyze(base([a, gz], { year: 2026 }));
    expect(report.violations.map((v) => [v.ref.path, v.ref.line, v.dst?.ip])).toEqual([
      [gz, 1, '203.0.113.3'], [a, 1, '203.0.113.1'], [a, 2, '203.0.113.2'],
    ]);
    expect(report.inputs.find((i) => i.path === gz)).toMatchObject({ gzip: true, format: 'iptables', records: 1, skipped: 0 });
  });

  it('counts a broken record, and --strict makes it an input error with path and line', async () => {
    const p = kern('broken.log', [drop('Mar  2 10:00:00', '203.0.113.1'), 'Mar 32 10:00:01 host-a kernel: DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.1 PROTO=TCP SPT=1 DPT=2', drop('Mar  2 10:00:02', '203.0.113.1')]);
    const { report } = await analyze(base([p], { year: 2026 }));
    expect(report.inputs[0]).toMatchObject({ records: 2, skipped: 1 });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ path: p, line: 2 });
    await expect(analyze(base([p], { year: 2026, strict: true }))).rejects.toMatchObject({ name: 'InputError', path: p, line: 2 });
  });

  it('reports a record found in two inputs once, and says so on the copy', async () => {
    const lines = [drop('Mar  2 10:00:00', '203.0.113.1'), drop('Mar  2 10:00:05', '203.0.113.2')];
    const a = kern('dup-a.log', lines);
    const b = kern('dup-b.log', [lines[1]!, drop('Mar  2 10:00:09', '203.0.113.3')]);
    const { report } = await analyze(base([a, b], { year: 2026 }));
    expect(report.violations.map((v) => [v.ref.path, v.ref.line])).toEqual([[a, 1], [a, 2], [b, 2]]);
    expect(report.inputs.find((i) => i.path === b)!.notes).toContain(`1 violations are copies of records in ${a} (the same record in two inputs) and are reported once, from there`);
  });

  it('compares long call outputs by digest: equal ones are copies, ones that differ at the end are not; the DNS pairs they show still count', async () => {
    const call = (id: string, start: string, command: string, output: string) =>
      JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session: 's1', call_id: id, tool: 'bash', command, start, end: start.replace(':00Z', ':02Z'), host: 'host-a', output });
    const long = (tail: string) => `${'collected 12 items, all passed; '.repeat(20)}${tail}`;
    const resolved = `; <<>> DiG 9.18 <<>> pool.example.org\n;; ANSWER SECTION:\npool.example.org. 300 IN A 198.51.100.77\n${'; padding '.repeat(10)}`;
    const a = kern('calls-a.jsonl', [
      call('c1', '2026-03-02T10:00:00Z', 'pytest -q', long('same')),
      call('c2', '2026-03-02T10:01:00Z', 'pytest -q', long('one')),
      call('c3', '2026-03-02T10:02:00Z', 'dig pool.example.org', resolved),
      call('c4', '2026-03-02T10:03:00Z', 'curl -s http://pool.example.org/job', 'ok'),
    ]);
    const b = kern('calls-b.jsonl', [call('c1', '2026-03-02T10:00:00Z', 'pytest -q', long('same')), call('c2', '2026-03-02T10:01:00Z', 'pytest -q', long('two'))]);
    const fw = kern('calls-fw.log', [drop('Mar  2 10:03:01', '198.51.100.77')]);
    const { report } = await analyze(base([a, b, fw], { year: 2026 }));
    expect(report.inputs.find((i) => i.path === b)!.notes).toContain(`1 tool calls are copies of records in ${a} (the same record in two inputs) and are reported once, from there`);
    const reasons = report.violations[0]!.attribution?.reasons ?? report.violations[0]!.candidates[0]!.reasons;
    expect(reasons.join(' ')).toMatch(/pool\.example\.org, which resolved to 198\.51\.100\.77 per the output of call c3/);
  });

  it('a missing input path is a user error, not a crash', async () => {
    await expect(analyze(base([join(dir, 'nope.log')]))).rejects.toMatchObject({ name: 'InputError' });
  });

  it('gives byte-identical reports for the same inputs', async () => {
    const one = JSON.stringify((await analyze(base(['samples'], { inventory: 'samples/inventory.csv' }))).report);
    const two = JSON.stringify((await analyze(base(['samples'], { inventory: 'samples/inventory.csv' }))).report);
    expect(one).toBe(two);
    expect(readFileSync('samples/inventory.csv', 'utf8')).toContain('host,ip,sandbox,session');
  });
});

describe('analyze() with more violations than it holds in memory', () => {
  it('spills past the bound and writes the same reports, byte for byte, with the same counts and incidents', async () => {
    const { jsonRenderer } = await import('../src/report/json.js');
    const { csvRenderer } = await import('../src/report/csv.js');
    const { jsonlRenderer } = await import('../src/report/jsonl.js');
    const { joinChunks } = await import('../src/report/renderer.js');
    const { forPeople } = await import('../src/cli/correlate.js');
    const held = await analyze(base(['samples'], { inventory: 'samples/inventory.csv' }));
    const spilt = await analyze(base(['samples'], { inventory: 'samples/inventory.csv', violationsInMemory: { head: 3, inMemory: 5 } }));
    expect(held.spilled).toBeUndefined();
    const total = held.report.violations.length;
    expect(total).toBeGreaterThan(5);
    expect(spilt.report.violations).toEqual(held.report.violations.slice(0, 3));
    expect(spilt.spilled!.count).toBe(total - 3);
    expect(spilt.report.stats).toEqual(held.report.stats);
    expect(spilt.report.incidents).toEqual(held.report.incidents);
    for (const renderer of [jsonRenderer, jsonlRenderer, csvRenderer]) {
      const a = await joinChunks(renderer.chunks!(held.report, { color: false }));
      const b = await joinChunks(renderer.chunks!(spilt.report, { color: false }, spilt.spilled!));
      expect(b, renderer.name).toBe(a);
    }
    // The human formats list the head and say how many there are in all.
    expect(forPeople(spilt.report).listed).toBeUndefined();
    expect(forPeople({ ...spilt.report, stats: { ...spilt.report.stats, violations: 20_000 } }).listed).toEqual({ shown: 10_000, total: 20_000 });
    spilt.spilled!.dispose();
  });
});

describe('analyze() for a report that lists only the first violations', () => {
  it('keeps the listed ones, spills nothing, and counts, attributes and groups every violation as a full analysis does', async () => {
    const { mdRenderer } = await import('../src/report/md.js');
    const { forPeople } = await import('../src/cli/correlate.js');
    const limits = { violationsInMemory: { head: 3, inMemory: 3 } };
    const full = await analyze(base(['samples'], { inventory: 'samples/inventory.csv', ...limits }));
    const listed = await analyze(base(['samples'], { inventory: 'samples/inventory.csv', ...limits, violationsListed: 3 }));
    expect(full.spilled).toBeDefined();
    expect(listed.spilled).toBeUndefined();
    expect(listed.report.violations).toEqual(full.report.violations);
    expect(listed.report.stats).toEqual(full.report.stats);
    expect(listed.report.stats.violations).toBeGreaterThan(3);
    expect(listed.report.incidents).toEqual(full.report.incidents);
    // What the human formats print is what they printed from the full analysis.
    const cut = (r: typeof full.report) => ({ ...forPeople({ ...r, stats: { ...r.stats } }), listed: { shown: 3, total: r.stats.violations } });
    expect(await mdRenderer.render(cut(listed.report), { color: false })).toBe(await mdRenderer.render(cut(full.report), { color: false }));
    // Listing none: every violation only counted, the incidents and statistics still those of the full analysis.
    const counted = await analyze(base(['samples'], { inventory: 'samples/inventory.csv', violationsListed: 0 }));
    expect(counted.report.violations).toEqual([]);
    expect(counted.report.stats).toEqual(full.report.stats);
    expect(counted.report.incidents).toEqual(full.report.incidents);
    full.spilled!.dispose();
  });
});

describe('analyze() for the clocks only (the timeline)', () => {
  it('settles the same clocks and read plan as a full analysis, and builds no violation', async () => {
    const paths = ['samples'];
    const full = await analyze(base(paths, { inventory: 'samples/inventory.csv' }));
    const clocks = await analyze(base(paths, { inventory: 'samples/inventory.csv', clocksOnly: true }));
    expect(full.report.stats.violations).toBeGreaterThan(0);
    expect(full.report.clock.some((c) => c.method === 'estimated')).toBe(true);
    expect(clocks.report.clock).toEqual(full.report.clock);
    expect(clocks.readPlan).toEqual(full.readPlan);
    expect(clocks.report.inputs).toEqual(full.report.inputs);
    expect(clocks.report.errors).toEqual(full.report.errors);
    expect(clocks.report.stats.events).toBe(full.report.stats.events);
    expect(clocks.report.violations).toEqual([]);
    expect(clocks.report.incidents).toEqual([]);
    expect(clocks.report.stats.violations).toBe(0);
  });
});

describe('analyze() with more malformed records than it keeps in detail', () => {
  it('keeps the first problems of each input, lists the first of all, and counts every one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-issues-'));
    const ok = 'Mar  2 10:00:00 gpu-node-07 kernel: [1.0] SBX-EGRESS DROP: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=203.0.113.5 LEN=60 PROTO=TCP SPT=40000 DPT=22';
    const file = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? ok : `garbage ${i}`)).join('\n') + '\n';
    writeFileSync(join(dir, 'b.log'), file(4500)); // 3000 malformed
    writeFileSync(join(dir, 'a.log'), file(900)); // 600 malformed
    const { detectInput, parseInput } = await import('../src/ingest/ingest.js');
    const settings = { tz: 'UTC', year: 2026 };
    const detected = await detectInput({ path: join(dir, 'b.log'), isStdin: false }, settings);
    const parsed = parseInput(detected, detected.format!, settings);
    for await (const _ of parsed.events) void _;
    expect(parsed.issues).toHaveLength(1000);
    expect(parsed.issueCount()).toBe(3000);
    const { report } = await analyze(base([dir], { year: 2026 }));
    expect(report.inputs.map((i) => [i.path.split('/').pop(), i.skipped])).toEqual([['a.log', 600], ['b.log', 3000]]);
    expect(report.errorsTotal).toBe(3600);
    expect(report.errors).toHaveLength(1000);
    // The first 1000 by path, then line: all of a.log's, then b.log's first 400.
    expect(report.errors.slice(598, 602).map((e) => [e.path.split('/').pop(), e.line])).toEqual([['a.log', 899], ['a.log', 900], ['b.log', 2], ['b.log', 3]]);
    expect(report.errors.at(-1)).toMatchObject({ line: 600 });
  });
});

describe('analyze() on a miner reconnecting for hours beside many sessions', () => {
  it('attributes every reconnection to the call that named the pool, hours after it ended, whatever the other commands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-miner-'));
    const T0 = Date.parse('2026-03-02T10:00:00Z');
    const iso = (ms: number) => new Date(ms).toISOString();
    const lines: string[] = [];
    // Four sessions calling a tool every minute for three hours, no two commands alike.
    for (let minute = 0; minute < 180; minute++) {
      for (let s = 0; s < 4; s++) {
        const start = T0 + minute * 60_000 + s * 7_000;
        const miner = s === 2 && minute === 10;
        lines.push(JSON.stringify({
          v: 'agent-events/1', type: 'tool_call', session: `s${s}`, call_id: miner ? 'the-miner' : `c${minute}-${s}`, tool: 'bash', host: 'host-a',
          command: miner ? './xmrig -o stratum+tcp://198.51.100.20:3333 -u 4abc' : `python step.py --seed ${minute * 4 + s}`,
          start: iso(start), end: iso(start + 2_000),
        }));
      }
    }
    writeFileSync(join(dir, 'agent.jsonl'), lines.join('\n') + '\n');
    // The pool connection every 5 minutes from 20 minutes on, up to 2 h 50 min after the call ended.
    const stamp = (ms: number) => new Date(ms).toUTCString().replace(/^\w+, (\d\d) (\w+) \d+ ([\d:]+) GMT$/, (_, d: string, m: string, t: string) => `${m} ${d.replace(/^0/, ' ')} ${t}`);
    const kern: string[] = [];
    for (let minute = 20; minute < 180; minute += 5) {
      kern.push(`${stamp(T0 + minute * 60_000)} host-a kernel: [1.0] SBX-EGRESS ACCEPT: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=198.51.100.20 LEN=60 PROTO=TCP SPT=${40000 + minute} DPT=3333`);
    }
    writeFileSync(join(dir, 'kern.log'), kern.join('\n') + '\n');
    const { report } = await analyze(base([dir], { year: 2026 }));
    expect(report.violations).toHaveLength(32);
    expect(report.violations.every((v) => v.attribution?.callId === 'the-miner')).toBe(true);
    expect(report.violations.at(-1)!.attribution!.reasons.join(' ')).toMatch(/names 198\.51\.100\.20/);
    expect(report.incidents.map((i) => [i.callId, i.count])).toEqual([['the-miner', 32]]);
  });
});
