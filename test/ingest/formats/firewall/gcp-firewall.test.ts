import { describe, expect, it } from 'vitest';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'gcp-firewall';
const own = (f: string) => fixture(NAME, f);

describe('gcp-firewall', () => {
  itClaimsOnlyItsFixtures(NAME, { neighbours: 'gcp-vpc-flow and gcp-audit share the LogEntry envelope' });

  it('parse() reads LogEntry JSON lines: disposition, rule, instance', async () => {
    const path = own('firewall-entries.jsonl');
    const r = await ingestClean(path, 5);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2024-06-16T09:43:25.214Z'),
      timeRaw: '2024-06-16T09:43:25.214711274Z',
      ref: { path, line: 1 },
      host: 'trainer-0',
      src: { ip: '10.128.0.16', port: 43122 },
      dst: { ip: '203.0.113.50', port: 22 },
      proto: 'tcp',
      action: 'deny',
      message: 'DENIED TCP 10.128.0.16:43122 -> 203.0.113.50:22 (deny-egress-ssh)',
      fields: {
        disposition: 'DENIED', rule_reference: 'network:default/firewall:deny-egress-ssh', rule_name: 'deny-egress-ssh',
        rule_action: 'DENY', rule_direction: 'EGRESS', rule_priority: 900, target_tag: 'trainer', destination_range: '0.0.0.0/0',
        project_id: 'ml-train-prod', zone: 'us-central1-a', region: 'us-central1', vpc_name: 'default', subnetwork_name: 'default',
        remote_country: 'nld', insert_id: '1a2b3c4d5e6f7',
      },
    });
    expect(r.events.map((e) => [e.action, e.proto, e.dst?.port])).toEqual([
      ['deny', 'tcp', 22], ['allow', 'tcp', 443], ['deny', 'tcp', 3333], ['allow', 'udp', 53], ['deny', 'icmp', undefined],
    ]);
    const last = r.events[4]!;
    expect(last).toMatchObject({
      ref: { path, line: 5 },
      timeMs: Date.parse('2024-06-16T09:47:30.750Z'),
      src: { ip: '192.0.2.9' },
      dst: { ip: '10.128.0.16' },
      message: 'DENIED ICMP 192.0.2.9 -> 10.128.0.16 (default-deny-ingress)',
      fields: { rule_direction: 'INGRESS', source_range: '0.0.0.0/0', remote_country: 'jpn' },
    });
    expect(last.endMs).toBeUndefined();
  });

  it('parse() reads a gcloud logging read JSON array with refs by index', async () => {
    const path = own('gcloud-read.json');
    const r = await ingestFile(path);
    expect(r.container).toBe('json');
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => [e.ref, e.timeRaw, e.host, e.action])).toEqual([
      [{ path, index: 0 }, '2024-06-16T10:02:11.000000000Z', 'trainer-1', 'deny'],
      [{ path, index: 1 }, '2024-06-16T10:01:59.000000000Z', 'trainer-1', 'allow'],
    ]);
  });

  it('parse() skips exactly the malformed lines of a damaged file', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues.map((i) => [i.line, i.message.startsWith('not valid JSON') ? 'not valid JSON' : i.message])).toEqual([
      [2, 'not valid JSON'],
      [4, "timestamp is not ISO 8601: '16/06/2024 09:44:02'"],
      [6, "unknown disposition 'MAYBE'"],
      [9, "connection.src_ip is not an IP address: '192.0.2.300'"],
    ]);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 3, 5, 7, 8]);
  });
});
