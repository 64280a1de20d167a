// Lean reading: records no rule marks are read without `fields` and `message`, marked ones again in
// full. It must never change a scan's result, and must switch itself off when a rule reads those parts.
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectInput, parseInput } from '../../src/ingest/ingest.js';
import { alibabaCloudfirewallFormat, cloudFirewallEvent, LEAN_RECORD_KEYS } from '../../src/ingest/formats/firewall/alibaba-cloudfirewall.js';
import type { ParseContext } from '../../src/ingest/format.js';
import { iptablesFormat } from '../../src/ingest/formats/firewall/iptables.js';
import type { ForensicEvent } from '../../src/model/event.js';
import { fieldKeysRead } from '../../src/rules/fields.js';
import { loadRuleSet } from '../../src/rules/load.js';
import { fieldKeysRulesRead, rulesMayRead } from '../../src/rules/match.js';
import { BUILTIN_RULES, SCAN_SETTINGS, scanWithRules } from '../helpers/scan.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'iptables');
const RULES = BUILTIN_RULES;
const settings = SCAN_SETTINGS;
const files = readdirSync(FIXTURES).filter((f) => f !== 'NOTICE.md').map((f) => join(FIXTURES, f));

/** A one-selection network rule in a file of its own, for the tests that need a rule reading some part. */
function networkRule(title: string, id: string, selection: string): string {
  const rule = join(mkdtempSync(join(tmpdir(), 'af-lean-')), `${id}.yml`);
  writeFileSync(rule, `title: ${title}\nid: ${id}\nlevel: low\nlogsource: { category: network }\ndetection:\n  sel: ${selection}\n  condition: sel\n`);
  return rule;
}

const scan = (path: string, rulePaths: string[], lean: boolean) => scanWithRules(path, { lean }, rulePaths);

describe('lean reading of netfilter lines', () => {
  it('a lean event is the full event without fields and message, line by line', async () => {
    for (const path of files) {
      const detected = await detectInput({ path, isStdin: false }, settings);
      const parsed = parseInput(detected, iptablesFormat, settings);
      const pairs: [ForensicEvent, ForensicEvent][] = [];
      // needsFull sees every lean event; the full one follows when it answers true.
      let lean: ForensicEvent | undefined;
      await parsed.each!((full) => {
        pairs.push([lean!, full]);
      }, { keep: new Set(), needsFull: (e) => ((lean = e), true) });
      expect(pairs.length).toBeGreaterThan(0);
      for (const [l, full] of pairs) {
        const { fields: _f, message: _m, ...rest } = full;
        expect(l).toEqual(rest);
        expect(Object.keys(full.fields ?? {}).every((k) => iptablesFormat.fieldKeys!.includes(k))).toBe(true);
      }
    }
  });

  it('gives the same scan, findings in full, as reading every line in full', async () => {
    let findings = 0;
    for (const path of files) {
      const [lean, full] = [await scan(path, [RULES], true), await scan(path, [RULES], false)];
      expect(lean).toEqual(full);
      for (const f of lean.findings) expect(f.event.message).toBeDefined();
      findings += lean.findings.length;
    }
    expect(findings).toBeGreaterThan(0);
  });

  it('is off when a rule reads a field a lean event leaves out', async () => {
    const rule = networkRule('UFW blocks', 't-prefix', '{ prefix|contains: UFW }');
    const set = await loadRuleSet([rule]);
    expect(rulesMayRead(set.rules, 'iptables', 'firewall', iptablesFormat.fieldKeys!)).toBe(true);
    expect(rulesMayRead((await loadRuleSet([RULES])).rules, 'iptables', 'firewall', iptablesFormat.fieldKeys!)).toBe(false);
    for (const path of files) expect(await scan(path, [rule], true)).toEqual(await scan(path, [rule], false));
  });

  it('knows what rule fields read', () => {
    // The `fields` keys a rule field reads; undefined when it may read `message` or all of `fields`.
    expect(fieldKeysRead('iptables', 'prefix')).toEqual(['prefix']);
    expect(fieldKeysRead('iptables', 'fields.in')).toEqual(['in']);
    expect(fieldKeysRead('iptables', 'fields')).toBeUndefined();
    expect(fieldKeysRead('iptables', 'message')).toBeUndefined();
    expect(fieldKeysRead('iptables', 'dst.ip')).toEqual([]);
    expect(fieldKeysRead('iptables', 'action')).toEqual([]);
    expect(fieldKeysRead('iptables', 'signature')).toEqual(['signature']);
    expect(fieldKeysRead('iptables', 'DestinationPort')).toEqual([]);
    expect(fieldKeysRead('auditd', 'a1')).toEqual(['recordTypes']);
  });
});

