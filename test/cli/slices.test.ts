// One large log cut into slices for the workers must give the same report as reading it whole:
// absolute line numbers in refs, skips and DNS evidence, the same --strict failure, and a whole-file
// reread when a year-less log crosses New Year at a cut.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './built-cli.js';

beforeAll(() => ensureBuilt(), 180_000);

const pad = (n: number) => String(n).padStart(2, '0');
function drop(month: string, day: number, s: number, dstIp: string, port: number): string {
  const hms = `${pad(Math.floor(s / 3600) % 24)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  return `${month} ${String(day).padStart(2, ' ')} ${hms} gpu-node-07 kernel: [1.0] SBX-EGRESS DROP: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=${dstIp} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT=${port} WINDOW=64240 RES=0x00 SYN URGP=0`;
}

/** ~1.6 MB of drops with broken lines in both halves. */
function bigKernLog(): { text: string; broken: number[] } {
  const lines: string[] = [];
  const broken: number[] = [];
  for (let i = 0; i < 8000; i++) {
    if (i === 100 || i === 6500) {
      lines.push('Mar 32 10:00:00 gpu-node-07 kernel: [1.0] SBX-EGRESS DROP: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=203.0.113.5 PROTO=TCP SPT=1 DPT=2');
      broken.push(i + 1);
    } else lines.push(drop('Mar', 2, 36_000 + Math.floor(i / 4), `203.0.113.${i % 200}`, 22));
  }
  return { text: lines.join('\n') + '\n', broken };
}

function eve(): string {
  const out: string[] = [];
  for (let i = 0; i < 6000; i++) {
    const t = `2026-03-02T10:${pad(Math.floor(i / 100) % 60)}:${pad(i % 60)}.000+0000`;
    if (i === 5000) {
      out.push(JSON.stringify({ timestamp: t, event_type: 'dns', src_ip: '172.17.0.3', src_port: 5353, dest_ip: '10.30.0.2', dest_port: 53, proto: 'UDP', dns: { version: 2, type: 'answer', rrname: 'relay.cut-test.example', rrtype: 'A', rcode: 'NOERROR', answers: [{ rrname: 'relay.cut-test.example', rrtype: 'A', ttl: 60, rdata: '198.51.100.77' }] } }));
    } else {
      out.push(JSON.stringify({ timestamp: t, event_type: 'alert', src_ip: '172.17.0.3', src_port: 40000 + (i % 1000), dest_ip: i > 5000 ? '198.51.100.77' : '192.0.2.10', dest_port: 8443, proto: 'TCP', alert: { action: 'allowed', signature_id: 1, signature: 'TEST outbound', category: 'test', severity: 2 } }));
    }
  }
  return out.join('\n') + '\n';
}

function transcript(): string {
  return JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session: 's1', call_id: 'c1', tool: 'bash', command: 'curl -s https://relay.cut-test.example/x', start: '2026-03-02T10:50:00.000Z', end: '2026-03-02T11:00:00.000Z', host: 'gpu-node-07' }) + '\n';
}

describe('correlate with a log cut into slices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-slices-'));
  const { text, broken } = bigKernLog();
  mkdirSync(join(dir, 'in'));
  writeFileSync(join(dir, 'in', 'kern.log'), text);
  writeFileSync(join(dir, 'in', 'eve.json'), eve());
  writeFileSync(join(dir, 'in', 'agent.jsonl'), transcript());

  it('gives the same report bytes with 0 and 2 workers, skips at their file lines', () => {
    const runs = ['0', '2'].map((n) => runCli(['correlate', join(dir, 'in'), '--format', 'json', '--workers', n, '-q']));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    expect(runs[1]!.stdout.equals(runs[0]!.stdout)).toBe(true);
    const report = JSON.parse(runs[0]!.stdout.toString());
    const kern = join(dir, 'in', 'kern.log');
    expect(report.errors.filter((e: { path: string }) => e.path === kern).map((e: { line: number }) => e.line)).toEqual(broken);
    // The DNS answer from the second half of eve.json is cited at its own line.
    expect(runs[0]!.stdout.toString()).toContain(`per the DNS answer at ${join(dir, 'in', 'eve.json')}:5001`);
  });

  it('--strict names the same file line with 0 and 2 workers', () => {
    const runs = ['0', '2'].map((n) => runCli(['correlate', join(dir, 'in', 'kern.log'), join(dir, 'in', 'eve.json'), '--strict', '--year', '2026', '--workers', n]));
    for (const r of runs) expect(r.status).toBe(2);
    expect(runs[0]!.stderr).toContain(`kern.log:${broken[0]}:`);
    expect(runs[1]!.stderr).toBe(runs[0]!.stderr);
  });

  it('cuts one log given alone (no other input to keep a second worker busy): same bytes, same --strict line', () => {
    const kern = join(dir, 'in', 'kern.log');
    const runs = ['0', '2'].map((n) => runCli(['correlate', kern, '--format', 'json', '--year', '2026', '--workers', n, '-q']));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    expect(runs[1]!.stdout.equals(runs[0]!.stdout)).toBe(true);
    const strict = ['0', '2'].map((n) => runCli(['correlate', kern, '--strict', '--year', '2026', '--workers', n]));
    expect(strict[0]!.stderr).toContain(`kern.log:${broken[0]}:`);
    expect(strict[1]!.stderr).toBe(strict[0]!.stderr);
  });

  it('posts marks in batches from the workers without splitting a violation from its correlation hit', () => {
    const scanDir = join(dir, 'scan');
    mkdirSync(scanDir);
    const lines: string[] = [];
    for (let i = 0; i < 12_000; i++) {
      const t = `${pad(10 + Math.floor(i / 3600))}:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)}`;
      lines.push(`Mar  2 ${t} gpu-node-07 kernel: [1.0] HOST DROP: IN=eth0 OUT=eth0 SRC=172.17.0.${i % 3} DST=10.20.3.17 LEN=60 PROTO=TCP SPT=40000 DPT=${1 + (i % 40)}`);
    }
    writeFileSync(join(scanDir, 'kern.log'), lines.join('\n') + '\n');
    const runs = ['0', '2'].map((n) => runCli(['correlate', scanDir, '--format', 'json', '--year', '2026', '--workers', n, '-q']));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    expect(runs[1]!.stdout.equals(runs[0]!.stdout)).toBe(true);
    const report = JSON.parse(runs[0]!.stdout.toString());
    expect(report.stats.violations).toBe(12_000);
    expect(report.violations.filter((v: { rules: { id: string }[] }) => v.rules.some((r) => r.id === 'af-internal-port-scan')).length).toBeGreaterThan(0);
  });

  it('reads a year-less log that crosses New Year at a cut whole, in order', () => {
    const ny = join(dir, 'ny');
    mkdirSync(ny);
    const lines: string[] = [];
    for (let i = 0; i < 8000; i++) lines.push(i < 4200 ? drop('Dec', 31, 80_000 + Math.floor(i / 20), '203.0.113.9', 22) : drop('Jan', 1, Math.floor(i / 20), '203.0.113.9', 22));
    writeFileSync(join(ny, 'kern.log'), lines.join('\n') + '\n');
    writeFileSync(join(ny, 'kern2.log'), drop('Jan', 2, 100, '203.0.113.9', 22) + '\n');
    writeFileSync(join(ny, 'trail.jsonl'), JSON.stringify({ eventVersion: '1.09', eventTime: '2026-01-05T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.1', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a' }, eventID: 'e1' }) + '\n');
    const runs = ['0', '2'].map((n) => runCli(['correlate', ny, '--format', 'json', '--workers', n, '-q']));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    expect(runs[1]!.stdout.equals(runs[0]!.stdout)).toBe(true);
    const times = JSON.parse(runs[0]!.stdout.toString()).violations.map((v: { time: string }) => v.time.slice(0, 4));
    expect(new Set(times)).toEqual(new Set(['2025', '2026']));
  });
});
