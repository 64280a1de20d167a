// Evidence integrity: re-hash the inputs a saved JSON report lists and say, per input, whether the
// bytes are still the ones analysed. The report itself is untrusted input: its paths are only read,
// never followed into pipes or devices, and printed without control characters.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
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

/** The inputs of a saved report; anything that is not a v1 report is an input error (exit 2). */
export async function readReportInputs(reportPath: string): Promise<RecordedInput[]> {
  let text: string;
  try {
    text = await readFile(reportPath, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the report: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, reportPath);
  }
  let report: unknown;
  try {
    report = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
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
  let sha256: string;
  try {
    sha256 = await hashFile(input.path);
  } catch (err) {
    return { path: input.path, status: 'missing', detail: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  if (sha256 !== input.sha256) return { path: input.path, status: 'CHANGED', detail: `SHA-256 is now ${sha256}` };
  return { path: input.path, status: 'unchanged' };
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { flags: 'r', highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A path from an untrusted report, safe to print on a terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
