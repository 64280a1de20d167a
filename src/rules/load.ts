// Rule files → compiled rules. `rules validate` and every run use this same loader, so a rule that
// validates is a rule that runs. Errors name the file and line (exit 2), never a stack trace.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { EventKind, Severity } from '../model/event.js';
import { parseDuration } from '../model/duration.js';
import { RuleError } from '../model/errors.js';
import { conditionRefs, globToTest, parseCondition } from './condition.js';
import { compileSafeRegex } from './regex.js';
import type { AttributionHints, FieldCondition, Rule, RuleTestCase, Selection } from './rule.js';
import { compileField } from './values.js';

export interface RuleSet {
  rules: Rule[];
  indicators: Map<string, string[]>;
  files: { path: string; sha256: string }[];
  /** SHA-256 over every rule file's path and hash, for the report */
  sha256: string;
}

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
  alibaba: ['alibaba-actiontrail', 'alibaba-cloudfirewall', 'alibaba-vpc-flow'],
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
  const indicators = new Map<string, string[]>();
  for (const d of docs.filter((d) => d.kind === 'indicator')) {
    if (indicators.has(d.name)) throw new RuleError(`indicator list '${d.name}' is defined twice`, d.path, d.line);
    indicators.set(d.name, d.values);
  }
  const rules: Rule[] = [];
  const ids = new Map<string, string>();
  for (const d of docs) {
    if (d.kind !== 'rule') continue;
    const rule = compileRule(d.path, d.doc, d.lines, indicators);
    const prior = ids.get(rule.id);
    if (prior) throw new RuleError(`rule id '${rule.id}' is already used in ${prior}`, rule.path, rule.line);
    ids.set(rule.id, `${rule.path}:${rule.line}`);
    rules.push(rule);
  }
  const sha256 = createHash('sha256').update(files.map((f) => `${f.name}\0${f.sha256}\n`).join('')).digest('hex');
  return { rules, indicators, files: files.map(({ name, sha256 }) => ({ path: name, sha256 })), sha256 };
}

type ParsedDoc =
  | { kind: 'rule'; path: string; doc: Document; lines: LineCounter }
  | { kind: 'indicator'; path: string; line: number; name: string; values: string[] };

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
    } else out.push({ kind: 'rule', path, doc, lines });
  }
  return out;
}

function compileRule(path: string, doc: Document, lines: LineCounter, indicators: ReadonlyMap<string, string[]>): Rule {
  const lineOf = (...keys: (string | number)[]): number => {
    const node = doc.getIn(keys, true) as { range?: [number, number, number] } | undefined;
    const at = node?.range?.[0] ?? (doc.contents?.range?.[0] ?? 0);
    return lines.linePos(at).line;
  };
  const fail = (message: string, ...keys: (string | number)[]): never => {
    throw new RuleError(message, path, lineOf(...keys));
  };
  const v = doc.toJS() as Record<string, unknown>;
  if ('correlation' in v) fail('Sigma correlation rules are not supported yet; use a detection rule', 'correlation');
  const id = v.id, title = v.title;
  if (typeof id !== 'string' || id.trim() === '') fail("a rule needs an 'id'");
  if (typeof title !== 'string' || title.trim() === '') fail("a rule needs a 'title'", 'id');
  const severity = LEVELS[String(v.level ?? '').toLowerCase()];
  if (!severity) fail(`'level' must be one of informational, low, medium, high, critical`, 'level');
  const detection = v.detection;
  if (!detection || typeof detection !== 'object' || Array.isArray(detection)) fail("a rule needs a 'detection' mapping", 'id');
  const det = detection as Record<string, unknown>;
  const selections = new Map<string, Selection>();
  for (const [name, body] of Object.entries(det)) {
    if (name === 'condition' || name === 'timeframe') continue;
    try {
      selections.set(name, compileSelection(name, body, indicators));
    } catch (err) {
      fail(`selection '${name}': ${(err as Error).message}`, 'detection', name);
    }
  }
  const condText = Array.isArray(det.condition) ? det.condition.map((c) => `(${String(c)})`).join(' or ') : det.condition;
  if (typeof condText !== 'string') fail("detection needs a 'condition'", 'detection');
  let condition;
  try {
    condition = parseCondition(condText as string);
  } catch (err) {
    fail(`condition: ${(err as Error).message}`, 'detection', 'condition');
  }
  const refs = conditionRefs(condition!);
  for (const name of refs.names) if (!selections.has(name)) fail(`condition names '${name}', which is not a selection of this rule`, 'detection', 'condition');
  for (const p of refs.patterns) if (![...selections.keys()].some(globToTest(p))) fail(`condition pattern '${p}' matches no selection`, 'detection', 'condition');
  const logsource = (v.logsource ?? {}) as Record<string, unknown>;
  const category = typeof logsource.category === 'string' ? logsource.category : undefined;
  if (category && !CATEGORY_KINDS[category]) fail(`unknown logsource category '${category}' (known: ${Object.keys(CATEGORY_KINDS).join(', ')})`, 'logsource', 'category');
  return {
    id: id as string,
    title: title as string,
    description: typeof v.description === 'string' ? v.description : undefined,
    severity: severity!,
    kinds: category ? CATEGORY_KINDS[category] : undefined,
    formats: formatsOf(logsource),
    selections,
    condition: condition!,
    attribution: compileHints(v.attribution, fail),
    tags: Array.isArray(v.tags) ? v.tags.map(String) : [],
    tests: compileTests(v.tests, fail),
    path,
    line: lineOf('id'),
  };
}

