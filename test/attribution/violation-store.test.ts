// ViolationStore: past its bound, violations go to a temporary file and come back in order, and every
// machine format written from the spilled store is byte-identical to the one written from memory.
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildIncidents, IncidentBuilder } from '../../src/attribution/violations.js';
import { reachesFailOn } from '../../src/cli/correlate.js';
import { severityRank, SEVERITIES, formatRef } from '../../src/model/event.js';
import type { Incident, Report, Violation } from '../../src/model/report.js';
import { csvRenderer } from '../../src/report/csv.js';
import { jsonRenderer } from '../../src/report/json.js';
import { jsonlRenderer } from '../../src/report/jsonl.js';
import { joinChunks } from '../../src/report/renderer.js';
import { ViolationStore, type SpilledViolations } from '../../src/attribution/violation-store.js';
import { hostileReport, sampleReport } from '../helpers/report.js';

const opts = { color: false };

/** n violations from the hostile sample, each with a long multi-byte message so the file spans several reads. */
function violations(n: number): Violation[] {
  const base = [...sampleReport().violations, ...hostileReport().violations];
  return Array.from({ length: n }, (_, i) => ({
    ...base[i % base.length]!,
    id: `V${i + 1}`,
    message: `${'é€😀\u2028\n\u001b[31m'.repeat(40)} #${i}`,
  }));
}

function stored(list: Violation[], head: number, inMemory: number): { violations: Violation[]; spilled?: SpilledViolations } {
  const store = new ViolationStore({ head, inMemory });
  for (const v of list) store.add(v);
  return store.finish();
}

async function all(spilled: SpilledViolations): Promise<Violation[]> {
  const out: Violation[] = [];
  for await (const batch of spilled.batches()) out.push(...batch);
  return out;
}

describe('ViolationStore', () => {
  it('keeps everything in memory up to its bound', () => {
    const list = violations(30);
    const r = stored(list, 10, 30);
    expect(r.spilled).toBeUndefined();
    expect(r.violations).toEqual(list);
  });

  it('past the bound keeps the head in memory and gives every violation back in order from disk', async () => {
    const list = violations(5000);
    const r = stored(list, 100, 1000);
    expect(r.violations).toEqual(list.slice(0, 100));
    expect(r.spilled!.count).toBe(4900);
    expect(await all(r.spilled!)).toEqual(list);
    // Read twice: the file stays until disposed of.
    expect((await all(r.spilled!)).length).toBe(5000);
    r.spilled!.dispose();
  });

  it('writes a violation larger than its write buffer directly, in its place', async () => {
    const list = violations(40);
    list[25] = { ...list[25]!, message: 'é'.repeat(600_000) };
    const r = stored(list, 5, 10);
    expect(await all(r.spilled!)).toEqual(list);
    r.spilled!.dispose();
  });

  it('spills to a file only its user can read, removed when disposed of', () => {
    const r = stored(violations(50), 5, 10);
    const file = r.spilled!.file;
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    r.spilled!.dispose();
    expect(existsSync(file)).toBe(false);
  });

  it('json, jsonl and csv from a spilled store are byte-identical to the same report held in memory', async () => {
    const list = violations(3000);
    const whole: Report = { ...sampleReport(), violations: list, incidents: buildIncidents(list), stats: { ...sampleReport().stats, violations: list.length } };
    const r = stored(list, 40, 700);
    const head: Report = { ...whole, violations: r.violations };
    for (const renderer of [jsonRenderer, jsonlRenderer, csvRenderer]) {
      const fromMemory = await joinChunks(renderer.chunks!(whole, opts));
      const fromDisk = await joinChunks(renderer.chunks!(head, opts, r.spilled!));
      expect(fromDisk, renderer.name).toBe(fromMemory);
    }
    r.spilled!.dispose();
  });
});

/** The grouping as it was first written (all violations in hand), kept as the reference. */
function referenceIncidents(vs: Violation[]): Incident[] {
  const groups = new Map<string, Violation[]>();
  for (const v of vs) {
    if (!v.attribution) continue;
    const key = `${v.attribution.session}\0${v.attribution.callId}\0${formatRef(v.attribution.ref)}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const incidents = [...groups.values()].map((g) => {
    const top = [...g].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0]!;
    const a = g[0]!.attribution!;
    return { id: '', title: top.rules[0]!.title, severity: top.severity, callId: a.callId, session: a.session, command: a.command, violations: g.map((v) => v.id), first: g[0]!.time, last: g.at(-1)!.time, count: g.length };
  });
  incidents.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : x.violations[0]! < y.violations[0]! ? -1 : 1));
  incidents.forEach((inc, i) => (inc.id = `I${i + 1}`));
  return incidents;
}

describe('IncidentBuilder', () => {
  it('groups one violation at a time exactly as grouping them all at once', () => {
    const base = [...sampleReport().violations, ...hostileReport().violations];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let round = 0; round < 20; round++) {
      const list: Violation[] = Array.from({ length: 200 }, (_, i) => {
        const v = base[rand(base.length)]!;
        const t = new Date(Date.UTC(2024, 4, 1) + i * 1000 + rand(3) * 1000).toISOString();
        return { ...v, id: `V${i + 1}`, time: t, severity: SEVERITIES[rand(SEVERITIES.length)]!, rules: [{ ...v.rules[0]!, title: `rule ${rand(4)}` }] };
      });
      const b = new IncidentBuilder();
      list.forEach((v) => b.add(v));
      expect(b.finish()).toEqual(referenceIncidents(list));
    }
  });

  it('--fail-on reads the incidents: the same answer as looking at every attributed violation', () => {
    const report = sampleReport();
    for (const s of SEVERITIES) {
      const direct = report.violations.some((v) => v.attribution && severityRank(v.severity) >= severityRank(s));
      expect(reachesFailOn({ ...report, incidents: buildIncidents(report.violations) }, s), s).toBe(direct);
    }
  });
});
