// Rule files → compiled rules. `rules validate` and every run use this same loader, so a rule that
// validates is a rule that runs. Errors name the file and line (exit 2), never a stack trace.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { severityRank, type EventKind, type Severity } from '../model/event.js';
import { parseDuration } from '../model/duration.js';
import { RuleError } from '../model/errors.js';
import { conditionRefs, globToTest, parseCondition } from './condition.js';
import { compileSafeRegex } from './regex.js';
import {
  JOIN_KEYS,
  type AttributionHints, type AttributionTestCase, type ConditionNode, type CorrelationRule, type CorrelationTestCase, type CorrelationType,
  type CountCondition, type FieldCondition, type JoinKey, type Rule, type RuleHeader, type RuleTestCase, type Selection, type TestCall,
} from './rule.js';
import { compileField } from './values.js';

export interface RuleSet {
  /** detection rules that mark violations on their own: the pipeline's per-event pass */
  rules: Rule[];
  /** every detection rule, including those only correlations use */
  detections: Rule[];
  /** Sigma correlation rules, in evaluation order (a chained correlation after those it uses) */
  correlations: CorrelationRule[];
  /** detection rules whose matches the correlations need: the pipeline keeps events they mark */
  correlationInputs: Rule[];
  indicators: Map<string, string[]>;
  files: { path: string; sha256: string }[];
  /** SHA-256 over every rule file's path and hash, for the report */
  sha256: string;
  /** the same rules for a worker thread to compile (ruleSetFromPortable) without reading YAML again */
  portable: PortableRuleSet;
}

/**
 * Rule documents as plain values, without their `tests` (a worker runs none): a scan worker
 * compiles these instead of parsing the rule files again, which cost it about 0.2 s of CPU at start
 * (the YAML parser, mostly over the tests, which are two thirds of the built-in rules' text).
 */
export interface PortableRuleSet {
  docs: PortableDoc[];
  files: RuleSet['files'];
  sha256: string;
}

export type PortableDoc =
  /** `idLine`: where the rule's id stands (RuleHeader.line) */
  | { kind: 'rule'; path: string; line: number; idLine: number; value: Record<string, unknown> }
  | IndicatorDoc;

const LEVELS: Record<string, Severity> = { informational: 'info', info: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };

const CATEGORY_KINDS: Record<string, EventKind[]> = {
  network: ['network'], firewall: ['network'], network_connection: ['network'], ids: ['network'], dns: ['network'], proxy: ['network'], flow: ['network'],
  audit: ['audit'], cloud: ['audit'], process_creation: ['audit'], application: ['audit'],
};

/** Sigma product/service pairs → our format names. */
const PRODUCT_FORMATS: Record<string, string[]> = {
  'aws/cloudtrail': ['aws-cloudtrail'], aws: ['aws-cloudtrail', 'aws-vpc-flow'],
  'gcp/gcp.audit': ['gcp-audit'], gcp: ['gcp-audit', 'gcp-firewall', 'gcp-vpc-flow'],
  'azure/activitylogs': ['azure-activity'], azure: ['azure-activity', 'azure-nsg-flow'],
  'kubernetes/audit': ['k8s-audit'], kubernetes: ['k8s-audit'],
  'linux/auditd': ['auditd'],
  // We read no Zeek dns.log: Sigma's Zeek DNS rules run on the DNS records we do read.
  'zeek/conn': ['zeek-conn'], 'zeek/dns': ['suricata-eve', 'opensandbox-egress'], zeek: ['zeek-conn'],
  suricata: ['suricata-eve'],
  alibaba: ['alibaba-actiontrail', 'alibaba-cloudfirewall', 'alibaba-vpc-flow'],
  opensandbox: ['opensandbox-egress'],
};

export const DEFAULT_HINTS = { beforeMs: 2_000, afterMs: 60_000, persistentAfterMs: 6 * 3_600_000 };

async function listRuleFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new RuleError('cannot read rules: no such file or folder', path);
  }
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    const full = join(path, name);
    const s = await stat(full);
    if (s.isDirectory()) out.push(...(await listRuleFiles(full)));
    else if (/\.ya?ml$/i.test(name)) out.push(full);
  }
  return out;
}

