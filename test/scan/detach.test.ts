// Marked records scanned on the main thread are kept as copies detached from the lines they were
// read from (so a flood does not keep every line alive). The copies must be the same records, and a
// record both a finding and a correlation match must stay one object: hits are matched by identity.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectInput } from '../../src/ingest/ingest.js';
import { SharedStrings } from '../../src/model/shared-strings.js';
import { loadRuleSet } from '../../src/rules/load.js';
import { scanInput, type ScanOptions } from '../../src/scan.js';

const RULES = join(import.meta.dirname, '..', '..', 'rules');
const settings = { tz: 'UTC', year: 2026 };

/** Refused connections to internal addresses (findings and port-scan matches) among accepted ones. */
function kernLog(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const t = `10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    const verdict = i % 3 === 0 ? 'ACCEPT' : 'DROP';
    out.push(`Mar  2 ${t} gpu-node-07 kernel: [1.0] HOST ${verdict}: IN=eth0 OUT=eth0 MAC=02:42:ac:11:00:03 SRC=172.17.0.${i % 5} DST=10.20.3.17 LEN=60 PROTO=TCP SPT=40000 DPT=${1 + (i % 50)}`);
  }
  return out.join('\n') + '\n';
}

async function scan(path: string, extra: Partial<ScanOptions> = {}) {
  const set = await loadRuleSet([RULES]);
  const detected = await detectInput({ path, isStdin: false }, settings);
  return scanInput(detected, detected.format!, { rules: set.rules, correlationInputs: set.correlationInputs, hasCorrelations: set.correlations.length > 0 },
    { read: settings, manualOffsetMs: 0, strict: false, keepEvents: false, ...extra });
}

describe('detached marked records', () => {
  it('are copies equal to the records, one object per record in both lists', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'af-detach-')), 'kern.log');
    writeFileSync(path, kernLog(600));
    const plain = await scan(path);
    const detached = await scan(path, { detach: new SharedStrings() });
    expect(plain.findings.length).toBeGreaterThan(100);
    expect(plain.correlationMatches.length).toBeGreaterThan(100);
    expect(detached).toEqual(plain);
    for (let i = 0; i < plain.findings.length; i++) expect(detached.findings[i]!.event).not.toBe(plain.findings[i]!.event);
    const findingEvents = new Set(detached.findings.map((f) => f.event));
    expect(detached.correlationMatches.every((m) => findingEvents.has(m.event))).toBe(true);
  });
});