describe('lean reading of Cloud Firewall lines (fields projected to the keys rules read)', () => {
  const CF = join(import.meta.dirname, '..', 'fixtures', 'alibaba-cloudfirewall');
  const cfFiles = readdirSync(CF).filter((f) => f.endsWith('.jsonl')).map((f) => join(CF, f));

  it('a lean event is the full event without message, its fields cut to the keys kept', async () => {
    const keep = new Set(['ips_rule_id', 'out_packet_bytes', 'ips_hit', 'app_name', 'acl_rule_id', 'not_in_any_record']);
    let compared = 0;
    for (const path of cfFiles) {
      const detected = await detectInput({ path, isStdin: false }, settings);
      const parsed = parseInput(detected, alibabaCloudfirewallFormat, settings);
      let lean: ForensicEvent | undefined;
      await parsed.each!((full) => {
        const { fields, message: _m, ...rest } = full;
        const { fields: leanFields, message: leanMessage, ...leanRest } = lean!;
        expect(leanMessage).toBeUndefined();
        expect(leanRest).toEqual(rest);
        expect(leanFields).toEqual(Object.fromEntries(Object.entries(fields ?? {}).filter(([k]) => keep.has(k))));
        compared++;
      }, { keep, needsFull: (e) => ((lean = e), true) });
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('gives the same scan as reading every line in full, and is off when a rule reads the message', async () => {
    const rule = networkRule('Message', 't-message', '{ message|contains: DROP }');
    const builtin = await loadRuleSet([RULES]);
    expect(fieldKeysRulesRead(builtin.rules, 'alibaba-cloudfirewall', 'firewall')?.has('ips_rule_id')).toBe(true);
    expect(fieldKeysRulesRead((await loadRuleSet([rule])).rules, 'alibaba-cloudfirewall', 'firewall')).toBeUndefined();
    let findings = 0;
    for (const path of cfFiles) {
      for (const rules of [[RULES], [rule]]) {
        const [lean, full] = [await scan(path, rules, true), await scan(path, rules, false)];
        expect(lean).toEqual(full);
        findings += lean.findings.length;
      }
    }
    expect(findings).toBeGreaterThan(0);
  });

  it('reads a lean event from the record keys it declares and the keys kept, nothing else', async () => {
    // Every key the fixtures hold, plus keys of IPS hits and URLs, on one record.
    const lines = cfFiles.flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l.trim() !== '');
    const extra = { ips_rule_id: '7', attack_type_name_en: 'Mining', ips_rule_name_en: 'Stratum', url: 'http://pool.example:3333/x', cloud_instance_id: 'i-1', end_time: '1718531100' };
    const records = [...lines, JSON.stringify({ ...JSON.parse(lines[0]!), ...extra })];
    const keep = new Set(['out_packet_bytes', 'app_name']);
    const CTX: ParseContext = { path: 'x', tz: 'UTC', yearFor: () => 2026, skip: () => undefined, note: () => undefined };
    const read = new Set<string>();
    const spy = (o: Record<string, unknown>) => new Proxy(o, {
      get: (t, k) => (typeof k === 'string' && read.add(k), Reflect.get(t, k)),
      has: (t, k) => (typeof k === 'string' && read.add(k), Reflect.has(t, k)),
      getOwnPropertyDescriptor: (t, k) => (typeof k === 'string' && read.add(k), Reflect.getOwnPropertyDescriptor(t, k)),
      ownKeys: () => {
        throw new Error('a lean reading walked every key');
      },
    });
    let events = 0;
    for (const text of records) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (typeof cloudFirewallEvent(spy(o), CTX, 1, keep) !== 'string') events++;
    }
    expect(events).toBeGreaterThan(10);
    expect([...read].filter((k) => !LEAN_RECORD_KEYS.includes(k) && !keep.has(k))).toEqual([]);
  });
});