export async function loadRuleSet(paths: string[]): Promise<RuleSet> {
  const files: { path: string; name: string; sha256: string; text: string }[] = [];
  for (const p of paths) {
    for (const file of await listRuleFiles(p)) {
      const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new RuleError(`cannot read rule file: ${err.code ?? err.message}`, file);
      });
      // Named relative to the folder given, so the rule-set hash does not depend on where it is installed.
      const name = relative(p, file) || basename(file);
      files.push({ path: file, name, sha256: createHash('sha256').update(text).digest('hex'), text });
    }
  }
  const docs = files.flatMap((f) => parseFile(f.path, f.text));
  const sha256 = createHash('sha256').update(files.map((f) => `${f.name}\0${f.sha256}\n`).join('')).digest('hex');
  const listed = files.map(({ name, sha256 }) => ({ path: name, sha256 }));
  return { ...compileRuleSet(docs), files: listed, sha256, portable: { docs: docs.map(portableDoc), files: listed, sha256 } };
}

/** The rules a main thread loaded (RuleSet.portable), compiled again in a worker thread. */
export function ruleSetFromPortable(portable: PortableRuleSet): RuleSet {
  // The main thread compiled these documents already: a failure here would have stopped it first.
  const docs = portable.docs.map((d): ParsedDoc => (d.kind === 'rule' ? { ...d, lineOf: (...keys) => (keys.length === 1 && keys[0] === 'id' ? d.idLine : d.line) } : d));
  return { ...compileRuleSet(docs), files: portable.files, sha256: portable.sha256, portable };
}

function portableDoc(d: ParsedDoc): PortableDoc {
  if (d.kind === 'indicator') return d;
  const { tests: _tests, ...value } = d.value;
  return { kind: 'rule', path: d.path, line: d.line, idLine: d.lineOf('id'), value };
}

function compileRuleSet(docs: ParsedDoc[]): Omit<RuleSet, 'files' | 'sha256' | 'portable'> {
  const indicators = new Map<string, string[]>();
  for (const d of docs.filter((d) => d.kind === 'indicator')) {
    if (indicators.has(d.name)) throw new RuleError(`indicator list '${d.name}' is defined twice`, d.path, d.line);
    indicators.set(d.name, d.values);
  }
  const detections: Rule[] = [];
  const pending: { doc: ParsedRuleDoc; header: RuleHeader }[] = [];
  const ids = new Map<string, string>();
  // Sigma lets rules that only feed a correlation omit `level`; anything that marks violations needs one.
  const levelless = new Map<string, DocContext>();
  const names = new Map<string, string>();
  const claim = (h: RuleHeader) => {
    const prior = ids.get(h.id);
    if (prior) throw new RuleError(`rule id '${h.id}' is already used in ${prior}`, h.path, h.line);
    ids.set(h.id, `${h.path}:${h.line}`);
    if (h.name !== undefined) {
      const priorName = names.get(h.name);
      if (priorName) throw new RuleError(`rule name '${h.name}' is already used in ${priorName}`, h.path, h.line);
      names.set(h.name, `${h.path}:${h.line}`);
    }
  };
  for (const d of docs) {
    if (d.kind !== 'rule') continue;
    const ctx = docContext(d);
    const header = compileHeader(ctx);
    claim(header);
    if (ctx.value.level === undefined) levelless.set(header.id, ctx);
    if ('correlation' in ctx.value) pending.push({ doc: d, header });
    else detections.push(compileDetection(ctx, header, indicators));
  }
  const correlations = compileCorrelations(pending.map((p) => ({ ctx: docContext(p.doc), header: p.header })), detections, levelless);
  const { inputs } = markStandalone(detections, correlations);
  numberPatterns([...detections, ...correlations]);
  for (const r of detections) if (r.standalone && levelless.has(r.id)) levelless.get(r.id)!.fail("a rule needs a 'level' (informational, low, medium, high, critical)");
  return { rules: detections.filter((r) => r.standalone), detections, correlations, correlationInputs: inputs, indicators };
}

/**
 * Gives the first 30 command patterns of the rule set a bit each, in rule order: a command's answers
 * to them are kept in two small integers (RL traces hold hundreds of thousands of commands; a map of
 * answers per command cost about 200 bytes each).
 */
function numberPatterns(rules: readonly RuleHeader[]): void {
  let n = 0;
  for (const r of rules) for (const p of r.attribution.commandPatterns) p.bit = n < 30 ? 1 << n++ : 0;
}

/** A rule document's values, and the line of a key path in its file (for errors). */
type ParsedRuleDoc = { kind: 'rule'; path: string; line: number; value: Record<string, unknown>; lineOf: (...keys: (string | number)[]) => number };
type IndicatorDoc = { kind: 'indicator'; path: string; line: number; name: string; values: string[] };
type ParsedDoc = ParsedRuleDoc | IndicatorDoc;

