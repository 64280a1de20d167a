// A log cut into more slices than there are workers must scan to the same result as read whole:
// cuts at line starts, lines counted before each cut, the file hashed whole, results joined in order.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectInput } from '../../src/ingest/ingest.js';
import { loadRuleSet } from '../../src/rules/load.js';
import { scanInput, type ScanResult } from '../../src/scan.js';
import { hashAndCountLines, joinSlices, sliceStarts } from '../../src/scan-split.js';

const RULES = join(import.meta.dirname, '..', '..', 'rules');
const settings = { tz: 'UTC', year: 2026 };

function kernLog(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 997 === 5) out.push(`Mar 32 10:00:00 gpu-node-07 kernel: [1.0] SBX DROP: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=198.51.100.1 PROTO=TCP SPT=1 DPT=2`);
    else out.push(`Mar  2 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} gpu-node-07 kernel: [1.0] SBX DROP: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=198.51.100.${i % 250} LEN=60 PROTO=TCP SPT=40000 DPT=${i % 7 === 0 ? 3333 : 443}`);
  }
  return out.join('\n') + '\n';
}

async function scan(path: string, range?: { start: number; end: number }): Promise<ScanResult> {
  const set = await loadRuleSet([RULES]);
  const detected = await detectInput({ path, isStdin: false, ...(range ? { range } : {}) }, settings);
  return scanInput(detected, detected.format!, { rules: set.rules, correlationInputs: set.correlationInputs, hasCorrelations: set.correlations.length > 0 },
    { read: settings, manualOffsetMs: 0, strict: false, keepEvents: false });
}

describe('slices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-split-'));
  const path = join(dir, 'kern.log');
  writeFileSync(path, kernLog(5000));
  const size = readFileSync(path).length;

  it('cut at line starts, with the lines before each cut counted and the whole file hashed', async () => {
    const starts = await sliceStarts(path, size, 7);
    expect(starts).toHaveLength(7);
    const bytes = readFileSync(path);
    for (const s of starts.slice(1)) expect(bytes[s - 1]).toBe(10);
    const whole = await hashAndCountLines(path, starts);
    expect(whole.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(whole.linesBefore).toEqual(starts.map((s) => bytes.subarray(0, s).toString('latin1').split('\n').length - 1));
  });

  it('hashes only up to the size the slices end at (a log written meanwhile has grown past it)', async () => {
    const bytes = readFileSync(path);
    const cut = bytes.lastIndexOf(10, bytes.length - 2) + 1;
    const starts = await sliceStarts(path, cut, 3);
    const whole = await hashAndCountLines(path, starts, cut);
    expect(whole.bytes).toBe(cut);
    expect(whole.sha256).toBe(createHash('sha256').update(bytes.subarray(0, cut)).digest('hex'));
  });

  it('scanned one by one and joined, give what the whole file gives', async () => {
    const starts = await sliceStarts(path, size, 7);
    const whole = await hashAndCountLines(path, starts);
    const slices = await Promise.all(starts.map((start, k) => scan(path, { start, end: starts[k + 1] ?? size })));
    for (const s of slices) expect(s.sha256).toBe('');
    const joined = joinSlices(path, slices, whole.linesBefore, whole)!;
    const direct = await scan(path);
    expect(direct.findings.length).toBeGreaterThan(0);
    expect(direct.issues.length).toBe(6);
    expect(JSON.stringify(joined)).toBe(JSON.stringify(direct));
  });
});

describe('CloudTrail JSON lines in slices', () => {
  it('scanned one by one and joined, give what the whole file gives (refused calls at their lines, a broken line skipped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-split-ct-'));
    const path = join(dir, 'trail.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i === 1700) {
        lines.push('{"eventVersion": "1.09", "eventTime": ');
        continue;
      }
      const denied = i % 37 === 0;
      lines.push(JSON.stringify({
        eventVersion: '1.09', eventTime: new Date(Date.UTC(2026, 2, 2, 10, 0, i)).toISOString().replace('.000', ''), eventSource: 'secretsmanager.amazonaws.com',
        eventName: denied ? 'ListSecrets' : 'GetCallerIdentity', awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.1',
        userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::1:assumed-role/node/i-0000000000000000${i % 10}` }, eventID: `e${i}`,
        ...(denied ? { errorCode: 'AccessDenied', errorMessage: 'not authorized' } : {}),
      }));
    }
    writeFileSync(path, lines.join('\n') + '\n');
    const size = readFileSync(path).length;
    const starts = await sliceStarts(path, size, 5);
    const whole = await hashAndCountLines(path, starts);
    const slices = await Promise.all(starts.map((start, k) => scan(path, { start, end: starts[k + 1] ?? size })));
    const joined = joinSlices(path, slices, whole.linesBefore, whole)!;
    const direct = await scan(path);
    expect(direct.findings.length).toBeGreaterThan(50);
    expect(direct.issues.map((i) => i.line)).toEqual([1701]);
    expect(JSON.stringify(joined)).toBe(JSON.stringify(direct));
  });
});

describe('joinSlices() with slices full of findings and problems', () => {
  it('joins hundreds of thousands of them (spreading them as arguments overflowed the stack)', () => {
    const n = 300_000;
    const slice = (): ScanResult => ({
      records: n, firstMs: 0, lastMs: n, sha256: '', bytes: 0, gzip: false, notes: [], yearUsed: false, dnsPairs: [], calls: [], events: [], skipped: n,
      issues: Array.from({ length: n }, (_, i) => ({ path: 'x', line: i + 1, message: 'bad' })),
      findings: Array.from({ length: n }, (_, i) => ({ event: { kind: 'network', source: 'firewall', format: 'iptables', timeMs: i, timeRaw: String(i), ref: { path: 'x', line: i + 1 } }, timeMs: i, ruleIds: ['r'] })),
      correlationMatches: [], readOrder: { sorted: true, firstMs: 0, lastMs: n - 1 },
    });
    const joined = joinSlices('x', [slice(), slice()], [0, n], { sha256: 'h', bytes: 1 })!;
    expect(joined.findings).toHaveLength(2 * n);
    expect(joined.issues).toHaveLength(2 * n);
    expect(joined.skipped).toBe(2 * n);
    expect(joined.findings.at(-1)!.event.ref.line).toBe(2 * n);
  });
});
