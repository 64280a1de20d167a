// Text helpers the formats share: digit checks for hot paths, and for transcripts one-line summaries,
// bounded JSON and argv joined into a command line.
import { isObject } from './json.js';

/** True for the char code of an ASCII digit. */
export const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

/** True for a non-empty run of ASCII digits; a char loop, because it runs for several fields of every record. */
export function isDigits(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The most characters a log value keeps in an event's `fields` (and a command, in auditd). */
export const FIELD_CHARS = 2000;

/** A log value cut to FIELD_CHARS characters, without a mark: evidence text kept as it was, only bounded. */
export function clipField(s: string): string {
  return s.length > FIELD_CHARS ? s.slice(0, FIELD_CHARS) : s;
}

/** Cuts `s` to `max` characters, marking the cut with an ellipsis. */
export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The one-line `message`: the tool, then its command on one line. */
export function summary(tool: string, command: string): string {
  return command === '' ? tool : truncate(`${tool}: ${command.replace(/\s+/g, ' ')}`, 200);
}

/** A value as bounded JSON text (4000 characters); values JSON cannot print fall back to String(). */
export function compactJson(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? '';
  } catch {
    s = String(v);
  }
  return truncate(s, 4000);
}

/** Joins tool-argument argv as the model wrote it: only blanks and quotes make an argument quoted. */
export function shellJoin(argv: unknown[]): string {
  return argv.map((a) => {
    const s = String(a);
    return /[\s'"]/.test(s) || s === '' ? `'${s.replace(/'/g, `'\\''`)}'` : s;
  }).join(' ');
}

/**
 * Joins an executed argv (codex exec, ROCK, agent-events) into one command line, single-quoting every
 * argument a POSIX shell would read specially; non-string arguments are written as JSON.
 */
export function joinArgv(argv: unknown[]): string {
  return argv
    .map((a) => {
      const s = typeof a === 'string' ? a : JSON.stringify(a);
      return s === '' || /[\s'"\\$`|&;<>(){}*?!#~]/.test(s) ? `'${s.replace(/'/g, `'\\''`)}'` : s;
    })
    .join(' ');
}

/**
 * The command of a tool call's arguments (a JSON string, or already parsed): a shell-like tool's
 * command/cmd argument (argv joined), else the arguments as bounded text or compact JSON.
 */
export function commandFromArguments(raw: unknown): string {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return truncate(raw, 4000);
    }
  }
  if (isObject(value)) {
    for (const key of ['command', 'cmd']) {
      const c = value[key];
      if (typeof c === 'string') return c;
      if (Array.isArray(c)) return shellJoin(c);
    }
  }
  return value === undefined ? '' : typeof value === 'string' ? truncate(value, 4000) : compactJson(value);
}
