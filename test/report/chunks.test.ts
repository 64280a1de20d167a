// Machine formats are written in pieces so that millions of violations never form one string; the
// pieces must join to exactly what one string would have been.
import { describe, expect, it } from 'vitest';
import { forPeople, MAX_LISTED } from '../../src/cli/correlate.js';
import type { Report } from '../../src/model/report.js';
import { csvRenderer } from '../../src/report/csv.js';
import { jsonRenderer } from '../../src/report/json.js';
import { jsonlRenderer } from '../../src/report/jsonl.js';
import { joinChunks } from '../../src/report/renderer.js';
import { sampleReport } from '../helpers/report.js';

function many(n: number): Report {
  const base = sampleReport();
  const violations = Array.from({ length: n }, (_, i) => ({ ...base.violations[i % base.violations.length]!, id: `V${i + 1}` }));
  return { ...base, violations, stats: { ...base.stats, violations: n } };
}

const opts = { color: false };

describe('chunked machine formats', () => {
  it('json chunks are byte-identical to JSON.stringify(report, null, 2), across chunk boundaries and when empty', async () => {
    for (const n of [0, 1, 15, 16, 17, 32, 999, 1000, 1001, 2500]) {
      const report = many(n);
      const text = await joinChunks(jsonRenderer.chunks!(report, opts));
      expect(text, `n=${n}`).toBe(JSON.stringify(report, null, 2) + '\n');
    }
  });

  it('jsonl writes one line per violation across chunks', async () => {
    const text = await joinChunks(jsonlRenderer.chunks!(many(2345), opts));
    expect(text.split('\n').filter(Boolean)).toHaveLength(2345);
    expect(JSON.parse(text.split('\n')[2344]!).id).toBe('V2345');
  });

  it('csv writes the header once however many chunks', async () => {
    const text = await joinChunks(csvRenderer.chunks!(many(12_001), opts));
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('id,time,severity'))).toHaveLength(1);
    expect(lines.filter((l) => /^V\d+,/.test(l))).toHaveLength(12_001);
    expect(await joinChunks(csvRenderer.chunks!(many(0), opts))).toMatch(/^id,time,severity[^\n]*\n$/);
  });

  it('the streamed parts of every streaming format join to its chunks, hostile cells, line breaks and no violations included', async () => {
    for (const renderer of [jsonRenderer, jsonlRenderer, csvRenderer]) {
      for (const n of [0, 1, 2, 17, 300]) {
        const base = many(n);
        // cells fast-csv must quote, and one that would start a formula
        const report = { ...base, violations: base.violations.map((v, i) => (i % 2 ? { ...v, message: `=cmd|' /C calc'!A0, "quoted"\nnext line` } : v)) };
        const stream = renderer.stream!();
        const parts = [stream.begin(report)];
        report.violations.forEach((v, i) => parts.push(stream.violation(v, i === 0)));
        parts.push(stream.end(report, report.violations.length > 0));
        expect(parts.join(''), `${renderer.name} n=${n}`).toBe(await joinChunks(renderer.chunks!(report, opts)));
      }
    }
  });
});

describe('forPeople()', () => {
  it('lists the first MAX_LISTED violations and says how many there are', () => {
    const report = many(MAX_LISTED + 5);
    const cut = forPeople(report);
    expect(cut.violations).toHaveLength(MAX_LISTED);
    expect(cut.listed).toEqual({ shown: MAX_LISTED, total: MAX_LISTED + 5 });
    expect(cut.stats).toEqual(report.stats);
    expect(forPeople(many(3))).not.toHaveProperty('listed');
  });
});
