// Skew pairs list the calls naming a frequent destination once (instead of testing every call near
// every record), or, with the calls on disk, look them up in the calls the merge noted as naming a
// finding's destination (NamingIndex): the pairs must be exactly those a plain test of every call
// within 30 minutes gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { originOf, type Finding, type ToolCall } from '../../src/attribution/attribute.js';
import { buildToolCalls } from '../../src/attribution/calls.js';
import { mentionsToken } from '../../src/attribution/command.js';
import { Inventory } from '../../src/attribution/inventory.js';
import { NamingIndex } from '../../src/attribution/naming-index.js';
import { skewPairs } from '../../src/attribution/skew-pairs.js';
import type { ForensicEvent } from '../../src/model/event.js';
import type { SkewPair } from '../../src/timeline/skew.js';

const T = Date.parse('2026-03-05T10:00:00Z');
const noInventory = new Inventory([]);
// an IPv4-mapped IPv6 address holds dots but is no run of token characters: the index must not answer for it
// (and one of upper-case hex, one without any token character: '::' is no run at all)
const IPS = ['203.0.113.47', '198.51.100.7', '10.20.3.17', '::ffff:198.51.100.9', '2001:DB8::5', '::'];
const DOMAINS = ['pool.example', 'files.example'];

const callArb = fc.record({
  // on a minute grid, so records fall exactly 30 minutes from calls too
  start: fc.integer({ min: 0, max: 240 }).map((m) => m * 60_000),
  target: fc.constantFrom(...IPS, ...DOMAINS, 'nothing'),
  background: fc.boolean(),
  session: fc.constantFrom('s1', 's2'),
});
const findingArb = fc.record({
  at: fc.integer({ min: 0, max: 240 }).map((m) => m * 60_000),
  ip: fc.option(fc.constantFrom(...IPS), { nil: undefined }),
  domain: fc.option(fc.constantFrom(...DOMAINS), { nil: undefined }),
  session: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
});

function calls(specs: { start: number; target: string; background: boolean; session: string }[]): ToolCall[] {
  const events: ForensicEvent[] = specs.map((s, i) => ({
    kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs: T + s.start, endMs: T + s.start + 5_000,
    timeRaw: '', ref: { path: 'agent.jsonl', line: i + 1 }, session: s.session, callId: `c${i}`,
    command: `${s.background ? 'nohup ' : ''}curl https://${s.target}${['/x', '.evil/x', ':8080', '', ` # again ${s.target}`][i % 5]}${s.background ? ' &' : ''}`,
  }));
  return buildToolCalls(events, noInventory, () => 0);
}

/** The pairs as first written: every call within 30 minutes tested against each record. */
function plainPairs(findings: Finding[], all: ToolCall[]): SkewPair[] {
  const pairs: SkewPair[] = [];
  for (const f of findings) {
    const dst = f.event.dst;
    if (!dst?.ip && !dst?.domain) continue;
    const origin = originOf(f.event, noInventory);
    const named = all.filter((c) => Math.abs(c.startMs - f.timeMs) <= 30 * 60_000 && c.startMs >= f.timeMs - 30 * 60_000
      && ((dst.ip && mentionsToken(c.text, dst.ip)) || (dst.domain && mentionsToken(c.text, dst.domain)))
      && !(origin?.session && c.session && origin.session !== c.session));
    if (named.length === 1 && !named[0]!.background) pairs.push({ recordMs: f.timeMs, callStartMs: named[0]!.startMs, callEndMs: named[0]!.endMs });
  }
  return pairs;
}

/** The pairs NamingIndex gives: the calls offered in a shuffled order, as long calls join after the others. */
function namingPairs(findings: Finding[], all: ToolCall[]): SkewPair[] {
  const destinations = findings.flatMap((f) => [f.event.dst?.ip, f.event.dst?.domain].filter((d): d is string => !!d).map((d) => d.toLowerCase()));
  const index = new NamingIndex(destinations);
  const offered = [...all.filter((_, i) => i % 3 !== 0), ...all.filter((_, i) => i % 3 === 0)];
  for (const c of offered) index.add(c, index.named(c.facts));
  index.sort();
  return findings.flatMap((f) => index.pairOf(f, noInventory) ?? []);
}

describe('skewPairs()', () => {
  it('gives the pairs a plain test of every nearby call gives, for rare and frequent destinations', () => {
    let found = 0;
    fc.assert(fc.property(fc.array(callArb, { maxLength: 40 }), fc.array(findingArb, { minLength: 100, maxLength: 300 }), (callSpecs, specs) => {
      const all = calls(callSpecs);
      const findings: Finding[] = specs.map((s, i) => ({
        event: {
          kind: 'network', source: 'firewall', format: 'iptables', timeMs: T + s.at, timeRaw: '', ref: { path: 'kern.log', line: i + 1 },
          ...(s.session ? { session: s.session } : {}),
          ...(s.ip || s.domain ? { dst: { ...(s.ip ? { ip: s.ip } : {}), ...(s.domain ? { domain: s.domain } : {}) } } : {}),
        },
        timeMs: T + s.at,
        rules: [],
      }));
      const expected = plainPairs(findings, all);
      found += expected.length;
      expect(skewPairs(findings, all, noInventory)).toEqual(expected);
      // addresses and domains looked up in the index of the commands' dotted tokens from the start
      expect(skewPairs(findings, all, noInventory, 0)).toEqual(expected);
      expect(namingPairs(findings, all)).toEqual(expected);
    }), { numRuns: 300 });
    expect(found).toBeGreaterThan(100);
  });
});
