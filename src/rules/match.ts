// Does an event satisfy a rule? Pure functions over compiled rules; no I/O, no tool-call knowledge.
// Every event of every input passes through here, so each rule is compiled once (kind and format
// filters as sets, the condition as closures, field names as per-format accessors) and matching
// allocates nothing per event.
import type { ForensicEvent } from '../model/event.js';
import { globToTest } from './condition.js';
import { fieldSource, getField } from './fields.js';
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

function fieldMatches(event: ForensicEvent, cond: FieldCondition): boolean {
  const value = accessorFor(event.format, cond.field)(event);
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
  const passes = (t: (v: unknown) => boolean): boolean => {
    for (const v of value) if (t(v)) return true;
    return false;
  };
  return cond.all ? tests.every(passes) : tests.some(passes);
}

function selectionMatches(event: ForensicEvent, sel: Selection): boolean {
  for (const conds of sel.alternatives) {
    let all = true;
    for (const c of conds) {
      if (!fieldMatches(event, c)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

/** Per-evaluation memo of selection results: 0 unknown, 1 false, 2 true. */
type Memo = Uint8Array;
type Evaluator = (event: ForensicEvent, memo: Memo) => boolean;

interface CompiledRule {
  kinds?: ReadonlySet<string>;
  formats?: ReadonlySet<string>;
  selections: number;
  evaluate: Evaluator;
}

const compiled = new WeakMap<Rule, CompiledRule>();

function compileRule(rule: Rule): CompiledRule {
  const names = [...rule.selections.keys()];
  const ref = (name: string): Evaluator => {
    const i = names.indexOf(name);
    const sel = rule.selections.get(name);
    if (i < 0 || !sel) {
      // The loader refuses such rules; a hand-built one fails only if the condition reaches the name.
      return () => {
        throw new Error(`rule ${rule.id}: condition names the unknown selection '${name}'`);
      };
    }
    return (event, memo) => {
      const m = memo[i];
      if (m !== 0) return m === 2;
      const hit = selectionMatches(event, sel);
      memo[i] = hit ? 2 : 1;
      return hit;
    };
  };
  const build = (node: ConditionNode): Evaluator => {
    switch (node.type) {
      case 'ref': return ref(node.name);
      case 'not': {
        const inner = build(node.node);
        return (e, m) => !inner(e, m);
      }
      case 'and': {
        const parts = node.nodes.map(build);
        return (e, m) => {
          for (const p of parts) if (!p(e, m)) return false;
          return true;
        };
      }
      case 'or': {
        const parts = node.nodes.map(build);
        return (e, m) => {
          for (const p of parts) if (p(e, m)) return true;
          return false;
        };
      }
      case 'of': {
        const parts = names.filter(globToTest(node.pattern)).map(ref);
        return node.quantifier === 'all'
          ? (e, m) => {
            for (const p of parts) if (!p(e, m)) return false;
            return true;
          }
          : (e, m) => {
            for (const p of parts) if (p(e, m)) return true;
            return false;
          };
      }
    }
  };
  return {
    kinds: rule.kinds ? new Set(rule.kinds) : undefined,
    formats: rule.formats ? new Set(rule.formats) : undefined,
    selections: names.length,
    evaluate: build(rule.condition),
  };
}

function compiledRule(rule: Rule): CompiledRule {
  let c = compiled.get(rule);
  if (!c) compiled.set(rule, (c = compileRule(rule)));
  return c;
}

let scratch: Memo = new Uint8Array(16);

function memoFor(size: number): Memo {
  if (scratch.length < size) scratch = new Uint8Array(size * 2);
  scratch.fill(0, 0, size);
  return scratch;
}

export function ruleMatches(rule: Rule, event: ForensicEvent): boolean {
  const c = compiledRule(rule);
  if (c.kinds && !c.kinds.has(event.kind)) return false;
  if (c.formats && !c.formats.has(event.format) && !c.formats.has(event.source)) return false;
  return c.evaluate(event, memoFor(c.selections));
}

/** Every rule that marks this event, in rule-set order. */
export function matchingRules(rules: readonly Rule[], event: ForensicEvent): Rule[] {
  const hits: Rule[] = [];
  for (const rule of rules) if (ruleMatches(rule, event)) hits.push(rule);
  return hits;
}
