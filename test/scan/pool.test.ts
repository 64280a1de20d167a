// A scan worker that dies must not leave the run waiting: its scan fails, the other workers take the
// queue, and once none is left every scan fails at once (the run then ends with the error).
import type { Worker } from 'node:worker_threads';
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
      expect((err as Error).message).toMatch(/ran out of memory .*AGENT_FORENSICS_HEAP_MB=<MiB>, or run with --workers 0/);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
