// The timeline streams inputs the analysis read in timeline order (most logs) instead of sorting
// them: what "in order" means, across slices of one file, and the timeline that results.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareEvents, type ForensicEvent } from '../../src/model/event.js';
import { InputError } from '../../src/model/errors.js';
import type { AnalysisOptions } from '../../src/options.js';
import { analyze, timelineEvents } from '../../src/pipeline.js';
import { joinSlices } from '../../src/scan-split.js';
import { OrderTracker, type ReadOrder, type ScanResult } from '../../src/scan.js';

const ev = (timeMs: number, line: number): ForensicEvent => ({ kind: 'network', source: 'firewall', format: 'iptables', timeMs, timeRaw: '', ref: { path: 'k.log', line } });

function orderOf(events: ForensicEvent[]): ReadOrder {
  const t = new OrderTracker();
  events.forEach((e) => t.see(e));
  return t.order;
}

describe('the order an input was read in', () => {
  it('is sorted when times never go back (equal times come in line order)', () => {
    expect(orderOf([ev(1, 1), ev(1, 2), ev(5, 3)])).toEqual({ sorted: true, firstMs: 1, lastMs: 5 });
    expect(orderOf([ev(1, 1), ev(5, 2), ev(4, 3), ev(9, 4)])).toEqual({ sorted: false, firstMs: 1, lastMs: 9 });
    expect(orderOf([])).toEqual({ sorted: true, firstMs: NaN, lastMs: NaN });
  });

  it('of slices joined is sorted when each is and each starts where the one before ended or later', () => {
    const slice = (readOrder: ReadOrder): ScanResult => ({
      records: 0, firstMs: Infinity, lastMs: -Infinity, sha256: '', bytes: 0, gzip: false, notes: [], issues: [], skipped: 0, yearUsed: false,
      findings: [], correlationMatches: [], calls: [], dnsPairs: [], events: [], readOrder,
    });
    const join3 = (...orders: ReadOrder[]) => joinSlices('k.log', orders.map(slice), orders.map((_, i) => i * 10), { sha256: '', bytes: 0 })!.readOrder;
    const none = { sorted: true, firstMs: NaN, lastMs: NaN };
    expect(join3({ sorted: true, firstMs: 1, lastMs: 5 }, none, { sorted: true, firstMs: 5, lastMs: 8 })).toEqual({ sorted: true, firstMs: 1, lastMs: 8 });
    expect(join3({ sorted: true, firstMs: 1, lastMs: 5 }, { sorted: true, firstMs: 4, lastMs: 8 })).toEqual({ sorted: false, firstMs: 1, lastMs: 8 });
    expect(join3({ sorted: true, firstMs: 1, lastMs: 5 }, { sorted: false, firstMs: 6, lastMs: 8 }).sorted).toBe(false);
    expect(join3(none, none)).toEqual(none);
  });
});

/** A netfilter log of `n` lines a second apart; `shuffle` swaps neighbours so times go back. */
function kernLog(n: number, shuffle: boolean): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = i % 60, m = Math.floor(i / 60) % 60, h = Math.floor(i / 3600);
    const stamp = `Mar  2 ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
    lines.push(`${stamp} n7 kernel: [1.0] OUT-DROP: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=203.0.113.${i % 200} LEN=60 PROTO=TCP SPT=40000 DPT=${1000 + i} SYN`);
  }
  if (shuffle) for (let i = 0; i + 1 < n; i += 2) [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
  return lines.join('\n') + '\n';
}

const options = (paths: string[], extra: Partial<AnalysisOptions> = {}): AnalysisOptions => ({
  paths, tz: 'UTC', year: 2026, skews: [], autoSkew: true, rules: [], minConfidence: 0.5, strict: false, geoip: [], workers: 0, ...extra,
});

async function collect(events: AsyncIterable<ForensicEvent>, during?: () => void): Promise<ForensicEvent[]> {
  const out: ForensicEvent[] = [];
  for await (const e of events) {
    if (out.length === 0) during?.();
    out.push(e);
  }
  return out;
}

describe('the timeline of inputs in order and out of order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-order-'));
  const ordered = join(dir, 'ordered-kern.log');
  const shuffled = join(dir, 'shuffled-kern.log');
  writeFileSync(ordered, kernLog(3000, false));
  writeFileSync(shuffled, kernLog(3000, true));

  it('streams the ordered input without sorting it and sorts the other through spilled runs, the same timeline either way', async () => {
    const opts = options([ordered, shuffled], { timelineEventsInMemory: 1000 });
    const { readPlan } = await analyze(opts);
    expect(readPlan.get(ordered)?.ordered).toBe(true);
    expect(readPlan.get(shuffled)?.ordered).toBe(false);
    const temp = mkdtempSync(join(tmpdir(), 'af-order-tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    let spilled: string[] = [];
    try {
      const small = await collect(timelineEvents(opts, readPlan), () => (spilled = readdirSync(temp)));
      // one sort folder: the shuffled input's runs; the ordered one needed none
      expect(spilled).toHaveLength(1);
      const whole = await collect(timelineEvents({ ...opts, timelineEventsInMemory: 100_000 }, readPlan));
      expect(small).toHaveLength(6000);
      expect(small).toEqual(whole);
      expect(small.every((e, i) => i === 0 || compareEvents(small[i - 1]!, e) <= 0)).toBe(true);
      // With the ordered input alone nothing is sorted, so nothing spills.
      const alone = options([ordered], { timelineEventsInMemory: 1000 });
      await collect(timelineEvents(alone, (await analyze(alone)).readPlan), () => (spilled = readdirSync(temp)));
      expect(spilled).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('stops with an input error when an input read in order is no longer in order (it changed since)', async () => {
    const opts = options([shuffled]);
    const { readPlan } = await analyze(opts);
    const claimed = new Map([...readPlan].map(([p, how]) => [p, { ...how, ordered: true }]));
    const failure = await collect(timelineEvents(opts, claimed)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(InputError);
    expect(String((failure as Error).message)).toContain('changed while it was read');
    expect((failure as InputError).line).toBe(2);
  });

  it('stops with an input error, after the last event, when a second reading hashes to something else', async () => {
    const opts = options([ordered]);
    const { readPlan } = await analyze(opts);
    const other = new Map([...readPlan].map(([p, how]) => [p, { ...how, sha256: '0'.repeat(64) }]));
    const seen: ForensicEvent[] = [];
    const failure = await (async () => {
      for await (const e of timelineEvents(opts, other)) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(3000);
    expect(failure).toBeInstanceOf(InputError);
    expect(String((failure as Error).message)).toContain('SHA-256 differs from the first reading');
    expect(await collect(timelineEvents(opts, readPlan))).toHaveLength(3000);
  });
});
