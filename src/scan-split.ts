// One large uncompressed log read by several workers: it is cut at line starts, each slice is
// scanned alone with line numbers counted from the slice, and the results are joined back in file
// order with absolute line numbers, while the main thread hashes the whole file and counts the lines
// before each cut. Only formats whose records stand alone on their line are cut.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { appendAll } from './model/arrays.js';
import { formatRef } from './model/event.js';
import type { ReadOrder, ScanResult } from './scan.js';

/**
 * Formats that keep no state from one line to the next (no headers, no pairing, no counting notes).
 * CloudTrail only as JSON lines: a whole `Records` document (container json) is never cut.
 */
export const SPLITTABLE = new Set(['iptables', 'pfsense-filterlog', 'alibaba-cloudfirewall', 'suricata-eve', 'opensandbox-egress', 'aws-cloudtrail']);

/** Byte offsets where slices start: 0, then the first line start at or after each even cut. */
export async function sliceStarts(path: string, size: number, parts: number): Promise<number[]> {
  const starts = [0];
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (let k = 1; k < parts; k++) {
      let at = Math.floor((size * k) / parts);
      for (;;) {
        const { bytesRead } = await file.read(buf, 0, buf.length, at);
        if (bytesRead === 0) return starts;
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) {
          at += nl + 1;
          break;
        }
        at += bytesRead;
      }
      if (at >= size) break;
      if (at > starts.at(-1)!) starts.push(at);
    }
  } finally {
    await file.close();
  }
  return starts;
}

/**
 * SHA-256 and size of the whole file, and the number of lines before each slice start. Reads into
 * one reused buffer: this thread allocates little else while the workers scan, so buffers from a
 * stream would wait for a garbage collection and pile up to hundreds of megabytes.
 */
export async function hashAndCountLines(path: string, starts: number[], size = Infinity): Promise<{ sha256: string; bytes: number; linesBefore: number[] }> {
  const hash = createHash('sha256');
  const linesBefore = starts.map(() => 0);
  const chunk = Buffer.allocUnsafe(1 << 20);
  let offset = 0, lines = 0, next = 1;
  const file = await open(path, 'r');
  try {
    for (;;) {
      // Up to `size`, where the last slice ends: bytes a live log gained since were parsed by no slice.
      const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, size - offset), offset);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      hash.update(data);
      let from = 0;
      while (next < starts.length && starts[next]! <= offset + bytesRead) {
        const upto = starts[next]! - offset;
        lines += countNewlines(data, from, upto);
        from = upto;
        linesBefore[next++] = lines;
      }
      lines += countNewlines(data, from, bytesRead);
      offset += bytesRead;
    }
  } finally {
    await file.close();
  }
  return { sha256: hash.digest('hex'), bytes: offset, linesBefore };
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i >= 0 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** A slice's result with its line numbers made absolute (refs, issues, read errors, DNS sightings). */
function shiftLines(r: ScanResult, path: string, by: number): ScanResult {
  if (by === 0) return r;
  const seen = new Set<object>();
  const move = (ref: { line?: number }) => {
    if (seen.has(ref) || ref.line === undefined) return;
    seen.add(ref);
    ref.line += by;
  };
  for (const m of [...r.findings, ...r.correlationMatches]) move(m.event.ref);
  for (const e of [...r.calls, ...r.events]) move(e.ref);
  const tail = new RegExp(`^(.*)${escapeRegExp(path)}:(\\d+)$`);
  return {
    ...r,
    issues: r.issues.map((i) => (i.line === undefined ? i : { ...i, line: i.line + by })),
    ...(r.readError ? { readError: { ...r.readError, ...(r.readError.line ? { line: r.readError.line + by } : {}) } } : {}),
    dnsPairs: r.dnsPairs.map(([ip, domain, where]) => [ip, domain, where.replace(tail, (_, head: string, line: string) => `${head}${formatRef({ path, line: Number(line) + by })}`)]),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

const NEW_YEAR_GAP_MS = 30 * 86_400_000;

/** Slices in order one after another: each sorted, each one's first event not before the last one before it. */
function joinedOrder(orders: ReadOrder[]): ReadOrder {
  const read = orders.filter((o) => !Number.isNaN(o.firstMs));
  // Lines rise from one slice to the next, so equal times across a cut are in order too.
  const sorted = read.every((o, k) => o.sorted && (k === 0 || read[k - 1]!.lastMs <= o.firstMs));
  return { sorted, firstMs: read[0]?.firstMs ?? NaN, lastMs: read.at(-1)?.lastMs ?? NaN };
}

/**
 * Joins slice results in file order. Undefined when a year-less log crosses New Year at a cut (a
 * slice dated before the one preceding it): the caller then reads the file whole, in order.
 */
export function joinSlices(path: string, slices: ScanResult[], linesBefore: number[], whole: { sha256: string; bytes: number }): ScanResult | undefined {
  for (let k = 1; k < slices.length; k++) {
    const prev = slices[k - 1]!, cur = slices[k]!;
    if (cur.yearUsed && cur.records && prev.records && cur.firstMs < prev.lastMs - NEW_YEAR_GAP_MS) return undefined;
  }
  const parts = slices.map((s, k) => shiftLines(s, path, linesBefore[k]!));
  const seenPairs = new Set<string>();
  const out: ScanResult = {
    records: 0, firstMs: Infinity, lastMs: -Infinity, sha256: whole.sha256, bytes: whole.bytes, gzip: false,
    notes: [], issues: [], skipped: 0, yearUsed: false, findings: [], correlationMatches: [], calls: [], dnsPairs: [], events: [],
    readOrder: joinedOrder(slices.map((s) => s.readOrder)),
  };
  for (const p of parts) {
    out.records += p.records;
    out.firstMs = Math.min(out.firstMs, p.firstMs);
    out.lastMs = Math.max(out.lastMs, p.lastMs);
    for (const n of p.notes) if (!out.notes.includes(n)) out.notes.push(n);
    appendAll(out.issues, p.issues);
    out.skipped += p.skipped;
    out.readError ??= p.readError;
    out.yearUsed ||= p.yearUsed;
    appendAll(out.findings, p.findings);
    appendAll(out.correlationMatches, p.correlationMatches);
    appendAll(out.calls, p.calls);
    appendAll(out.events, p.events);
    for (const pair of p.dnsPairs) {
      const key = `${pair[0]}\0${pair[1].toLowerCase()}`;
      if (!seenPairs.has(key)) {
        seenPairs.add(key);
        out.dnsPairs.push(pair);
      }
    }
  }
  return out;
}
