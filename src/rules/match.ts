// Does an event satisfy a rule? Pure functions over compiled rules; no I/O, no tool-call knowledge.
// Every event of every input passes through here, so each rule is compiled once (kind and format
// filters as sets, the condition as closures, field names as per-format accessors) and matching
// allocates nothing per event.
import type { ForensicEvent } from '../model/event.js';
import { globToTest } from './condition.js';
import { fieldKeysRead, fieldSource, getField, onlyOtherFieldKeys } from './fields.js';
import type { ConditionNode, FieldCondition, Rule, Selection } from './rule.js';

/** Reads one rule field from an event; built once per (format, field name). */
type Accessor = (event: ForensicEvent) => unknown;

/** The event paths fields.ts resolves through the event itself; any other name is a format field. */
const TOP_LEVEL = new Set(['kind', 'source', 'format', 'timeMs', 'endMs', 'timeRaw', 'host', 'sandbox', 'container', 'session', 'src', 'dst', 'proto', 'action', 'actor', 'operation', 'errorCode', 'callId', 'tool', 'command', 'exitCode', 'timePrecision', 'message', 'fields']);

/**
 * The same value getField() returns, with the alias lookup and the path split done once.
 * test/rules/match.test.ts checks that both agree for every field of the built-in rules.
 */
function compileAccessor(format: string, name: string): Accessor {
  const source = fieldSource(format, name);
  if (typeof source === 'function') return source;
  const dot = source.indexOf('.');
  const head = dot < 0 ? source : source.slice(0, dot);
  if (!TOP_LEVEL.has(head)) return (e) => e.fields?.[source];
  const keys = source.split('.');
  if (keys.length === 1) return (e) => (e as unknown as Record<string, unknown>)[head];
  if (keys.length === 2) {
    const [a, b] = keys as [string, string];
    return (e) => {
      const v = (e as unknown as Record<string, unknown>)[a];
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[b] : undefined;
    };
  }
  return (e) => getField(e, name);
}

const accessors = new Map<string, Map<string, Accessor>>();

function accessorFor(format: string, name: string): Accessor {
  let byName = accessors.get(format);
  if (!byName) accessors.set(format, (byName = new Map()));
  let get = byName.get(name);
  if (!get) byName.set(name, (get = compileAccessor(format, name)));
  return get;
}

/**
 * A field condition with its accessor bound for one format: the alias lookup is done at compile time.
 * A constant (true or false) when the format's events never carry the field (see `fieldKeys`).
 */
function fieldTest(format: string, source: string, cond: FieldCondition, fieldKeys: readonly string[] | undefined): Folded {
  if (neverPresent(format, cond.field, fieldKeys)) return fieldMatches(undefined, cond);
  // A plan serves the events of one format and source: a condition on either is answered once, here.
  const path = fieldSource(format, cond.field);
  if (path === 'format') return fieldMatches(format, cond);
  if (path === 'source') return fieldMatches(source, cond);
  const get = accessorFor(format, cond.field);
  // A vocabulary (an action and its synonyms, fields.ts) is the same frozen array for every event
  // with that value: its answer is remembered rather than every word tested again per event.
  const known = new Map<readonly unknown[], boolean>();
  return (event) => {
    const value = get(event);
    if (Array.isArray(value) && Object.isFrozen(value)) {
      let hit = known.get(value);
      if (hit === undefined) {
        hit = fieldMatches(value, cond);
        if (known.size < MAX_REMEMBERED_VOCABULARIES) known.set(value, hit);
      }
      return hit;
    }
    return fieldMatches(value, cond);
  };
}

/** A test, or its answer when it is the same for every event of the format. */
type Folded = boolean | ((event: ForensicEvent) => boolean);

/** `fieldKeys`: every `fields` key the events can hold, when known (InputFormat.fieldKeys). */
function neverPresent(format: string, name: string, fieldKeys: readonly string[] | undefined): boolean {
  return fieldKeys !== undefined && onlyOtherFieldKeys(format, name, fieldKeys);
}

const MAX_REMEMBERED_VOCABULARIES = 64;

function fieldMatches(value: unknown, cond: FieldCondition): boolean {
  const present = value !== undefined && value !== null && value !== '';
  if (cond.exists !== undefined) return present === cond.exists;
  if (cond.isNull) return !present;
  if (!present) return false;
  const tests = cond.tests;
  if (!Array.isArray(value)) {
    if (cond.all) {
      for (const t of tests) if (!t(value)) return false;
      return true;
    }
    for (const t of tests) if (t(value)) return true;
    return false;
  }
  return cond.all ? everyTestHitsOne(tests, value) : someTestHitsOne(tests, value);
}

// Loops rather than closures over `value`: a closure would make every call of fieldMatches, array
// or not, allocate a context for it (a few hundred MB of garbage over a big run).
function someTestHitsOne(tests: readonly ((v: unknown) => boolean)[], values: readonly unknown[]): boolean {
  for (const t of tests) if (hitsOne(t, values)) return true;
  return false;
}

function everyTestHitsOne(tests: readonly ((v: unknown) => boolean)[], values: readonly unknown[]): boolean {
  for (const t of tests) if (!hitsOne(t, values)) return false;
  return true;
}

