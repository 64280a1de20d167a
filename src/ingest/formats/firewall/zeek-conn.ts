// Zeek conn.log, as TSV (with its #separator / #fields / #types header) or as JSON lines (epoch or
// ISO `ts`). One finished connection per record; other Zeek logs (ssh, dns, http...) are not read here.
import type { Endpoint, ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, parseJsonLine, str, type JsonObject } from '../../shared/json.js';
import { parseEpochSeconds, parseIsoMs } from '../../shared/time.js';

const NAME = 'zeek-conn';

const REQUIRED = ['ts', 'id.orig_h', 'id.resp_h', 'proto'];
/** Columns only conn.log has, so ssh.log / dns.log (which share the id.* columns) are not taken for it. */
const CONN_ONLY = ['conn_state', 'duration', 'orig_bytes', 'history'];

const endpointText = (e: Endpoint): string => `${e.ip?.includes(':') ? `[${e.ip}]` : (e.ip ?? '?')}${e.port !== undefined ? `:${e.port}` : ''}`;

/** A Zeek `time`: epoch seconds (TSV, default JSON) or ISO 8601 (JSON with `LogAscii::json_timestamps`). */
function parseTs(v: unknown): { ms: number; raw: string } | undefined {
  let raw: string;
  if (typeof v === 'number' && Number.isFinite(v)) raw = String(v);
  else if (typeof v === 'string') raw = v;
  else return undefined;
  const ms = /^\d/.test(raw) && !raw.includes('-') ? parseEpochSeconds(raw) : parseIsoMs(raw);
  return Number.isNaN(ms) ? undefined : { ms, raw };
}

function portOf(v: unknown): number | null | undefined {
  if (v === undefined || v === null || v === '-') return undefined;
  const n = typeof v === 'number' ? v : /^\d{1,5}$/.test(String(v)) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null;
}

const numeric = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
};

type Parsed = { event: ForensicEvent } | { problem: string };

/** One conn record, as a plain map of column name → value (`undefined` for unset). */
function toEvent(r: Record<string, unknown>, path: string, line: number): Parsed {
  const ts = parseTs(r['ts']);
  if (!ts) return { problem: `ts is not a Zeek time: '${String(r['ts'])}'` };
  const origH = str(r['id.orig_h']);
  const respH = str(r['id.resp_h']);
  if (!origH || !respH) return { problem: 'conn record without id.orig_h / id.resp_h' };
  const op = portOf(r['id.orig_p']);
  const rp = portOf(r['id.resp_p']);
  if (op === null || rp === null) return { problem: `invalid port '${String(r['id.orig_p'])}' / '${String(r['id.resp_p'])}'` };
  const protoRaw = str(r['proto']);
  const proto = protoRaw === 'unknown_transport' ? undefined : protoRaw;
  let endMs: number | undefined;
  const durationRaw = r['duration'];
  if (durationRaw !== undefined && durationRaw !== null) {
    const d = numeric(durationRaw);
    if (d === undefined) return { problem: `duration is not a number: '${String(durationRaw)}'` };
    endMs = ts.ms + Math.round(d * 1000);
  }
  const src: Endpoint = { ip: origH };
  const dst: Endpoint = { ip: respH };
  const fields: Record<string, unknown> = {};
  // For ICMP Zeek puts the message type and code in the port columns.
  if (proto === 'icmp') {
    if (op !== undefined) fields.icmp_type = op;
    if (rp !== undefined) fields.icmp_code = rp;
  } else {
    if (op !== undefined) src.port = op;
    if (rp !== undefined) dst.port = rp;
  }
  for (const key of ['uid', 'conn_state', 'service', 'history']) {
    const v = str(r[key]);
    if (v !== undefined && v !== '') fields[key] = v.slice(0, 2000);
  }
  for (const key of ['orig_bytes', 'resp_bytes', 'orig_pkts', 'resp_pkts']) {
    const v = numeric(r[key]);
    if (v !== undefined) fields[key] = v;
  }
  for (const key of ['local_orig', 'local_resp']) if (typeof r[key] === 'boolean') fields[key] = r[key];
  const state = fields.conn_state ? ` ${fields.conn_state as string}` : '';
  const service = fields.service ? ` ${fields.service as string}` : '';
  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format: NAME,
    timeMs: ts.ms,
    timeRaw: ts.raw,
    ref: { path, line },
    src,
    dst,
    action: 'allow',
    message: `CONN ${(proto ?? 'ip').toUpperCase()} ${endpointText(src)} -> ${endpointText(dst)}${service}${state}`,
    fields,
  };
  if (endMs !== undefined) event.endMs = endMs;
  if (proto !== undefined) event.proto = proto;
  return { event };
}

// ---- TSV ----------------------------------------------------------------------------------------

interface TsvState {
  separator: string;
  setSeparator: string;
  empty: string;
  unset: string;
  path?: string;
  fields?: string[];
}

const newState = (): TsvState => ({ separator: '\t', setSeparator: ',', empty: '(empty)', unset: '-' });