function parseFile(path: string, text: string): ParsedDoc[] {
  const lines = new LineCounter();
  const out: ParsedDoc[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
    const problem = doc.errors[0];
    if (problem) throw new RuleError(`invalid YAML: ${problem.message.split('\n')[0]}`, path, lines.linePos(problem.pos[0]).line);
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const line = lines.linePos(doc.contents?.range?.[0] ?? 0).line;
    if (typeof value !== 'object' || Array.isArray(value)) throw new RuleError('a rule document must be a mapping', path, line);
    if ('indicator' in value) {
      const values = value.values;
      if (typeof value.indicator !== 'string' || !Array.isArray(values) || values.some((v: unknown) => typeof v !== 'string' && typeof v !== 'number')) {
        throw new RuleError("an indicator list needs 'indicator: <name>' and 'values: [strings]'", path, line);
      }
      out.push({ kind: 'indicator', path, line, name: value.indicator, values: values.map(String) });
    } else out.push({ kind: 'rule', path, line, value, lineOf: lineFinder(doc, lines) });
  }
  return out;
}

type Fail = (message: string, ...keys: (string | number)[]) => never;

interface DocContext {
  path: string;
  value: Record<string, unknown>;
  lineOf: (...keys: (string | number)[]) => number;
  fail: Fail;
}

function lineFinder(doc: Document, lines: LineCounter): ParsedRuleDoc['lineOf'] {
  return (...keys) => {
    // The deepest node that exists: a missing key is reported where its parent stands.
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return lines.linePos(doc.contents?.range?.[0] ?? 0).line;
  };
}

function docContext(d: ParsedRuleDoc): DocContext {
  const fail: Fail = (message, ...keys) => {
    throw new RuleError(message, d.path, d.lineOf(...keys));
  };
  return { path: d.path, value: d.value, lineOf: d.lineOf, fail };
}

function compileHeader(ctx: DocContext): RuleHeader {
  const { value: v, fail } = ctx;
  const id = v.id, title = v.title, name = v.name;
  if (typeof title !== 'string' || title.trim() === '') fail("a rule needs a 'title'");
  if (typeof id !== 'string' || id.trim() === '') fail("a rule needs an 'id'");
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) fail("'name' must be a non-empty string", 'name');
  let severity: Severity | undefined;
  if (v.level !== undefined) {
    severity = LEVELS[String(v.level).toLowerCase()];
    if (!severity) fail(`'level' must be one of informational, low, medium, high, critical`, 'level');
  }
  return {
    id: id as string,
    ...(name !== undefined ? { name: name as string } : {}),
    title: title as string,
    description: typeof v.description === 'string' ? v.description : undefined,
    // A correlation without a level takes its rules' highest (set in compileCorrelations).
    severity: severity ?? 'info',
    attribution: compileHints(v.attribution, fail),
    tags: Array.isArray(v.tags) ? v.tags.map(String) : [],
    path: ctx.path,
    line: ctx.lineOf('id'),
  };
}

function compileDetection(ctx: DocContext, header: RuleHeader, indicators: ReadonlyMap<string, string[]>): Rule {
  const { value: v, fail } = ctx;
  if ('generate' in v) fail("'generate' belongs to correlation rules", 'generate');
  const detection = v.detection;
  if (!detection || typeof detection !== 'object' || Array.isArray(detection)) fail("a rule needs a 'detection' mapping (or a 'correlation' one)", 'detection');
  const det = detection as Record<string, unknown>;
  const selections = new Map<string, Selection>();
  for (const [name, body] of Object.entries(det)) {
    if (name === 'condition' || name === 'timeframe') continue;
    selections.set(name, compileSelection(name, body, indicators, fail));
  }
  const condText = Array.isArray(det.condition) ? det.condition.map((c) => `(${String(c)})`).join(' or ') : det.condition;
  if (typeof condText !== 'string') fail("detection needs a 'condition'", 'detection', 'condition');
  const cond = condText as string;
  // Sigma 1's `| count() by x > n` and `near` are obsolete; their meaning now lives in correlation rules.
  if (cond.includes('|')) fail("condition: aggregation expressions ('| count() ...') are obsolete Sigma; write a correlation rule (type event_count or value_count) instead", 'detection', 'condition');
  if (/\bnear\b/i.test(cond)) fail("condition: 'near' is obsolete Sigma; write a temporal correlation rule instead", 'detection', 'condition');
  if ('timeframe' in det) fail("'timeframe' only applies to aggregations; put 'timespan' in a correlation rule", 'detection', 'timeframe');
  let condition: ConditionNode | undefined;
  try {
    condition = parseCondition(cond);
  } catch (err) {
    fail(`condition: ${(err as Error).message}`, 'detection', 'condition');
  }
  const refs = conditionRefs(condition!);
  for (const name of refs.names) if (!selections.has(name)) fail(`condition names '${name}', which is not a selection of this rule`, 'detection', 'condition');
  for (const p of refs.patterns) if (![...selections.keys()].some(globToTest(p))) fail(`condition pattern '${p}' matches no selection`, 'detection', 'condition');
  const logsource = (v.logsource ?? {}) as Record<string, unknown>;
  if (typeof logsource !== 'object' || Array.isArray(logsource)) fail("'logsource' must be a mapping", 'logsource');
  const category = typeof logsource.category === 'string' ? logsource.category : undefined;
  if (category && !CATEGORY_KINDS[category]) fail(`unknown logsource category '${category}' (known: ${Object.keys(CATEGORY_KINDS).join(', ')})`, 'logsource', 'category');
  const raw = testsOf(v.tests, fail);
  return {
    ...header,
    kinds: category ? CATEGORY_KINDS[category] : undefined,
    formats: formatsOf(logsource),
    selections,
    condition: condition!,
    tests: {
      positive: eventCases(raw.positive, 'positive', fail),
      negative: eventCases(raw.negative, 'negative', fail),
      attribution: attributionCases(raw.attribution, ctx),
    },
    standalone: true,
  };
}

