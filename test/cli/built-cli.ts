// Test helper: runs the BUILT command line (bin/agent-forensics.js → dist/) as users do, building
// dist/ first when it is missing or older than src/. Test files share one build through a lock dir.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const LOCK = join(ROOT, 'dist/.test-build-lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

const isFresh = (): boolean => existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(ROOT, 'src'));

/** Builds dist/ unless it is up to date. tsc's exit code is not checked: type errors are `npm test`'s to report. */
export function ensureBuilt(): void {
  if (isFresh()) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  let owner = false;
  try {
    mkdirSync(LOCK);
    owner = true;
  } catch {
    // another test file is building: wait for it (Atomics.wait sleeps without spinning the CPU)
    const until = Date.now() + 120_000;
    while (existsSync(LOCK) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  if (owner) {
    try {
      spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  if (!existsSync(MAIN)) throw new Error('the build did not produce dist/cli/main.js');
}

export interface CliResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `node bin/agent-forensics.js ...args` in the repo root, stdout and stderr piped, colour variables cleared. */
export function runCli(args: string[], env: Record<string, string> = {}, input?: Buffer | string): CliResult {
  const base = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'CI']) delete base[k];
  const r: SpawnSyncReturns<Buffer> = spawnSync(process.execPath, [join(ROOT, 'bin/agent-forensics.js'), ...args], {
    cwd: ROOT, env: { ...base, ...env }, input, maxBuffer: 256 << 20, timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** The quick-start job on the bundled samples, plus extra flags. */
export const SAMPLES = ['correlate', 'samples', '--inventory', 'samples/inventory.csv'];
