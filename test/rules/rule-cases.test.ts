// runAttributionCase() scores a rule's case with the real attribution functions, and the join filter.
import { describe, expect, it } from 'vitest';
import { runAttributionCase } from '../../src/attribution/rule-cases.js';
import { Inventory } from '../../src/attribution/inventory.js';
import { filterByJoin, toToolCall, type Finding } from '../../src/attribution/attribute.js';
import type { ForensicEvent } from '../../src/model/event.js';
import type { AttributionTestCase } from '../../src/rules/rule.js';
import { testEvent } from '../../src/rules/selftest.js';
import { loadText } from './helpers.js';

const RULE = `title: SSH out
id: ssh
level: high
detection:
  sel:
    dst.port: 22
  condition: sel
attribution:
  command:
    - { pattern: 'ssh\\s+-R', label: 'an SSH reverse tunnel' }
`;

const base = (over: Partial<AttributionTestCase> = {}): AttributionTestCase => ({
  name: 'case', line: 1, minConfidence: 0.5, inventory: [], dns: [], expect: 'a',
  violation: { atMs: 2000, event: { kind: 'network', action: 'deny', host: 'n7', dst: { ip: '203.0.113.7', port: 22 } } },
  calls: [{ callId: 'a', session: 's1', host: 'n7', command: 'ssh -R 2222:localhost:22 ops@203.0.113.7', startMs: 0, endMs: 5000 }],
  ...over,
});

describe('runAttributionCase', () => {
  it('attributes a violation to the call that names its destination', async () => {
    const rule = (await loadText({ 'r.yml': RULE })).rules[0]!;
    const r = runAttributionCase(rule, base());
    expect(r).toMatchObject({ passed: true, got: 'a' });
    expect(r.confidence).toBeGreaterThan(0.8);
    expect(r.reasons.some((x) => x.includes('203.0.113.7'))).toBe(true);
  });

  it('reports a failure when the expected call does not win', async () => {
    const rule = (await loadText({ 'r.yml': RULE })).rules[0]!;
    const r = runAttributionCase(rule, base({ violation: { atMs: 70_000, event: base().violation.event } }));
    expect(r).toMatchObject({ passed: false, got: null, expected: 'a' });
  });
});

describe('filterByJoin', () => {
  const inventory = new Inventory([{ host: 'n7', ip: '172.17.0.3', sandbox: 'sb-a', session: 's1' }]);
  const call = (over: Partial<ForensicEvent>) => toToolCall({ kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs: 0, timeRaw: '', ref: { path: 'c', line: 1 }, callId: 'x', command: 'true', ...over }, inventory, 0);
  const finding = (event: ForensicEvent): Finding => ({ event, timeMs: 0, rules: [], origin: { host: event.host, sandbox: event.sandbox, session: event.session, hostLevel: false, how: 'test' } });

  it('keeps only calls that share every listed scope, and drops calls that do not know it', () => {
    const f = finding(testEvent({ host: 'n7', sandbox: 'sb-a' }));
    const same = call({ host: 'n7', sandbox: 'sb-a' });
    const other = call({ host: 'n7', sandbox: 'sb-b' });
    const unknown = call({ host: 'n7' });
    expect(filterByJoin(f, [same, other, unknown], ['sandbox'], inventory)).toEqual([same]);
    expect(filterByJoin(f, [same, other, unknown], ['host'], inventory)).toEqual([same, other, unknown]);
    expect(filterByJoin(f, [same, other, unknown], [], inventory)).toEqual([same, other, unknown]);
  });

  it('inventory: the source address must resolve to the call\'s session', () => {
    const f: Finding = { event: testEvent({ host: 'n7', src: { ip: '172.17.0.3' } }), timeMs: 0, rules: [] };
    const mine = call({ session: 's1' });
    const theirs = call({ session: 's2' });
    expect(filterByJoin(f, [mine, theirs], ['inventory'], inventory)).toEqual([mine]);
    const unlisted: Finding = { event: testEvent({ host: 'n7', src: { ip: '172.17.0.9' } }), timeMs: 0, rules: [] };
    expect(filterByJoin(unlisted, [mine, theirs], ['inventory'], inventory)).toEqual([]);
  });
});
