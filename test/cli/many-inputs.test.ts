// RL training leaves thousands of episode transcripts in one folder, and a cluster a kern.log per
// node. Run under a lower descriptor limit than there are inputs (commonly 1024 a process): the
// timeline opened every input at once for its merge (now at most a few hundred, through temporary
// files), and detection left open every file larger than its head (every input then failed to read).
// (`ulimit` is a POSIX shell's: not on Windows.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './built-cli.js';

const INPUTS = 600;
const CALLS = 4;
let dir = '';

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'af-many-'));
  for (let k = 0; k < INPUTS; k++) {
    const lines = [JSON.stringify({ v: 'agent-events/1', type: 'session', session: `ep${k}`, start: '2026-03-02T00:00:00.000Z', host: 'gpu-node-07' })];
    for (let i = 0; i < CALLS; i++) {
      // the inputs interleave: each call of each episode at its own second
      const t = new Date(Date.UTC(2026, 2, 2, 1) + (i * INPUTS + ((k * 7) % INPUTS)) * 1000).toISOString();
      lines.push(JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session: `ep${k}`, call_id: `c${i}`, tool: 'bash', command: `echo ${k}`, start: t, end: t }));
    }
    writeFileSync(join(dir, `ep-${String(k).padStart(4, '0')}.jsonl`), lines.join('\n') + '\n');
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The CLI under `ulimit -n <limit>` (none: as the tests run), writing to `out`; its exit code, output and errors. */
function withDescriptors(limit: number | undefined, args: string[], out: string): { status: number | null; out: string; stderr: string } {
  const r = spawnSync('sh', ['-c', `${limit ? `ulimit -n ${limit} && ` : ''}exec "$0" "$@"`, process.execPath, join(ROOT, 'bin/agent-forensics.js'), ...args, '-o', out, '-q', '--no-progress'],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.status === 0 ? readFileSync(out, 'utf8') : '', stderr: r.stderr };
}

/** The timeline under `ulimit -n 400` (fewer descriptors than inputs). */
const timelineWithFewDescriptors = (format: string) => withDescriptors(400, ['timeline', dir, '--format', format], join(dir, `timeline.${format}`));

describe.skipIf(process.platform === 'win32')('a timeline of more inputs than the process may open at once', () => {
  it('holds every call of every input, in time order (JSON lines, merged from the lines of the inputs)', () => {
    const r = timelineWithFewDescriptors('jsonl');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const times = r.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { time: string }).time);
    expect(times).toHaveLength(INPUTS * CALLS);
    expect(times).toEqual([...times].sort());
    expect(new Set(times).size).toBe(INPUTS * CALLS);
  }, 120_000);

  it('holds every call of every input, in time order (CSV, merged from the events of the inputs)', () => {
    const r = timelineWithFewDescriptors('csv');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.out.trimEnd().split('\n')).toHaveLength(1 + INPUTS * CALLS);
  }, 120_000);
});

describe.skipIf(process.platform === 'win32')('a correlation of more logs larger than the detection head than the process may open at once', () => {
  const LOGS = 300;
  let logs = '';
  beforeAll(() => {
    logs = mkdtempSync(join(tmpdir(), 'af-many-logs-'));
    for (let k = 0; k < LOGS; k++) {
      // about 70 KB: more than the 64 KiB detection reads
      const lines = Array.from({ length: 260 }, (_, i) => {
        const s = i * 13 + k;
        const stamp = `Mar  2 ${String(Math.floor(s / 3600) % 24).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
        const verdict = i % 50 === 0 ? 'DROP' : 'ACCEPT';
        return `${stamp} gpu-node-${k} kernel: [${50000 + i}.000000] SBX-EGRESS ${verdict}: IN=docker0 OUT=eth0 MAC=02:42:ac:11:00:03:02:42:5e:1a:2b:3c:08:00 SRC=172.17.0.9 DST=203.0.113.${i % 200} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=${i} DF PROTO=TCP SPT=${40000 + i} DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0`;
      });
      writeFileSync(join(logs, `node-${String(k).padStart(3, '0')}-kern.log`), lines.join('\n') + '\n');
    }
  });
  afterAll(() => {
    if (logs) for (const p of [logs, `${logs}-few.json`, `${logs}-many.json`]) rmSync(p, { recursive: true, force: true });
  });

  it('reads every log, and reports as it does with descriptors to spare', () => {
    const args = ['correlate', logs, '--year', '2026', '--format', 'json'];
    // (the reports go beside the folder: written into it, the first would be an input of the second)
    const few = withDescriptors(200, args, `${logs}-few.json`);
    expect(few.stderr).toBe('');
    expect(few.status).toBe(0);
    const report = JSON.parse(few.out) as { errors: unknown[]; stats: { events: number; violations: number } };
    expect(report.errors).toEqual([]);
    expect(report.stats.events).toBe(LOGS * 260);
    expect(report.stats.violations).toBeGreaterThan(0);
    expect(few.out).toBe(withDescriptors(undefined, args, `${logs}-many.json`).out);
  }, 120_000);
});
