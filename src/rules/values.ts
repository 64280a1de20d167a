// Sigma value modifiers compiled to tests: wildcards, contains/startswith/endswith, all, re,
// cidr, exists, comparisons, base64/base64offset, expand (indicator lists), cased.
import { compileSafeRegex } from './regex.js';
import { ipInAnyCidr, ipInCidr, parseCidr, type Cidr } from './cidr.js';
import type { ValueTest } from './rule.js';

export const MODIFIERS = new Set(['contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cidr', 'exists', 'gt', 'gte', 'lt', 'lte', 'base64', 'base64offset', 'expand', 'cased', 'windash']);

/** Sigma modifiers we know but do not run, with why: a rule using them is refused, never half-run. */
const UNSUPPORTED: Record<string, string> = {
  utf16le: 'UTF-16 encodings only matter for Windows logs, which this tool does not read',
  utf16be: 'UTF-16 encodings only matter for Windows logs, which this tool does not read',
  utf16: 'UTF-16 encodings only matter for Windows logs, which this tool does not read',
  wide: 'UTF-16 encodings only matter for Windows logs, which this tool does not read',
  fieldref: 'comparing two fields of one event is not supported',
  minute: 'time-part modifiers are not supported', hour: 'time-part modifiers are not supported',
  day: 'time-part modifiers are not supported', week: 'time-part modifiers are not supported',
  month: 'time-part modifiers are not supported', year: 'time-part modifiers are not supported',
};

/** Sigma's `windash`: a leading `-` of an option may also be written `/`, en dash, em dash or horizontal bar. */
function windashVariants(value: string): string[] {
  const dashes = ['-', '/', '\u2013', '\u2014', '\u2015'];
  if (!/(^|\s)-/.test(value)) return [value];
  return dashes.map((d) => value.replace(/(^|\s)-/g, `$1${d}`));
}

export interface CompiledField {
  tests: ValueTest[];
  all: boolean;
  exists?: boolean;
  isNull?: boolean;
}

/** Turns `field|mod1|mod2: values` into tests; throws Error with the reason on a bad rule. */
export function compileField(modifiers: string[], rawValues: unknown[], placeholders: ReadonlyMap<string, string[]>): CompiledField {
  for (const m of modifiers) {
    if (UNSUPPORTED[m]) throw new Error(`unsupported modifier '${m}': ${UNSUPPORTED[m]}`);
    if (!MODIFIERS.has(m)) throw new Error(`unknown modifier '${m}' (known: ${[...MODIFIERS].join(', ')})`);
  }
  const has = (m: string) => modifiers.includes(m);
  const exclusive = ['contains', 'startswith', 'endswith', 're', 'cidr', 'gt', 'gte', 'lt', 'lte', 'exists'].filter(has);
  if (exclusive.length > 1) throw new Error(`modifiers '${exclusive.join("' and '")}' cannot be combined`);
  for (const flag of ['i', 'm', 's']) if (has(flag) && !has('re')) throw new Error(`modifier '${flag}' only applies to 're'`);
  if (has('exists')) {
    if (rawValues.length !== 1 || typeof rawValues[0] !== 'boolean') throw new Error("'exists' takes true or false");
    return { tests: [], all: false, exists: rawValues[0] as boolean };
  }
  if (rawValues.length === 1 && rawValues[0] === null) return { tests: [], all: false, isNull: true };
  let values: unknown[] = rawValues;
  if (has('expand')) values = values.flatMap((v) => expandPlaceholder(v, placeholders));
  if (has('windash')) values = values.flatMap((v) => (typeof v === 'string' ? windashVariants(v) : [v]));
  if (has('base64') || has('base64offset')) values = values.flatMap((v) => (has('base64offset') ? base64Offsets(String(v)) : [Buffer.from(String(v)).toString('base64')]));
  const plain = !['re', 'cidr', 'gt', 'gte', 'lt', 'lte'].some(has);
  if (plain && !has('all') && values.length > 1) return { tests: [groupedTest(values, modifiers)], all: false };
  // Any of a list of ranges (the private ones are nine): the address is parsed once for all of them.
  if (has('cidr') && !has('all') && values.length > 1) {
    const cidrs = values.map(cidrOf);
    return { tests: [(v) => typeof v === 'string' && ipInAnyCidr(v, cidrs)], all: false };
  }
  const tests = values.map((v) => compileValue(v, modifiers));
  return { tests, all: has('all') };
}

/**
 * Any of many plain values (an indicator list of 20 pool domains, 13 stratum ports) as one test:
 * the event value is normalized once, then looked up in a set (exact values) and scanned against
 * suffixes, prefixes and infixes; only other wildcard shapes keep a test of their own. Same answers
 * as testing each value alone (test/rules/values.test.ts checks that).
 */
