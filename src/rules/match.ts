// Does an event satisfy a rule? Pure functions over compiled rules; no I/O, no tool-call knowledge.
import type { ForensicEvent } from '../model/event.js';
import { globToTest } from './condition.js';
import { getField } from './fields.js';
import type { ConditionNode, FieldCondition, Rule, Selection } from './rule.js';

function fieldMatches(event: ForensicEvent, cond: FieldCondition): boolean {
  const value = getField(event, cond.field);
  const present = value !== undefined && value !== null && value !== '';
  if (cond.exists !== undefined) return present === cond.exists;
  if (cond.isNull) return !present;
  if (!present) return false;
  const values = Array.isArray(value) ? value : [value];
  const passes = (test: (v: unknown) => boolean) => values.some(test);
  return cond.all ? cond.tests.every(passes) : cond.tests.some(passes);
}

function selectionMatches(event: ForensicEvent, sel: Selection): boolean {
  return sel.alternatives.some((conds) => conds.every((c) => fieldMatches(event, c)));
}

function evaluate(node: ConditionNode, rule: Rule, event: ForensicEvent, memo: Map<string, boolean>): boolean {
  switch (node.type) {
    case 'ref': {
      let hit = memo.get(node.name);
      if (hit === undefined) {
        hit = selectionMatches(event, rule.selections.get(node.name)!);
        memo.set(node.name, hit);
      }
      return hit;
    }
    case 'not': return !evaluate(node.node, rule, event, memo);
    case 'and': return node.nodes.every((n) => evaluate(n, rule, event, memo));
    case 'or': return node.nodes.some((n) => evaluate(n, rule, event, memo));
    case 'of': {
      const test = globToTest(node.pattern);
      const names = [...rule.selections.keys()].filter(test);
      const hit = (name: string) => evaluate({ type: 'ref', name }, rule, event, memo);
      return node.quantifier === 'all' ? names.every(hit) : names.some(hit);
    }
  }
}

export function ruleMatches(rule: Rule, event: ForensicEvent): boolean {
  if (rule.kinds && !rule.kinds.includes(event.kind)) return false;
  if (rule.formats && !rule.formats.includes(event.format) && !rule.formats.includes(event.source)) return false;
  return evaluate(rule.condition, rule, event, new Map());
}

/** Every rule that marks this event, in rule-set order. */
export function matchingRules(rules: readonly Rule[], event: ForensicEvent): Rule[] {
  const hits: Rule[] = [];
  for (const rule of rules) if (ruleMatches(rule, event)) hits.push(rule);
  return hits;
}
