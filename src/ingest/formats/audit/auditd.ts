// Linux audit logs: raw and enriched auditd records (optionally behind a syslog / audispd header), the
// `ausearch -i` interpreted form, and LAUREL's JSON lines. Records of one event are joined by their stamp.
import { ipVersion } from '../../shared/ip.js';
import type { Endpoint, ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { parseEpochSeconds, wallTimeToUtc } from '../../shared/time.js';
import { clipField } from '../../shared/text.js';

const NAME = 'auditd';
/** A pending event is complete once the log is this far past it (events without EOE: user-space records). */
const EVENT_WINDOW_MS = 5_000;
const MAX_PENDING = 10_000;
const UNSET_ID = '4294967295';
/** x86_64 syscall numbers (arch=c000003e) of the calls forensic rules care about. */
const SYSCALLS_X86_64: Record<string, string> = {
  0: 'read', 1: 'write', 2: 'open', 3: 'close', 4: 'stat', 5: 'fstat', 6: 'lstat', 9: 'mmap', 10: 'mprotect', 16: 'ioctl', 21: 'access',
  22: 'pipe', 32: 'dup', 33: 'dup2', 41: 'socket', 42: 'connect', 43: 'accept', 44: 'sendto', 45: 'recvfrom', 46: 'sendmsg',
  47: 'recvmsg', 48: 'shutdown', 49: 'bind', 50: 'listen', 51: 'getsockname', 52: 'getpeername', 53: 'socketpair', 54: 'setsockopt',
  56: 'clone', 57: 'fork', 58: 'vfork', 59: 'execve', 60: 'exit', 61: 'wait4', 62: 'kill', 76: 'truncate', 77: 'ftruncate', 80: 'chdir',
  82: 'rename', 83: 'mkdir', 84: 'rmdir', 85: 'creat', 86: 'link', 87: 'unlink', 88: 'symlink', 90: 'chmod', 91: 'fchmod', 92: 'chown',
  93: 'fchown', 94: 'lchown', 101: 'ptrace', 105: 'setuid', 106: 'setgid', 113: 'setreuid', 114: 'setregid', 117: 'setresuid',
  119: 'setresgid', 157: 'prctl', 159: 'adjtimex', 161: 'chroot', 165: 'mount', 166: 'umount2', 175: 'init_module',
  176: 'delete_module', 188: 'setxattr', 200: 'tkill', 227: 'clock_settime', 234: 'tgkill', 257: 'openat', 258: 'mkdirat',
  260: 'fchownat', 263: 'unlinkat', 264: 'renameat', 265: 'linkat', 266: 'symlinkat', 268: 'fchmodat', 272: 'unshare',
  288: 'accept4', 299: 'recvmmsg', 307: 'sendmmsg', 308: 'setns', 310: 'process_vm_readv', 311: 'process_vm_writev',
  313: 'finit_module', 316: 'renameat2', 319: 'memfd_create', 321: 'bpf', 322: 'execveat', 425: 'io_uring_setup', 435: 'clone3', 437: 'openat2',
};
const ERRNO: Record<string, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 9: 'EBADF', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 16: 'EBUSY',
  17: 'EEXIST', 19: 'ENODEV', 20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 24: 'EMFILE', 28: 'ENOSPC', 30: 'EROFS', 32: 'EPIPE',
  36: 'ENAMETOOLONG', 38: 'ENOSYS', 39: 'ENOTEMPTY', 40: 'ELOOP', 61: 'ENODATA', 71: 'EPROTO', 88: 'ENOTSOCK', 93: 'EPROTONOSUPPORT', 95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT', 98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 100: 'ENETDOWN', 101: 'ENETUNREACH', 103: 'ECONNABORTED', 104: 'ECONNRESET',
  105: 'ENOBUFS', 106: 'EISCONN', 107: 'ENOTCONN', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 113: 'EHOSTUNREACH', 114: 'EALREADY', 115: 'EINPROGRESS',
};
/** Syscalls whose SOCKADDR is the remote end (dst); for the others (bind, accept, recvfrom) it goes to src. */
const DST_CALLS = new Set(['connect', 'sendto', 'sendmsg', 'sendmmsg']);
/** User-space fields that are safe to copy to `fields` as they are. */
const KEPT = ['exe', 'comm', 'pid', 'ppid', 'uid', 'auid', 'ses', 'key', 'success', 'exit', 'tty', 'arch', 'op', 'acct', 'res', 'terminal', 'hostname', 'addr', 'unit', 'table', 'family', 'entries'];
/** Values auditd may hex-encode (when they hold spaces, quotes or control characters). */
const ENCODED = new Set(['exe', 'comm', 'cwd', 'name', 'proctitle', 'cmd', 'data', 'acct', 'key', 'path', 'new', 'old']);

