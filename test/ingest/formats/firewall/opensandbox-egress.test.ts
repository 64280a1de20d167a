import { describe, expect, it } from 'vitest';
import { opensandboxEgressFormat } from '../../../../src/ingest/formats/firewall/opensandbox-egress.js';
import { headOf, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'opensandbox-egress';
const own = (f: string) => fixture(NAME, f);

describe('opensandbox-egress', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('probe() scores 0 on other zap loggers (execd, ingress) and on lines without a time', () => {
    expect(opensandboxEgressFormat.probe(headOf('{"level":"info","ts":"2026-03-02T10:00:00.000Z","logger":"opensandbox.execd","msg":"command started"}\n'))).toBe(0);
    expect(opensandboxEgressFormat.probe(headOf('{"level":"info","ts":"2026-03-02T10:00:00.000Z","msg":"egress outbound"}\n'))).toBe(0);
    expect(opensandboxEgressFormat.probe(headOf('{"level":"info","logger":"opensandbox.egress","msg":"egress outbound","opensandbox.event":"egress.outbound"}\n'))).toBe(0);
  });

  it('parse() reads allowed outbound lookups and policy denials; lifecycle lines produce no event', async () => {
    const path = own('synthetic-sidecar.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    // Lines 1, 2 and 7 are egress.loaded, a startup notice and egress.updated.
    expect(r.events.map((e) => e.ref.line)).toEqual([3, 4, 5, 6, 8]);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2026-03-02T10:00:03.120Z'),
      timeRaw: '2026-03-02T10:00:03.120Z',
      ref: { path, line: 3 },
      sandbox: 'sb-7f3a',
      dst: { ip: '151.101.0.223', domain: 'pypi.org' },
      action: 'allow',
      message: 'ALLOW egress pypi.org (151.101.0.223, 151.101.64.223)',
      fields: { level: 'info', event: 'egress.outbound', output: '151.101.0.223,151.101.64.223' },
    });
    expect(r.events[1]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2026-03-02T10:00:04.501Z'),
      timeRaw: '2026-03-02T10:00:04.501Z',
      ref: { path, line: 4 },
      sandbox: 'sb-7f3a',
      src: { ip: '127.0.0.1' },
      dst: { domain: 'pool.supportxmr.com' },
      action: 'deny',
      message: 'DENY egress DNS pool.supportxmr.com',
      fields: { level: 'warn', event: 'dns.denied_by_policy' },
    });
    // zap's ISO8601 encoder writes the process's zone offset without a colon.
    expect(r.events[2]).toMatchObject({
      timeMs: Date.parse('2026-03-02T10:00:05.250Z'),
      timeRaw: '2026-03-02T18:00:05.250+0800',
      dst: { domain: 'files.pythonhosted.org' },
      action: 'allow',
      fields: { error: 'read udp 10.0.0.2:41000->10.96.0.10:53: i/o timeout' },
    });
    expect(r.events[3]).toMatchObject({ dst: { ip: '198.51.100.7' }, action: 'allow', sandbox: 'sb-7f3a' });
    expect(r.events[4]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2026-03-02T10:00:08.000Z'),
      timeRaw: '2026-03-02T10:00:08.000Z',
      ref: { path, line: 8 },
      src: { ip: '10.244.1.17' },
      dst: { domain: 'metadata.google.internal' },
      action: 'deny',
      message: 'DENY egress DNS metadata.google.internal (no policy for source)',
      fields: { level: 'warn', event: 'dns.denied_query', reason: 'no policy for source' },
    });
  });

  it('parse() reads the epoch-seconds ts of zap\'s default encoder', async () => {
    const lines = ['{"level":"warn","ts":1772445604.5012,"logger":"opensandbox.egress","msg":"[dns] denied by policy (remote=invalid IP question=\\"evil.example\\")","sandbox_id":"sb-1"}'];
    const events = [];
    const skips: string[] = [];
    async function* gen() {
      yield { line: 1, text: lines[0]! };
    }
    for await (const e of opensandboxEgressFormat.parse(gen(), { path: 'mem', tz: 'UTC', yearFor: () => 2026, skip: (_w, m) => skips.push(m), note: () => {} })) events.push(e);
    expect(skips).toEqual([]);
    expect(events).toHaveLength(1);
    // `invalid IP` is what Go prints for an unknown remote: no source address then.
    expect(events[0]).toMatchObject({ timeMs: Date.parse('2026-03-02T10:00:04.501Z'), timeRaw: '1772445604.5012', action: 'deny', dst: { domain: 'evil.example' }, sandbox: 'sb-1' });
    expect(events[0]!.src).toBeUndefined();
  });

  it('parse() skips damaged records at their exact line numbers', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([
      { path, line: 2, message: 'not valid JSON: Unterminated string in JSON at position 43' },
      { path, line: 3, message: "egress log line without a valid ts: 'not a time'" },
      { path, line: 4, message: 'egress.outbound record without target.host or peer' },
      { path, line: 5, message: "peer is not an IP address: 'not-an-ip'" },
    ]);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 7]);
  });
});
