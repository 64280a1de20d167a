// Scores attribution against ground truth on the held-out incident scenarios that
// scripts/make-scenarios.mjs writes: the real pipeline on real-format inputs, precision/recall/F1 per scenario.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.js';
import type { Report } from '../../src/model/report.js';

const ROOT = 'test/scenarios';
const SCENARIOS = readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

interface TruthRecord {
  path: string;
  line?: number;
  index?: number;
  /** the call that really produced the record */
  cause: string | null;
  /** what a correct analysis attributes it to (null where the evidence cannot tell) */
  expect: string | null;
  /** the contract's baseline rules must mark it */
  violation: boolean;
  noise?: boolean;
  why?: string;
}

interface Truth {
  scenario: string;
  story: string;
  records: TruthRecord[];
  clock?: { path: string; offsetMs: number; toleranceMs: number }[];
  incidents?: { callId: string; count: number }[];
}

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  noiseAttributed: number;
  missingViolations: string[];
  mistakes: string[];
}

/** Compares a report's attributions with the truth, record by record. */
export function score(report: Report, truth: Truth, dir: string): Score {
  const key = (path: string, at: number | undefined) => `${path}:${at}`;
  const rel = (p: string) => (p.startsWith(`${dir}/`) ? p.slice(dir.length + 1) : p);
  const byRef = new Map(truth.records.map((r) => [key(r.path, r.line ?? r.index), r]));
  let tp = 0, fp = 0, fn = 0, noiseAttributed = 0;
  const mistakes: string[] = [];
  const seen = new Set<string>();
  for (const v of report.violations) {
    const k = key(rel(v.ref.path), v.ref.line ?? v.ref.index);
    seen.add(k);
    const t = byRef.get(k);
    const got = v.attribution?.callId ?? null;
    const want = t ? t.expect : null;
    if (t?.noise && got) noiseAttributed++;
    if (got && got === want) tp++;
    else {
      if (got) fp++;
      if (want) fn++;
      if (got || want) mistakes.push(`${k}: want ${want ?? 'none'}, got ${got ?? 'none'}${v.attribution ? ` (${v.attribution.confidence})` : ''}${t?.why ? ` [${t.why}]` : ''}`);
    }
  }
  const missingViolations: string[] = [];
  for (const r of truth.records) {
    const k = key(r.path, r.line ?? r.index);
    if (!r.violation || seen.has(k)) continue;
    missingViolations.push(k);
    if (r.expect) fn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1, noiseAttributed, missingViolations, mistakes };
}

const rows: string[] = [];

describe('held-out attribution scenarios', () => {
  afterAll(() => {
    const head = `${'scenario'.padEnd(18)} ${'TP'.padStart(4)} ${'FP'.padStart(4)} ${'FN'.padStart(4)} ${'prec'.padStart(6)} ${'recall'.padStart(6)} ${'F1'.padStart(6)} ${'noise→call'.padStart(10)}`;
    console.log(['', head, ...rows].join('\n'));
  });

  it('has scenarios to score', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(7);
  });

  for (const name of SCENARIOS) {
    it(`analyze() attributes the ${name} scenario with F1 ≥ 0.95 and no host noise`, async () => {
      const dir = join(ROOT, name);
      const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;
      const paths = ['agent', 'firewall', 'audit'].map((p) => join(dir, p)).filter((p) => existsSync(p));
      const { report } = await analyze({
        paths, inventory: join(dir, 'inventory.csv'), tz: 'UTC', skews: [], autoSkew: true, rules: [],
        minConfidence: 0.5, strict: false, geoip: [],
      });
      const s = score(report, truth, dir);
      rows.push(`${name.padEnd(18)} ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)} ${s.precision.toFixed(3).padStart(6)} ${s.recall.toFixed(3).padStart(6)} ${s.f1.toFixed(3).padStart(6)} ${String(s.noiseAttributed).padStart(10)}`);
      if (s.mistakes.length) console.log(`${name} mistakes:\n  ${s.mistakes.join('\n  ')}`);
      expect(report.errors).toEqual([]);
      expect(s.missingViolations).toEqual([]);
      expect(s.noiseAttributed).toBe(0);
      expect(s.f1).toBeGreaterThanOrEqual(0.95);
      for (const c of truth.clock ?? []) {
        const got = report.clock.find((k) => k.path.endsWith(c.path));
        expect(got?.method).toBe('estimated');
        expect(Math.abs(got!.offsetMs - c.offsetMs)).toBeLessThanOrEqual(c.toleranceMs);
      }
      for (const inc of truth.incidents ?? []) {
        const found = report.incidents.filter((i) => i.callId === inc.callId);
        expect(found).toHaveLength(1);
        expect(found[0]!.count).toBe(inc.count);
      }
      // Every attribution explains itself in sentences.
      for (const v of report.violations) {
        for (const r of v.attribution?.reasons ?? []) expect(r).toMatch(/^[A-Z].*\.$/s);
      }
    }, 60_000);
  }
});