type Kv = Record<string, string>;

/** Splits `k=v k2="quoted v" k3='nested msg' k4={ a=b }` into raw values (quotes kept, to tell hex from text). */
function parseKv(text: string, into: Kv, nestedMsg: boolean): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    const keyStart = i;
    while (i < n && text[i] !== '=' && text[i] !== ' ') i++;
    if (i >= n || text[i] !== '=') continue; // a bare word ("tty", "config changed,")
    const key = text.slice(keyStart, i);
    i++;
    const q = text[i];
    let value: string;
    if (q === '"' || q === "'" || q === '{') {
      const close = text.indexOf(q === '{' ? '}' : q, i + 1);
      const end = close < 0 ? n : close + 1;
      value = text.slice(i, end);
      i = end;
    } else {
      const sp = text.indexOf(' ', i);
      let end = sp < 0 ? n : sp;
      // interpreted errno: exit=EACCES(Permission denied)
      const paren = text.indexOf('(', i);
      if (paren >= 0 && paren < end && text.indexOf(')', paren) > end) end = text.indexOf(')', paren) + 1;
      value = text.slice(i, end);
      i = end;
    }
    if (key === 'msg' && q === "'" && nestedMsg) {
      parseKv(value.slice(1, -1), into, false);
      continue;
    }
    if (key && !(key in into)) into[key] = value;
  }
}