function formatsOf(logsource: Record<string, unknown>): string[] | undefined {
  const product = typeof logsource.product === 'string' ? logsource.product : undefined;
  const service = typeof logsource.service === 'string' ? logsource.service : undefined;
  if (Array.isArray(logsource.formats)) return logsource.formats.map(String);
  if (!product) return undefined;
  return PRODUCT_FORMATS[`${product}/${service}`] ?? PRODUCT_FORMATS[product] ?? undefined;
}

function compileSelection(name: string, body: unknown, indicators: ReadonlyMap<string, string[]>, fail: Fail): Selection {
  if (Array.isArray(body) && body.every((b) => typeof b === 'string' || typeof b === 'number')) {
    // Keyword list: any keyword found in the record's text.
    const alternatives: FieldCondition[][] = body.flatMap((kw) => ['message', 'command'].map((field) => [{ field, ...compileField(['contains'], [kw], indicators) }]));
    return { name, alternatives };
  }
  const maps = Array.isArray(body) ? body : [body];
  const alternatives = maps.map((m, i) => {
    const at = Array.isArray(body) ? [i] : [];
    if (!m || typeof m !== 'object' || Array.isArray(m)) fail(`selection '${name}' must be a mapping of field: value, or a list of them`, 'detection', name, ...at);
    return Object.entries(m as Record<string, unknown>).map(([key, raw]) => {
      const [field, ...modifiers] = key.split('|');
      if (!field) fail(`selection '${name}': empty field name in '${key}'`, 'detection', name, ...at, key);
      const values = Array.isArray(raw) ? raw : [raw];
      try {
        return { field: field!, ...compileField(modifiers, values, indicators) };
      } catch (err) {
        return fail(`selection '${name}': field '${key}': ${(err as Error).message}`, 'detection', name, ...at, key);
      }
    });
  });
  return { name, alternatives };
}

const HINT_KEYS = ['before', 'after', 'persistent', 'command', 'anchor', 'join'];

