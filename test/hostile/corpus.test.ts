// Issue 7: the hostile-input corpus run through the built CLI. Each case must not crash or hang,
// must exit per the contract, must count its bad records exactly (path and line), must still analyse
// every good record, and every output format must stay inert. HOSTILE_BIG_LINE_MB sizes the big line.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownOutsideCode } from '../helpers/markdown.js';
import { assertNoCrash, cli, ensureBuilt, isFormulaCell, makeCorpus, parseCsv, TERMINAL_CONTROL, type Corpus, type CorpusCase } from './cli.js';

const BIG_LINE_MB = Number(process.env.HOSTILE_BIG_LINE_MB ?? 200);
let corpus: Corpus;

beforeAll(() => {
  ensureBuilt();
  corpus = makeCorpus(BIG_LINE_MB);
}, 120_000);

afterAll(() => {
  if (corpus) rmSync(corpus.dir, { recursive: true, force: true });
});

interface JsonReport {
  inputs: { path: string; format: string; records: number; skipped: number; notes?: string[] }[];
  violations: { ref: { path: string; line?: number }; attribution: unknown }[];
  errors: { path: string; line?: number; message: string }[];
}

/** The corpus's own rule, so counts do not depend on the built-in rules of the day. */
const baseRules = (): string[] => [`--rules=${join(corpus.dir, 'rules', 'base')}`];

function caseOf(name: string): CorpusCase {
  const c = corpus.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no corpus case ${name}`);
  return c;
}

/** Runs correlate on one case folder from the corpus root, so paths in the report are `<case>/<file>`. */
function correlateJson(c: CorpusCase, extra: string[] = []): { report: JsonReport; stderr: string; status: number | null } {
  const r = cli(['correlate', c.name, ...baseRules(), '--format', 'json', '-q', ...extra], { cwd: corpus.dir, timeoutMs: 60_000 });
  assertNoCrash(r);
  expect(r.status, r.stderr).toBe(0);
  return { report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr, status: r.status };
}

/** The manifest's per-file promises: records, exactly which lines were skipped, and the messages. */
function checkCounts(c: CorpusCase, report: JsonReport): void {
  for (const [file, want] of Object.entries(c.files)) {
    const path = `${c.name}/${file}`;
    const input = report.inputs.find((i) => i.path === path);
    expect(input, `input ${path} is listed`).toBeDefined();
    if (want.format) expect(input!.format).toBe(want.format);
    if (want.records !== undefined) expect(input!.records, `${path} records`).toBe(want.records);
    // A read error (truncated gzip, bomb guard) names the line it struck, so it is told apart from
    // record skips by its message, not by having a line.
    const isReadError = (e: { message: string }) => want.readError !== undefined && new RegExp(want.readError.re).test(e.message);
    const mine = report.errors.filter((e) => e.path === path);
    const lineErrors = mine.filter((e) => e.line !== undefined && !isReadError(e));
    if (want.skipped) {
      expect(input!.skipped, `${path} skipped`).toBe(want.skipped.length);
      expect(lineErrors.map((e) => e.line)).toEqual(want.skipped);
    }
    if (want.message) for (const e of lineErrors) expect(e.message).toMatch(new RegExp(want.message.re));
    const readErrors = mine.filter((e) => e.line === undefined || isReadError(e));
    if (want.readError) {
      expect(readErrors).toHaveLength(1);
      expect(readErrors[0]!.message).toMatch(new RegExp(want.readError.re));
      expect(readErrors[0]!.line, `${path} read error names the line it struck`).toBeGreaterThan(0);
    } else expect(readErrors).toEqual([]);
    if (want.note) expect(input!.notes?.join('\n') ?? '').toMatch(new RegExp(want.note.re));
  }
  if (c.violations !== undefined) expect(report.violations).toHaveLength(c.violations);
}

describe('hostile corpus: counts, lines and exit codes (built CLI)', () => {
  const plain = ['invalid-utf8', 'utf16', 'nul', 'deep-json', 'huge-array', 'truncated-gzip', 'empty-binary', 'line-endings', 'far-times', 'gzip-bomb', 'big-line'];
  for (const name of plain) {
    it(`${name}: no crash, bad records counted at their lines, good records analysed`, () => {
      const c = caseOf(name);
      const { report } = correlateJson(c);
      checkCounts(c, report);
    });
  }

  it('line-endings: CRLF, LF and blank CRLF lines keep their own line numbers', () => {
    const c = caseOf('line-endings');
    const { report } = correlateJson(c);
    const lines = report.violations.filter((v) => v.ref.path === 'line-endings/kern.log').map((v) => v.ref.line);
    expect(lines).toEqual(c.files['kern.log']!.lines);
  });

  it('reversed-duplicated: every record kept, violations ordered by time then line', () => {
    const c = caseOf('reversed-duplicated');
    const { report } = correlateJson(c);
    checkCounts(c, report);
    expect(report.violations.map((v) => v.ref.line)).toEqual(c.violationLines);
  });

  it('--strict turns a skipped record into exit 2 with one line on stderr and no stack', () => {
    for (const name of ['nul', 'deep-json', 'far-times']) {
      const r = cli(['correlate', name, ...baseRules(), '--strict', '--format', 'json', '-q'], { cwd: corpus.dir });
      assertNoCrash(r);
      expect(r.status, name).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^agent-forensics: ${name}/`));
    }
  });

  it('--strict turns a truncated gzip into exit 2', () => {
    const r = cli(['correlate', 'truncated-gzip', ...baseRules(), '--strict', '-q'], { cwd: corpus.dir });
    assertNoCrash(r);
    expect(r.status).toBe(caseOf('truncated-gzip').strictExit);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unreadable explicit path is exit 2 with one line, a readable one beside it is not needed', () => {
    for (const bad of ['folder-traps/dangling', 'folder-traps/loop-a', 'no-such-file.log']) {
      const r = cli(['correlate', bad, ...baseRules(), '-q'], { cwd: corpus.dir });
      assertNoCrash(r);
      expect(r.status, bad).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(bad);
    }
  });
});

