// Marks handed out in batches while a scan goes on (how workers post them) must add up to exactly the
// marks of one plain scan, and a record that is both a finding and a correlation match must travel
// in one batch: the main thread matches correlation hits to violations by object identity.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectInput } from '../../src/ingest/ingest.js';
import { loadRuleSet } from '../../src/rules/load.js';
import { MARKS_PER_BATCH, scanInput, type ScanMark, type ScanOptions, type ScanResult } from '../../src/scan.js';

const RULES = join(import.meta.dirname, '..', '..', 'rules');
const settings = { tz: 'UTC', year: 2026 };

/** Refused connections to internal addresses: each one a finding and a port-scan correlation match. */
function internalDrops(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const t = `10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    out.push(`Mar  2 ${t} gpu-node-07 kernel: [1.0] HOST DROP: IN=eth0 OUT=eth0 SRC=172.17.0.${i % 5} DST=10.20.3.17 LEN=60 PROTO=TCP SPT=40000 DPT=${1 + (i % 50)}`);
  }
  return out.join('\n') + '\n';
}

async function scan(path: string, extra: Partial<ScanOptions> = {}): Promise<ScanResult> {
  const set = await loadRuleSet([RULES]);
  const detected = await detectInput({ path, isStdin: false }, settings);
  return scanInput(detected, detected.format!, { rules: set.rules, correlationInputs: set.correlationInputs, hasCorrelations: set.correlations.length > 0 },
    { read: settings, manualOffsetMs: 0, strict: false, keepEvents: false, ...extra });
}

describe('scan marks in batches', () => {
  it('add up to the marks of a plain scan, each record with its two marks in the same batch', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'af-batches-')), 'kern.log');
    writeFileSync(path, internalDrops(5 * MARKS_PER_BATCH + 7));
    const batches: { findings: ScanMark[]; correlationMatches: ScanMark[] }[] = [];
    const batched = await scan(path, { onMarks: (findings, correlationMatches) => batches.push({ findings, correlationMatches }) });
    const plain = await scan(path);
    expect(plain.correlationMatches.length).toBeGreaterThan(0);
    expect(batches.length).toBeGreaterThanOrEqual(5);
    for (const b of batches) {
      expect(b.findings.length + b.correlationMatches.length).toBe(MARKS_PER_BATCH);
      const events = new Set(b.findings.map((m) => m.event));
      for (const m of b.correlationMatches) expect(events.has(m.event)).toBe(true);
    }
    const findings = [...batches.flatMap((b) => b.findings), ...batched.findings];
    const matches = [...batches.flatMap((b) => b.correlationMatches), ...batched.correlationMatches];
    expect(JSON.stringify(findings)).toBe(JSON.stringify(plain.findings));
    expect(JSON.stringify(matches)).toBe(JSON.stringify(plain.correlationMatches));
    expect({ ...batched, findings: [], correlationMatches: [] }).toEqual({ ...plain, findings: [], correlationMatches: [] });
  });
});