function compileHints(raw: unknown, fail: Fail): AttributionHints {
  const hints: AttributionHints = { beforeMs: DEFAULT_HINTS.beforeMs, afterMs: DEFAULT_HINTS.afterMs, persistent: false, commandPatterns: [], anchor: 'last', join: [] };
  if (raw === undefined) return hints;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail("'attribution' must be a mapping", 'attribution');
  const a = raw as Record<string, unknown>;
  for (const k of Object.keys(a)) if (!HINT_KEYS.includes(k)) fail(`unknown attribution key '${k}' (known: ${HINT_KEYS.join(', ')})`, 'attribution', k);
  for (const key of ['before', 'after'] as const) {
    if (a[key] === undefined) continue;
    const ms = parseDuration(String(a[key]));
    if (ms === undefined || ms < 0) fail(`attribution.${key} must be a duration like 30s or 6h`, 'attribution', key);
    hints[key === 'before' ? 'beforeMs' : 'afterMs'] = ms!;
  }
  if (a.persistent !== undefined) {
    if (typeof a.persistent !== 'boolean') fail('attribution.persistent must be true or false', 'attribution', 'persistent');
    hints.persistent = a.persistent as boolean;
    if (hints.persistent && a.after === undefined) hints.afterMs = DEFAULT_HINTS.persistentAfterMs;
  }
  if (a.anchor !== undefined) {
    if (a.anchor !== 'first' && a.anchor !== 'last') fail("attribution.anchor must be 'first' or 'last'", 'attribution', 'anchor');
    hints.anchor = a.anchor as 'first' | 'last';
  }
  if (a.join !== undefined) {
    const keys = Array.isArray(a.join) ? a.join : [a.join];
    keys.forEach((k, i) => {
      if (!(JOIN_KEYS as readonly unknown[]).includes(k)) fail(`attribution.join: '${String(k)}' is not one of ${JOIN_KEYS.join(', ')}`, 'attribution', 'join', ...(Array.isArray(a.join) ? [i] : []));
      if (!hints.join.includes(k as JoinKey)) hints.join.push(k as JoinKey);
    });
  }
  const patterns = a.command === undefined ? [] : Array.isArray(a.command) ? a.command : [a.command];
  patterns.forEach((p, i) => {
    const at = Array.isArray(a.command) ? [i] : [];
    const item: Record<string, unknown> = typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : { pattern: p };
    for (const k of Object.keys(item)) if (!['pattern', 'label', 'weight'].includes(k)) fail(`attribution.command: unknown key '${k}' (known: pattern, label, weight)`, 'attribution', 'command', ...at);
    if (typeof item.pattern !== 'string' || item.pattern === '') fail('attribution.command needs a pattern (RE2 syntax)', 'attribution', 'command', ...at);
    const weight = item.weight;
    if (weight !== undefined && (typeof weight !== 'number' || !(weight > 0 && weight < 1))) fail('attribution.command weight must be a number between 0 and 1', 'attribution', 'command', ...at);
    let re;
    try {
      re = compileSafeRegex(item.pattern as string, { ignoreCase: true });
    } catch (err) {
      fail(`attribution.command: ${(err as Error).message}`, 'attribution', 'command', ...at);
    }
    hints.commandPatterns.push({ source: re!.source, test: re!.test, label: String(item.label ?? item.pattern), ...(weight !== undefined ? { weight: weight as number } : {}), bit: 0 });
  });
  return hints;
}

function testsOf(raw: unknown, fail: Fail): { positive: unknown; negative: unknown; attribution: unknown } {
  if (raw === undefined) return { positive: undefined, negative: undefined, attribution: undefined };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail("'tests' must be a mapping with 'positive', 'negative' and 'attribution' lists", 'tests');
  const t = raw as Record<string, unknown>;
  for (const k of Object.keys(t)) if (!['positive', 'negative', 'attribution'].includes(k)) fail(`unknown tests key '${k}' (known: positive, negative, attribution)`, 'tests', k);
  return { positive: t.positive, negative: t.negative, attribution: t.attribution };
}

function listOf(raw: unknown, where: string, fail: Fail, ...keys: (string | number)[]): unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(`${where} must be a list`, ...keys);
  return raw as unknown[];
}

function eventCases(raw: unknown, kind: 'positive' | 'negative', fail: Fail): RuleTestCase[] {
  return listOf(raw, `tests.${kind}`, fail, 'tests', kind).map((item, i) => {
    const t = item as Record<string, unknown>;
    if (!t || typeof t !== 'object' || !t.event || typeof t.event !== 'object' || Array.isArray(t.event)) fail(`tests.${kind}[${i}] needs an 'event' mapping`, 'tests', kind, i);
    return { name: String(t.name ?? `${kind} ${i + 1}`), event: t.event as Record<string, unknown> };
  });
}

function offsetOf(raw: unknown, what: string, fail: Fail, ...keys: (string | number)[]): number {
  const ms = raw === undefined ? undefined : parseDuration(String(raw));
  if (ms === undefined) fail(`${what} must be an offset like 0s, 90s or -2s`, ...keys);
  return ms!;
}

function sequenceCases(raw: unknown, kind: 'positive' | 'negative', fail: Fail): CorrelationTestCase[] {
  return listOf(raw, `tests.${kind}`, fail, 'tests', kind).map((item, i) => {
    const t = item as Record<string, unknown>;
    if (!t || typeof t !== 'object' || !Array.isArray(t.events) || t.events.length === 0) fail(`tests.${kind}[${i}] of a correlation needs 'events': a list of { at, event }`, 'tests', kind, i);
    const events = (t.events as unknown[]).map((e, j) => {
      const x = e as Record<string, unknown>;
      if (!x || typeof x !== 'object' || !x.event || typeof x.event !== 'object') fail(`tests.${kind}[${i}].events[${j}] needs 'at' and an 'event' mapping`, 'tests', kind, i, 'events', j);
      return { atMs: offsetOf(x.at, `tests.${kind}[${i}].events[${j}].at`, fail, 'tests', kind, i, 'events', j), event: x.event as Record<string, unknown> };
    });
    return { name: String(t.name ?? `${kind} ${i + 1}`), events };
  });
}