function groupedTest(values: unknown[], modifiers: string[]): ValueTest {
  const cased = modifiers.includes('cased');
  const norm = (s: string) => (cased ? s : lowerCased(s));
  const exact = new Set<string>();
  const suffixes: string[] = [], prefixes: string[] = [], infixes: string[] = [];
  const others: ValueTest[] = [];
  for (const value of values) {
    if (typeof value === 'number') {
      exact.add(String(value));
      continue;
    }
    if (typeof value !== 'string') {
      others.push(compileValue(value, modifiers));
      continue;
    }
    const pattern = modifiers.includes('contains') ? `*${value}*` : modifiers.includes('startswith') ? `${value}*` : modifiers.includes('endswith') ? `*${value}` : value;
    const p = splitWildcards(pattern);
    const lit = (i: number) => (p[i]?.type === 'lit' ? norm((p[i] as { text: string }).text) : undefined);
    if (p.length === 1 && lit(0) !== undefined) exact.add(lit(0)!);
    else if (p.length === 2 && p[0]!.type === '*' && lit(1)) suffixes.push(lit(1)!);
    else if (p.length === 2 && p[1]!.type === '*' && lit(0)) prefixes.push(lit(0)!);
    else if (p.length === 3 && p[0]!.type === '*' && p[2]!.type === '*' && lit(1)) infixes.push(lit(1)!);
    else others.push(wildcardTest(pattern, cased));
  }
  // A port or a count tested against a list of numbers: a number set answers without building text.
  // Holds the exact values that are some number's own text, so `numbers.has(v)` ⟺ `exact.has(String(v))`.
  const onlyExact = suffixes.length === 0 && prefixes.length === 0 && infixes.length === 0 && others.length === 0;
  const numbers = new Set([...exact].filter((x) => x !== '' && String(Number(x)) === x).map(Number));
  const endings = suffixes.length > SUFFIXES_IN_A_LOOP ? new SuffixSet(suffixes) : undefined;
  return (v) => {
    if (onlyExact && typeof v === 'number' && Number.isFinite(v)) return numbers.has(v);
    if (typeof v !== 'string' && typeof v !== 'number') return others.some((t) => t(v));
    const s = norm(String(v));
    if (exact.has(s)) return true;
    if (endings) {
      if (endings.ends(s)) return true;
    } else for (const x of suffixes) if (s.endsWith(x)) return true;
    for (const x of prefixes) if (s.startsWith(x)) return true;
    for (const x of infixes) if (s.includes(x)) return true;
    for (const t of others) if (t(v)) return true;
    return false;
  };
}

let lastText = '';
let lastLower = '';

/**
 * `text.toLowerCase()`, remembered for the last text asked: the rules of one record test its
 * domain or address several times (pool, tunnel and metadata lists), each lower-casing it.
 */
function lowerCased(text: string): string {
  if (text !== lastText) {
    lastText = text;
    lastLower = text.toLowerCase();
  }
  return lastLower;
}

function cidrOf(value: unknown): Cidr {
  const cidr = parseCidr(String(value));
  if (!cidr) throw new Error(`invalid CIDR '${String(value)}'`);
  return cidr;
}

/** Up to this many suffixes are tested one by one; more go into a SuffixSet. */
const SUFFIXES_IN_A_LOOP = 4;

interface SuffixNode {
  next: Map<number, SuffixNode>;
  /** a suffix ends here */
  end: boolean;
}

/**
 * Suffixes looked up from a text's last character backwards, one step per character: an indicator
 * list of twenty pool domains (`*supportxmr.com`, ...) was twenty endsWith calls for every record
 * with a domain, in each of the rules that use it. A text that matches no suffix leaves after a few
 * characters.
 */
class SuffixSet {
  private readonly root: SuffixNode = { next: new Map(), end: false };

  constructor(suffixes: readonly string[]) {
    for (const x of suffixes) {
      let node = this.root;
      for (let i = x.length - 1; i >= 0; i--) {
        const c = x.charCodeAt(i);
        let child = node.next.get(c);
        if (!child) node.next.set(c, (child = { next: new Map(), end: false }));
        node = child;
      }
      node.end = true;
    }
  }

  /** Whether `text` ends with one of the suffixes (as some(x => text.endsWith(x))). */
  ends(text: string): boolean {
    let node: SuffixNode | undefined = this.root;
    if (node.end) return true;
    for (let i = text.length - 1; i >= 0; i--) {
      node = node.next.get(text.charCodeAt(i));
      if (node === undefined) return false;
      if (node.end) return true;
    }
    return false;
  }
}

