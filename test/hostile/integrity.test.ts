// Issue 7, evidence integrity: a run never modifies its inputs, `verify` re-hashes a saved report's
// inputs (unchanged / CHANGED / missing; exit 0 / 1 / 2), and the JSON report is byte-identical
// whatever the time zone and locale of the machine.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync, appendFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deniedRule } from '../helpers/rules.mjs';
import { assertNoCrash, cli, ensureBuilt, ROOT } from './cli.js';

let dir: string;
const RULE = deniedRule('integrity-denied');

function snapshot(root: string): Map<string, { mtimeMs: number; bytes: string }> {
  const out = new Map<string, { mtimeMs: number; bytes: string }>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, { mtimeMs: statSync(p).mtimeMs, bytes: readFileSync(p).toString('base64') });
    }
  };
  walk(root);
  return out;
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'af-integrity-'));
  chmodSync(dir, 0o755);
  cpSync(join(ROOT, 'samples'), join(dir, 'evidence'), { recursive: true });
  // a gzip copy too, so the decompressing path is covered
  const kern = join(dir, 'evidence', 'firewall', 'gpu-node-07-kern.log');
  writeFileSync(kern + '.gz', gzipSync(readFileSync(kern)));
  unlinkSync(kern);
  writeFileSync(join(dir, 'rule.yml'), RULE);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const correlate = (env: Record<string, string> = {}, out = 'report.json') =>
  cli(['correlate', 'evidence', '--inventory', 'evidence/inventory.csv', '--rules=rule.yml', '--format', 'json', '-o', out, '-q'], { cwd: dir, env });

describe('evidence integrity (built CLI)', () => {
  it('correlate, timeline and verify leave every input byte-identical with the same mtime', () => {
    const before = snapshot(join(dir, 'evidence'));
    for (const r of [
      correlate(),
      cli(['timeline', 'evidence', '--format', 'jsonl', '-q'], { cwd: dir }),
      cli(['correlate', 'evidence', '--rules=rule.yml', '--format', 'html', '-q'], { cwd: dir }),
      cli(['verify', 'report.json'], { cwd: dir }),
    ]) {
      assertNoCrash(r);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(snapshot(join(dir, 'evidence'))).toEqual(before);
  });

  it('the JSON report is byte-identical across time zones and locales', () => {
    const a = correlate({ TZ: 'UTC', LANG: 'C', LC_ALL: 'C' }, 'a.json');
    const b = correlate({ TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'tr_TR.UTF-8' }, 'b.json');
    const c = correlate({ TZ: 'America/St_Johns', LANG: 'ar_SA.UTF-8', LC_ALL: 'th_TH.UTF-8@calendar=buddhist' }, 'c.json');
    for (const r of [a, b, c]) expect(r.status, r.stderr).toBe(0);
    const ja = readFileSync(join(dir, 'a.json'));
    expect(ja.length).toBeGreaterThan(1000);
    expect(readFileSync(join(dir, 'b.json')).equals(ja)).toBe(true);
    expect(readFileSync(join(dir, 'c.json')).equals(ja)).toBe(true);
    const report = JSON.parse(ja.toString('utf8')) as { violations: unknown[]; settings: { rulesSha256?: string } };
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.settings.rulesSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('agent-forensics verify (built CLI)', () => {
  it('says unchanged for every input and exits 0; gzip inputs are checked as stored', () => {
    expect(correlate().status).toBe(0);
    const r = cli(['verify', 'report.json'], { cwd: dir });
    assertNoCrash(r);
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { inputs: { path: string }[] };
    for (const i of report.inputs) expect(r.stdout).toContain(`unchanged    ${i.path}\n`);
    expect(r.stdout).toContain('evidence/firewall/gpu-node-07-kern.log.gz');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`all ${report.inputs.length} inputs unchanged`);
  });

  it('says CHANGED for an altered input and missing for a removed one, and exits 1', () => {
    const work = mkdtempSync(join(tmpdir(), 'af-verify-'));
    try {
      cpSync(join(dir, 'evidence'), join(work, 'evidence'), { recursive: true });
      writeFileSync(join(work, 'rule.yml'), RULE);
      const made = cli(['correlate', 'evidence', '--rules=rule.yml', '--format', 'json', '-o', 'r.json', '-q'], { cwd: work });
      expect(made.status, made.stderr).toBe(0);
      const trail = join(work, 'evidence', 'audit', 'cloudtrail-111122223333.jsonl');
      const analysed = statSync(trail).size;
      appendFileSync(trail, '\n');
      // One byte changed in place, the size kept.
      const flows = join(work, 'evidence', 'firewall', 'cloudfirewall-traffic.jsonl');
      const text = readFileSync(flows);
      text[10] = text[10] === 0x41 ? 0x42 : 0x41;
      writeFileSync(flows, text);
      unlinkSync(join(work, 'evidence', 'agent', 'claude-ep0413.jsonl'));
      const r = cli(['verify', 'r.json'], { cwd: work });
      assertNoCrash(r);
      expect(r.status).toBe(1);
      // Appended to (a log still written): the bytes analysed are checked on their own.
      expect(r.stdout).toMatch(new RegExp(`^CHANGED {6}evidence/audit/cloudtrail-111122223333\\.jsonl \\(appended to since: its first ${analysed} bytes, the ones analysed, are unchanged; SHA-256 is now [0-9a-f]{64}\\)$`, 'm'));
      expect(r.stdout).toMatch(/^CHANGED {6}evidence\/firewall\/cloudfirewall-traffic\.jsonl \(SHA-256 is now [0-9a-f]{64}\)$/m);
      expect(r.stdout).toMatch(/^missing {6}evidence\/agent\/claude-ep0413\.jsonl$/m);
      expect(r.stdout).toMatch(/^unchanged {4}evidence\/agent\/rl-harness-trace\.jsonl$/m);
      expect(r.stdout).toMatch(/3 of \d+ inputs changed, missing or unverifiable\n$/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('exits 2 with one line on a file that is not a JSON report, and never prints a path raw', () => {
    writeFileSync(join(dir, 'not-json.json'), '{"schema": ');
    writeFileSync(join(dir, 'other.json'), '{"schema":"something/v1","inputs":[]}');
    writeFileSync(join(dir, 'bad-input.json'), '{"schema":"agent-forensics.report/v1","inputs":[{"path":"x"}]}');
    for (const f of ['not-json.json', 'other.json', 'bad-input.json', 'no-such-report.json']) {
      const r = cli(['verify', f], { cwd: dir });
      assertNoCrash(r);
      expect(r.status, f).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(f);
    }
    // a forged report naming a hostile path, a pipe-like device and stdin
    const forged = { schema: 'agent-forensics.report/v1', inputs: [
      { path: 'evil\u001b]0;pwned\u0007\u009b2J.log', sha256: 'a'.repeat(64) },
      { path: '/dev/zero', sha256: 'b'.repeat(64) },
      { path: '-', sha256: 'c'.repeat(64) },
    ] };
    writeFileSync(join(dir, 'forged.json'), JSON.stringify(forged));
    const r = cli(['verify', 'forged.json'], { cwd: dir, timeoutMs: 10_000 });
    assertNoCrash(r);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout).toContain('missing      evil\\u001b]0;pwned\\u0007\\u009b2J.log');
    expect(r.stdout).toContain('CHANGED      /dev/zero (no longer a regular file)');
    expect(r.stdout).toContain('unverifiable - (read from standard input)');
  });
});
