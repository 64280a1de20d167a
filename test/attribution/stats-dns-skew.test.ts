// Unit tests of the activity statistics (binomial p-values against known values), DNS learning and skew estimation.
import { describe, expect, it } from 'vitest';
import { DnsIndex, resolverPairs } from '../../src/attribution/dns.js';
import { activityStats, binomialUpperTail } from '../../src/attribution/stats.js';
import type { ForensicEvent } from '../../src/model/event.js';
import { estimateSkew } from '../../src/timeline/skew.js';

describe('binomialUpperTail()', () => {
  it('matches known binomial tail probabilities', () => {
    // P(X ≥ 8 | n=10, p=0.5) = (45 + 10 + 1) / 1024
    expect(binomialUpperTail(10, 8, 0.5)).toBeCloseTo(56 / 1024, 12);
    // P(X ≥ 1 | n=20, p=0.1) = 1 − 0.9^20
    expect(binomialUpperTail(20, 1, 0.1)).toBeCloseTo(1 - 0.9 ** 20, 12);
    // P(X ≥ 5 | n=5, p=0.2) = 0.2^5
    expect(binomialUpperTail(5, 5, 0.2)).toBeCloseTo(0.00032, 12);
    expect(binomialUpperTail(5, 0, 0.2)).toBe(1);
  });
  it('agrees with the direct sum on both sides of the mean', () => {
    const direct = (n: number, k: number, p: number) => {
      let c = 1, total = 0;
      for (let i = 0; i <= n; i++) {
        if (i >= k) total += c * p ** i * (1 - p) ** (n - i);
        c = (c * (n - i)) / (i + 1);
      }
      return total;
    };
    for (const [n, k, p] of [[50, 20, 0.2], [50, 3, 0.2], [30, 15, 0.5], [40, 1, 0.01]] as const) {
      expect(binomialUpperTail(n, k, p)).toBeCloseTo(direct(n, k, p), 12);
    }
  });
  it('stays finite and tiny for large n without underflowing too early', () => {
    const p = binomialUpperTail(2000, 450, 0.1);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-40);
    expect(binomialUpperTail(100_000, 10_100, 0.1)).toBeGreaterThan(0.1);
  });
});

describe('activityStats()', () => {
  it('computes the active fraction, over-representation and p-value', () => {
    // active 0–100 of a 0–1000 span (10 %); 8 of 10 violations inside it
    const times = [10, 20, 30, 40, 50, 60, 70, 80, 500, 900];
    const s = activityStats([{ startMs: 0, endMs: 50 }, { startMs: 40, endMs: 100 }], times, 0, 1000);
    expect(s.agentActiveFraction).toBe(0.1);
    expect(s.violationsDuringActivity).toBe(8);
    expect(s.overRepresentation).toBe(8);
    expect(s.pValue).toBeCloseTo(Number(binomialUpperTail(10, 8, 0.1).toPrecision(4)), 12);
    expect(s.pValue!).toBeLessThan(1e-5);
  });
  it('is undefined without violations or without activity', () => {
    expect(activityStats([], [5], 0, 10)).toMatchObject({ overRepresentation: null, pValue: null });
    expect(activityStats([{ startMs: 0, endMs: 5 }], [], 0, 10)).toMatchObject({ agentActiveFraction: 0.5, pValue: null });
  });
  it('merges overlapping intervals and clips them to the span', () => {
    // union [0, 20] and [30, 35] of [0, 40]: 25 of 40 ms; 20 and 30 are covered (ends count), 25 and 36 are not
    const s = activityStats([{ startMs: 5, endMs: 20 }, { startMs: -5, endMs: 6 }, { startMs: 30, endMs: 45 }], [20, 25, 30, 36], 0, 35);
    expect(s.agentActiveFraction).toBe(0.7143);
    expect(s.violationsDuringActivity).toBe(2);
  });
});

describe('DnsIndex', () => {
  const base = { source: 'firewall', format: 'suricata-eve', timeMs: 0, timeRaw: '', ref: { path: 'eve.json', line: 3 } } as const;
  it('learns the answers of a DNS record, not the resolver address', () => {
    const d = new DnsIndex();
    d.learn({ ...base, kind: 'network', dst: { ip: '10.0.0.2', port: 53, domain: 'dl.relay.example' }, fields: { rrtype: 'A', output: '198.51.100.90' } } as ForensicEvent);
    expect(d.domainsFor('198.51.100.90')).toEqual([{ domain: 'dl.relay.example', where: 'per the DNS answer at eve.json:3' }]);
    expect(d.domainsFor('10.0.0.2')).toEqual([]);
  });
  it('learns from a flow that carries both a name and an address', () => {
    const d = new DnsIndex();
    d.learn({ ...base, kind: 'network', dst: { ip: '198.51.100.23', port: 3333, domain: 'pool.example' } } as ForensicEvent);
    expect(d.domainsFor('198.51.100.23')[0]!.domain).toBe('pool.example');
  });
  it('learns from the output of dig +short in a quoted shell command', () => {
    const d = new DnsIndex();
    d.learn({ kind: 'tool-call', source: 'agent', format: 'codex', timeMs: 0, timeRaw: '', ref: { path: 'r.jsonl', line: 7 }, session: 's', callId: 'c1', command: "bash -lc 'dig +short updates.cdn-sync.example'", fields: { output: '198.51.100.61\n' } });
    expect(d.domainsFor('198.51.100.61')).toEqual([{ domain: 'updates.cdn-sync.example', where: 'per the output of call c1 in session s at r.jsonl:7' }]);
  });
  it('resolverPairs() reads dig, host, nslookup, getent and ping output', () => {
    expect(resolverPairs('pool.example.com.\t300\tIN\tA\t198.51.100.7\n')).toEqual([['pool.example.com', '198.51.100.7']]);
    expect(resolverPairs('pool.example.com has address 198.51.100.8\n')).toEqual([['pool.example.com', '198.51.100.8']]);
    expect(resolverPairs('Server:\t127.0.0.53\nAddress:\t127.0.0.53#53\n\nName:\tpool.example.com\nAddress: 198.51.100.9\n')).toEqual([['pool.example.com', '198.51.100.9']]);
    expect(resolverPairs('198.51.100.10   pool.example.com\n')).toEqual([['pool.example.com', '198.51.100.10']]);
    expect(resolverPairs('PING pool.example.com (198.51.100.11) 56(84) bytes of data.\n')).toEqual([['pool.example.com', '198.51.100.11']]);
  });
});

describe('estimateSkew()', () => {
  const pair = (callStartMs: number, dur: number, recordMs: number) => ({ callStartMs, callEndMs: callStartMs + dur, recordMs });
  it('finds the offset that puts records back inside their calls', () => {
    const pairs = [0, 100_000, 250_000, 400_000].map((t) => pair(t, 10_000, t + 400 - 97_000));
    const est = estimateSkew(pairs);
    expect(est.offsetMs).toBeGreaterThanOrEqual(96_000);
    expect(est.offsetMs).toBeLessThanOrEqual(97_400);
    expect(est.supporting).toBe(4);
  });
  it('keeps 0 when the clocks already agree, and with a single pair', () => {
    expect(estimateSkew([pair(0, 5_000, 1_000), pair(60_000, 5_000, 61_000)]).offsetMs).toBe(0);
    expect(estimateSkew([pair(0, 5_000, -30_000)]).offsetMs).toBe(0);
    expect(estimateSkew([])).toEqual({ offsetMs: 0, pairs: 0, supporting: 0, confidence: 0 });
  });
});