function expandPlaceholder(v: unknown, placeholders: ReadonlyMap<string, string[]>): string[] {
  const m = /^%([A-Za-z0-9_.-]+)%$/.exec(String(v));
  if (!m) throw new Error(`'expand' needs a %placeholder%, got '${String(v)}'`);
  const list = placeholders.get(m[1]!);
  if (!list) throw new Error(`unknown placeholder %${m[1]}% (no indicator list of that name)`);
  return list;
}

/** The three base64 encodings of a text at byte offsets 0, 1, 2, trimmed to their stable part (Sigma base64offset). */
function base64Offsets(text: string): string[] {
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  return [0, 1, 2].map((i) => {
    const encoded = Buffer.concat([Buffer.alloc(i), Buffer.from(text)]).toString('base64');
    const end = ends[(text.length + i) % 3];
    return encoded.slice(starts[i], end);
  });
}

function compileValue(value: unknown, modifiers: string[]): ValueTest {
  const has = (m: string) => modifiers.includes(m);
  if (has('re')) {
    const re = compileSafeRegex(String(value), { ignoreCase: has('i'), multiline: has('m'), dotAll: has('s') });
    return (v) => typeof v === 'string' ? re.test(v) : typeof v === 'number' ? re.test(String(v)) : false;
  }
  if (has('cidr')) {
    const cidr = cidrOf(value);
    return (v) => typeof v === 'string' && ipInCidr(v, cidr);
  }
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (has(op)) {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`'${op}' needs a number, got '${String(value)}'`);
      return (v) => {
        const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        if (!Number.isFinite(x)) return false;
        return op === 'gt' ? x > n : op === 'gte' ? x >= n : op === 'lt' ? x < n : x <= n;
      };
    }
  }
  if (typeof value === 'boolean') return (v) => v === value || String(v).toLowerCase() === String(value);
  if (typeof value === 'number') return (v) => v === value || (typeof v === 'string' && v === String(value));
  if (typeof value !== 'string') throw new Error(`unsupported value ${JSON.stringify(value)}`);
  const cased = has('cased');
  const pattern = has('contains') ? `*${value}*` : has('startswith') ? `${value}*` : has('endswith') ? `*${value}` : value;
  return wildcardTest(pattern, cased);
}

/** Sigma string semantics: `*` and `?` wildcards (`\*` literal), case-insensitive unless cased. */
export function wildcardTest(pattern: string, cased: boolean): ValueTest {
  const parts = splitWildcards(pattern);
  const norm = (s: string) => (cased ? s : s.toLowerCase());
  if (parts.length === 1 && parts[0]!.type === 'lit') {
    const lit = norm(parts[0]!.text);
    return (v) => (typeof v === 'string' || typeof v === 'number') && norm(String(v)) === lit;
  }
  // Only `*`: a fast literal scan (linear, no regex).
  if (parts.every((p) => p.type !== '?')) {
    const lits = parts.map((p) => (p.type === 'lit' ? norm(p.text) : null));
    return (v) => (typeof v === 'string' || typeof v === 'number') && matchStars(norm(String(v)), lits);
  }
  const source = parts.map((p) => (p.type === 'lit' ? escapeRe2(p.text) : p.type === '*' ? '.*' : '.')).join('');
  const re = compileSafeRegex(`^${source}$`, { ignoreCase: !cased, dotAll: true });
  return (v) => (typeof v === 'string' || typeof v === 'number') && re.test(String(v));
}

type Part = { type: 'lit'; text: string } | { type: '*' | '?' };

function splitWildcards(pattern: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '?' || pattern[i + 1] === '\\')) {
      lit += pattern[++i];
    } else if (c === '*' || c === '?') {
      if (lit) parts.push({ type: 'lit', text: lit });
      lit = '';
      if (!(c === '*' && parts.at(-1)?.type === '*')) parts.push({ type: c });
    } else lit += c;
  }
  if (lit || parts.length === 0) parts.push({ type: 'lit', text: lit });
  return parts;
}

/** Glob with `*` only, by literal search: null entries are stars. */
function matchStars(text: string, lits: (string | null)[]): boolean {
  let pos = 0;
  for (let i = 0; i < lits.length; i++) {
    const lit = lits[i];
    if (lit === null) continue;
    const anchoredStart = i === 0;
    const anchoredEnd = i === lits.length - 1;
    if (anchoredStart && anchoredEnd) return text === lit;
    if (anchoredStart) {
      if (!text.startsWith(lit)) return false;
      pos = lit.length;
    } else if (anchoredEnd) {
      return text.length - lit.length >= pos && text.endsWith(lit);
    } else {
      const at = text.indexOf(lit, pos);
      if (at < 0) return false;
      pos = at + lit.length;
    }
  }
  return true;
}

function escapeRe2(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
