// Paths → input sources (sorted folder walk, stdin), then bytes: opened read-only, hashed with
// SHA-256 while streaming, gunzipped by magic bytes (with bomb guards), UTF-16 turned into UTF-8.
// Parsers never see compression, encodings or files.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../model/errors.js';
import type { Issue } from '../model/issue.js';
import { IO_AT_ONCE, mapInOrder } from './in-order.js';

export interface InputSource {
  /** the path as given on the command line, or as found under a given folder; `-` for stdin */
  path: string;
  isStdin: boolean;
  /**
   * A pipe or device named on the command line (`<(zcat x.gz)`, a FIFO): like stdin it can be read
   * only once, so detection keeps its stream open for the parse pass.
   */
  isStream?: boolean;
  /**
   * A byte slice of a regular file [start, end), beginning at a line start: the pipeline hands
   * halves of one large uncompressed log to scan workers. Hashing the whole file is then its job.
   */
  range?: { start: number; end: number };
  /** the file's size when it was listed: only sizes the read buffers (a small file gets small ones) */
  size?: number;
}

export interface ResolvedInputs {
  sources: InputSource[];
  /** files inside given folders that could not be listed or read; the run goes on */
  problems: Issue[];
}

/**
 * Expands the command-line paths. A path that does not exist is a user error (exit 2);
 * inside folders, unreadable entries and symlink loops are reported and skipped.
 */
export async function resolveInputs(paths: string[]): Promise<ResolvedInputs> {
  const sources: InputSource[] = [];
  const problems: Issue[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (p === '-') {
      sources.push({ path: '-', isStdin: true });
      continue;
    }
    let info;
    try {
      info = await stat(p);
    } catch (err) {
      throw new InputError(`cannot read input: ${describeFsError(err)}`, p, undefined, { cause: err });
    }
    if (info.isDirectory()) {
      await walk(p, sources, problems, new Set(), seen);
      continue;
    }
    if (info.isFile()) {
      const denied = await cannotOpen(p);
      if (denied) throw new InputError(`cannot read input: ${denied}`, p);
      addFile(p, sources, seen, info.size);
    } else if (info.isFIFO() || info.isCharacterDevice() || info.isSocket()) {
      // Named explicitly, a pipe is what the user wants read (process substitution): read it once.
      if (!seen.has(p)) {
        seen.add(p);
        sources.push({ path: p, isStdin: false, isStream: true });
      }
    } else {
      throw new InputError(`cannot read input: ${kindOf(info)}`, p);
    }
  }
  return { sources, problems };
}

function addFile(path: string, sources: InputSource[], seen: Set<string>, size: number): void {
  if (seen.has(path)) return;
  seen.add(path);
  sources.push({ path, isStdin: false, size });
}

/** Opening is the only honest readability test: access(2) says yes to root even where reading fails. */
async function cannotOpen(path: string): Promise<string | undefined> {
  try {
    const fh = await open(path, 'r');
    await fh.close();
    return undefined;
  } catch (err) {
    return describeFsError(err);
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

async function walk(dir: string, sources: InputSource[], problems: Issue[], ancestors: Set<string>, seen: Set<string>): Promise<void> {
  let real: string;
  let names: string[];
  try {
    real = await realpath(dir);
    if (ancestors.has(real)) {
      problems.push({ path: dir, message: 'symbolic link loop; folder not read again' });
      return;
    }
    names = (await readdir(dir)).sort();
  } catch (err) {
    problems.push({ path: dir, message: `cannot read folder: ${describeFsError(err)}` });
    return;
  }
  const inner = new Set(ancestors).add(real);
  // Entries are looked at a few at a time (a folder may hold tens of thousands of files) and taken in name order.
  const entries = await mapInOrder(names, IO_AT_ONCE, (name) => lookAt(join(dir, name)));
  for (const entry of entries) {
    if (entry.kind === 'folder') await walk(entry.path, sources, problems, inner, seen);
    else if (entry.kind === 'file') addFile(entry.path, sources, seen, entry.size);
    else problems.push({ path: entry.path, message: entry.problem });
  }
}

type Entry = { kind: 'folder'; path: string } | { kind: 'file'; path: string; size: number } | { kind: 'problem'; path: string; problem: string };

/** What a folder entry is: a folder to walk, a readable file, or why it is not read (never throws). */
async function lookAt(path: string): Promise<Entry> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { kind: 'folder', path };
    if (info.isFile()) {
      const denied = await cannotOpen(path);
      return denied ? { kind: 'problem', path, problem: `cannot read: ${denied}; not analysed` } : { kind: 'file', path, size: info.size };
    }
    // A pipe inside an evidence folder could block the run for ever; devices are not evidence files.
    return { kind: 'problem', path, problem: `${kindOf(info)}, not a regular file; not read` };
  } catch (err) {
    return { kind: 'problem', path, problem: `cannot read: ${describeFsError(err)}` };
  }
}