const PRECISIONS = ['exact', 'call-result', 'response', 'step', 'session'];
const CALL_KEYS = ['id', 'session', 'tool', 'command', 'host', 'sandbox', 'container', 'start', 'end', 'precision'];

function attributionCases(raw: unknown, ctx: DocContext): AttributionTestCase[] {
  const { fail } = ctx;
  return listOf(raw, 'tests.attribution', fail, 'tests', 'attribution').map((item, i) => {
    const at = ['tests', 'attribution', i] as const;
    const t = item as Record<string, unknown>;
    if (!t || typeof t !== 'object' || Array.isArray(t)) fail(`tests.attribution[${i}] must be a mapping`, ...at);
    for (const k of Object.keys(t)) if (!['name', 'violation', 'calls', 'inventory', 'dns', 'expect', 'minConfidence'].includes(k)) fail(`tests.attribution[${i}]: unknown key '${k}'`, ...at, k);
    const v = t.violation as Record<string, unknown> | undefined;
    if (!v || typeof v !== 'object' || !v.event || typeof v.event !== 'object') fail(`tests.attribution[${i}] needs 'violation: { at, event }'`, ...at);
    if (!('expect' in t) || (t.expect !== null && typeof t.expect !== 'string')) fail(`tests.attribution[${i}] needs 'expect': the winning call id, or null for none`, ...at);
    const calls = listOf(t.calls, `tests.attribution[${i}].calls`, fail, ...at, 'calls').map((c, j) => {
      const x = c as Record<string, unknown>;
      const where = [...at, 'calls', j];
      if (!x || typeof x !== 'object' || typeof x.id !== 'string' || typeof x.command !== 'string') fail(`tests.attribution[${i}].calls[${j}] needs 'id' and 'command'`, ...where);
      for (const k of Object.keys(x)) if (!CALL_KEYS.includes(k)) fail(`tests.attribution[${i}].calls[${j}]: unknown key '${k}' (known: ${CALL_KEYS.join(', ')})`, ...where, k);
      if (x.precision !== undefined && !PRECISIONS.includes(String(x.precision))) fail(`precision must be one of ${PRECISIONS.join(', ')}`, ...where, 'precision');
      const str = (k: string) => (x[k] === undefined ? undefined : String(x[k]));
      const call: TestCall = { callId: x.id as string, command: x.command as string, startMs: offsetOf(x.start, 'a call start', fail, ...where) };
      if (x.end !== undefined) call.endMs = offsetOf(x.end, 'a call end', fail, ...where, 'end');
      for (const k of ['session', 'tool', 'host', 'sandbox', 'container'] as const) if (str(k) !== undefined) call[k] = str(k);
      if (x.precision !== undefined) call.precision = x.precision as TestCall['precision'];
      return call;
    });
    const ids = new Set<string>();
    for (const c of calls) {
      if (ids.has(c.callId)) fail(`tests.attribution[${i}]: call id '${c.callId}' is used twice`, ...at, 'calls');
      ids.add(c.callId);
    }
    if (typeof t.expect === 'string' && !ids.has(t.expect)) fail(`tests.attribution[${i}] expects '${t.expect}', which is none of its calls`, ...at, 'expect');
    const inventory = listOf(t.inventory, `tests.attribution[${i}].inventory`, fail, ...at, 'inventory').map((r, j) => {
      const x = r as Record<string, unknown>;
      if (!x || typeof x.host !== 'string' || typeof x.ip !== 'string') fail(`tests.attribution[${i}].inventory[${j}] needs 'host' and 'ip'`, ...at, 'inventory', j);
      return { host: x.host as string, ip: x.ip as string, ...(x.sandbox !== undefined ? { sandbox: String(x.sandbox) } : {}), ...(x.session !== undefined ? { session: String(x.session) } : {}) };
    });
    const dns = listOf(t.dns, `tests.attribution[${i}].dns`, fail, ...at, 'dns').map((r, j) => {
      const x = r as Record<string, unknown>;
      if (!x || typeof x.ip !== 'string' || typeof x.domain !== 'string') fail(`tests.attribution[${i}].dns[${j}] needs 'ip' and 'domain'`, ...at, 'dns', j);
      return { ip: x.ip as string, domain: x.domain as string };
    });
    const minConfidence = t.minConfidence === undefined ? 0.5 : Number(t.minConfidence);
    if (!(minConfidence >= 0 && minConfidence <= 1)) fail('minConfidence must be between 0 and 1', ...at, 'minConfidence');
    return {
      name: String(t.name ?? `attribution ${i + 1}`),
      line: ctx.lineOf(...at),
      violation: { atMs: offsetOf(v!.at ?? '0s', 'violation.at', fail, ...at, 'violation'), event: v!.event as Record<string, unknown> },
      calls, inventory, dns,
      expect: (t.expect as string | null),
      minConfidence,
    };
  });
}

