// The launcher runs `correlate` and `timeline` in a child Node with a heap sized to the machine
// (Node's own limit is about 4 GB): the decision, and that the child is invisible to the user
// (exit codes, signals, streams), checked on the built CLI.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableMemory, HEAP_ENV, heapToRestartWith, type HeapSituation } from '../../src/cli/heap.js';
import { ensureBuilt, ROOT, runCli, SAMPLES } from './built-cli.js';

const GiB = 2 ** 30;
const situation = (over: Partial<HeapSituation> = {}): HeapSituation => ({
  args: ['correlate', 'evidence/'], execArgv: [], env: {}, totalMemoryBytes: 24 * GiB, heapLimitBytes: 4144 * 2 ** 20, ...over,
});

describe('the heap an analysis runs with', () => {
  it('is three quarters of the machine for correlate and timeline, when that is well above Node\'s limit', () => {
    expect(heapToRestartWith(situation())).toBe(18432);
    expect(heapToRestartWith(situation({ args: ['--no-color', 'timeline', 'x'] }))).toBe(18432);
    // 4 GiB machine with a 2 GiB limit: 3 GiB is 1.5 times it, worth a second process; 3.9 GiB is not
    expect(heapToRestartWith(situation({ totalMemoryBytes: 4 * GiB, heapLimitBytes: 2 * GiB }))).toBe(3072);
    expect(heapToRestartWith(situation({ totalMemoryBytes: 3.9 * GiB, heapLimitBytes: 2 * GiB }))).toBeUndefined();
  });

  it('is sized to a container\'s memory limit when there is one', () => {
    expect(availableMemory(24 * GiB, 2 ** 64)).toBe(24 * GiB);
    expect(availableMemory(24 * GiB, undefined)).toBe(24 * GiB);
    expect(availableMemory(24 * GiB, 0)).toBe(24 * GiB);
    expect(availableMemory(24 * GiB, 2 * GiB)).toBe(2 * GiB);
    // a 2 GiB container: 1.5 GiB is not worth a second process beside a 2 GiB default
    expect(heapToRestartWith(situation({ totalMemoryBytes: availableMemory(24 * GiB, 2 * GiB), heapLimitBytes: 2 * GiB }))).toBeUndefined();
  });

  it('is left to Node for commands that do not read evidence', () => {
    for (const args of [['verify', 'r.json'], ['rules', 'test'], ['formats'], ['--version'], []]) expect(heapToRestartWith(situation({ args }))).toBeUndefined();
  });

  it('is the user\'s when they set one, in the Node options or in AGENT_FORENSICS_HEAP_MB', () => {
    expect(heapToRestartWith(situation({ execArgv: ['--max-old-space-size=2048'] }))).toBeUndefined();
    expect(heapToRestartWith(situation({ env: { NODE_OPTIONS: '--enable-source-maps --max_old_space_size=9000' } }))).toBeUndefined();
    expect(heapToRestartWith(situation({ env: { [HEAP_ENV]: '0' } }))).toBeUndefined();
    expect(heapToRestartWith(situation({ env: { [HEAP_ENV]: '4144' } }))).toBeUndefined();
    expect(heapToRestartWith(situation({ env: { [HEAP_ENV]: '1000' } }))).toBe(1000);
    expect(heapToRestartWith(situation({ env: { [HEAP_ENV]: ' 64000 ' }, totalMemoryBytes: 8 * GiB }))).toBe(64000);
    expect(heapToRestartWith(situation({ env: { [HEAP_ENV]: '' } }))).toBe(18432);
  });

  it('refuses a size that is not a whole number of MiB', () => {
    for (const bad of ['abc', '-1', '1.5', '4g', '1e3']) expect(() => heapToRestartWith(situation({ env: { [HEAP_ENV]: bad } })), bad).toThrow(HEAP_ENV);
  });
});

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and brackets, the rest follows the last ')'
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Starts the launcher on standard input (which the test keeps open) and waits for its child. */
async function launcherWithChild(env: Record<string, string>): Promise<{ proc: ReturnType<typeof spawn>; child: number; exit: Promise<{ code: number | null; stderr: string }> }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/agent-forensics.js'), 'correlate', '-', '-q'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  proc.stdout!.resume();
  const exit = new Promise<{ code: number | null; stderr: string }>((res) => proc.on('exit', (code) => res({ code, stderr })));
  const until = Date.now() + 20_000;
  for (;;) {
    const [child] = childrenOf(proc.pid!);
    // The child's command line names its heap once it has exec'ed node.
    if (child !== undefined && readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('--max-old-space-size=')) return { proc, child, exit };
    if (Date.now() > until) throw new Error(`no child of the launcher started: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(process.platform !== 'linux')('the launcher with a child process (built CLI)', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  it('starts the child with the heap asked for and passes its report and exit code through', async () => {
    const { proc, child, exit } = await launcherWithChild({ [HEAP_ENV]: '1500' });
    expect(readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')).toContain('--max-old-space-size=1500');
    proc.stdin!.end(readFileSync(join(ROOT, 'samples/firewall/gpu-node-07-kern.log')));
    expect((await exit).code).toBe(0);
    // the samples' exit code 1 (--fail-on) and report come through the child unchanged
    const direct = runCli([...SAMPLES, '--format', 'json', '--fail-on', 'high'], { [HEAP_ENV]: '0' });
    const through = runCli([...SAMPLES, '--format', 'json', '--fail-on', 'high'], { [HEAP_ENV]: '1500' });
    expect(direct.status).toBe(1);
    expect(through.status).toBe(1);
    expect(through.stdout.equals(direct.stdout)).toBe(true);
  });

  it('passes SIGTERM on to the child: exit 143, and no process is left', async () => {
    const { proc, child, exit } = await launcherWithChild({ [HEAP_ENV]: '1500' });
    proc.kill('SIGTERM');
    expect((await exit).code).toBe(143);
    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(`/proc/${child}`) && !readFileSync(`/proc/${child}/stat`, 'utf8').includes(') Z ')).toBe(false);
  });

  it('says in one line when the system killed the child, and exits 128 + the signal', async () => {
    const { child, exit } = await launcherWithChild({ [HEAP_ENV]: '1500' });
    process.kill(child, 'SIGKILL');
    const { code, stderr } = await exit;
    expect(code).toBe(137);
    expect(stderr.trim().split('\n')).toEqual(['agent-forensics: the analysis was stopped by SIGKILL (by the system: it may have run out of memory)']);
  });

  it('refuses a malformed AGENT_FORENSICS_HEAP_MB in one line (exit 2)', () => {
    const r = runCli([...SAMPLES], { [HEAP_ENV]: 'lots' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`agent-forensics: ${HEAP_ENV} must be a whole number of MiB (0: Node's own limit), not 'lots'`]);
  });
});