/** `\x09` style escapes of the #separator line. */
const unescape = (s: string): string => s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** Applies a `#...` header line to the state; returns false for lines that are not header lines. */
function header(text: string, st: TsvState): boolean {
  if (!text.startsWith('#')) return false;
  if (text.startsWith('#separator ')) {
    st.separator = unescape(text.slice(11).trim());
    return true;
  }
  const cut = text.indexOf(st.separator);
  const key = cut < 0 ? text.slice(1) : text.slice(1, cut);
  const value = cut < 0 ? '' : text.slice(cut + st.separator.length);
  switch (key) {
    case 'set_separator': st.setSeparator = value; break;
    case 'empty_field': st.empty = value; break;
    case 'unset_field': st.unset = value; break;
    case 'path': st.path = value; break;
    case 'fields': st.fields = value.split(st.separator); break;
    default: break; // #open, #close, #types
  }
  return true;
}

const isConnColumns = (fields: string[] | undefined): boolean =>
  !!fields && REQUIRED.every((f) => fields.includes(f)) && CONN_ONLY.some((f) => fields.includes(f));

function tsvRow(text: string, st: TsvState): { row: Record<string, unknown> } | { problem: string } {
  const cols = text.split(st.separator);
  const names = st.fields!;
  if (cols.length !== names.length) return { problem: `expected ${names.length} columns, found ${cols.length}` };
  const r: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const v = cols[i]!;
    r[names[i]!] = v === st.unset ? undefined : v === st.empty ? '' : v;
  }
  for (const b of ['local_orig', 'local_resp']) if (r[b] === 'T' || r[b] === 'F') r[b] = r[b] === 'T';
  return { row: r };
}

// ---- JSON ---------------------------------------------------------------------------------------

function isConnObject(o: unknown): o is JsonObject {
  if (!isObject(o)) return false;
  if (o['_path'] !== undefined && o['_path'] !== 'conn') return false;
  if (!REQUIRED.every((k) => o[k] !== undefined) || !parseTs(o['ts'])) return false;
  return o['_path'] === 'conn' || CONN_ONLY.some((k) => o[k] !== undefined);
}

function probe(head: Head): number {
  if (head.container === 'jsonl') {
    if (head.objects.length === 0) return 0;
    let good = 0;
    for (const o of head.objects) if (isConnObject(o)) good++;
    return good === 0 ? 0 : 0.5 + 0.45 * (good / head.lines.length);
  }
  if (head.container !== 'lines') return 0;
  const st = newState();
  let rows = 0;
  let goodRows = 0;
  for (const l of head.lines) {
    if (header(l.text, st)) continue;
    if (!st.fields) return 0;
    rows++;
    const r = tsvRow(l.text, st);
    if ('row' in r && 'event' in toEvent(r.row, '', l.line)) goodRows++;
  }
  if (st.path !== undefined && st.path !== 'conn') return 0;
  if (!isConnColumns(st.fields)) return 0;
  const share = rows === 0 ? 1 : goodRows / rows;
  // `#path conn` names the log outright; without it the rows themselves must mostly read as conn records.
  if (st.path === 'conn') return 0.8 + 0.15 * share;
  return rows === 0 || goodRows * 2 < rows ? 0 : 0.6 + 0.3 * share;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  let st: TsvState | undefined;
  let otherNoted = false;
  for await (const rec of lines) {
    const text = rec.text;
    if (text.trim() === '') continue;
    if (st === undefined && text.trimStart().startsWith('{')) {
      const o = parseJsonLine(rec, ctx);
      if (!o) continue;
      // Zeek's JSON streaming writers mix logs in one stream: records of other logs are not conn records.
      if (o['_path'] !== undefined && o['_path'] !== 'conn') continue;
      const r = toEvent(o, ctx.path, rec.line);
      if ('problem' in r) ctx.skip({ line: rec.line }, r.problem);
      else yield r.event;
      continue;
    }
    st ??= newState();
    if (header(text, st)) continue;
    if (!st.fields) {
      ctx.skip({ line: rec.line }, 'data line before the #fields header');
      continue;
    }
    if (st.path !== undefined && st.path !== 'conn') {
      // A concatenated file can switch to another log with a new header: those rows are not ours.
      if (!otherNoted) ctx.note(`rows of the Zeek ${st.path} log in this file were not read (only conn records are)`);
      otherNoted = true;
      continue;
    }
    const r = tsvRow(text, st);
    if ('problem' in r) {
      ctx.skip({ line: rec.line }, r.problem);
      continue;
    }
    const e = toEvent(r.row, ctx.path, rec.line);
    if ('problem' in e) ctx.skip({ line: rec.line }, e.problem);
    else yield e.event;
  }
}

export const zeekConnFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'Zeek conn.log connection records, TSV (with #fields header) or JSON lines.',
  notes:
    'Recognized by a TSV header with #path conn (or conn columns such as conn_state/duration) or by JSON lines with id.orig_h, id.resp_h, proto and conn_state/duration; other Zeek logs are not claimed. ' +
    'Zeek writes a record when the connection ends: the time is ts (the connection start, epoch seconds or ISO 8601, UTC) and the end is ts + duration. ' +
    'Observed connections carry action allow; conn_state, uid and service are kept in fields.',
  probe,
  parse,
};
