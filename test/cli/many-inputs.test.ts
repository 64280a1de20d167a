// RL training leaves thousands of episode transcripts in one folder. The timeline reads every input
// again and merges them by time; opening all of them at once ran out of file descriptors (commonly
// 1024 a process) and failed with a misleading "SHA-256 differs". It now merges at most a few hundred
// at a time, through temporary files. Run under a lower descriptor limit than there are inputs.
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

/** The timeline under `ulimit -n 400` (fewer descriptors than inputs); its exit code, output and errors. */
function timelineWithFewDescriptors(format: string): { status: number | null; out: string; stderr: string } {
  const out = join(dir, `timeline.${format}`);
  const r = spawnSync('sh', ['-c', 'ulimit -n 400 && exec "$0" "$@"', process.execPath, join(ROOT, 'bin/agent-forensics.js'), 'timeline', dir, '--format', format, '-o', out, '-q', '--no-progress'],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.status === 0 ? readFileSync(out, 'utf8') : '', stderr: r.stderr };
}

describe('a timeline of more inputs than the process may open at once', () => {
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
