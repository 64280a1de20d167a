// Spilled data lives in private temporary folders that go when the run ends, however it ends, and a
// temporary folder that cannot be written is a one-line user error, not a crash.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ViolationStore } from '../../src/attribution/violation-store.js';
import { InputError } from '../../src/model/errors.js';
import { sortEvents } from '../../src/timeline/merge.js';
import { privateTempFolder, removeOrphans } from '../../src/timeline/temp.js';
import { sampleReport } from '../helpers/report.js';
import { ensureBuilt, ROOT } from '../cli/built-cli.js';

beforeAll(() => ensureBuilt(), 180_000);

const saved = process.env.TMPDIR;
afterEach(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
});

describe('temporary folders', () => {
  it('are removed when Ctrl-C ends the run (exit 130)', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'af-sig-')), 'spill.mjs');
    writeFileSync(script, `
      const { exitOnSignals } = await import(${JSON.stringify(join(ROOT, 'dist/cli/main.js'))});
      const { ViolationStore } = await import(${JSON.stringify(join(ROOT, 'dist/attribution/violation-store.js'))});
      exitOnSignals();
      const store = new ViolationStore({ head: 1, inMemory: 2 });
      for (let i = 0; i < 10; i++) store.add({ id: 'V' + (i + 1), rules: [], candidates: [], attribution: null });
      const { spilled } = store.finish();
      process.stdout.write(spilled.file);
      setTimeout(() => {}, 10_000);
      process.kill(process.pid, 'SIGINT');
    `);
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(130);
    expect(r.stdout).toMatch(/violations\.jsonl$/);
    expect(existsSync(r.stdout)).toBe(false);
  });

  it('that cannot be created are a user error naming TMPDIR', async () => {
    process.env.TMPDIR = join(tmpdir(), 'af-no-such-folder', 'deeper');
    const store = new ViolationStore({ head: 1, inMemory: 2 });
    const v = sampleReport().violations[0]!;
    expect(() => {
      for (let i = 0; i < 5; i++) store.add(v);
    }).toThrow(InputError);
    expect(() => new ViolationStore({ head: 0, inMemory: 0 }).add(v)).toThrow(/TMPDIR/);
    const events = (async function* () {
      for (let i = 0; i < 5; i++) yield { kind: 'network', source: 'firewall', format: 'iptables', timeMs: i, timeRaw: '', ref: { path: 'x', line: i + 1 } } as const;
    })();
    const sorted = sortEvents(events, { runSize: 2 });
    await expect((async () => {
      for await (const _ of sorted) void _;
    })()).rejects.toThrow(InputError);
  });

  it('left by a run the kernel killed are removed by the next run on the host: only those of processes that are gone', () => {
    const base = mkdtempSync(join(tmpdir(), 'af-orphans-'));
    process.env.TMPDIR = base;
    const mine = privateTempFolder('sort');
    // The folder names its host and process: <host>.<pid>
    const tag = /^agent-forensics-sort-(.+)\.(\d+)-[A-Za-z0-9]{6}$/.exec(basename(mine.path));
    expect(tag?.[2]).toBe(String(process.pid));
    const host = tag![1]!;
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    const folder = (name: string) => {
      mkdirSync(join(base, name));
      writeFileSync(join(base, name, 'violations.jsonl'), '{}\n');
      return name;
    };
    const orphans = [folder(`agent-forensics-marks-${host}.${deadPid}-Ab12Cd`), folder(`agent-forensics-violations-${host}.${deadPid}-x9Y8z7`)];
    // A link named like an orphan (planted in a shared /tmp) is neither followed nor removed.
    const target = mkdtempSync(join(dirname(base), 'af-orphan-target-'));
    writeFileSync(join(target, 'keep.txt'), 'mine');
    const link = `agent-forensics-sort-${host}.${deadPid}-Link00`;
    symlinkSync(target, join(base, link));
    const kept = [
      link,
      basename(mine.path),
      folder(`agent-forensics-sort-${host}.1-aaaaaa`), // a live process
      folder(`agent-forensics-sort-other_host.${deadPid}-bbbbbb`), // another host sharing the folder
      folder(`agent-forensics-sort-cccccc`), // no owner in the name (an older version's)
      folder(`notes-${host}.${deadPid}-dddddd`),
    ];
    expect(removeOrphans(base).sort()).toEqual(orphans.map((n) => join(base, n)).sort());
    expect(readdirSync(base).sort()).toEqual(kept.sort());
    expect(readdirSync(target)).toEqual(['keep.txt']);
    mine.remove();
    // A run of the CLI does it on its own, and leaves nothing of its own.
    const orphan = folder(`agent-forensics-marks-${host}.${deadPid}-Zz9Yy8`);
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/agent-forensics.js'), 'correlate', join(ROOT, 'samples'), '--format', 'json', '-q'], { encoding: 'utf8', env: { ...process.env, TMPDIR: base }, timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(base, orphan))).toBe(false);
    expect(readdirSync(base).sort()).toEqual(kept.filter((n) => n !== basename(mine.path)).sort());
  });
});
