// The stderr side of the CLI: the progress bar (terminals only, never in CI or with -q) and the
// end-of-run summary line.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, progressLine, progressReporter, STEP_EVENTS, stepping, stepReporter, summaryLine } from '../../src/cli/output.js';
import { analyze } from '../../src/pipeline.js';
import { sampleReport } from '../helpers/report.js';
import { ROOT } from './built-cli.js';

function fakeTerminal(isTTY = true, columns = 120) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (t: string) => writes.push(t) };
}

describe('progressReporter()', () => {
  it('draws nothing when stderr is not a terminal, in CI, on a dumb terminal, with --quiet or --no-progress', () => {
    expect(progressReporter({}, undefined, fakeTerminal(false), {})).toBeUndefined();
    expect(progressReporter({}, undefined, fakeTerminal(), { CI: 'true' })).toBeUndefined();
    expect(progressReporter({}, undefined, fakeTerminal(), { TERM: 'dumb' })).toBeUndefined();
    expect(progressReporter({ quiet: true }, undefined, fakeTerminal(), {})).toBeUndefined();
    expect(progressReporter({ progress: false }, undefined, fakeTerminal(), {})).toBeUndefined();
    expect(progressReporter({}, undefined, fakeTerminal(), { CI: 'false' })).toBeTypeOf('function');
  });

  it('measures progress in bytes of the inputs and clears its line at the end', () => {
    const term = fakeTerminal();
    let t = 0;
    const dir = join(ROOT, 'samples/firewall');
    const a = join(dir, 'gpu-node-07-kern.log');
    const b = join(dir, 'gpu-node-08-kern.log');
    const report = progressReporter({}, [a, b], term, {}, () => (t += 1000))!;
    report(0, 2, a);
    report(1, 2, b);
    report(2, 2, '');
    const [sizeA, sizeB] = [statSync(a).size, statSync(b).size];
    expect(term.writes[0]!.startsWith(`\r\u001b[2K[${'░'.repeat(24)}]   0% · 0/2 inputs · 0 B of ${formatBytes(sizeA + sizeB)} · 1.0 s · `)).toBe(true);
    expect(term.writes[0]).toMatch(/gpu-node-07-kern\.log$/);
    const pct = Math.floor((sizeA / (sizeA + sizeB)) * 100);
    expect(term.writes[1]).toContain(`% · 1/2 inputs · ${formatBytes(sizeA)} of ${formatBytes(sizeA + sizeB)} · 2.0 s · `);
    expect(term.writes[1]).toContain(`${String(pct).padStart(3)}%`);
    expect(term.writes.at(-1)).toBe('\r\u001b[2K');
  });

  it('redraws at most every 80 ms', () => {
    const term = fakeTerminal();
    const report = progressReporter({}, undefined, term, {}, () => 5)!;
    for (let i = 0; i < 100; i++) report(i, 200, `f${i}`);
    expect(term.writes).toHaveLength(1);
  });
});

describe('stepReporter()', () => {
  it('draws under the same conditions as the input progress', () => {
    expect(stepReporter({}, fakeTerminal(false), {})).toBeUndefined();
    expect(stepReporter({}, fakeTerminal(), { CI: '1' })).toBeUndefined();
    expect(stepReporter({ quiet: true }, fakeTerminal(), {})).toBeUndefined();
    expect(stepReporter({ progress: false }, fakeTerminal(), {})).toBeUndefined();
    expect(stepReporter({}, fakeTerminal(), {})).toBeTypeOf('function');
  });

  it('shows the step, its counts and time, at most every 200 ms, and clears its line when done', () => {
    const term = fakeTerminal();
    let t = 0;
    const report = stepReporter({}, term, {}, () => t)!;
    report('attributing violations', 0, 967_732);
    t = 100;
    report('attributing violations', 2048, 967_732);
    t = 63_000;
    report('attributing violations', 410_112, 967_732);
    report('attributing violations', 967_732, 967_732);
    expect(term.writes).toEqual([
      `\r\u001b[2K[${'░'.repeat(24)}]   0% · attributing violations 0 of 967,732 · 0.0 s`,
      `\r\u001b[2K[${'█'.repeat(10)}${'░'.repeat(14)}]  42% · attributing violations 410,112 of 967,732 · 1 min 3 s`,
      '\r\u001b[2K',
    ]);
  });

  it('is told by the analysis how far the violations are built, ending at their number', async () => {
    const calls: [string, number, number][] = [];
    const { report } = await analyze({ paths: ['samples'], tz: 'UTC', skews: [], autoSkew: true, rules: [], minConfidence: 0.5, strict: false, geoip: [], onStep: (...a) => calls.push(a) });
    const n = report.stats.violations;
    expect(n).toBeGreaterThan(0);
    expect(calls[0]).toEqual(['attributing violations', 0, n]);
    expect(calls.at(-1)).toEqual(['attributing violations', n, n]);
    expect(calls.every(([, done], i) => i === 0 || done >= calls[i - 1]![1])).toBe(true);
  });
});

