// Evidence integrity: re-hash the inputs a saved JSON report lists and say, per input, whether the
// bytes are still the ones analysed. The report itself is untrusted input: its paths are only read,
// never followed into pipes or devices, and printed without control characters.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import { jsonStringEnd } from '../model/json-text.js';
import { REPORT_SCHEMA } from '../model/report.js';

export type VerifyStatus = 'unchanged' | 'CHANGED' | 'missing' | 'unverifiable';

export interface VerifiedInput {
  path: string;
  status: VerifyStatus;
  /** why, when not unchanged */
  detail?: string;
}

export interface RecordedInput {
  path: string;
  sha256: string;
  bytes?: number;
}

/** Reports up to this size are read whole; larger ones (millions of violations) only up to their violations. */
const WHOLE_REPORT_BYTES = 256 * 1024 * 1024;
/** How much of a large report's start is read to find its inputs. */
const HEAD_BYTES = 64 * 1024 * 1024;

/** The inputs of a saved report; anything that is not a v1 report is an input error (exit 2). */
export async function readReportInputs(reportPath: string, limits = { wholeBytes: WHOLE_REPORT_BYTES, headBytes: HEAD_BYTES }): Promise<RecordedInput[]> {
  let text: string;
  let large: boolean;
  try {
    large = (await stat(reportPath)).size > limits.wholeBytes;
    text = large ? await readHead(reportPath, limits.headBytes) : await readFile(reportPath, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the report: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, reportPath);
  }
  text = text.replace(/^\uFEFF/, '');
  let report: unknown;
  try {
    report = JSON.parse(large ? beforeViolations(text, reportPath) : text);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`not a JSON report: ${(err as Error).message}`, reportPath);
  }
  const r = report as { schema?: unknown; inputs?: unknown };
  if (typeof report !== 'object' || report === null || r.schema !== REPORT_SCHEMA) {
    throw new InputError(`not an agent-forensics JSON report (schema is not ${REPORT_SCHEMA}); write one with --format json`, reportPath);
  }
  if (!Array.isArray(r.inputs)) throw new InputError('the report has no inputs list', reportPath);
  return r.inputs.map((i: unknown, n: number) => {
    const input = i as { path?: unknown; sha256?: unknown; bytes?: unknown };
    if (typeof input?.path !== 'string' || typeof input.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(input.sha256)) {
      throw new InputError(`inputs[${n}] has no path and SHA-256`, reportPath);
    }
    return { path: input.path, sha256: input.sha256, ...(typeof input.bytes === 'number' ? { bytes: input.bytes } : {}) };
  });
}

async function readHead(path: string, bytes: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

/**
 * The report object up to its top-level "violations" (which this tool writes after the inputs), closed
 * as an object of its own: a report of millions of violations is longer than one string can be.
 */
export function beforeViolations(text: string, reportPath: string): string {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = jsonStringEnd(text, i);
      if (depth === 1 && text.slice(i, end) === '"violations"') return `${text.slice(0, i).replace(/,\s*$/, '')}}`;
      i = end - 1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  throw new InputError('the report is too large to read whole, and its inputs are not at its start (write it again with --format json)', reportPath);
}

/** Re-hashes one recorded input, read-only, as stored (gzip files are hashed compressed, as in the report). */
export async function verifyInput(input: RecordedInput): Promise<VerifiedInput> {
  if (input.path === '-') return { path: input.path, status: 'unverifiable', detail: 'read from standard input' };
  let info;
  try {
    info = await stat(input.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { path: input.path, status: 'missing', ...(code && code !== 'ENOENT' ? { detail: code } : {}) };
  }
  // A pipe or device could block or never end; it cannot be the file that was hashed anyway.
  if (!info.isFile()) return { path: input.path, status: 'CHANGED', detail: 'no longer a regular file' };
  // A log that grew since (still written to, or cut into slices while it grew): the bytes analysed
  // are its first `bytes`, and are hashed on the way.
  const analysed = input.bytes !== undefined && info.size > input.bytes ? input.bytes : undefined;
  let hashed: { sha256: string; prefix?: string };
  try {
    hashed = await hashFile(input.path, analysed);
  } catch (err) {
    return { path: input.path, status: 'missing', detail: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  if (hashed.sha256 === input.sha256) return { path: input.path, status: 'unchanged' };
  const grown = hashed.prefix === input.sha256 ? `appended to since: its first ${analysed} bytes, the ones analysed, are unchanged; ` : '';
  return { path: input.path, status: 'CHANGED', detail: `${grown}SHA-256 is now ${hashed.sha256}` };
}

/** The SHA-256 of a file, read-only, and with `prefixBytes` that of its first bytes too. */
export async function hashFile(path: string, prefixBytes?: number): Promise<{ sha256: string; prefix?: string }> {
  const hash = createHash('sha256');
  const head = prefixBytes === undefined ? undefined : createHash('sha256');
  let at = 0;
  for await (const data of createReadStream(path, { flags: 'r', highWaterMark: 1 << 20 })) {
    const chunk = data as Buffer;
    hash.update(chunk);
    if (head && at < prefixBytes!) head.update(chunk.subarray(0, Math.min(chunk.length, prefixBytes! - at)));
    at += chunk.length;
  }
  return { sha256: hash.digest('hex'), ...(head ? { prefix: head.digest('hex') } : {}) };
}

/** A path from an untrusted report, safe to print on a terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
