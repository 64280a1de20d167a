// A small pool of scan workers for the firewall and audit inputs: whole inputs are handed out in
// order, results come back in any order and are put back in input order by the caller.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { appendAll } from './model/arrays.js';
import { InputError, RuleError, UsageError } from './model/errors.js';
import type { ScanMark, ScanResult } from './scan.js';
import type { ScanReply, ScanRulesMessage, ScanTask } from './scan-worker.js';
import { SharedStrings } from './model/shared-strings.js';

const WORKER = new URL('./scan-worker.js', import.meta.url);

/** Workers need the compiled worker script (dist/); from sources (tests), scanning stays in-process. */
export function workersAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER));
}

interface Pending {
  resolve: (r: ScanResult) => void;
  reject: (e: Error) => void;
  worker: Worker;
  /** the marks received while the worker scans */
  findings: ScanMark[];
  correlationMatches: ScanMark[];
}

export class ScanPool {
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: { task: ScanTask; resolve: (r: ScanResult) => void; reject: (e: Error) => void }[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 0;
  private strings = new SharedStrings();

  /** The workers start (loading their code) at once; they scan once given their rules (useRules). */
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER);
      w.on('message', (reply: ScanReply) => this.settle(w, reply));
      w.on('error', (err) => this.fail(w, err));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** The rules every scan applies, for the workers to compile: sent before any task. */
  useRules(rules: ScanRulesMessage['rules']): void {
    for (const w of this.workers) w.postMessage({ rules } satisfies ScanRulesMessage);
  }

  get size(): number {
    return this.workers.length;
  }

  scan(task: Omit<ScanTask, 'id'>): Promise<ScanResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { ...task, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.shift()!;
      const job = this.queue.shift()!;
      this.pending.set(job.task.id, { resolve: job.resolve, reject: job.reject, worker: w, findings: [], correlationMatches: [] });
      w.postMessage(job.task);
    }
  }

  private settle(w: Worker, reply: ScanReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    if ('marks' in reply) {
      appendAll(job.findings, this.strings.shareAll(reply.marks.findings));
      appendAll(job.correlationMatches, this.strings.shareAll(reply.marks.correlationMatches));
      return;
    }
    this.pending.delete(reply.id);
    this.idle.push(w);
    if (reply.ok) {
      // The marks sent during the scan come first, in the order they were sent.
      appendAll(job.findings, this.strings.shareAll(reply.result.findings));
      appendAll(job.correlationMatches, this.strings.shareAll(reply.result.correlationMatches));
      job.resolve({ ...reply.result, findings: job.findings, correlationMatches: job.correlationMatches });
    } else job.reject(rebuild(reply.error));
    this.dispatch();
  }

  private fail(w: Worker, err: Error): void {
    for (const [id, job] of this.pending) {
      if (job.worker !== w) continue;
      this.pending.delete(id);
      job.reject(err);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The worker's error as the same kind of error the main thread would have thrown. */
function rebuild(e: { name: string; message: string; path?: string; line?: number; stack?: string }): Error {
  if (e.name === 'InputError') return new InputError(e.message, e.path, e.line);
  if (e.name === 'RuleError') return new RuleError(e.message, e.path, e.line);
  if (e.name === 'UsageError') return new UsageError(e.message, e.path, e.line);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
