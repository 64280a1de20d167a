// --format csv: one row per violation with stable columns, safe to open in a spreadsheet.
// Every cell goes through csvCell, so no log text can start a formula; fast-csv does the quoting.
import { format, writeToString } from 'fast-csv';
import { formatRef } from '../model/event.js';
import type { Report, Violation, ViolationSource } from '../model/report.js';
import { csvCell } from './escape.js';
import { joinChunks, violationBatches, type ReportRenderer, type ReportStream } from './renderer.js';

/** The header, in order. Scripts rely on these names; add columns at the end only. */
export const CSV_COLUMNS = [
  'id', 'time', 'severity', 'source', 'format', 'ref', 'host', 'action', 'proto',
  'src_ip', 'src_port', 'dst_ip', 'dst_port', 'dst_domain', 'operation', 'error_code', 'rules',
  'call_id', 'session', 'tool', 'command', 'confidence', 'delta_ms', 'call_ref', 'reasons', 'candidates',
  'dst_country', 'dst_asn', 'dst_org', 'sandbox', 'actor', 'message',
  'src_country', 'src_asn', 'src_org',
] as const;

type Column = (typeof CSV_COLUMNS)[number];

function cells(v: Violation): Record<Column, unknown> {
  const a = v.attribution;
  return {
    id: v.id,
    time: v.time,
    severity: v.severity,
    source: v.source,
    format: v.format,
    ref: formatRef(v.ref),
    host: v.host,
    action: v.action,
    proto: v.proto,
    src_ip: v.src?.ip,
    src_port: v.src?.port,
    dst_ip: v.dst?.ip,
    dst_port: v.dst?.port,
    dst_domain: v.dst?.domain,
    operation: v.operation,
    error_code: v.errorCode,
    rules: v.rules.map((r) => r.id).join(';'),
    call_id: a?.callId,
    session: a?.session,
    tool: a?.tool,
    command: a?.command,
    confidence: a?.confidence,
    delta_ms: a?.deltaMs,
    call_ref: a ? formatRef(a.ref) : undefined,
    reasons: a?.reasons.join(' | '),
    candidates: v.candidates.length,
    dst_country: v.dst?.country,
    dst_asn: v.dst?.asn,
    dst_org: v.dst?.org,
    sandbox: v.sandbox,
    actor: v.actor,
    message: v.message,
    src_country: v.src?.country,
    src_asn: v.src?.asn,
    src_org: v.src?.org,
  };
}

/** Rows per piece: small pieces die young (see json.ts). */
const ROWS_PER_CHUNK = 200;

/** A violation's row: every cell through csvCell. */
function rowOf(v: Violation): string[] {
  const record = cells(v);
  return CSV_COLUMNS.map((column) => csvCell(record[column]));
}

async function* csvChunks(report: Report, all?: ViolationSource): AsyncGenerator<string> {
  let first = true;
  // The header is the first piece's only (written even when there are no rows); later pieces continue the rows.
  const piece = (rows: string[][]) => {
    const options = { headers: [...CSV_COLUMNS], alwaysWriteHeaders: first, writeHeaders: first, includeEndRowDelimiter: true };
    first = false;
    return writeToString(rows, options);
  };
  let rows: string[][] = [];
  for await (const batch of violationBatches(report, all)) {
    for (const v of batch) {
      rows.push(rowOf(v));
      if (rows.length === ROWS_PER_CHUNK) {
        yield await piece(rows);
        rows = [];
      }
    }
  }
  if (rows.length > 0 || first) yield await piece(rows);
}

/**
 * The rows csvChunks prints, one as each violation is built: fast-csv's formatter stream is written a
 * row and read at once (a transform stream formats a row as it is written, synchronously), so the
 * quoting is fast-csv's as it is for the other paths. It puts the row delimiter before every row but
 * the first; the last row's end is the report's.
 */
function csvStream(): ReportStream {
  const formatter = format<string[], string[]>();
  formatter.setEncoding('utf8');
  const put = (row: string[]): string => {
    formatter.write(row);
    return (formatter.read() as string | null) ?? '';
  };
  return { begin: () => put([...CSV_COLUMNS]), violation: (v) => put(rowOf(v)), end: () => '\n' };
}

export const csvRenderer: ReportRenderer = {
  name: 'csv',
  description: 'one row per violation with its attributed tool call; spreadsheet-safe (no formula cells)',
  chunks: (report, _options, all) => csvChunks(report, all),
  stream: csvStream,
  render: (report) => joinChunks(csvChunks(report)),
};