describe('hostile corpus: folders with traps (built CLI)', () => {
  it('symlink loops, a dangling link and a FIFO are named; the rest is analysed', () => {
    const c = caseOf('folder-traps');
    const { report } = correlateJson(c);
    checkCounts(c, report);
    const named = report.errors.filter((e) => e.line === undefined).map((e) => e.path.slice(c.name.length + 1)).sort();
    const expected = [...c.problems!];
    // root reads a chmod 000 file, so the locked file is analysed in this run
    if (process.getuid?.() === 0) expect(report.inputs.map((i) => i.path)).toContain(`${c.name}/${c.locked}`);
    else expected.push(c.locked!);
    expect(named).toEqual(expected.sort());
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)('as an unprivileged user (root cannot be denied), a chmod 000 file in a folder is named and skipped; named explicitly it is exit 2', () => {
    const c = caseOf('folder-traps');
    const asNobody = { cwd: corpus.dir, uid: 65534, gid: 65534 };
    const inFolder = cli(['correlate', c.name, ...baseRules(), '--format', 'json', '-q'], asNobody);
    assertNoCrash(inFolder);
    expect(inFolder.status, inFolder.stderr).toBe(0);
    const report = JSON.parse(inFolder.stdout) as JsonReport;
    expect(report.errors).toContainEqual({ path: `${c.name}/${c.locked}`, message: 'cannot read: permission denied; not analysed' });
    expect(report.inputs.map((i) => i.path)).not.toContain(`${c.name}/${c.locked}`);
    expect(report.inputs.find((i) => i.path === `${c.name}/kern.log`)?.records).toBe(1);
    const explicit = cli(['correlate', `${c.name}/${c.locked}`, ...baseRules(), '-q'], asNobody);
    assertNoCrash(explicit);
    expect(explicit.status).toBe(2);
    expect(explicit.stderr).toBe(`agent-forensics: ${c.name}/${c.locked}: cannot read input: permission denied\n`);
  });
});

describe('hostile corpus: every output format is inert (built CLI)', () => {
  const formats = ['table', 'json', 'jsonl', 'csv', 'md', 'html'] as const;
  for (const name of ['escapes', 'injection']) {
    it(`${name}: counts are exact`, () => {
      const c = caseOf(name);
      const { report } = correlateJson(c);
      checkCounts(c, report);
      // The hostile text really reaches the report, so the inertness checks below are not vacuous.
      expect(report.violations.some((v) => v.attribution !== null)).toBe(true);
    });
    for (const format of formats) {
      it(`${name}: --format ${format} neutralizes terminal control, markup and formulas`, () => {
        const r = cli(['correlate', name, ...baseRules(), '--format', format, '--no-color', '-q'], { cwd: corpus.dir });
        assertNoCrash(r);
        expect(r.status, r.stderr).toBe(0);
        const out = r.stdout;
        expect(out.length).toBeGreaterThan(100);
        // No format passes raw terminal control through (JSON escapes C0 as \u001b; C1 is a known gap, below).
        const visible = out.replace(/\r?\n|\t/g, '');
        if (format === 'json' || format === 'jsonl') expect(visible).not.toMatch(/[\u0000-\u001f\u007f]/);
        else expect(visible).not.toMatch(TERMINAL_CONTROL);
        if (format === 'json' || format === 'jsonl') {
          const docs = format === 'json' ? [out] : out.trim().split('\n');
          for (const d of docs) JSON.parse(d);
          if (name === 'injection') expect(out).toContain('<script>alert(1)</script>');
          if (name === 'escapes') expect(out).toContain('\\u001b[31mRED');
        }
        if (format === 'html') {
          expect(out).not.toMatch(/<script>alert|<img src=x|onerror=alert|<a [^>]*evil\.example/i);
          if (name === 'injection') expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        }
        if (format === 'md') {
          const { text, unclosedFence } = markdownOutsideCode(out, 'mark');
          expect(unclosedFence).toBe(false);
          expect(text).not.toMatch(/<script>alert|<img src=x|\]\(http:\/\/evil|^# h/im);
        }
        if (format === 'csv') {
          const rows = parseCsv(out);
          expect(rows.length).toBeGreaterThan(1);
          for (const row of rows) for (const cell of row) expect(isFormulaCell(cell), cell.slice(0, 60)).toBe(false);
        }
      });
    }
  }
});

describe('hostile corpus: JSON outputs', () => {
  // JSON.stringify leaves C1 controls (U+0080–U+009F, e.g. U+009B, the 8-bit CSI) raw; a UTF-8
  // terminal that honours C1 would act on them when the report is cat'ed, so the renderers escape them.
  it('escapes: --format json and jsonl carry no raw C1 control characters', () => {
    for (const format of ['json', 'jsonl']) {
      const r = cli(['correlate', 'escapes', ...baseRules(), '--format', format, '-q'], { cwd: corpus.dir });
      expect(r.stdout).not.toMatch(/[\u007f-\u009f]/);
    }
  });
});

describe('hostile corpus: rule regexes run in linear time (built CLI)', () => {
  it('^(a+)+$ against a 100 000-character domain finishes and matches only the short one', () => {
    const c = caseOf('redos-input');
    const r = cli(['correlate', c.name, `--rules=${join(corpus.dir, c.rules!.redos!)}`, '--format', 'json', '-q'], { cwd: corpus.dir, timeoutMs: 20_000 });
    assertNoCrash(r);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    checkCounts(c, report);
    expect(report.violations).toHaveLength(c.redosMatches!);
  });

  it('rules validate refuses a back-reference and a look-ahead with file:line and exit 2', () => {
    const c = caseOf('redos-input');
    for (const key of ['backref', 'lookahead']) {
      const r = cli(['rules', 'validate', c.rules![key]!], { cwd: corpus.dir });
      assertNoCrash(r);
      expect(r.status, key).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`${key}\\.yml:\\d+: .*RE2 syntax`));
    }
    const ok = cli(['rules', 'validate', c.rules!.redos!], { cwd: corpus.dir });
    expect(ok.status).toBe(0);
  });
});