export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT': return 'no such file or folder';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a folder';
    case 'ELOOP': return 'too many symbolic links';
    default: return e?.message ?? String(err);
  }
}

/** What reading an input established about its bytes. */
export interface ReadResult {
  sha256: string;
  /** bytes as stored (compressed size for gzip) */
  bytes: number;
  gzip: boolean;
  /** the text was UTF-16 (by its byte-order mark) and was read as such */
  encoding?: 'utf-16le' | 'utf-16be';
  /** reading stopped early: unreadable file, truncated or corrupt gzip, size limit */
  error?: string;
  /** the line reading had reached when `error` struck (filled in by the line stage, when known) */
  errorLine?: number;
}

export interface ReadOptions {
  /** the most decompressed bytes read from one gzip input */
  maxDecompressedBytes?: number;
  /**
   * A gzip bomb guard: past GZIP_RATIO_FLOOR_BYTES of output, stop when the output exceeds this many
   * times the compressed bytes read so far. 0 turns it off.
   */
  maxGzipRatio?: number;
  /**
   * When the consumer stops early, read the rest anyway so `sha256` covers the whole input (default).
   * Detection, which only wants the head and never reports a hash, turns this off.
   */
  hashWhole?: boolean;
}

/** Generous for evidence (a day of firewall logs), finite for a bomb. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 ** 3;
/**
 * Real logs compress 5–50 fold, very repetitive ones rarely beyond 100; deflate tops out near 1032.
 * A bomb is all repetition, so a ratio this high over hundreds of MiB is not evidence worth a stall.
 */
export const DEFAULT_MAX_GZIP_RATIO = 200;
export const GZIP_RATIO_FLOOR_BYTES = 256 * 1024 * 1024;

const CHUNK = 1 << 20;
const SMALLEST_CHUNK = 16 * 1024;

/**
 * Bytes read at a time: 1 MiB, or less for a small file or slice. Each read allocates its buffer
 * whole, and a folder of tens of thousands of small files spent most of its time collecting them.
 */
export function readChunkBytes(source: InputSource): number {
  const size = source.range ? source.range.end - source.range.start : source.size;
  return size === undefined ? CHUNK : Math.min(CHUNK, Math.max(SMALLEST_CHUNK, size + 1));
}

/** Decompressed bytes produced at a time: 256 KiB, less for a small gzip file (logs expand up to ~50 fold). */
export function gunzipChunkBytes(source: InputSource): number {
  const size = source.size;
  return size === undefined ? 256 * 1024 : Math.min(256 * 1024, Math.max(SMALLEST_CHUNK, 2 ** Math.ceil(Math.log2(size * 16 + 1))));
}

/**
 * What a gzip file says its content weighs: the last member's ISIZE (the uncompressed size modulo
 * 2^32, RFC 1952), read from its last four bytes. An estimate (a file of several members names its
 * last one's only); undefined when the file cannot be read.
 */
export async function gzipContentBytes(path: string): Promise<number | undefined> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, 'r');
    const { size } = await file.stat();
    if (size < 18) return undefined;
    const tail = Buffer.alloc(4);
    await file.read(tail, 0, 4, size - 4);
    return tail.readUInt32LE(0);
  } catch {
    return undefined;
  } finally {
    await file?.close();
  }
}

/** Pipes and stdin are read once; a second open would block on an empty pipe or hash the wrong bytes. */
const openedOnce = new WeakMap<InputSource, { chunks: AsyncGenerator<Buffer>; result: Promise<ReadResult> }>();

/**
 * Streams an input's content (decompressed when it is gzip, as UTF-8 when it is UTF-16), hashing
 * the stored bytes. `result` settles after the stream is consumed; the hash always covers the whole
 * stored input, even when decompression failed half way (what was readable has been yielded by then).
 */
