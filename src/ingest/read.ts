// Paths → input sources (sorted folder walk, stdin), then bytes: opened read-only, hashed with
// SHA-256 while streaming, gunzipped by magic bytes. Parsers never see compression or files.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../model/errors.js';
import type { Issue } from '../model/issue.js';

export interface InputSource {
  /** the path as given on the command line, or as found under a given folder; `-` for stdin */
  path: string;
  isStdin: boolean;
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
    if (info.isDirectory()) await walk(p, sources, problems, new Set());
    else addFile(p, sources, seen);
  }
  return { sources, problems };
}

function addFile(path: string, sources: InputSource[], seen: Set<string>): void {
  if (seen.has(path)) return;
  seen.add(path);
  sources.push({ path, isStdin: false });
}

async function walk(dir: string, sources: InputSource[], problems: Issue[], ancestors: Set<string>): Promise<void> {
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
  for (const name of names) {
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (info.isDirectory()) await walk(path, sources, problems, inner);
      else if (info.isFile()) sources.push({ path, isStdin: false });
    } catch (err) {
      problems.push({ path, message: `cannot read: ${describeFsError(err)}` });
    }
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
  /** reading stopped early: unreadable file, truncated or corrupt gzip, size limit */
  error?: string;
}

export interface ReadOptions {
  /** the most decompressed bytes read from one gzip input (a bomb guard) */
  maxDecompressedBytes?: number;
}

const CHUNK = 1 << 20;

/**
 * Streams an input's content (decompressed when it is gzip), hashing the stored bytes.
 * `result` settles after the stream is consumed; the hash always covers the whole stored input,
 * even when decompression failed half way (what was readable has been yielded by then).
 */
export function openInput(source: InputSource, options: ReadOptions = {}): { chunks: AsyncIterable<Buffer>; result: Promise<ReadResult> } {
  const hash = createHash('sha256');
  const state: ReadResult = { sha256: '', bytes: 0, gzip: false };
  let settle!: (r: ReadResult) => void;
  const result = new Promise<ReadResult>((resolve) => (settle = resolve));
  const raw: Readable = source.isStdin
    ? process.stdin
    : createReadStream(source.path, { flags: 'r', highWaterMark: CHUNK });

  async function* stored(): AsyncGenerator<Buffer> {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      hash.update(chunk);
      state.bytes += chunk.length;
      yield chunk;
    }
  }

  async function* chunks(): AsyncGenerator<Buffer> {
    const it = stored();
    try {
      const first = await it.next();
      if (first.done) return;
      if (first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b) {
        state.gzip = true;
        yield* gunzip(first.value, it, state, options.maxDecompressedBytes ?? Number.MAX_SAFE_INTEGER);
      } else {
        yield first.value;
        yield* it;
      }
    } catch (err) {
      state.error = `read failed: ${describeFsError(err)}`;
    } finally {
      // Finish hashing whatever was not consumed (early stop by the consumer, or a gzip error).
      try {
        for await (const _ of it) void _;
      } catch (err) {
        state.error ??= `read failed: ${describeFsError(err)}`;
      }
      state.sha256 = hash.digest('hex');
      settle(state);
    }
  }

  return { chunks: chunks(), result };
}

async function* gunzip(first: Buffer, rest: AsyncIterator<Buffer>, state: ReadResult, maxBytes: number): AsyncGenerator<Buffer> {
  const z = createGunzip({ chunkSize: 256 * 1024 });
  let failed = false;
  const failure = once(z, 'error').catch(() => undefined);
  // Feed compressed bytes concurrently with reading the output, so backpressure cannot deadlock.
  const feed = (async () => {
    let next: IteratorResult<Buffer> = { done: false, value: first };
    while (!next.done) {
      if (failed) return;
      if (!z.write(next.value)) await Promise.race([once(z, 'drain'), failure]);
      next = await rest.next();
    }
    if (!failed) z.end();
  })();
  let out = 0;
  try {
    for await (const chunk of z as AsyncIterable<Buffer>) {
      out += chunk.length;
      if (out > maxBytes) {
        state.error = `decompressed size exceeds the limit of ${maxBytes} bytes; rest not read`;
        failed = true;
        z.destroy();
        break;
      }
      yield chunk;
    }
  } catch (err) {
    failed = true;
    const msg = (err as Error).message;
    state.error = /unexpected end/i.test(msg) ? 'gzip stream is truncated; the readable part was analysed' : `gzip stream is corrupt (${msg}); the readable part was analysed`;
  }
  await feed.catch(() => undefined);
}
