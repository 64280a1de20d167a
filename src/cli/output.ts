// Where a report goes (stdout or -o file), whether it may be coloured, and what goes to stderr
// around it: a progress bar on terminals only, and the one-line end-of-run summary.
import { closeSync, fstatSync, ftruncateSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { writeFile, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, UserError } from '../model/errors.js';
import type { Report, ReportHead, Violation } from '../model/report.js';
import { SyncWriter } from '../model/sync-writer.js';
import type { ViolationSink } from '../options.js';
import type { ReportStream } from '../report/renderer.js';
import { countBySeverity } from '../report/md.js';

type Env = Record<string, string | undefined>;

export function wantsColor(flags: { color?: boolean; output?: string }): boolean {
  if (flags.color === false || flags.output) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== '0';
  return process.stdout.isTTY === true;
}

/** Bytes of small pieces gathered before one write (one write per piece made writing wait on the disk). */
const WRITE_BYTES = 1 << 20;

/**
 * Pieces of text gathered into writes of about WRITE_BYTES through two reused buffers: one is being
 * written while the next is filled, so the report is made while the disk works (waiting for each
 * write left the CLI idle about 15 % of a large run). Writes stay in order: one at a time.
 */
async function writeGathered(text: AsyncIterable<string>, write: (bytes: Buffer) => Promise<unknown>): Promise<void> {
  const buffers = [Buffer.allocUnsafe(WRITE_BYTES), Buffer.allocUnsafe(WRITE_BYTES)];
  let current = 0;
  let used = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const send = async (bytes: Buffer) => {
    // The other buffer's write must be done before this one starts (order) and before it is refilled.
    await inFlight;
    inFlight = write(bytes);
    // Handled here, thrown at the next await: a failed write must not count as an unhandled rejection.
    inFlight.catch(() => undefined);
  };
  const flush = async () => {
    if (used === 0) return;
    await send(buffers[current]!.subarray(0, used));
    current = 1 - current;
    used = 0;
  };
  for await (const chunk of text) {
    const bytes = Buffer.byteLength(chunk);
    if (used + bytes > WRITE_BYTES) await flush();
    if (bytes > WRITE_BYTES) await send(Buffer.from(chunk, 'utf8'));
    else used += buffers[current]!.write(chunk, used, 'utf8');
  }
  await flush();
  await inFlight;
}

/**
 * A report written to its file as the violations are built (a renderer's ReportStream): a flood's
 * millions of violations go straight to the report instead of to a temporary file first and then
 * through the renderer. The file is the -o file or standard output (see streamsTo). Text is
 * gathered into writes of a mebibyte (SyncWriter), made synchronously (violations are built in a
 * synchronous loop; a file write mostly lands in the page cache, a full pipe is waited for). An -o
 * file is created when the head comes, after the inputs were read (an -o naming an input cannot
 * empty it before it is read). When the analysis fails (abort), what was written goes where it can:
 * the -o file is removed (a regular file only), standard output cut back to its size at the start
 * when it is a regular file; a pipe's reader has the report's beginning and the run's exit code.
 */
export class StreamedReport implements ViolationSink {
  private fd: number | undefined;
  private writer: SyncWriter | undefined;
  /** standard output's size when the report began, when it is a regular file (it may be appended to: `>>`) */
  private startSize: number | undefined;
  private written = false;

  /** `path`: the -o file; undefined: standard output (see streamsTo) */
  constructor(private readonly stream: ReportStream, private readonly path: string | undefined) {}

  begin(head: ReportHead): void {
    try {
      if (this.path === undefined) {
        const st = fstatSync(STDOUT);
        this.startSize = st.isFile() ? st.size : undefined;
      }
      this.fd = this.path === undefined ? STDOUT : openSync(this.path, 'w');
    } catch (err) {
      throw this.writeError(err);
    }
    this.writer = new SyncWriter(this.fd, (err) => this.writeError(err));
    this.writer.put(this.stream.begin(head));
  }

  add(v: Violation): void {
    this.writer!.put(this.stream.violation(v, !this.written));
    this.written = true;
  }

  /** The rest of the finished report; the file is then complete (and closed, unless standard output). */
  end(report: Report): void {
    if (this.fd === undefined) this.begin(report);
    this.writer!.put(this.stream.end(report, this.written));
    this.writer!.flush();
    if (this.fd !== STDOUT) closeSync(this.fd!);
    this.fd = undefined;
  }

  /** The analysis failed: the unfinished report goes (never a device such as /dev/full). */
  abort(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      if (fd === STDOUT) {
        if (this.startSize !== undefined) ftruncateSync(STDOUT, this.startSize);
        return;
      }
      const regular = fstatSync(fd).isFile();
      closeSync(fd);
      if (regular) unlinkSync(this.path!);
    } catch {
      // gone already, or not ours to cut: the error that stopped the report is the one to tell
    }
  }

  private writeError(err: unknown): Error {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    // A reader that closed the pipe (`| head`) chose to: the run ends quietly (main.ts).
    if (code === 'EPIPE' && this.path === undefined) return err as Error;
    return this.path === undefined ? new InputError(`cannot write the report to standard output: ${code}`) : new InputError(`cannot write the report: ${code}`, this.path);
  }
}

