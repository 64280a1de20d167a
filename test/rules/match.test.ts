// matchingRules() compiles each rule once (filters as sets, conditions as closures, per-format field
// accessors); these tests hold it to a plain, uncompiled reading of the same rules over real events.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Action, ForensicEvent } from '../../src/model/event.js';
import { globToTest } from '../../src/rules/condition.js';
import { getField } from '../../src/rules/fields.js';
import { loadRuleSet } from '../../src/rules/load.js';
import { matchingRules, ruleMatches } from '../../src/rules/match.js';
import type { ConditionNode, FieldCondition, Rule } from '../../src/rules/rule.js';
import { fixture, ingestFile } from '../helpers/ingest.js';
import { iptablesFormat } from '../../src/ingest/formats/firewall/iptables.js';

/** The matcher as it was before compilation: getField per condition, a Map memo per event. */
function plainMatches(rule: Rule, event: ForensicEvent): boolean {
  if (rule.kinds && !rule.kinds.includes(event.kind)) return false;
  if (rule.formats && !rule.formats.includes(event.format) && !rule.formats.includes(event.source)) return false;
  const field = (c: FieldCondition): boolean => {
    const value = getField(event, c.field);
    const present = value !== undefined && value !== null && value !== '';
    if (c.exists !== undefined) return present === c.exists;
    if (c.isNull) return !present;
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    const passes = (t: (v: unknown) => boolean) => values.some(t);
    return c.all ? c.tests.every(passes) : c.tests.some(passes);
  };
  const evaluate = (node: ConditionNode): boolean => {
    switch (node.type) {
      case 'ref': return rule.selections.get(node.name)!.alternatives.some((conds) => conds.every(field));
      case 'not': return !evaluate(node.node);
      case 'and': return node.nodes.every(evaluate);
      case 'or': return node.nodes.some(evaluate);
      case 'of': {
        const names = [...rule.selections.keys()].filter(globToTest(node.pattern));
        const hit = (name: string) => evaluate({ type: 'ref', name });
        return node.quantifier === 'all' ? names.every(hit) : names.some(hit);
      }
    }
  };
  return evaluate(rule.condition);
}

let rules: Rule[] = [];
const events: ForensicEvent[] = [];

