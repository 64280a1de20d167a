// A scan records each name ↔ address pair once, the first way it was written, for the run's DNS
// index. Pairs seen as written are skipped before their lower-cased key is built: the pairs must be
// those of the key alone, whatever the case, the order and however many addresses come by.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnsRecorder } from '../../src/scan.js';

/** The reference: the first sighting of each (address, lower-cased name). */
function firstSightings(pairs: [string, string][]): [string, string, string][] {
  const seen = new Set<string>();
  const out: [string, string, string][] = [];
  pairs.forEach(([ip, domain], i) => {
    const key = `${ip}\u0000${domain.toLowerCase()}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([ip, domain, `at ${i}`]);
  });
  return out;
}

describe('DnsRecorder', () => {
  it('records the first sighting of each pair, case aside (property)', () => {
    const ip = fc.constantFrom('10.0.0.1', '10.0.0.2', '2001:db8::1');
    const domain = fc.constantFrom('pool.example', 'POOL.example', 'Pool.Example', 'other.example', 'İx.example');
    fc.assert(fc.property(fc.array(fc.tuple(ip, domain), { maxLength: 40 }), (pairs) => {
      const recorder = new DnsRecorder();
      pairs.forEach(([a, d], i) => recorder.add(a, d, `at ${i}`));
      expect(recorder.pairs).toEqual(firstSightings(pairs));
    }), { numRuns: 2000 });
  });

  it('stays right past the addresses its shortcut remembers', () => {
    const pairs: [string, string][] = [];
    for (let i = 0; i < 250_000; i++) pairs.push([`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i % 3 ? 'a.example' : 'A.example']);
    pairs.push(['10.0.0.0', 'A.EXAMPLE'], ['10.0.0.0', 'b.example']);
    const recorder = new DnsRecorder();
    pairs.forEach(([a, d], i) => recorder.add(a, d, `at ${i}`));
    expect(recorder.pairs).toEqual(firstSightings(pairs));
  });
});