const STDOUT = 1;

/**
 * Where a report may be written as its violations are built: the -o file, or standard output
 * (a file, a pipe, a terminal, a device) when it is open. Undefined: nowhere.
 */
export function streamsTo(output: string | undefined): { path: string | undefined } | undefined {
  if (output) return { path: output };
  try {
    fstatSync(STDOUT);
    return { path: undefined };
  } catch {
    return undefined;
  }
}

/** Writes a report, whole or in pieces, to the -o file or to standard output. */
export async function writeOutput(text: string | AsyncIterable<string>, output: string | undefined): Promise<void> {
  if (output) {
    let file: FileHandle | undefined;
    try {
      if (typeof text === 'string') await writeFile(output, text, 'utf8');
      else {
        const handle = (file = await open(output, 'w'));
        await writeGathered(text, (bytes) => handle.write(bytes));
      }
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new InputError(`cannot write the report: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, output);
    } finally {
      await file?.close();
    }
    return;
  }
  const put = (chunk: string | Buffer) => new Promise<void>((resolve, reject) => {
    // A file or pipe behind stdout may be written synchronously: its error is thrown, not passed on.
    try {
      process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
  try {
    if (typeof text === 'string') await put(text);
    // stdout keeps no reference to a Buffer after the callback: the gathered buffer can be reused.
    else await writeGathered(text, put);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A closed pipe (`| head`) is the reader's choice: the CLI ends quietly (see main.ts).
    if (err instanceof UserError || code === 'EPIPE') throw err;
    throw new InputError(`cannot write the report to standard output: ${code ?? (err as Error).message}`);
  }
}

/** `512 B`, `12.4 kB`, `3.1 MB`, `1.20 GB` (SI units, as ls -h --si and most progress bars). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** `0.4 s`, `12.3 s`, `2 min 5 s`, `1 h 3 min`. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export interface ProgressState {
  done: number;
  total: number;
  bytesDone: number;
  /** 0 when unknown (standard input, or no input list given) */
  bytesTotal: number;
  elapsedMs: number;
  path: string;
}

/** `[██████░░░…]  25%`: a bar of 24 cells and the whole percent done. */
function progressBar(fraction: number): string {
  const filled = Math.round(fraction * BAR_CELLS);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

const BAR_CELLS = 24;

/** Columns a progress line may take on this stream (one short of the edge, so the terminal does not wrap). */
const lineWidth = (stream: ProgressStream): number => Math.max(40, (stream.columns ?? 100) - 1);

/** One progress line, at most `width` columns: bar, percentage, inputs, bytes, time, current file. */
export function progressLine(p: ProgressState, width: number): string {
  const fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : p.total > 0 ? p.done / p.total : 1;
  const bytes = p.bytesTotal > 0 ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : p.bytesDone > 0 ? formatBytes(p.bytesDone) : '';
  const head = [progressBar(fraction), `${p.done}/${p.total} inputs`, bytes, formatDuration(p.elapsedMs)]
    .filter(Boolean).join(' · ');
  const room = width - [...head].length - 3;
  if (!p.path || room < 8) return [...head].slice(0, width).join('');
  const chars = [...p.path];
  return `${head} · ${chars.length <= room ? p.path : '…' + chars.slice(-(room - 1)).join('')}`;
}

/** Size in bytes of files under the given paths (folders walked), capped so a huge tree costs little. */
function inputBytes(paths: readonly string[], maxEntries = 200_000): number {
  let total = 0;
  let seen = 0;
  const visit = (p: string): void => {
    if (++seen > maxEntries) return;
    try {
      const st = statSync(p);
      if (st.isFile()) total += st.size;
      else if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    } catch {
      // unreadable paths are the pipeline's to report; the bar just counts less
    }
  };
  paths.filter((p) => p !== '-').forEach(visit);
  return total;
}

const isCi = (env: Env): boolean => env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';

interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/**
 * A progress bar on stderr, only on a terminal, never in CI, with --quiet or --no-progress. Given the
 * command's input paths it measures progress in bytes; otherwise in inputs. Redraws at most every
 * 80 ms, and clears its line when the last input is done so the report or summary starts clean.
 */
export function progressReporter(
  flags: { quiet?: boolean; progress?: boolean },
  inputPaths?: readonly string[],
  stream: ProgressStream = process.stderr,
  env: Env = process.env,
  now: () => number = () => performance.now(),
): ((done: number, total: number, path: string) => void) | undefined {
  if (!drawsProgress(flags, stream, env)) return undefined;
  const started = now();
  let bytesTotal: number | undefined;
  let bytesDone = 0;
  let current: { path: string; bytes: number } | undefined;
  let drawnAt = -Infinity;
  return (done, total, path) => {
    bytesTotal ??= inputPaths ? inputBytes(inputPaths) : 0;
    // The pipeline announces each input before reading it: the previous one is finished now.
    if (current) bytesDone += current.bytes;
    current = undefined;
    if (path && path !== '-') {
      try {
        current = { path, bytes: statSync(path).size };
      } catch {
        current = { path, bytes: 0 };
      }
    }
    if (done >= total) {
      stream.write('\r\u001b[2K');
      return;
    }
    const t = now();
    if (t - drawnAt < 80 && done > 0) return;
    drawnAt = t;
    const line = progressLine({ done, total, bytesDone, bytesTotal: Math.max(bytesTotal, bytesDone), elapsedMs: t - started, path }, lineWidth(stream));
    stream.write(`\r\u001b[2K${line}`);
  };
}

/** Progress is drawn only on a terminal, never in CI or on a dumb terminal, nor with --quiet or --no-progress. */
function drawsProgress(flags: { quiet?: boolean; progress?: boolean }, stream: ProgressStream, env: Env): boolean {
  return !flags.quiet && flags.progress !== false && stream.isTTY === true && !isCi(env) && env.TERM !== 'dumb';
}

/** Events between two calls of `onStep` while a stream is consumed (see stepping). */
export const STEP_EVENTS = 4096;

/**
 * The items of a stream, reporting to `onStep` as they pass: at the start, every STEP_EVENTS items,
 * and as done (`total` of `total`, which clears the bar) once the stream ends, however many passed
 * (a time range leaves out some of the `total` expected).
 */
export async function* stepping<T>(items: AsyncIterable<T>, onStep: (step: string, done: number, total: number) => void, step: string, total: number, weight: (item: T) => number = () => 1): AsyncGenerator<T> {
  let done = 0;
  onStep(step, 0, total);
  try {
    for await (const item of items) {
      yield item;
      // `weight`: how many of the counted things an item is (a batch of lines: its length)
      const before = done;
      done += weight(item);
      if (Math.floor(done / STEP_EVENTS) > Math.floor(before / STEP_EVENTS) && done < total) onStep(step, done, total);
    }
  } finally {
    onStep(step, total, total);
  }
}

/**
 * The progress of a long step after the reading (AnalysisOptions.onStep), under the same conditions
 * as the input progress bar: `[bar]  42% · attributing violations 410,112 of 967,732 · 1 min 3 s`,
 * redrawn at most every 200 ms, its line cleared when the step is done.
 */
export function stepReporter(
  flags: { quiet?: boolean; progress?: boolean },
  stream: ProgressStream = process.stderr,
  env: Env = process.env,
  now: () => number = () => performance.now(),
): ((step: string, done: number, total: number) => void) | undefined {
  if (!drawsProgress(flags, stream, env)) return undefined;
  let started: { step: string; at: number } | undefined;
  let drawnAt = -Infinity;
  const count = (n: number) => n.toLocaleString('en-US');
  return (step, done, total) => {
    if (done >= total) {
      if (started) stream.write('\r\u001b[2K');
      started = undefined;
      return;
    }
    const t = now();
    if (started?.step !== step) started = { step, at: t };
    else if (t - drawnAt < 200) return;
    drawnAt = t;
    const line = `${progressBar(total > 0 ? done / total : 0)} · ${step} ${count(done)} of ${count(total)} · ${formatDuration(t - started.at)}`;
    stream.write(`\r\u001b[2K${[...line].slice(0, lineWidth(stream)).join('')}`);
  };
}

/**
 * The end-of-run summary, in the manner of Hayabusa's results summary, as one line for stderr:
 * inputs, records, skipped, violations, attributed, incidents by severity, time taken.
 */
export function summaryLine(report: Report, elapsedMs: number, output?: string): string {
  const s = report.stats;
  const unknown = report.inputs.filter((i) => i.format === 'unknown').length;
  const skipped = report.inputs.reduce((n, i) => n + i.skipped, 0);
  const bytes = report.inputs.reduce((n, i) => n + i.bytes, 0);
  const bySev = countBySeverity(report.incidents).map((c) => `${c.count} ${c.severity}`).join(', ');
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    `${plural(report.inputs.length, 'input')}${unknown ? ` (${unknown} not recognized)` : ''}, ${formatBytes(bytes)}`,
    `${plural(s.events, 'record')}, ${skipped} skipped`,
    `${plural(s.violations, 'violation')}, ${s.attributed} attributed`,
    `${plural(report.incidents.length, 'incident')}${bySev ? ` (${bySev})` : ''}`,
  ];
  return `agent-forensics: ${parts.join('; ')}; ${output ? `wrote ${output} ` : ''}in ${formatDuration(elapsedMs)}`;
}