function hitsOne(test: (v: unknown) => boolean, values: readonly unknown[]): boolean {
  for (const v of values) if (test(v)) return true;
  return false;
}

function selectionTest(format: string, source: string, sel: Selection, fieldKeys: readonly string[] | undefined): Folded {
  const alternatives: ((event: ForensicEvent) => boolean)[][] = [];
  for (const conds of sel.alternatives) {
    const tests = conds.map((c) => fieldTest(format, source, c, fieldKeys));
    if (tests.includes(false)) continue;
    const live = tests.filter((t): t is (event: ForensicEvent) => boolean => t !== true);
    if (live.length === 0) return true;
    alternatives.push(live);
  }
  if (alternatives.length === 0) return false;
  // One condition alone (most selections) is its own test: a call less for every event.
  if (alternatives.length === 1 && alternatives[0]!.length === 1) return alternatives[0]![0]!;
  return (event) => {
    for (const conds of alternatives) {
      let all = true;
      for (const c of conds) {
        if (!c(event)) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  };
}

/** Per-evaluation memo of selection results: 0 unknown, 1 false, 2 true. */
type Memo = Uint8Array;
type Evaluator = (event: ForensicEvent, memo: Memo) => boolean;

/** A rule compiled for the events of one format: its filters and its condition with bound accessors. */
interface CompiledRule {
  rule: Rule;
  kinds?: ReadonlySet<string>;
  test: (event: ForensicEvent) => boolean;
}

/** How often the condition reaches each selection (`1 of sel*` counts for every name it matches). */
function referenceCounts(rule: Rule, names: string[]): number[] {
  const counts = names.map(() => 0);
  const walk = (node: ConditionNode): void => {
    if (node.type === 'ref') {
      const i = names.indexOf(node.name);
      if (i >= 0) counts[i]!++;
    } else if (node.type === 'not') walk(node.node);
    else if (node.type === 'of') {
      const matches = globToTest(node.pattern);
      names.forEach((n, i) => matches(n) && counts[i]!++);
    } else node.nodes.forEach(walk);
  };
  walk(rule.condition);
  return counts;
}

/** An evaluator, or its answer when it is the same for every event of the format. */
type FoldedEvaluator = boolean | Evaluator;

function compileCondition(rule: Rule, format: string, source: string, fieldKeys: readonly string[] | undefined): Folded {
  const names = [...rule.selections.keys()];
  const tests = names.map((n) => selectionTest(format, source, rule.selections.get(n)!, fieldKeys));
  // A selection named more than once is evaluated once per event, through a memo; most rules need none.
  const memoized = referenceCounts(rule, names).some((n) => n > 1);
  const ref = (name: string): FoldedEvaluator => {
    const i = names.indexOf(name);
    if (i < 0) {
      // The loader refuses such rules; a hand-built one fails only if the condition reaches the name.
      return () => {
        throw new Error(`rule ${rule.id}: condition names the unknown selection '${name}'`);
      };
    }
    const test = tests[i]!;
    if (typeof test === 'boolean' || !memoized) return test;
    return (event, memo) => {
      const m = memo[i];
      if (m !== 0) return m === 2;
      const hit = test(event);
      memo[i] = hit ? 2 : 1;
      return hit;
    };
  };
  /** `every`: all parts must hold (and, all of); else one is enough (or, 1 of). */
  const combine = (parts: FoldedEvaluator[], every: boolean): FoldedEvaluator => {
    // A part that decides alone decides the whole; parts that cannot change the answer drop out.
    if (parts.includes(!every)) return !every;
    const live = parts.filter((p): p is Evaluator => typeof p !== 'boolean');
    if (live.length === 0) return every;
    if (live.length === 1) return live[0]!;
    return every
      ? (e, m) => {
        for (const p of live) if (!p(e, m)) return false;
        return true;
      }
      : (e, m) => {
        for (const p of live) if (p(e, m)) return true;
        return false;
      };
  };
  const build = (node: ConditionNode): FoldedEvaluator => {
    switch (node.type) {
      case 'ref': return ref(node.name);
      case 'not': {
        const inner = build(node.node);
        return typeof inner === 'boolean' ? !inner : (e, m) => !inner(e, m);
      }
      case 'and': return combine(node.nodes.map(build), true);
      case 'or': return combine(node.nodes.map(build), false);
      case 'of': return combine(names.filter(globToTest(node.pattern)).map(ref), node.quantifier === 'all');
    }
  };
  const evaluate = build(rule.condition);
  if (typeof evaluate === 'boolean') return evaluate;
  if (memoized) return (event) => evaluate(event, memoFor(names.length));
  // Without a memo the evaluator reads none: it is the test itself (a call less for every event).
  return evaluate as (event: ForensicEvent) => boolean;
}

let scratch: Memo = new Uint8Array(16);

function memoFor(size: number): Memo {
  if (scratch.length < size) scratch = new Uint8Array(size * 2);
  scratch.fill(0, 0, size);
  return scratch;
}

/**
 * The rules of a rule list that can apply to one format and source, compiled for it, in list order.
 * Every event of an input shares its format: the plan is looked up once per event, not per rule.
 * With the format's `fieldKeys`, conditions on keys its events never hold are answered once, at
 * compile time, and rules that can then mark none of its events are left out.
 */
interface Plans {
  plain?: CompiledRule[];
  folded?: { fieldKeys: readonly string[]; rules: CompiledRule[] };
}

const plans = new WeakMap<readonly Rule[], Map<string, Map<string, Plans>>>();

/** The plans of the last two calls: every event of an input asks for the same two (its rules, its correlation inputs). */
let lastPlans: { rules: readonly Rule[]; format: string; source: string; fieldKeys: readonly string[] | undefined; plan: CompiledRule[] }[] = [];

function planFor(rules: readonly Rule[], format: string, source: string, fieldKeys: readonly string[] | undefined): CompiledRule[] {
  for (const p of lastPlans) {
    if (p.rules === rules && p.format === format && p.source === source && p.fieldKeys === fieldKeys) return p.plan;
  }
  const plan = lookUpPlan(rules, format, source, fieldKeys);
  lastPlans = [{ rules, format, source, fieldKeys, plan }, ...lastPlans.slice(0, RECENT_PLANS - 1)];
  return plan;
}

const RECENT_PLANS = 2;

function lookUpPlan(rules: readonly Rule[], format: string, source: string, fieldKeys: readonly string[] | undefined): CompiledRule[] {
  let byFormat = plans.get(rules);
  if (!byFormat) plans.set(rules, (byFormat = new Map()));
  let bySource = byFormat.get(format);
  if (!bySource) byFormat.set(format, (bySource = new Map()));
  let slot = bySource.get(source);
  if (!slot) bySource.set(source, (slot = {}));
  if (!fieldKeys) return (slot.plain ??= buildPlan(rules, format, source, undefined));
  if (slot.folded?.fieldKeys !== fieldKeys) slot.folded = { fieldKeys, rules: buildPlan(rules, format, source, fieldKeys) };
  return slot.folded.rules;
}

/** A rule without a format list looks at every format; with one, at the formats or sources it names. */
function appliesTo(rule: Rule, format: string, source: string): boolean {
  return !rule.formats || rule.formats.includes(format) || rule.formats.includes(source);
}

function buildPlan(rules: readonly Rule[], format: string, source: string, fieldKeys: readonly string[] | undefined): CompiledRule[] {
  const plan: CompiledRule[] = [];
  for (const rule of rules) {
    if (!appliesTo(rule, format, source)) continue;
    const test = compileCondition(rule, format, source, fieldKeys);
    // A rule that can mark no event of this format is left out of its plan.
    if (test === false) continue;
    plan.push({ rule, kinds: rule.kinds ? new Set(rule.kinds) : undefined, test: test === true ? () => true : test });
  }
  return plan;
}

const alone = new WeakMap<Rule, readonly Rule[]>();

export function ruleMatches(rule: Rule, event: ForensicEvent): boolean {
  let list = alone.get(rule);
  if (!list) alone.set(rule, (list = [rule]));
  return matchingRules(list, event).length === 1;
}

/**
 * Every rule that marks this event, in rule-set order. `fieldKeys`: every `fields` key events of
 * this format can hold, when the format declares them (InputFormat.fieldKeys); answers are the same.
 */
export function matchingRules(rules: readonly Rule[], event: ForensicEvent, fieldKeys?: readonly string[]): readonly Rule[] {
  // Most events match nothing: they share one empty answer instead of each allocating its own.
  let hits: Rule[] | undefined;
  for (const c of planFor(rules, event.format, event.source, fieldKeys)) {
    if (c.kinds && !c.kinds.has(event.kind)) continue;
    if (c.test(event)) (hits ??= []).push(c.rule);
  }
  return hits ?? NO_RULES;
}

/** The answer for an event no rule marks: one frozen empty list, shared. */
export const NO_RULES: readonly Rule[] = Object.freeze([]);

/**
 * Every `fields` key the rules that apply to this format may read, or undefined when one of them may
 * read `message`, the whole `fields`, or cannot tell (so no record may be read lean).
 */
export function fieldKeysRulesRead(rules: readonly Rule[], format: string, source: string): Set<string> | undefined {
  const keys = new Set<string>();
  for (const r of rules.filter((r) => appliesTo(r, format, source))) {
    for (const sel of r.selections.values()) {
      for (const conds of sel.alternatives) {
        for (const c of conds) {
          const read = fieldKeysRead(format, c.field);
          if (!read) return undefined;
          for (const k of read) keys.add(k);
        }
      }
    }
  }
  return keys;
}

/**
 * Whether any of these rules that can apply to events of this format may read their `message`, their
 * whole `fields`, or one of these `fields` keys: when none can, such parts change no rule's answer.
 */
export function rulesMayRead(rules: readonly Rule[], format: string, source: string, fieldKeys: readonly string[]): boolean {
  const read = fieldKeysRulesRead(rules, format, source);
  return read === undefined || fieldKeys.some((k) => read.has(k));
}
