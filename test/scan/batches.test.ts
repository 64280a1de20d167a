// Marks handed out in batches while a scan goes on (how workers post them) must add up to exactly the
// marks of one plain scan, and a record that is both a finding and a correlation match must travel
// in one batch: the main thread matches correlation hits to violations by object identity.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKS_PER_BATCH, type ScanMark } from '../../src/scan.js';
import { internalDrops, scanWithRules } from '../helpers/scan.js';

describe('scan marks in batches', () => {
  it('add up to the marks of a plain scan, each record with its two marks in the same batch', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'af-batches-')), 'kern.log');
    writeFileSync(path, internalDrops(5 * MARKS_PER_BATCH + 7));
    const batches: { findings: ScanMark[]; correlationMatches: ScanMark[] }[] = [];
    const batched = await scanWithRules(path, { onMarks: (findings, correlationMatches) => batches.push({ findings, correlationMatches }) });
    const plain = await scanWithRules(path);
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