function isHex(s: string): boolean {
  if (s.length === 0 || s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/** A field value as text: quoted → inner text, unquoted upper-case hex → decoded bytes, (null) → undefined. */
function text(raw: string | undefined, encoded = true): string | undefined {
  if (raw === undefined || raw === '(null)' || raw === '?') return undefined;
  if (raw.length >= 2 && raw[0] === '"' && raw[raw.length - 1] === '"') return raw.slice(1, -1);
  if (encoded && isHex(raw)) return Buffer.from(raw, 'hex').toString('utf8');
  return raw;
}

/** Shell-like join of an argv: arguments with whitespace or quotes are double-quoted. */
function joinArgv(args: string[]): string {
  return args.map((a) => (a === '' || /[\s"'\\]/.test(a) ? `"${a.replace(/(["\\])/g, '\\$1')}"` : a)).join(' ');
}

/** Decodes a raw sockaddr (AF_INET 2, AF_INET6 10, AF_UNIX 1); the family is host-endian (little on x86). */
function decodeSockaddr(buf: Buffer): { family: string; ip?: string; port?: number; path?: string } | undefined {
  if (buf.length < 2) return undefined;
  const fam = buf.readUInt16LE(0);
  if (fam === 2 && buf.length >= 8) return { family: 'inet', port: buf.readUInt16BE(2), ip: `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}` };
  if (fam === 10 && buf.length >= 24) {
    const groups: string[] = [];
    for (let i = 8; i < 24; i += 2) groups.push(buf.readUInt16BE(i).toString(16));
    return { family: 'inet6', port: buf.readUInt16BE(2), ip: compressIpv6(groups) };
  }
  if (fam === 1) {
    let start = 2;
    if (buf[2] === 0) start = 3; // abstract socket name
    let end = buf.indexOf(0, start);
    if (end < 0) end = buf.length;
    return { family: 'local', path: buf.subarray(start, end).toString('utf8') };
  }
  return { family: String(fam) };
}

function compressIpv6(groups: string[]): string {
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Interpreted `{ saddr_fam=inet laddr=1.2.3.4 lport=80 }` (ausearch -i, enriched SADDR, LAUREL SADDR). */
function interpretedSockaddr(raw: string): { family: string; ip?: string; port?: number; path?: string } | undefined {
  const kv: Kv = {};
  parseKv(raw.replace(/^\{\s*|\s*\}$/g, ''), kv, false);
  const family = kv.saddr_fam ?? kv.fam;
  if (!family) return undefined;
  const port = kv.lport !== undefined ? Number(kv.lport) : undefined;
  return { family, ip: kv.laddr, port: Number.isFinite(port) ? port : undefined, path: kv.path };
}

interface Stamp {
  timeMs: number;
  timeRaw: string;
  serial: string;
}

/** `1364481363.243:24287` (raw) or `07/29/2025 09:52:29.237:87712186` (ausearch -i, local time). */
function parseStamp(s: string, tz: string): Stamp | undefined {
  const colon = s.lastIndexOf(':');
  if (colon < 0) return undefined;
  const timeRaw = s.slice(0, colon);
  const serial = s.slice(colon + 1);
  if (!/^\d+$/.test(serial)) return undefined;
  let timeMs = parseEpochSeconds(timeRaw);
  if (Number.isNaN(timeMs)) {
    const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?$/.exec(timeRaw);
    if (!m) return undefined;
    timeMs = wallTimeToUtc(+m[3]!, +m[1]!, +m[2]!, +m[4]!, +m[5]!, +m[6]!, Number((m[7] ?? '0').padEnd(3, '0')), tz);
  }
  return { timeMs, timeRaw, serial };
}

interface RawRecord {
  type: string;
  node?: string;
  stamp: Stamp;
  stampText: string;
  kv: Kv;
}

/** One raw line → its record, or a reason it is not one. */
function parseRecordLine(line: string, tz: string): RawRecord | string {
  const t = line.indexOf('type=');
  if (t < 0) return 'no type= field: not an audit record';
  const typeEnd = line.indexOf(' ', t);
  if (typeEnd < 0) return 'audit record without a body';
  const type = line.slice(t + 5, typeEnd);
  let a = line.indexOf('audit(', typeEnd);
  if (a < 0 || a - typeEnd > 6) return 'audit record without an audit(time:serial) stamp';
  a += 6;
  const close = line.indexOf(')', a);
  if (close < 0) return 'audit record with an unterminated audit( stamp';
  const stampText = line.slice(a, close);
  const stamp = parseStamp(stampText, tz);
  if (!stamp) return `audit record with an unreadable stamp audit(${stampText})`;
  let node: string | undefined;
  const n = line.lastIndexOf('node=', t);
  if (n >= 0) {
    const sp = line.indexOf(' ', n);
    node = line.slice(n + 5, sp < 0 || sp > t ? t : sp).trim() || undefined;
  }
  let body = line.slice(close + 1).trimStart();
  if (body.startsWith(':')) body = body.slice(1);
  const kv: Kv = {};
  if (type === 'PROCTITLE') {
    // ausearch -i prints the interpreted title unquoted, spaces included: it is the rest of the line
    const at = body.indexOf('proctitle=');
    if (at >= 0) {
      const v = body.slice(at + 10).trimEnd();
      kv.proctitle = v.startsWith('"') || isHex(v) ? v : `"${v}"`;
      return { type, node, stamp, stampText, kv };
    }
  }
  // log_format=ENRICHED appends interpreted fields after a GS (0x1d) separator
  const gs = body.indexOf('\x1d');
  if (gs >= 0) {
    parseKv(body.slice(0, gs), kv, true);
    parseKv(body.slice(gs + 1), kv, false);
  } else parseKv(body, kv, true);
  // `avc:  denied  { name_connect } for ...`: the verdict is a bare word, not a key=value pair
  if (type === 'AVC' && body.includes(' denied ')) kv.avc_result = 'denied';
  return { type, node, stamp, stampText, kv };
}

/** Everything one audit event says, gathered from its records (raw) or its JSON object (LAUREL). */
interface Gathered {
  timeMs: number;
  timeRaw: string;
  line: number;
  node?: string;
  types: string[];
  syscall?: Kv;
  main?: Kv;
  args?: string[];
  proctitle?: string;
  cwd?: string;
  paths: string[];
  sock?: { family: string; ip?: string; port?: number; path?: string };
}

function gatherRaw(records: RawRecord[], line: number): Gathered {
  const first = records[0]!;
  const g: Gathered = { timeMs: first.stamp.timeMs, timeRaw: first.stamp.timeRaw, line, node: first.node, types: [], paths: [] };
  let execve: Kv | undefined;
  for (const r of records) {
    if (r.type === 'EOE') continue;
    g.types.push(r.type);
    switch (r.type) {
      case 'SYSCALL':
        g.syscall = r.kv;
        break;
      case 'EXECVE':
        execve = execve ? Object.assign(execve, r.kv) : { ...r.kv };
        break;
      case 'PROCTITLE': {
        const raw = r.kv.proctitle;
        if (raw !== undefined) g.proctitle = raw.startsWith('"') ? text(raw) : isHex(raw) ? joinArgv(Buffer.from(raw, 'hex').toString('utf8').split('\0').filter((x, i, all) => x !== '' || i < all.length - 1)) : raw;
        break;
      }
      case 'CWD':
        g.cwd = text(r.kv.cwd);
        break;
      case 'PATH': {
        const name = text(r.kv.name);
        if (name) g.paths.push(name);
        break;
      }
      case 'SOCKADDR': {
        const raw = r.kv.saddr;
        if (r.kv.SADDR) g.sock = interpretedSockaddr(r.kv.SADDR);
        else if (raw && raw.startsWith('{')) g.sock = interpretedSockaddr(raw);
        else if (raw && isHex(raw)) g.sock = decodeSockaddr(Buffer.from(raw, 'hex'));
        break;
      }
      default:
        g.main ??= r.kv;
    }
  }
  if (execve) g.args = execveArgs(execve);
  return g;
}

/** EXECVE a0..a(argc-1); long arguments come as aN_len=... aN[0]=... aN[1]=... chunks. */
function execveArgs(kv: Kv): string[] {
  const argc = Number(kv.argc);
  const args: string[] = [];
  const count = Number.isFinite(argc) ? argc : 0;
  for (let i = 0; i < count; i++) {
    let raw = kv[`a${i}`];
    if (raw === undefined && kv[`a${i}_len`] !== undefined) {
      const parts: string[] = [];
      for (let j = 0; kv[`a${i}[${j}]`] !== undefined; j++) parts.push(kv[`a${i}[${j}]`]!);
      raw = parts.every((p) => p.startsWith('"')) ? `"${parts.map((p) => p.slice(1, -1)).join('')}"` : parts.join('');
    }
    if (raw === undefined) break;
    args.push(text(raw) ?? '');
  }
  return args;
}

function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** LAUREL numbers are JSON numbers or "0x.." strings; everything is turned into the raw-log spelling. */
function laurelKv(obj: JsonObject): Kv {
  const kv: Kv = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string') kv[k] = `"${percentDecode(v)}"`;
    else if (typeof v === 'number' || typeof v === 'boolean') kv[k] = String(v);
    else if (v === null) kv[k] = '(null)';
  }
  if (typeof obj.arch === 'string' && obj.arch.startsWith('0x')) kv.arch = obj.arch.slice(2);
  if (typeof obj.success === 'string') kv.success = obj.success;
  return kv;
}

function gatherLaurel(obj: JsonObject, stamp: Stamp, line: number): Gathered {
  const g: Gathered = { timeMs: stamp.timeMs, timeRaw: stamp.timeRaw, line, node: str(obj.NODE), types: [], paths: [] };
  for (const [type, v] of Object.entries(obj)) {
    if (type === 'ID' || type === 'NODE' || type === 'PARENT_INFO' || type === 'CONTAINER_INFO') continue;
    g.types.push(type);
    if (type === 'SYSCALL' && isObject(v)) g.syscall = laurelKv(v);
    else if (type === 'EXECVE' && isObject(v)) {
      if (Array.isArray(v.ARGV)) g.args = v.ARGV.map((a) => percentDecode(String(a)));
      else if (typeof v.ARGV_STR === 'string') g.args = [percentDecode(v.ARGV_STR)];
    } else if (type === 'PROCTITLE' && isObject(v)) {
      if (Array.isArray(v.ARGV)) g.proctitle = joinArgv(v.ARGV.map((a) => percentDecode(String(a))));
      else if (typeof v.proctitle === 'string') g.proctitle = percentDecode(v.proctitle);
    } else if (type === 'CWD' && isObject(v)) g.cwd = str(v.cwd);
    else if (type === 'PATH' && Array.isArray(v)) {
      for (const p of v) if (isObject(p) && typeof p.name === 'string') g.paths.push(percentDecode(p.name));
    } else if (type === 'SOCKADDR' && Array.isArray(v) && isObject(v[0])) {
      const s = v[0];
      if (typeof s.SADDR === 'string') g.sock = interpretedSockaddr(s.SADDR);
      else if (isObject(s.SADDR)) g.sock = { family: str(s.SADDR.saddr_fam) ?? '?', ip: str(s.SADDR.addr) ?? str(s.SADDR.laddr), port: typeof s.SADDR.port === 'number' ? s.SADDR.port : undefined };
      else if (typeof s.saddr === 'string') g.sock = decodeSockaddr(Buffer.from(percentDecode(s.saddr), 'latin1'));
    } else if (!g.main) {
      const first = Array.isArray(v) ? v[0] : v;
      if (isObject(first)) g.main = laurelKv(first);
    }
  }
  return g;
}

function toEvent(g: Gathered, ctx: ParseContext): ForensicEvent {
  const sc = g.syscall;
  const kv: Kv = { ...(g.main ?? {}), ...(sc ?? {}) };
  let operation: string;
  let success = true;
  let errorCode: string | undefined;
  if (sc) {
    const num = sc.syscall ?? '';
    const named = text(sc.SYSCALL);
    const x86 = sc.arch === undefined || sc.arch.toLowerCase() === 'c000003e';
    operation = named ?? (/^\d+$/.test(num) ? (x86 ? SYSCALLS_X86_64[num] : undefined) ?? num : num || 'SYSCALL');
    if (sc.success === 'no') {
      success = false;
      const exit = sc.exit ?? '';
      // raw: -13; interpreted: EACCES(Permission denied)
      errorCode = /^-\d+$/.test(exit) ? (ERRNO[exit.slice(1)] ?? exit) : exit.split('(')[0] || 'failed';
    }
  } else {
    operation = g.types[0] ?? 'UNKNOWN';
    const res = text(kv.res);
    if (res === 'failed' || res === '0' || res === 'no') {
      success = false;
      errorCode = res;
    }
    if (kv.avc_result === 'denied') {
      success = false;
      errorCode = 'denied';
    }
  }
  let command: string | undefined;
  if (g.args && g.args.length) command = joinArgv(g.args);
  else if (g.proctitle) command = g.proctitle;
  else if (kv.cmd !== undefined) command = text(kv.cmd);

  const fields: Record<string, unknown> = {};
  for (const k of KEPT) {
    const v = text(kv[k], ENCODED.has(k));
    if (v !== undefined && v !== '') fields[k] = clipField(v);
  }
  if (sc?.syscall !== undefined) fields.syscall = sc.syscall;
  for (const k of ['UID', 'AUID', 'EUID', 'GID']) {
    const v = text(kv[k], false);
    if (v !== undefined) fields[k] = v;
  }
  if (g.cwd) fields.cwd = clipField(g.cwd);
  if (g.paths.length) fields.paths = clipField(g.paths.join(' '));
  if (g.proctitle && g.args?.length) fields.proctitle = clipField(g.proctitle);
  fields.recordTypes = g.types.join(',');
  if (errorCode === 'EACCES' || errorCode === 'EPERM' || errorCode === 'denied') fields.authzDenied = true;

  const ev: ForensicEvent = {
    kind: 'audit',
    source: 'audit',
    format: NAME,
    timeMs: g.timeMs,
    timeRaw: g.timeRaw,
    ref: { path: ctx.path, line: g.line },
    operation,
    action: success ? 'allow' : 'error',
    fields,
  };
  if (g.node) ev.host = g.node;
  const actor = id(text(kv.acct)) ?? id(text(kv.AUID, false)) ?? id(kv.auid) ?? id(text(kv.UID, false)) ?? id(kv.uid);
  if (actor) ev.actor = actor;
  if (errorCode) ev.errorCode = errorCode;
  if (command) ev.command = clipField(command);
  if (g.sock) {
    fields.saddrFamily = g.sock.family;
    if (g.sock.path !== undefined) fields.unixPath = clipField(g.sock.path);
    if (g.sock.ip) {
      const ep: Endpoint = { ip: g.sock.ip };
      if (g.sock.port !== undefined) ep.port = g.sock.port;
      if (DST_CALLS.has(operation)) ev.dst = ep;
      else ev.src = ep;
    }
  } else {
    const addr = text(kv.addr, false);
    if (addr && ipVersion(addr)) ev.src = { ip: addr };
  }
  const exe = fields.exe ?? fields.comm;
  const peer = ev.dst ?? (g.sock ? ev.src : undefined);
  ev.message =
    `${operation}${exe ? ` ${String(exe)}` : ''}${command ? `: ${command.length > 200 ? `${command.slice(0, 200)}...` : command}` : ''}` +
    `${peer?.ip ? ` -> ${peer.ip}${peer.port !== undefined ? `:${peer.port}` : ''}` : g.sock?.path ? ` -> ${g.sock.path}` : ''}${errorCode ? ` [${errorCode}]` : ''}`;
  return ev;
}

/** A user name or id that names someone: not unset (4294967295, -1, "unset") and not "?". */
function id(v: string | undefined): string | undefined {
  return v === undefined || v === '' || v === '?' || v === UNSET_ID || v === '-1' || v === 'unset' ? undefined : v;
}

function probe(head: Head): number {
  if (head.container === 'jsonl') {
    if (head.objects.length === 0) return 0;
    const hits = head.objects.filter((o) => {
      if (!isObject(o) || typeof o.ID !== 'string' || !parseStamp(o.ID, 'UTC')) return false;
      return Object.keys(o).some((k) => k !== 'ID' && k !== 'NODE' && /^[A-Z][A-Z0-9_]+$/.test(k) && typeof o[k] === 'object');
    }).length;
    return hits > 0 && hits * 2 >= head.objects.length ? 0.95 : 0;
  }
  if (head.container !== 'lines' || head.lines.length === 0) return 0;
  let hits = 0;
  for (const l of head.lines) if (typeof parseRecordLine(l.text, 'UTC') !== 'string') hits++;
  return hits > 0 && hits * 2 >= head.lines.length ? 0.95 : 0;
}

interface PendingEvent {
  records: RawRecord[];
  line: number;
  timeMs: number;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const pending = new Map<string, PendingEvent>();
  let maxMs = -Infinity;
  for await (const rec of lines) {
    const t = rec.text;
    if (t.trim() === '') continue;
    if (t.startsWith('----')) continue; // ausearch event separator
    if (t.charCodeAt(0) === 123 /* { */) {
      yield* laurelLine(rec, ctx);
      continue;
    }
    const r = parseRecordLine(t, ctx.tz);
    if (typeof r === 'string') {
      ctx.skip({ line: rec.line }, r);
      continue;
    }
    const key = `${r.node ?? ''}|${r.stampText}`;
    let p = pending.get(key);
    if (r.type === 'EOE') {
      if (p) {
        pending.delete(key);
        yield toEvent(gatherRaw(p.records, p.line), ctx);
      }
      continue;
    }
    if (!p) {
      p = { records: [], line: rec.line, timeMs: r.stamp.timeMs };
      pending.set(key, p);
    }
    p.records.push(r);
    if (r.stamp.timeMs > maxMs) maxMs = r.stamp.timeMs;
    for (const [k, q] of pending) {
      if (pending.size <= MAX_PENDING && q.timeMs >= maxMs - EVENT_WINDOW_MS) break;
      pending.delete(k);
      yield toEvent(gatherRaw(q.records, q.line), ctx);
    }
  }
  for (const q of pending.values()) yield toEvent(gatherRaw(q.records, q.line), ctx);
}

function* laurelLine(rec: LineRecord, ctx: ParseContext): Generator<ForensicEvent> {
  let obj: unknown;
  try {
    obj = JSON.parse(rec.text);
  } catch {
    ctx.skip({ line: rec.line }, 'not valid JSON');
    return;
  }
  const stamp = isObject(obj) && typeof obj.ID === 'string' ? parseStamp(obj.ID, ctx.tz) : undefined;
  if (!isObject(obj) || !stamp) {
    ctx.skip({ line: rec.line }, 'LAUREL record without a valid ID (epoch:serial)');
    return;
  }
  yield toEvent(gatherLaurel(obj, stamp, rec.line), ctx);
}

export const auditdFormat: InputFormat = {
  name: NAME,
  source: 'audit',
  description: 'Linux audit logs: raw and enriched auditd records (also behind syslog/audispd headers, or ausearch -i output) and LAUREL JSON lines',
  notes:
    'Recognized by type=<TYPE> msg=audit(<epoch>:<serial>) records (or LAUREL objects with an "ID": "<epoch>:<serial>"). ' +
    'Records with the same node and stamp form one event, emitted on EOE, once the log is 5 s past it, or at the end; ' +
    'ref = the line of its first record. timeMs = the audit stamp (epoch seconds, UTC; ausearch -i dates use --tz), an ' +
    'instant. operation = the syscall name (x86_64 numbers mapped, else kept) or the record type; command = the EXECVE ' +
    'argv (hex decoded, arguments with spaces double-quoted) or the decoded PROCTITLE; SOCKADDR gives dst for connect/' +
    'sendto/sendmsg and src otherwise; host = node=. success=no gives action "error" with errorCode = the errno name ' +
    '(EACCES, EPERM, EINPROGRESS, ...); user-space res=failed gives errorCode "failed".',
  probe,
  parse,
};
