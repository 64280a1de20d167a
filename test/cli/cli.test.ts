// The built command line on the bundled samples, as scripts and nightly audits use it: every
// --format, byte-identical reruns, exit codes, Timesketch lines, help text and colour rules.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, SAMPLES } from './built-cli.js';

const ESC = 0x1b;
let dir = '';

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'af-cli-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('agent-forensics correlate on samples/', () => {
  it.each(['table', 'json', 'jsonl', 'csv', 'md', 'html'])('--format %s exits 0, writes a report and gives the same bytes twice', (format) => {
    const first = runCli([...SAMPLES, '--format', format]);
    // at most the one-line summary (for formats other than the table), never progress output
    expect(first.stderr).toMatch(/^(|agent-forensics: \d+ inputs[^\n]*\n)$/);
    expect(first.status).toBe(0);
    expect(first.stdout.length).toBeGreaterThan(1000);
    const second = runCli([...SAMPLES, '--format', format]);
    expect(second.status).toBe(0);
    expect(second.stdout.equals(first.stdout)).toBe(true);
    // piped: no colour, no progress, whatever the format
    expect(first.stdout.includes(ESC)).toBe(false);
  });

  it('--format json is the v1 report with every violation attributed or not', () => {
    const report = JSON.parse(runCli([...SAMPLES, '--format', 'json']).stdout.toString('utf8'));
    expect(report.schema).toBe('agent-forensics.report/v1');
    expect(report.violations.length).toBe(report.stats.violations);
    expect(report.stats.attributed + report.stats.unattributed).toBe(report.stats.violations);
    expect(report.violations.every((v: { attribution: unknown }) => v.attribution === null || typeof v.attribution === 'object')).toBe(true);
  });

  it('--fail-on high exits 1 on samples (attributed high and critical violations)', () => {
    const r = runCli([...SAMPLES, '--format', 'json', '--fail-on', 'high']);
    expect(r.status).toBe(1);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('--fail-on critical --min-confidence 0.99 exits 0: no critical violation is attributed that surely', () => {
    const r = runCli([...SAMPLES, '--format', 'json', '--fail-on', 'critical', '--min-confidence', '0.99']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.toString('utf8'));
    expect(report.violations.filter((v: { severity: string; attribution: unknown }) => v.severity === 'critical' && v.attribution)).toEqual([]);
  });

  it('-o writes the report to the file and a one-line summary to stderr; -q silences it', () => {
    const out = join(dir, 'report.json');
    const r = runCli([...SAMPLES, '--format', 'json', '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe('agent-forensics.report/v1');
    expect(r.stderr).toMatch(/^agent-forensics: \d+ inputs.*\d+ violations, \d+ attributed.*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr.includes('\u001b')).toBe(false);
    const quiet = runCli([...SAMPLES, '--format', 'json', '-o', join(dir, 'quiet.json'), '-q']);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('-o gives the bytes standard output gives for the formats written as their violations are built', () => {
    for (const format of ['json', 'jsonl', 'csv']) {
      const out = join(dir, `same.${format}`);
      const toFile = runCli([...SAMPLES, '--format', format, '-o', out, '-q']);
      const toStdout = runCli([...SAMPLES, '--format', format]);
      expect([toFile.status, toStdout.status]).toEqual([0, 0]);
      expect(readFileSync(out).equals(toStdout.stdout), format).toBe(true);
    }
  });

  it('standard output redirected to a file gets the same bytes (written as the violations are built), and a file appended to keeps what it held', async () => {
    const { spawnSync } = await import('node:child_process');
    const { openSync, closeSync } = await import('node:fs');
    const { ROOT } = await import('./built-cli.js');
    for (const format of ['json', 'jsonl']) {
      const piped = runCli([...SAMPLES, '--format', format, '-q']);
      const file = join(dir, `redirected.${format}`);
      writeFileSync(file, 'kept\n');
      const fd = openSync(file, 'a');
      try {
        const r = spawnSync(process.execPath, [join(ROOT, 'bin/agent-forensics.js'), ...SAMPLES, '--format', format, '-q'], { cwd: ROOT, stdio: ['ignore', fd, 'pipe'] });
        expect(r.status, String(r.stderr)).toBe(0);
      } finally {
        closeSync(fd);
      }
      expect(readFileSync(file).equals(Buffer.concat([Buffer.from('kept\n'), piped.stdout])), format).toBe(true);
    }
  });

  /** A firewall log of `n` refused connections: a report of about 3 kB a violation. */
  const refusals = (n: number): string => {
    const file = join(dir, `refusals-${n}`, 'kern.log');
    mkdirSync(join(dir, `refusals-${n}`), { recursive: true });
    const at = (i: number) => `Mar  2 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    writeFileSync(file, Array.from({ length: n }, (_, i) => `${at(i)} gpu-node-07 kernel: [1.0] SBX-EGRESS DROP: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=203.0.113.5 LEN=60 PROTO=TCP SPT=${40000 + i} DPT=22\n`).join(''));
    return file;
  };

  it('a report piped to a reader that falls behind arrives whole, the bytes -o gives (the pipe, full, is waited for)', async () => {
    const { spawn } = await import('node:child_process');
    const { ROOT } = await import('./built-cli.js');
    const log = refusals(3000);
    for (const format of ['json', 'jsonl', 'csv']) {
      const out = join(dir, `piped.${format}`);
      expect(runCli(['correlate', log, '--year', '2026', '--format', format, '-o', out, '-q']).status).toBe(0);
      const child = spawn(process.execPath, [join(ROOT, 'bin/agent-forensics.js'), 'correlate', log, '--year', '2026', '--format', format, '-q'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pause();
      const chunks: Buffer[] = [];
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // the pipe (64 KiB) fills long before the report (hundreds of kilobytes at least) is written: the writer must wait
      await new Promise((resolve) => setTimeout(resolve, 700));
      child.stdout.on('data', (d: Buffer) => chunks.push(d));
      child.stdout.resume();
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect([status, stderr]).toEqual([0, '']);
      const expected = readFileSync(out);
      expect(expected.length).toBeGreaterThan(256 << 10);
      expect(Buffer.concat(chunks).equals(expected), format).toBe(true);
    }
  });

  it('a reader that closes the pipe early (| head) ends the run quietly, exit 0', async () => {
    const { spawn } = await import('node:child_process');
    const { ROOT } = await import('./built-cli.js');
    const log = refusals(3000);
    const child = spawn(process.execPath, [join(ROOT, 'bin/agent-forensics.js'), 'correlate', log, '--year', '2026', '--format', 'json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([status, stderr]).toEqual([0, '']);
  });

  it('a report that fails once begun leaves standard output as it was (a file cut back) and no -o file', async () => {
    const { spawnSync } = await import('node:child_process');
    const { openSync, closeSync } = await import('node:fs');
    const { ROOT } = await import('./built-cli.js');
    const script = `import('./dist/cli/output.js').then(({ StreamedReport }) => {
      const text = { begin: () => 'B', violation: () => 'v'.repeat(3 << 20), end: () => 'E' };
      const head = { schema: 'agent-forensics.report/v1', tool: { name: 'agent-forensics', version: '0' }, inputs: [], clock: [] };
      for (const path of [undefined, process.argv[1]]) {
        const r = new StreamedReport(text, path);
        r.begin(head);
        r.add({});
        r.abort();
      }
    })`;
    const file = join(dir, 'stdout-aborted.json');
    writeFileSync(file, 'kept\n');
    const out = join(dir, 'aborted.json');
    const fd = openSync(file, 'a');
    try {
      const r = spawnSync(process.execPath, ['-e', script, out], { cwd: ROOT, stdio: ['ignore', fd, 'pipe'] });
      expect(r.status, String(r.stderr)).toBe(0);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('kept\n');
    expect(existsSync(out)).toBe(false);
  });

  it('an -o that cannot be created is one line and exit 2, with nothing left behind', () => {
    const out = join(dir, 'no-such-folder', 'r.json');
    const r = runCli([...SAMPLES, '--format', 'json', '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.toString().trim().split('\n')).toHaveLength(1);
    expect(r.stderr.toString()).toMatch(/cannot write the report: ENOENT/);
    expect(existsSync(out)).toBe(false);
  });

  it('NO_COLOR=1 wins over FORCE_COLOR: the table has no escape bytes', () => {
    const forced = runCli([...SAMPLES], { FORCE_COLOR: '1' });
    expect(forced.stdout.includes(ESC)).toBe(true);
    const r = runCli([...SAMPLES], { NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(r.status).toBe(0);
    expect(r.stdout.includes(ESC)).toBe(false);
    expect(r.stderr.includes('\u001b')).toBe(false);
    expect(runCli([...SAMPLES, '--no-color'], { FORCE_COLOR: '1' }).stdout.includes(ESC)).toBe(false);
  });

  it('an unknown --format is a usage error: exit 2, one line on stderr', () => {
    const r = runCli([...SAMPLES, '--format', 'xml']);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^agent-forensics: .*xml.*\n$/);
  });
});

describe('agent-forensics timeline on samples/', () => {
  it('--format timesketch writes one JSON object per event with message, datetime and timestamp_desc', () => {
    const r = runCli(['timeline', 'samples', '--inventory', 'samples/inventory.csv', '--format', 'timesketch']);
    expect(r.status).toBe(0);
    const lines = r.stdout.toString('utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(40);
    let previous = -Infinity;
    for (const line of lines) {
      const o = JSON.parse(line);
      expect(typeof o.message).toBe('string');
      expect(o.message.length).toBeGreaterThan(0);
      expect(o.datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof o.timestamp_desc).toBe('string');
      expect(o.timestamp).toBe(Date.parse(o.datetime) * 1000);
      expect(o.timestamp).toBeGreaterThanOrEqual(previous);
      previous = o.timestamp;
    }
  });
});

describe('agent-forensics --help', () => {
  it('shows examples for responders, reviewers and nightly audits, and the exit codes', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    const text = r.stdout.toString('utf8');
    expect(text).toContain('Examples:');
    expect(text).toMatch(/incident response .*correlate/);
    expect(text).toMatch(/review report .*--format html/);
    expect(text).toMatch(/nightly audit .*--fail-on high/);
    expect(text).toContain('Exit codes');
  });
});

describe('correlate on a log of mostly malformed lines', () => {
  it('skips and counts 200,000 of them (they overflowed the stack when gathered as call arguments)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-malformed-'));
    const ok = 'Mar  2 10:00:00 gpu-node-07 kernel: [1.0] SBX-EGRESS DROP: IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=203.0.113.5 LEN=60 PROTO=TCP SPT=40000 DPT=22';
    const lines = [...Array.from({ length: 20 }, () => ok), ...Array.from({ length: 200_000 }, (_, i) => `garbage ${i}`)];
    writeFileSync(join(dir, 'kern.log'), lines.join('\n') + '\n');
    const r = runCli(['correlate', dir, '--year', '2026', '--format', 'json', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.toString());
    expect(report.inputs[0].skipped).toBe(200_000);
    expect(report.errorsTotal).toBe(200_000);
    expect(report.errors[0]).toMatchObject({ line: 21 });
    expect(report.stats.violations).toBe(20);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('correlate when the report cannot be written', () => {
  it.skipIf(!existsSync('/dev/full'))('to a full disk behind stdout: one line and exit 2, not an internal error', async () => {
    const { spawnSync } = await import('node:child_process');
    const { openSync, closeSync } = await import('node:fs');
    const { ROOT } = await import('./built-cli.js');
    const full = openSync('/dev/full', 'w');
    try {
      for (const format of ['json', 'table']) {
        const r = spawnSync(process.execPath, [join(ROOT, 'bin/agent-forensics.js'), ...SAMPLES, '--format', format], { cwd: ROOT, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
        expect(r.status, format).toBe(2);
        expect(r.stderr.trim().split('\n')).toEqual(['agent-forensics: cannot write the report to standard output: ENOSPC']);
      }
    } finally {
      closeSync(full);
    }
  });
});