function formatsOf(logsource: Record<string, unknown>): string[] | undefined {
  const product = typeof logsource.product === 'string' ? logsource.product : undefined;
  const service = typeof logsource.service === 'string' ? logsource.service : undefined;
  if (Array.isArray(logsource.formats)) return logsource.formats.map(String);
  if (!product) return undefined;
  return PRODUCT_FORMATS[`${product}/${service}`] ?? PRODUCT_FORMATS[product] ?? undefined;
}

function compileSelection(name: string, body: unknown, indicators: ReadonlyMap<string, string[]>): Selection {
  if (Array.isArray(body) && body.every((b) => typeof b === 'string' || typeof b === 'number')) {
    // Keyword list: any keyword found in the record's text.
    const alternatives: FieldCondition[][] = body.flatMap((kw) => ['message', 'command'].map((field) => [{ field, ...compileField(['contains'], [kw], indicators) }]));
    return { name, alternatives };
  }
  const maps = Array.isArray(body) ? body : [body];
  const alternatives = maps.map((m) => {
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error('must be a mapping of field: value, or a list of them');
    return Object.entries(m as Record<string, unknown>).map(([key, raw]) => {
      const [field, ...modifiers] = key.split('|');
      if (!field) throw new Error(`empty field name in '${key}'`);
      const values = Array.isArray(raw) ? raw : [raw];
      try {
        return { field, ...compileField(modifiers, values, indicators) };
      } catch (err) {
        throw new Error(`field '${key}': ${(err as Error).message}`);
      }
    });
  });
  return { name, alternatives };
}

function compileHints(raw: unknown, fail: (m: string, ...k: (string | number)[]) => never): AttributionHints {
  const hints: AttributionHints = { beforeMs: DEFAULT_HINTS.beforeMs, afterMs: DEFAULT_HINTS.afterMs, persistent: false, commandPatterns: [] };
  if (raw === undefined) return hints;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail("'attribution' must be a mapping", 'attribution');
  const a = raw as Record<string, unknown>;
  const known = new Set(['before', 'after', 'persistent', 'command']);
  for (const k of Object.keys(a)) if (!known.has(k)) fail(`unknown attribution key '${k}' (known: ${[...known].join(', ')})`, 'attribution', k);
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
  const patterns = a.command === undefined ? [] : Array.isArray(a.command) ? a.command : [a.command];
  patterns.forEach((p, i) => {
    const item: Record<string, unknown> = typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : { pattern: p };
    try {
      const re = compileSafeRegex(String(item.pattern), { ignoreCase: true });
      hints.commandPatterns.push({ source: re.source, test: re.test, label: String(item.label ?? item.pattern) });
    } catch (err) {
      fail(`attribution.command: ${(err as Error).message}`, 'attribution', 'command', i);
    }
  });
  return hints;
}

function compileTests(raw: unknown, fail: (m: string, ...k: (string | number)[]) => never): Rule['tests'] {
  const tests: Rule['tests'] = { positive: [], negative: [] };
  if (raw === undefined) return tests;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail("'tests' must be a mapping with 'positive' and 'negative' lists", 'tests');
  for (const kind of ['positive', 'negative'] as const) {
    const list = (raw as Record<string, unknown>)[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail(`tests.${kind} must be a list`, 'tests', kind);
    (list as unknown[]).forEach((item, i) => {
      const t = item as Record<string, unknown>;
      if (!t || typeof t !== 'object' || !t.event || typeof t.event !== 'object') fail(`tests.${kind}[${i}] needs an 'event' mapping`, 'tests', kind, i);
      tests[kind].push({ name: String(t.name ?? `${kind} ${i + 1}`), event: t.event as RuleTestCase['event'] } as RuleTestCase);
    });
  }
  return tests;
}
