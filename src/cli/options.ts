// Flags → validated AnalysisOptions, before any file is opened. Every problem is a UsageError (exit 2).
import { parseIsoMs, isValidZone } from '../ingest/shared/time.js';
import { SEVERITIES, type Severity } from '../model/event.js';
import { UsageError } from '../model/errors.js';
import type { AnalysisOptions } from '../options.js';
import { parseSkewOption } from '../timeline/skew.js';

export interface RawAnalysisFlags {
  inventory?: string;
  tz?: string;
  year?: string;
  skew?: string[];
  autoSkew?: boolean;
  rules?: string[];
  since?: string;
  until?: string;
  minConfidence?: string;
  strict?: boolean;
  geoip?: string[];
  maxLineBytes?: string;
  maxDocumentBytes?: string;
  maxJsonDepth?: string;
  maxDecompressedBytes?: string;
  maxGzipRatio?: string;
  workers?: string;
}

const BYTE_UNITS: Record<string, number> = { '': 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 };

/** A positive byte count with an optional unit (`16MiB`, `64G`, `1000`). */
export function parseBytes(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  const n = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} takes a positive byte count such as 16MiB or 64G; got '${text}'`);
  return n;
}

function parseIntegerIn(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max}; got '${text}'`);
  return n;
}

function parseTime(flag: string, text: string | undefined, tz: string): number | undefined {
  if (text === undefined) return undefined;
  const t = /^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00:00` : text;
  const ms = parseIsoMs(t, tz);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} takes an ISO 8601 time such as 2026-03-02T10:00:00Z; got '${text}'`);
  return ms;
}

export function toAnalysisOptions(paths: string[], flags: RawAnalysisFlags): AnalysisOptions {
  if (paths.length === 0) throw new UsageError('give at least one input path (a file, a folder, or - for standard input)');
  const tz = flags.tz ?? 'UTC';
  if (!isValidZone(tz)) throw new UsageError(`--tz takes an IANA time zone such as UTC or Asia/Shanghai; got '${tz}'`);
  let year: number | undefined;
  if (flags.year !== undefined) {
    year = Number(flags.year);
    if (!/^\d{4}$/.test(flags.year) || year < 1970 || year > 2100) throw new UsageError(`--year takes a four-digit year; got '${flags.year}'`);
  }
  let minConfidence = 0.5;
  if (flags.minConfidence !== undefined) {
    minConfidence = Number(flags.minConfidence);
    if (flags.minConfidence.trim() === '' || !Number.isFinite(minConfidence) || minConfidence < 0 || minConfidence > 1) {
      throw new UsageError(`--min-confidence takes a number from 0 to 1; got '${flags.minConfidence}'`);
    }
  }
  const sinceMs = parseTime('--since', flags.since, tz);
  const untilMs = parseTime('--until', flags.until, tz);
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs > untilMs) throw new UsageError('--since is later than --until');
  return {
    paths,
    inventory: flags.inventory,
    tz,
    year,
    skews: (flags.skew ?? []).map(parseSkewOption),
    autoSkew: flags.autoSkew !== false,
    rules: flags.rules ?? [],
    sinceMs,
    untilMs,
    minConfidence,
    strict: flags.strict === true,
    geoip: flags.geoip ?? [],
    maxLineBytes: parseBytes('--max-line-bytes', flags.maxLineBytes),
    maxDocumentBytes: parseBytes('--max-document-bytes', flags.maxDocumentBytes),
    maxJsonDepth: parseIntegerIn('--max-json-depth', flags.maxJsonDepth, 1, 1000),
    maxDecompressedBytes: parseBytes('--max-decompressed-bytes', flags.maxDecompressedBytes),
    maxGzipRatio: parseIntegerIn('--max-gzip-ratio', flags.maxGzipRatio, 0, 1_000_000),
    workers: parseIntegerIn('--workers', flags.workers, 0, 64),
  };
}

export function parseSeverity(flag: string, text: string | undefined): Severity | undefined {
  if (text === undefined) return undefined;
  const s = text.toLowerCase() === 'informational' ? 'info' : text.toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new UsageError(`${flag} takes one of ${SEVERITIES.join(', ')}; got '${text}'`);
  return s as Severity;
}