export function openInput(source: InputSource, options: ReadOptions = {}): { chunks: AsyncIterable<Buffer>; result: Promise<ReadResult> } {
  const hash = createHash('sha256');
  const state: ReadResult = { sha256: '', bytes: 0, gzip: false };
  let settle!: (r: ReadResult) => void;
  const result = new Promise<ReadResult>((resolve) => (settle = resolve));
  const readsOnce = source.isStdin || source.isStream === true;
  const earlier = readsOnce ? openedOnce.get(source) : undefined;
  if (earlier) {
    // A second open of stdin or a pipe (to hash an input whose format is unknown): the bytes cannot
    // come again, but the first reader can finish, so the hash and size still cover all of them.
    async function* rest(): AsyncGenerator<Buffer> {
      for await (const _ of { [Symbol.asyncIterator]: () => earlier!.chunks }) void _;
    }
    return { chunks: rest(), result: earlier.result };
  }
  let raw: Readable | undefined;
  const openRaw = (): Readable => (source.isStdin ? process.stdin : createReadStream(source.path, {
    flags: 'r', highWaterMark: readChunkBytes(source), ...(source.range ? { start: source.range.start, end: source.range.end - 1 } : {}),
  }));

  // A slice of a file has no hash of its own: the file's is taken whole, beside the slices' scans.
  const hashing = source.range === undefined;
  async function* stored(): AsyncGenerator<Buffer> {
    raw = openRaw();
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      if (hashing) hash.update(chunk);
      state.bytes += chunk.length;
      yield chunk;
    }
  }

  async function* chunks(): AsyncGenerator<Buffer> {
    const it = stored();
    try {
      const first = await it.next();
      if (first.done) return;
      let content: AsyncIterable<Buffer>;
      if (first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b) {
        state.gzip = true;
        content = gunzip(first.value, it, state, options, gunzipChunkBytes(source));
      } else {
        content = prepend(first.value, it);
      }
      yield* decodeUtf16(content, state);
    } catch (err) {
      state.error = `read failed: ${describeFsError(err)}`;
    } finally {
      // Finish hashing whatever was not consumed (early stop by the consumer, or a gzip error).
      try {
        if (options.hashWhole === false) {
          await it.return(undefined);
          if (raw && raw !== process.stdin) raw.destroy();
        } else for await (const _ of it) void _;
      } catch (err) {
        state.error ??= `read failed: ${describeFsError(err)}`;
      }
      state.sha256 = hashing ? hash.digest('hex') : '';
      settle(state);
    }
  }

  const generator = chunks();
  if (readsOnce) openedOnce.set(source, { chunks: generator, result });
  return { chunks: generator, result };
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * UTF-16 text (Windows exports, PowerShell redirections) starts with a byte-order mark; it is
 * re-encoded as UTF-8 so lines split on the right bytes. Anything else passes through untouched
 * (invalid UTF-8 becomes U+FFFD later, when lines are decoded).
 */
async function* decodeUtf16(content: AsyncIterable<Buffer>, state: ReadResult): AsyncGenerator<Buffer> {
  let decoder: TextDecoder | undefined;
  let first = true;
  for await (const chunk of content) {
    if (first) {
      first = false;
      if (chunk.length >= 2 && chunk[0] === 0xff && chunk[1] === 0xfe && !(chunk.length >= 4 && chunk[2] === 0 && chunk[3] === 0)) state.encoding = 'utf-16le';
      else if (chunk.length >= 2 && chunk[0] === 0xfe && chunk[1] === 0xff) state.encoding = 'utf-16be';
      // The decoder drops the byte-order mark itself.
      if (state.encoding) decoder = new TextDecoder(state.encoding);
    }
    if (!decoder) yield chunk;
    else {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield Buffer.from(text, 'utf8');
    }
  }
  if (decoder) {
    const tail = decoder.decode();
    if (tail) yield Buffer.from(tail, 'utf8');
  }
}

async function* gunzip(first: Buffer, rest: AsyncIterator<Buffer>, state: ReadResult, options: ReadOptions, chunkSize: number): AsyncGenerator<Buffer> {
  const maxBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const maxRatio = options.maxGzipRatio ?? DEFAULT_MAX_GZIP_RATIO;
  const z = createGunzip({ chunkSize });
  let failed = false;
  // Destroying the stream (a limit hit) emits 'close' but neither 'drain' nor 'error': wait on all
  // three, or the feeder would wait for ever and Node would exit mid-run with nothing written.
  const failure = Promise.race([once(z, 'error'), once(z, 'close')]).catch(() => undefined);
  // Feed compressed bytes concurrently with reading the output, so backpressure cannot deadlock.
  const feed = (async () => {
    let next: IteratorResult<Buffer> = { done: false, value: first };
    while (!next.done) {
      if (failed) return;
      if (!z.write(next.value)) await Promise.race([once(z, 'drain'), failure]);
      next = await rest.next();
    }
    if (!failed) z.end();
  })().catch(() => undefined); // a read the consumer stopped (the file closed under a pending read) is not an error here
  let out = 0;
  const stop = (message: string): void => {
    state.error = message;
    failed = true;
    z.destroy();
  };
  try {
    for await (const chunk of z as AsyncIterable<Buffer>) {
      out += chunk.length;
      if (out > maxBytes) {
        stop(`decompressed size exceeds the limit of ${maxBytes} bytes (--max-decompressed-bytes); the rest was not read`);
        break;
      }
      if (maxRatio > 0 && out > GZIP_RATIO_FLOOR_BYTES && out > maxRatio * state.bytes) {
        stop(`gzip expands more than ${maxRatio}-fold (${out} bytes from ${state.bytes}): a decompression bomb? the rest was not read (--max-gzip-ratio)`);
        break;
      }
      yield chunk;
    }
  } catch (err) {
    failed = true;
    const msg = (err as Error).message;
    state.error = /unexpected end/i.test(msg) ? 'gzip stream is truncated; the readable part was analysed' : `gzip stream is corrupt (${msg}); the readable part was analysed`;
  } finally {
    // Also when the consumer stops early (detection has seen enough): the feeder stops too.
    failed = true;
  }
  await feed;
}