const CORRELATION_TYPES: CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered'];
const CORRELATION_KEYS = ['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate'];
const BOUNDS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;

function compileCorrelations(docs: { ctx: DocContext; header: RuleHeader }[], detections: Rule[], levelless: ReadonlyMap<string, unknown>): CorrelationRule[] {
  const compiled: CorrelationRule[] = [];
  for (const { ctx, header } of docs) {
    const { value: v, fail } = ctx;
    const c = v.correlation;
    if (!c || typeof c !== 'object' || Array.isArray(c)) fail("'correlation' must be a mapping", 'correlation');
    if ('detection' in v) fail("a rule has either 'detection' or 'correlation', not both", 'detection');
    const cor = c as Record<string, unknown>;
    for (const k of Object.keys(cor)) if (!CORRELATION_KEYS.includes(k)) fail(`unknown correlation key '${k}' (known: ${CORRELATION_KEYS.join(', ')})`, 'correlation', k);
    const type = cor.type as CorrelationType;
    if (!CORRELATION_TYPES.includes(type)) fail(`correlation.type must be one of ${CORRELATION_TYPES.join(', ')}`, 'correlation', 'type');
    const refs = cor.rules === undefined ? [] : Array.isArray(cor.rules) ? cor.rules : [cor.rules];
    if (refs.length === 0 || refs.some((r) => typeof r !== 'string' || r === '')) fail('correlation.rules must list the ids or names of the rules it correlates', 'correlation', 'rules');
    if ((type === 'temporal' || type === 'temporal_ordered') && new Set(refs).size < 2) fail(`a ${type} correlation needs at least two different rules`, 'correlation', 'rules');
    const groupBy = cor['group-by'] === undefined ? [] : Array.isArray(cor['group-by']) ? cor['group-by'] : [cor['group-by']];
    if (groupBy.some((g) => typeof g !== 'string' || g === '')) fail('correlation.group-by must be a list of field names', 'correlation', 'group-by');
    const timespanMs = cor.timespan === undefined ? undefined : parseDuration(String(cor.timespan));
    if (timespanMs === undefined || timespanMs <= 0) fail("correlation.timespan must be a duration like 30s, 5m, 1h or 1d", 'correlation', 'timespan');
    let condition: CountCondition | undefined;
    let field: string | undefined;
    if (cor.condition !== undefined) {
      if (!cor.condition || typeof cor.condition !== 'object' || Array.isArray(cor.condition)) fail('correlation.condition must be a mapping like { gte: 10 }', 'correlation', 'condition');
      const cond = cor.condition as Record<string, unknown>;
      condition = {};
      for (const [k, n] of Object.entries(cond)) {
        if (k === 'field') {
          if (typeof n !== 'string' || n === '') fail('correlation.condition.field must be a field name', 'correlation', 'condition', 'field');
          field = n as string;
        } else if ((BOUNDS as readonly string[]).includes(k)) {
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail(`correlation.condition.${k} must be a whole number`, 'correlation', 'condition', k);
          condition[k as (typeof BOUNDS)[number]] = n as number;
        } else fail(`unknown correlation condition '${k}' (known: ${BOUNDS.join(', ')}, field)`, 'correlation', 'condition', k);
      }
      if (!BOUNDS.some((b) => condition![b] !== undefined)) fail('correlation.condition needs one of gt, gte, lt, lte, eq', 'correlation', 'condition');
    } else if (type === 'event_count' || type === 'value_count') fail(`a ${type} correlation needs a condition like { gte: 10 }`, 'correlation');
    if (type === 'value_count' && !field) fail("a value_count correlation needs 'field' in its condition", 'correlation', 'condition');
    if (type !== 'value_count' && field) fail("condition 'field' only applies to value_count", 'correlation', 'condition', 'field');
    const aliases = new Map<string, Map<string, string>>();
    if (cor.aliases !== undefined) {
      if (!cor.aliases || typeof cor.aliases !== 'object' || Array.isArray(cor.aliases)) fail('correlation.aliases must map alias → { rule name: field }', 'correlation', 'aliases');
      for (const [alias, map] of Object.entries(cor.aliases as Record<string, unknown>)) {
        if (!map || typeof map !== 'object' || Array.isArray(map)) fail(`correlation.aliases.${alias} must map rule names to fields`, 'correlation', 'aliases', alias);
        const m = new Map<string, string>();
        for (const [ruleRef, f] of Object.entries(map as Record<string, unknown>)) {
          if (!refs.includes(ruleRef)) fail(`correlation.aliases.${alias}: '${ruleRef}' is not one of this correlation's rules`, 'correlation', 'aliases', alias, ruleRef);
          if (typeof f !== 'string' || f === '') fail(`correlation.aliases.${alias}.${ruleRef} must be a field name`, 'correlation', 'aliases', alias, ruleRef);
          m.set(ruleRef, f as string);
        }
        aliases.set(alias, m);
      }
    }
    // Sigma puts `generate` at the top level; pySigma also reads it inside `correlation`.
    const generate = v.generate ?? cor.generate ?? false;
    if (typeof generate !== 'boolean') fail("'generate' must be true or false", v.generate !== undefined ? 'generate' : 'correlation');
    const raw = testsOf(v.tests, fail);
    compiled.push({
      ...header,
      type, refs: refs as string[], groupBy: groupBy as string[], timespanMs: timespanMs!,
      ...(condition ? { condition } : {}), ...(field ? { field } : {}),
      aliases,
      generate: generate as boolean,
      tests: {
        positive: sequenceCases(raw.positive, 'positive', fail),
        negative: sequenceCases(raw.negative, 'negative', fail),
        attribution: attributionCases(raw.attribution, ctx),
      },
      standalone: true,
    });
  }
  // Resolve references (detections or other correlations), reject cycles, order dependencies first.
  const byKey = new Map<string, Rule | CorrelationRule>();
  for (const r of [...detections, ...compiled]) {
    byKey.set(r.id, r);
    if (r.name) byKey.set(r.name, r);
  }
  const ordered: CorrelationRule[] = [];
  const state = new Map<CorrelationRule, 'visiting' | 'done'>();
  const visit = (c: CorrelationRule): void => {
    if (state.get(c) === 'done') return;
    if (state.get(c) === 'visiting') throw new RuleError(`correlation '${c.id}' refers to itself through its rules`, c.path, c.line);
    state.set(c, 'visiting');
    for (const ref of c.refs) {
      const target = byKey.get(ref);
      if (!target) throw new RuleError(`correlation rule refers to '${ref}', which is no rule id or name in the rule set`, c.path, c.line);
      if (isCorrelation(target)) visit(target);
    }
    state.set(c, 'done');
    ordered.push(c);
  };
  compiled.forEach(visit);
  for (const c of ordered) {
    if (levelless.has(c.id)) {
      c.severity = c.refs.map((r) => byKey.get(r)!.severity).reduce((a, b) => (severityRank(b) > severityRank(a) ? b : a), 'info' as Severity);
    }
  }
  return ordered;
}

function isCorrelation(r: Rule | CorrelationRule): r is CorrelationRule {
  return 'refs' in r;
}

/** Sigma `generate: false`: rules a correlation uses mark no violation on their own unless one says `generate: true`. */
function markStandalone(detections: Rule[], correlations: CorrelationRule[]): { inputs: Rule[] } {
  const byKey = new Map<string, Rule | CorrelationRule>();
  for (const r of [...detections, ...correlations]) {
    byKey.set(r.id, r);
    if (r.name) byKey.set(r.name, r);
  }
  const generated = new Set<Rule | CorrelationRule>();
  const used = new Set<Rule | CorrelationRule>();
  for (const c of correlations) {
    for (const ref of c.refs) {
      const target = byKey.get(ref)!;
      used.add(target);
      if (c.generate) generated.add(target);
    }
  }
  for (const r of [...detections, ...correlations]) r.standalone = !used.has(r) || generated.has(r);
  const inputs = new Set<Rule>();
  const collect = (r: Rule | CorrelationRule): void => {
    if (!isCorrelation(r)) inputs.add(r);
    else for (const ref of r.refs) collect(byKey.get(ref)!);
  };
  correlations.forEach(collect);
  return { inputs: detections.filter((d) => inputs.has(d)) };
}
