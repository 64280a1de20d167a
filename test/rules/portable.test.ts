// Scan workers compile the rules the main thread loaded from RuleSet.portable instead of parsing the
// YAML again: the rules they apply must be the very rules the main thread applies.
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ForensicEvent } from '../../src/model/event.js';
import { loadRuleSet, ruleSetFromPortable, type RuleSet } from '../../src/rules/load.js';
import { matchingRules } from '../../src/rules/match.js';
import { fixture, ingestFile } from '../helpers/ingest.js';

let loaded: RuleSet;
let compiled: RuleSet;
const events: ForensicEvent[] = [];

beforeAll(async () => {
  loaded = await loadRuleSet(['rules']);
  // What crosses to a worker is a structured clone.
  compiled = ruleSetFromPortable(structuredClone(loaded.portable));
  for (const dir of readdirSync(fixture(), { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(fixture(dir.name))) {
      if (f.endsWith('.md')) continue;
      events.push(...(await ingestFile(fixture(dir.name, f), { year: 2024 })).events);
    }
  }
}, 60_000);

const ids = (rules: readonly { id: string }[]) => rules.map((r) => r.id);

describe('ruleSetFromPortable()', () => {
  it('gives the same rules, in the same order, with the same header, files and hash', () => {
    expect(ids(compiled.rules)).toEqual(ids(loaded.rules));
    expect(ids(compiled.detections)).toEqual(ids(loaded.detections));
    expect(ids(compiled.correlations)).toEqual(ids(loaded.correlations));
    expect(ids(compiled.correlationInputs)).toEqual(ids(loaded.correlationInputs));
    expect(compiled.indicators).toEqual(loaded.indicators);
    expect(compiled.files).toEqual(loaded.files);
    expect(compiled.sha256).toBe(loaded.sha256);
    // Everything but the tests, compiled tests (closures) and patterns written out as text.
    const text = (r: object) => JSON.stringify({ ...r, tests: undefined }, (_, v) => (typeof v === 'function' ? 'fn' : v instanceof RegExp ? String(v) : v instanceof Map ? [...v] : v));
    expect(compiled.detections.map(text)).toEqual(loaded.detections.map(text));
    expect(compiled.correlations.map(text)).toEqual(loaded.correlations.map(text));
  });

  it('marks every fixture event with the same rules and correlation inputs', () => {
    expect(events.length).toBeGreaterThan(300);
    let marked = 0;
    for (const e of events) {
      const want = ids(matchingRules(loaded.rules, e));
      expect(ids(matchingRules(compiled.rules, e))).toEqual(want);
      expect(ids(matchingRules(compiled.correlationInputs, e))).toEqual(ids(matchingRules(loaded.correlationInputs, e)));
      if (want.length) marked++;
    }
    expect(marked).toBeGreaterThan(20);
  });

  it('leaves the tests out: a worker runs none, and they are most of the YAML', () => {
    expect(loaded.detections.some((r) => r.tests.positive.length > 0)).toBe(true);
    for (const d of loaded.portable.docs) if (d.kind === 'rule') expect(d.value).not.toHaveProperty('tests');
    for (const r of compiled.detections) expect(r.tests).toEqual({ positive: [], negative: [], attribution: [] });
  });
});