describe('stepping()', () => {
  async function run(count: number, total: number, stopAfter?: number) {
    const calls: [string, number, number][] = [];
    async function* items() {
      for (let i = 0; i < count; i++) yield i;
    }
    const seen: number[] = [];
    for await (const i of stepping(items(), (...a) => calls.push(a), 'writing the timeline', total)) {
      seen.push(i);
      if (seen.length === stopAfter) break;
    }
    return { calls, seen };
  }

  it('passes every item on and reports at the start, every STEP_EVENTS items and as done at the end', async () => {
    const { calls, seen } = await run(3 * STEP_EVENTS + 5, 3 * STEP_EVENTS + 5);
    expect(seen).toHaveLength(3 * STEP_EVENTS + 5);
    expect(calls.map(([, done]) => done)).toEqual([0, STEP_EVENTS, 2 * STEP_EVENTS, 3 * STEP_EVENTS, 3 * STEP_EVENTS + 5]);
    expect(calls.every(([step, , total]) => step === 'writing the timeline' && total === 3 * STEP_EVENTS + 5)).toBe(true);
  });

  it('ends done when fewer items came than expected (a time range), never reports past the total, and ends done when stopped early', async () => {
    expect((await run(STEP_EVENTS + 1, 10 * STEP_EVENTS)).calls.at(-1)).toEqual(['writing the timeline', 10 * STEP_EVENTS, 10 * STEP_EVENTS]);
    expect((await run(3 * STEP_EVENTS, STEP_EVENTS)).calls.map(([, done]) => done)).toEqual([0, STEP_EVENTS]);
    expect((await run(3 * STEP_EVENTS, 3 * STEP_EVENTS, 10)).calls.map(([, done]) => done)).toEqual([0, 3 * STEP_EVENTS]);
  });

  it('counts an item by its weight (a batch of lines), reporting each time the count passes a multiple of STEP_EVENTS', async () => {
    const calls: number[] = [];
    const sizes = [STEP_EVENTS - 1, STEP_EVENTS - 1, 3 * STEP_EVENTS, 1, 100];
    async function* batches() {
      for (const n of sizes) yield Array(n).fill('x\n');
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    let lines = 0;
    for await (const b of stepping(batches(), (_s, done) => calls.push(done), 'writing the timeline', total, (x) => x.length)) lines += b.length;
    expect(lines).toBe(total);
    // 4095 (no multiple passed), 8190 (passes 4096), 20478 (passes 8192 and more: once), 20479 (none), then done
    expect(calls).toEqual([0, 2 * STEP_EVENTS - 2, 5 * STEP_EVENTS - 2, total]);
  });
});

describe('progressLine()', () => {
  it('counts inputs when the byte total is unknown and keeps to the width, shortening the path from the left', () => {
    const line = progressLine({ done: 5, total: 10, bytesDone: 0, bytesTotal: 0, elapsedMs: 61_000, path: '/evidence/' + 'x'.repeat(200) + '/kern.log' }, 80);
    expect([...line].length).toBeLessThanOrEqual(80);
    expect(line).toMatch(/^\[█{12}░{12}\]  50% · 5\/10 inputs · 1 min 1 s · …x+\/kern\.log$/);
  });
});

describe('formatBytes() and formatDuration()', () => {
  it('formats sizes in SI units and durations for people', () => {
    expect([0, 999, 1000, 12_345, 3_100_000, 1_200_000_000].map(formatBytes)).toEqual(['0 B', '999 B', '1.0 kB', '12.3 kB', '3.1 MB', '1.2 GB']);
    expect([400, 12_345, 125_000, 3_780_000].map(formatDuration)).toEqual(['0.4 s', '12.3 s', '2 min 5 s', '1 h 3 min']);
  });
});

describe('summaryLine()', () => {
  it('says inputs, records, skipped, violations, attributed, incidents by severity and the time taken', () => {
    const r = sampleReport();
    expect(summaryLine(r, 1234)).toBe('agent-forensics: 2 inputs, 28.7 kB; 180 records, 2 skipped; 3 violations, 1 attributed; 1 incident (1 high); in 1.2 s');
    r.inputs.push({ ...r.inputs[0]!, format: 'unknown', skipped: 0, bytes: 1 });
    expect(summaryLine(r, 400, 'out/report.html')).toBe('agent-forensics: 3 inputs (1 not recognized), 28.7 kB; 180 records, 2 skipped; 3 violations, 1 attributed; 1 incident (1 high); wrote out/report.html in 0.4 s');
  });
});

describe('writeOutput()', () => {
  it('gathers pieces into large writes and writes exactly their text, across buffer boundaries and oversized pieces', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { writeOutput } = await import('../../src/cli/output.js');
    const pieces = ['é€😀'.repeat(1000), 'x'.repeat((1 << 20) - 5), '😀😀', 'y'.repeat(3 << 20), '', 'end\n'];
    async function* chunks() {
      yield* pieces;
    }
    const file = join(mkdtempSync(join(tmpdir(), 'af-out-')), 'r.txt');
    await writeOutput(chunks(), file);
    expect(readFileSync(file, 'utf8')).toBe(pieces.join(''));
  });
});

