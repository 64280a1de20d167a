// A small pool of scan workers for the firewall and audit inputs: whole inputs are handed out in
// order, results come back in any order and are put back in input order by the caller. The timeline
// streams its second reading of large inputs from the same workers.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { appendAll } from './model/arrays.js';
import { InputError, RuleError, UsageError } from './model/errors.js';
import type { ScanMark, ScanResult } from './scan.js';
import type { ScanReply, ScanRulesMessage, ScanTask, TimelineBatch, TimelineCredit, TimelineReply, TimelineTask, WorkerError } from './scan-worker.js';
import { SharedStrings } from './model/shared-strings.js';

const WORKER = new URL('./scan-worker.js', import.meta.url);

/** Workers need the compiled worker script (dist/); from sources (tests), scanning stays in-process. */
export function workersAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER));
}

/** A timeline task's batches as they arrive, until the worker says it is done or failed. */
interface Stream {
  worker: Worker;
  path: string;
  batches: TimelineBatch[];
  sha256?: string;
  error?: Error;
  wake?: () => void;
}

interface Pending {
  resolve: (r: ScanResult) => void;
  reject: (e: Error) => void;
  worker: Worker;
  /** the input it scans */
  path: string;
  /** the marks received while the worker scans */
  findings: ScanMark[];
  correlationMatches: ScanMark[];
}

export class ScanPool {
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: { task: ScanTask; resolve: (r: ScanResult) => void; reject: (e: Error) => void }[] = [];
  private pending = new Map<number, Pending>();
  private streams = new Map<number, Stream>();
  private streamsStarted = 0;
  private nextId = 0;
  private strings = new SharedStrings();
  private closing = false;
  /** why every worker is gone: scans then fail at once instead of waiting for none */
  private lost?: Error;

  /** The workers start (loading their code) at once; they scan once given their rules (useRules). */
  constructor(size: number) {
    const resourceLimits = workerHeapLimits();
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER, { resourceLimits });
      w.on('message', (reply: ScanReply | TimelineReply) => ('ok' in reply || 'marks' in reply ? this.settle(w, reply) : this.receive(reply)));
      w.on('error', (err) => this.lose(w, err));
      w.on('exit', (code) => {
        if (!this.closing) this.lose(w, new Error(`a scan worker stopped unexpectedly (exit code ${code})`));
      });
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
      if (this.lost) return reject(this.lost);
      this.queue.push({ task: { ...task, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * An input read again for the timeline by a worker: its lines in batches, as the worker posts them
   * (at most two ahead of the reader), and its SHA-256 as the return value. Streams are spread over
   * the workers and run there side by side (the merge of the timeline reads them all at once).
   */
  async *timeline(task: Omit<TimelineTask, 'id' | 'timeline'>): AsyncGenerator<TimelineBatch, string> {
    if (this.lost) throw this.lost;
    const id = this.nextId++;
    const worker = this.workers[this.streamsStarted++ % this.workers.length]!;
    const stream: Stream = { worker, path: task.path, batches: [] };
    this.streams.set(id, stream);
    worker.postMessage({ ...task, id, timeline: true } satisfies TimelineTask);
    try {
      for (;;) {
        const batch = stream.batches.shift();
        if (batch) {
          worker.postMessage({ credit: id } satisfies TimelineCredit);
          yield batch;
        } else if (stream.error) throw stream.error;
        else if (stream.sha256 !== undefined) return stream.sha256;
        else await new Promise<void>((resolve) => (stream.wake = resolve));
      }
    } finally {
      this.streams.delete(id);
    }
  }

  private receive(reply: TimelineReply): void {
    const stream = this.streams.get(reply.id);
    if (!stream) return;
    if ('batch' in reply) stream.batches.push(reply.batch);
    else if ('done' in reply) stream.sha256 = reply.sha256;
    else stream.error = rebuild(reply.failed);
    wakeUp(stream);
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.shift()!;
      const job = this.queue.shift()!;
      this.pending.set(job.task.id, { resolve: job.resolve, reject: job.reject, worker: w, path: job.task.path, findings: [], correlationMatches: [] });
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

  /**
   * A worker that failed (an error it did not catch, its heap full) or stopped: its scan fails with
   * the error, the other workers take the queue, and with none left every scan fails. A worker lost
   * while idle (say, at start) used to keep its place and take a task it would never answer.
   */
  private lose(w: Worker, err: Error): void {
    if (!this.workers.includes(w)) return; // an error is followed by an exit
    this.workers = this.workers.filter((x) => x !== w);
    this.idle = this.idle.filter((x) => x !== w);
    const failure = (path: string) => (outOfMemory(err) ? new InputError(`a scan worker ran out of memory reading this input (${err.message}): give it a larger heap with AGENT_FORENSICS_HEAP_MB=<MiB> (a worker gets an eighth of it), or run with --workers 0`, path) : err);
    for (const [id, job] of this.pending) {
      if (job.worker !== w) continue;
      this.pending.delete(id);
      job.reject(failure(job.path));
    }
    for (const stream of this.streams.values()) {
      if (stream.worker !== w) continue;
      stream.error = failure(stream.path);
      wakeUp(stream);
    }
    if (this.workers.length > 0) return;
    this.lost = err;
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Resumes the reader of a stream waiting for its next batch or its end, if it waits. */
function wakeUp(stream: Stream): void {
  const wake = stream.wake;
  stream.wake = undefined;
  wake?.();
}

/** A worker's heap: this share of the main thread's limit (sized to the machine, src/cli/heap.ts), within the bounds below. */
const WORKER_HEAP_SHARE = 1 / 8;
/** enough to parse a whole-document input of the default --max-document-bytes (256 MiB) */
const WORKER_HEAP_MIN_MB = 2048;

/**
 * The heap limit of the scan workers about to start. A worker holds one input's reading state and
 * its marks until they are posted (batches of MARKS_PER_BATCH, spilled past a budget), so it needs
 * a small heap. By default a worker got the main thread's limit, three quarters of the machine: two
 * workers and the main thread could together claim more than twice the machine, and the kernel would
 * kill the process before V8 stopped a worker. A `--max-old-space-size` flag (which the launcher's
 * child runs with) overrides the workers' resourceLimits, so it is set back to Node's default
 * first; the main thread's heap, already made, keeps its size.
 */
export function workerHeapLimits(mainLimitBytes = getHeapStatistics().heap_size_limit): ResourceLimits {
  setFlagsFromString('--max-old-space-size=0');
  const share = Math.floor((mainLimitBytes * WORKER_HEAP_SHARE) / 2 ** 20);
  const main = Math.floor(mainLimitBytes / 2 ** 20);
  return { maxOldGenerationSizeMb: Math.min(main, Math.max(WORKER_HEAP_MIN_MB, share)) };
}

/** A worker stopped by its heap limit (workerHeapLimits; the user sizes it through the main heap): a lack of memory, not a bug. */
function outOfMemory(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/** The worker's error as the same kind of error the main thread would have thrown. */
function rebuild(e: WorkerError): Error {
  if (e.name === 'InputError') return new InputError(e.message, e.path, e.line);
  if (e.name === 'RuleError') return new RuleError(e.message, e.path, e.line);
  if (e.name === 'UsageError') return new UsageError(e.message, e.path, e.line);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
