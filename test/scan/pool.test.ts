// A scan worker that dies must not leave the run waiting: its scan fails, the other workers take the
// queue, and once none is left every scan fails at once (the run then ends with the error).
import type { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/rules/load.js';
import { ensureBuilt } from '../cli/built-cli.js';

type Pool = import('../../src/scan-pool.js').ScanPool;
let ScanPool: typeof import('../../src/scan-pool.js').ScanPool;

beforeAll(async () => {
  ensureBuilt();
  // From dist/: the pool starts the compiled worker script.
  ({ ScanPool } = (await import(resolve('dist/scan-pool.js'))) as typeof import('../../src/scan-pool.js'));
}, 180_000);

const task = { path: resolve('samples/firewall/gpu-node-07-kern.log'), format: 'iptables', read: { tz: 'UTC', year: 2026 }, manualOffsetMs: 0, strict: false };

/** Stops one of the pool's workers from outside, as a crash would, and waits until the pool has seen it go. */
async function kill(pool: Pool, index: number): Promise<void> {
  const worker = (pool as unknown as { workers: Worker[] }).workers[index]!;
  const gone = new Promise((done) => worker.once('exit', done));
  await worker.terminate();
  await gone;
}

describe('ScanPool', () => {
  it('scans on with the workers left, then fails every scan at once when none is', async () => {
    const pool = new ScanPool(2);
    try {
      pool.useRules((await loadRuleSet(['rules'])).portable);
      await kill(pool, 0);
      expect(pool.size).toBe(1);
      const [a, b] = await Promise.all([pool.scan(task), pool.scan(task)]);
      expect(a.records).toBeGreaterThan(0);
      expect(b.records).toBe(a.records);
      await kill(pool, 0);
      expect(pool.size).toBe(0);
      await expect(pool.scan(task)).rejects.toThrow(/scan worker stopped unexpectedly/);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('reports a worker that ran out of memory as one line naming the input, not as a bug', async () => {
    const pool = new ScanPool(1);
    try {
      pool.useRules((await loadRuleSet(['rules'])).portable);
      const outcome = pool.scan(task).then(() => undefined, (e: unknown) => e);
      const worker = (pool as unknown as { workers: Worker[] }).workers[0]!;
      // What Node emits when a worker reaches its heap limit (the worker is then gone).
      worker.emit('error', Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' }));
      await worker.terminate();
      const err = await outcome;
      expect(err).toMatchObject({ name: 'InputError', path: task.path });
      expect((err as Error).message).toMatch(/ran out of memory .*AGENT_FORENSICS_HEAP_MB=<MiB> .*, or run with --workers 0/);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('gives each worker an eighth of the main heap, even when the main heap was set by flag', () => {
    // The launcher's child runs with --max-old-space-size, which used to give every worker the
    // main thread's whole limit (resourceLimits are ignored under that flag).
    const script = `
      import { Worker } from 'node:worker_threads';
      import { getHeapStatistics } from 'node:v8';
      const { workerHeapLimits } = await import(${JSON.stringify(resolve('dist/scan-pool.js'))});
      const resourceLimits = workerHeapLimits();
      const code = "import { parentPort } from 'node:worker_threads'; import { getHeapStatistics } from 'node:v8'; parentPort.postMessage(getHeapStatistics().heap_size_limit);";
      const w = new Worker(new URL('data:text/javascript,' + encodeURIComponent(code)), { resourceLimits });
      w.once('message', (limit) => { console.log(JSON.stringify({ main: getHeapStatistics().heap_size_limit, asked: resourceLimits.maxOldGenerationSizeMb, worker: limit })); w.terminate(); });`;
    const out = JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=20000', '--input-type=module', '-e', script], { encoding: 'utf8' })) as { main: number; asked: number; worker: number };
    const mb = (bytes: number) => bytes / 2 ** 20;
    expect(mb(out.main)).toBeGreaterThan(20000);
    expect(out.asked).toBe(Math.floor(mb(out.main) / 8));
    // heap_size_limit adds the young generation to the old one
    expect(mb(out.worker)).toBeGreaterThanOrEqual(out.asked);
    expect(mb(out.worker)).toBeLessThan(out.asked + 256);
  }, 60_000);

  it('keeps a worker\'s heap large enough for a whole document and no larger than the main one', async () => {
    const { workerHeapLimits } = (await import(resolve('dist/scan-pool.js'))) as typeof import('../../src/scan-pool.js');
    expect(workerHeapLimits(4096 * 2 ** 20).maxOldGenerationSizeMb).toBe(2048);
    expect(workerHeapLimits(1024 * 2 ** 20).maxOldGenerationSizeMb).toBe(1024);
    expect(workerHeapLimits(18432 * 2 ** 20).maxOldGenerationSizeMb).toBe(2304);
  });
});