describe('writeOutput() on a full disk', () => {
  it.skipIf(!existsSync('/dev/full'))('says it cannot write the report (ENOSPC), one line, whichever write fails', async () => {
    const { writeOutput } = await import('../../src/cli/output.js');
    async function* chunks() {
      for (let i = 0; i < 50; i++) yield 'x'.repeat(100_000);
    }
    await expect(writeOutput(chunks(), '/dev/full')).rejects.toThrow(/cannot write the report: ENOSPC/);
  });
});

describe('StreamedReport (a report written to its file as the violations are built)', () => {
  const head: import('../../src/model/report.js').ReportHead = { schema: 'agent-forensics.report/v1', tool: { name: 'agent-forensics', version: '0' }, inputs: [], clock: [] };
  // pieces of 1, 2, 3 and 4 bytes a character (the room in the write buffer is reckoned at three a UTF-16 unit)
  const piece = 'xé€😀'.repeat(25_000);
  const text: import('../../src/report/renderer.js').ReportStream = { begin: () => 'B', violation: (_v, first) => (first ? '[' : ',') + piece, end: (_r, any) => (any ? ']' : '[]') + 'E' };
  const violation = {} as import('../../src/model/report.js').Violation;

  it('writes the parts in order; a failed analysis leaves no report behind', async () => {
    const { StreamedReport } = await import('../../src/cli/output.js');
    const folder = mkdtempSync(join(tmpdir(), 'af-stream-'));
    const done = new StreamedReport(text, join(folder, 'done.json'));
    done.begin(head);
    for (let i = 0; i < 30; i++) done.add(violation);
    done.end({ ...head, violations: [] } as unknown as import('../../src/model/report.js').Report);
    expect(readFileSync(join(folder, 'done.json'), 'utf8')).toBe(`B[${Array(30).fill(piece).join(',')}]E`);
    const failed = new StreamedReport(text, join(folder, 'failed.json'));
    failed.begin(head);
    failed.add(violation);
    failed.abort();
    expect(existsSync(join(folder, 'failed.json'))).toBe(false);
  });

  it.skipIf(!existsSync('/dev/full'))('says it cannot write the report (ENOSPC) and leaves a device alone', async () => {
    const { StreamedReport } = await import('../../src/cli/output.js');
    const full = new StreamedReport(text, '/dev/full');
    full.begin(head);
    expect(() => {
      for (let i = 0; i < 50; i++) full.add(violation);
    }).toThrow(/cannot write the report: ENOSPC/);
    full.abort();
    expect(existsSync('/dev/full')).toBe(true);
  });
});
