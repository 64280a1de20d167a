import { describe, expect, it } from 'vitest';
import { alibabaCloudfirewallFormat } from '../../../../src/ingest/formats/firewall/alibaba-cloudfirewall.js';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'alibaba-cloudfirewall';
const own = (f: string) => fixture(NAME, f);

describe('alibaba-cloudfirewall', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() maps pass, drop, alert and IPS hits, with session windows', async () => {
    const path = own('sls-traffic-log.jsonl');
    const r = await ingestClean(path, 6);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2024-06-16T09:43:10.000Z'),
      endMs: Date.parse('2024-06-16T09:43:21.000Z'),
      timeRaw: '1718530990',
      ref: { path, line: 1 },
      src: { ip: '192.168.0.15', port: 40522 },
      dst: { ip: '151.101.0.223', port: 443, domain: 'files.pythonhosted.org' },
      proto: 'tcp',
      action: 'allow',
      message: 'PASS TCP 192.168.0.15:40522 -> 151.101.0.223:443 (files.pythonhosted.org)',
      fields: {
        __topic__: 'cloudfirewall_access_log', aliuid: '1234567890123456', __time__: 1718531002, log_type: 'nat_firewall_log',
        ip_protocol: 'tcp', direction: 'out', domain: 'files.pythonhosted.org', app_name: 'HTTPS', app_dpi_state: 'success',
        rule_result: 'pass', rule_source: 1, new_conn: 1, cloud_instance_id: 'ngw-bp1d5bx2orlw1p2wn3k7',
        src_vpc_id: 'vpc-bp1qpo0kug3a20qqe5cxl', src_region: 'cn-hangzhou', in_packet_bytes: 304212, in_packet_count: 212,
        out_packet_bytes: 10240, out_packet_count: 120, total_packet_bytes: 314452, total_packet_count: 332, start_time_min: 1718530980,
      },
    });
    // Outbound SSH dropped by an ACL rule.
    expect(r.events[1]).toMatchObject({
      action: 'deny',
      dst: { ip: '203.0.113.50', port: 22 },
      message: 'DROP TCP 192.168.0.15:43122 -> 203.0.113.50:22',
      fields: { acl_rule_id: '073a1475-6e11-43e2-8b28-98cee9c6a1f2', app_dpi_state: 'policy_discard' },
    });
    expect(r.events[1]!.host).toBeUndefined();
    // Stratum mining traffic seen by the IPS in observe mode.
    expect(r.events[2]).toMatchObject({
      action: 'alert',
      host: '192.168.0.15',
      src: { ip: '198.51.100.10', port: 51514 },
      dst: { ip: '198.51.100.77', port: 3333 },
      message: 'ALERT TCP 198.51.100.10:51514 -> 198.51.100.77:3333 [Stratum mining protocol communication]',
      fields: { ips_hit: true, ips_rule_id: '1004582', attack_type_name_en: 'Mining Behavior', vul_level: 3, rule_source: 2 },
    });
    // An IPS hit that was dropped stays a deny, marked as an IPS hit.
    expect(r.events[3]).toMatchObject({ action: 'deny', fields: { ips_hit: true, ips_rule_name_en: 'Reverse shell outbound connection' } });
    expect(r.events[4]).toMatchObject({ action: 'allow', fields: { direction: 'in' } });
    expect(r.events[4]!.fields).not.toHaveProperty('ips_hit');
    const last = r.events[5]!;
    expect(last).toMatchObject({
      ref: { path, line: 6 },
      timeMs: Date.parse('2024-06-16T09:47:20.000Z'),
      endMs: Date.parse('2024-06-16T09:47:20.000Z'),
      timeRaw: '1718531240',
      proto: 'udp',
      action: 'allow',
      fields: { log_type: 'vpc_firewall_log', firewall_id: 'vfw-tr-8f3c2a1b0d9e4f5a6b7c', acl_rule_id: '5b1e2f3a-9c8d-4e7f-a6b5-c4d3e2f1a0b9' },
    });
  });

  it('parse() skips exactly the malformed lines of a damaged file', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues.map((i) => [i.line, i.message.startsWith('not valid JSON') ? 'not valid JSON' : i.message])).toEqual([
      [2, 'not valid JSON'],
      [4, "start_time is not epoch seconds: '2024/06/16 09:43:20'"],
      [6, "unknown rule_result 'quarantine'"],
      [7, "dst_ip is not an IP address: '198.51.100.XX'"],
    ]);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 3, 5, 8, 9, 10]);
  });

  it('parse() falls back to __time__ and takes the domain from url', async () => {
    const rec = { __time__: 1718531300, log_type: 'internet_log', src_ip: '198.51.100.10', dst_ip: '203.0.113.7', dst_port: 80, rule_result: 'pass', url: 'http://pool.example.net:8080/x' };
    const ctx = { path: 'x', tz: 'UTC', yearFor: () => 2024, skip: () => undefined, note: () => undefined };
    const out = [];
    for await (const e of alibabaCloudfirewallFormat.parse((async function* () { yield { line: 1, text: JSON.stringify(rec) }; })(), ctx)) out.push(e);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ timeMs: 1718531300000, timeRaw: '1718531300', dst: { ip: '203.0.113.7', port: 80, domain: 'pool.example.net' } });
    expect(out[0]!.endMs).toBeUndefined();
  });
});