beforeAll(async () => {
  rules = (await loadRuleSet(['rules'])).rules;
  for (const dir of readdirSync(fixture(), { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(fixture(dir.name))) {
      if (f === 'NOTICE.md' || f.endsWith('.md')) continue;
      const r = await ingestFile(fixture(dir.name, f), { year: 2024 });
      events.push(...r.events);
    }
  }
  // Variants that reach the branches real fixtures rarely do: lists, denials, SSH, pools, metadata.
  const base = events.find((e) => e.format === 'iptables')!;
  events.push(
    { ...base, action: 'deny' },
    { ...base, dst: { ip: '203.0.113.9', port: 22 }, proto: 'tcp', action: 'allow' },
    { ...base, dst: { ip: '10.0.0.9', port: 2222 }, proto: 'tcp' },
    { ...base, dst: { ip: '198.51.100.7', port: 3333, domain: 'gulf.moneroocean.stream' }, proto: 'tcp' },
    { ...base, dst: { ip: '169.254.169.254', port: 80 } },
    { ...base, src: { ip: '203.0.113.9', port: 22 }, dst: { ip: '203.0.113.10', port: 22 }, proto: 'tcp' },
    // Every action word, one outside the vocabulary, and names an object inherits: the remembered
    // answers per action vocabulary must agree with testing every word.
    ...['drop', 'reject', 'alert', 'error', 'allow', 'deny', 'quarantine', 'constructor', 'toString', 'drop'].map((action) => ({ ...base, action: action as ForensicEvent['action'] })),
  );
}, 60_000);

describe('matchingRules()', () => {
  it('marks exactly the events an uncompiled reading of every built-in rule marks', () => {
    expect(rules.length).toBeGreaterThan(5);
    expect(events.length).toBeGreaterThan(200);
    let marked = 0;
    for (const e of events) {
      const expected = rules.filter((r) => plainMatches(r, e)).map((r) => r.id);
      const got = matchingRules(rules, e).map((r) => r.id);
      expect(got, `${e.ref.path}:${e.ref.line ?? e.ref.index}`).toEqual(expected);
      if (got.length) marked++;
    }
    // The comparison means something only if both marked and unmarked events were seen.
    expect(marked).toBeGreaterThan(20);
    expect(marked).toBeLessThan(events.length);
  });

  it('gives the same answers when told which fields keys a format can hold (conditions on others folded away)', () => {
    const keys = iptablesFormat.fieldKeys!;
    const netfilter = events.filter((e) => e.format === 'iptables');
    expect(netfilter.length).toBeGreaterThan(20);
    for (const e of netfilter) {
      expect(Object.keys(e.fields ?? {}).every((k) => keys.includes(k))).toBe(true);
      expect(matchingRules(rules, e, keys).map((r) => r.id)).toEqual(rules.filter((r) => plainMatches(r, e)).map((r) => r.id));
    }
  });

  it('folds conditions on absent fields through not, and, or, 1 of and all of', () => {
    const cond = (field: string, value: string, exists?: boolean): FieldCondition => (exists === undefined ? { field, tests: [(v) => v === value], all: false } : { field, tests: [], all: false, exists });
    const selections = new Map([
      ['sig', { name: 'sig', alternatives: [[cond('signature', 'x')]] }],
      ['nosig', { name: 'nosig', alternatives: [[cond('signature', '', false)]] }],
      ['deny', { name: 'deny', alternatives: [[cond('action', 'deny')]] }],
      ['mixed', { name: 'mixed', alternatives: [[cond('signature', 'x'), cond('action', 'deny')], [cond('prefix', 'UFW BLOCK')]] }],
    ]);
    const conditions: ConditionNode[] = [
      { type: 'not', node: { type: 'ref', name: 'sig' } },
      { type: 'and', nodes: [{ type: 'ref', name: 'nosig' }, { type: 'ref', name: 'deny' }] },
      { type: 'or', nodes: [{ type: 'ref', name: 'sig' }, { type: 'ref', name: 'mixed' }] },
      { type: 'of', quantifier: 'one', pattern: 's*' },
      { type: 'of', quantifier: 'all', pattern: '*sig' },
      { type: 'ref', name: 'sig' },
    ];
    const netfilter = events.filter((e) => e.format === 'iptables');
    for (const condition of conditions) {
      const rule = { ...rules[0]!, kinds: undefined, formats: undefined, selections, condition } as Rule;
      for (const e of netfilter) {
        expect(matchingRules([rule], e, iptablesFormat.fieldKeys).length === 1, JSON.stringify(condition)).toBe(plainMatches(rule, e));
      }
    }
  });

  it('returns an answer callers may keep: a fresh list when rules mark the event, one frozen empty list when none do', () => {
    const answers = events.map((e) => matchingRules(rules, e));
    const marked = answers.filter((a) => a.length > 0);
    const unmarked = answers.filter((a) => a.length === 0);
    expect(marked.length).toBeGreaterThan(0);
    expect(unmarked.length).toBeGreaterThan(1);
    expect(new Set(marked).size).toBe(marked.length);
    for (const a of unmarked) expect(Object.isFrozen(a)).toBe(true);
    // Kept answers do not change as other events are matched.
    expect(events.map((e) => matchingRules(rules, e).map((r) => r.id))).toEqual(answers.map((a) => a.map((r) => r.id)));
  });
});

describe('ruleMatches()', () => {
  it('evaluates `1 of`, `all of`, `not` and repeated selections like the plain reading', () => {
    const sel = (name: string, field: string, test: (v: unknown) => boolean): [string, { name: string; alternatives: FieldCondition[][] }] =>
      [name, { name, alternatives: [[{ field, tests: [test], all: false }]] }];
    const selections = new Map([
      sel('deny_a', 'action', (v) => v === 'deny'),
      sel('deny_b', 'dst.port', (v) => v === 22),
      sel('other', 'proto', (v) => v === 'udp'),
    ]);
    const conditions: ConditionNode[] = [
      { type: 'of', quantifier: 'one', pattern: 'deny_*' },
      { type: 'of', quantifier: 'all', pattern: 'deny_*' },
      { type: 'and', nodes: [{ type: 'ref', name: 'deny_a' }, { type: 'not', node: { type: 'ref', name: 'other' } }, { type: 'ref', name: 'deny_a' }] },
      { type: 'or', nodes: [{ type: 'of', quantifier: 'all', pattern: 'them' }, { type: 'ref', name: 'other' }] },
    ];
    const base = events.find((e) => e.format === 'iptables')!;
    const samples: ForensicEvent[] = [
      { ...base, action: 'deny', dst: { ip: '203.0.113.9', port: 22 }, proto: 'tcp' },
      { ...base, action: 'deny', dst: { ip: '203.0.113.9', port: 80 }, proto: 'udp' },
      { ...base, action: 'allow', dst: { ip: '203.0.113.9', port: 22 }, proto: 'tcp' },
    ];
    for (const condition of conditions) {
      const rule = { ...rules[0]!, kinds: undefined, formats: undefined, selections, condition } as Rule;
      for (const e of samples) expect(ruleMatches(rule, e)).toBe(plainMatches(rule, e));
    }
  });

  it('tests a list value item by item: one test meeting one item, or with `all` every test meeting some item', () => {
    const base = events.find((e) => e.format === 'iptables')!;
    const is = (x: string) => (v: unknown) => v === x;
    const answers = [[is('a'), is('c')], [is('a'), is('b')], [is('c')]].flatMap((tests) => [false, true].map((all) => {
      const selections = new Map([['list', { name: 'list', alternatives: [[{ field: 'labels', tests, all }]] }]]);
      const rule = { ...rules[0]!, kinds: undefined, formats: undefined, selections, condition: { type: 'ref', name: 'list' } } as Rule;
      const event = { ...base, fields: { labels: ['a', 'b'] } };
      expect(ruleMatches(rule, event)).toBe(plainMatches(rule, event));
      return ruleMatches(rule, event);
    }));
    expect(answers).toEqual([true, false, true, true, false, false]);
  });
});

describe('conditions on the format or source', () => {
  it('are answered once per plan, and give the answers of evaluating them per event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-fold-'));
    writeFileSync(join(dir, 'r.yml'), 'title: t\nid: t-fold\nlevel: low\nlogsource: { category: network }\ndetection:\n  vpc:\n    format|startswith: [aws-vpc, alibaba-vpc]\n    action: reject\n  fw:\n    source: firewall\n    dst.port: 22\n  condition: vpc or fw\n');
    const set = await loadRuleSet([dir]);
    const ev = (format: string, source: 'firewall' | 'audit', action: Action, port: number): ForensicEvent => ({ kind: 'network', source, format, timeMs: 0, timeRaw: '', ref: { path: 'x' }, action, dst: { ip: '203.0.113.9', port } });
    const hit = (e: ForensicEvent) => matchingRules(set.rules, e).length === 1;
    expect(hit(ev('aws-vpc-flow', 'firewall', 'reject', 443))).toBe(true);
    expect(hit(ev('alibaba-vpc-flow', 'firewall', 'allow', 443))).toBe(false);
    expect(hit(ev('iptables', 'firewall', 'reject', 443))).toBe(false);
    expect(hit(ev('iptables', 'firewall', 'allow', 22))).toBe(true);
    expect(hit(ev('aws-cloudtrail', 'audit', 'reject', 22))).toBe(false);
  });
});
