import { describe, expect, it } from 'vitest';
import { awsVpcFlowFormat } from '../../../../src/ingest/formats/firewall/aws-vpc-flow.js';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'aws-vpc-flow';
const own = (f: string) => fixture(NAME, f);

describe('aws-vpc-flow', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() reads the v2 default layout with a header, skipping NODATA/SKIPDATA windows', async () => {
    const r = await ingestClean(own('v2-default-s3.log'), 5);
    expect(r.notes).toEqual(['1 SKIPDATA record(s): AWS could not capture some flows in those capture windows']);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2024-06-16T09:26:50.000Z'),
      endMs: Date.parse('2024-06-16T09:27:50.000Z'),
      timeRaw: '1718530010',
      ref: { path: own('v2-default-s3.log'), line: 2 },
      host: 'eni-0a1b2c3d4e5f60001',
      src: { ip: '172.31.16.139', port: 20641 },
      dst: { ip: '172.31.16.21', port: 22 },
      proto: 'tcp',
      action: 'allow',
      message: 'ACCEPT TCP 172.31.16.139:20641 -> 172.31.16.21:22',
      fields: {
        version: 2, account_id: '123456789010', interface_id: 'eni-0a1b2c3d4e5f60001', srcaddr: '172.31.16.139',
        dstaddr: '172.31.16.21', protocol: 6, packets: 20, bytes: 4249, action: 'ACCEPT', log_status: 'OK',
      },
    });
    expect(r.events[1]!.action).toBe('reject');
    expect(r.events.map((e) => e.ref.line)).toEqual([2, 3, 6, 7, 8]);
    expect(r.events[2]).toMatchObject({ proto: 'icmp', src: { ip: '203.0.113.12', port: 0 }, dst: { ip: '172.31.16.139', port: 0 } });
    const last = r.events[4]!;
    expect(last.message).toBe('ACCEPT TCP [2001:db8:1234:a100:8d6e:3477:df66:f105]:34892 -> [2001:db8:1234:a102:3304:8879:34cf:4071]:22');
    expect(new Date(last.timeMs).toISOString()).toBe('2024-06-16T09:33:20.000Z');
    expect(new Date(last.endMs!).toISOString()).toBe('2024-06-16T09:34:20.000Z');
  });

  it('parse() assumes the v2 default layout when there is no header', async () => {
    const r = await ingestFile(own('v2-default-no-header.log'));
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => [e.ref.line, e.action, e.proto, e.dst?.ip, e.dst?.port])).toEqual([
      [1, 'allow', 'tcp', '198.51.100.77', 3333],
      [2, 'reject', 'tcp', '203.0.113.50', 22],
      [3, 'allow', 'udp', '10.0.0.2', 53],
    ]);
    expect(r.events[2]!.timeRaw).toBe('1718531010');
  });

  it('parse() ignores the ingestion timestamp of a CloudWatch Logs export', async () => {
    const r = await ingestClean(own('v2-cloudwatch-export.log'), 2);
    expect(r.events[0]).toMatchObject({ timeRaw: '1718531100', dst: { ip: '169.254.169.254', port: 80 }, action: 'allow' });
    expect(r.events[1]).toMatchObject({ timeRaw: '1718531170', endMs: 1718531220000, action: 'reject', host: 'eni-0a1b2c3d4e5f60003' });
  });

  it('parse() follows a v5 custom header and prefers pkt-srcaddr/pkt-dstaddr behind a NAT gateway', async () => {
    const path = own('v5-custom-nat-gateway.log');
    const r = await ingestClean(path, 4);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: 1718531000000,
      endMs: 1718531060000,
      timeRaw: '1718531000',
      ref: { path, line: 2 },
      host: 'i-0abc1234def567890',
      src: { ip: '10.0.1.5', port: 43122 },
      dst: { ip: '203.0.113.50', port: 22 },
      proto: 'tcp',
      action: 'reject',
      message: 'REJECT TCP 10.0.1.5:43122 -> 203.0.113.50:22',
      fields: {
        version: 5, account_id: '123456789010', vpc_id: 'vpc-0aa11bb22cc33dd44', subnet_id: 'subnet-0f1e2d3c4b5a60718',
        instance_id: 'i-0abc1234def567890', interface_id: 'eni-0a1b2c3d4e5f60003', srcaddr: '10.0.1.5', dstaddr: '203.0.113.50',
        pkt_srcaddr: '10.0.1.5', pkt_dstaddr: '203.0.113.50', protocol: 6, packets: 3, bytes: 180, action: 'REJECT',
        tcp_flags: 2, type: 'IPv4', region: 'us-east-1', az_id: 'use1-az2', flow_direction: 'egress', traffic_path: 1, log_status: 'OK',
      },
    });
    // The NAT gateway's ENI sees the instance talking to the gateway; the packet destination is the real peer.
    expect(r.events[1]).toMatchObject({
      host: 'eni-0bbb1111cccc22223',
      src: { ip: '10.0.1.5', port: 51514 },
      dst: { ip: '198.51.100.77', port: 3333 },
      action: 'allow',
      fields: { dstaddr: '10.0.0.220', pkt_dstaddr: '198.51.100.77', flow_direction: 'ingress' },
    });
    expect(r.events[1]!.fields).not.toHaveProperty('traffic_path');
    const last = r.events[3]!;
    expect(last).toMatchObject({ ref: { path, line: 6 }, timeRaw: '1718531120', endMs: 1718531180000, dst: { ip: '52.216.1.10', port: 443 } });
    expect(last.fields).toMatchObject({ pkt_dst_aws_service: 'S3', traffic_path: 7, tcp_flags: 19 });
  });

  it('parse() skips exactly the malformed lines of a damaged file and goes on', async () => {
    const path = own('broken-lines.log');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([
      { path, line: 3, message: 'expected 14 space-separated fields, found 6' },
      { path, line: 6, message: "start is not epoch seconds: 'yesterday'" },
      { path, line: 7, message: "unknown action 'ALLOWED'" },
      { path, line: 8, message: "srcaddr is not an IP address: '10.0.1.999'" },
    ]);
    expect(r.events.map((e) => e.ref.line)).toEqual([2, 4, 9, 10, 11, 12]);
  });

  it('parse() reports records of a custom layout without start as skips, with a note', async () => {
    const lines = [
      { line: 1, text: 'instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr' },
      { line: 2, text: '- eni-0bbb1111cccc22223 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5' },
    ];
    const skips: unknown[] = [];
    const notes: string[] = [];
    const ctx = { path: 'x.log', tz: 'UTC', yearFor: () => 2024, skip: (w: unknown, m: string) => skips.push([w, m]), note: (m: string) => notes.push(m) };
    const out = [];
    for await (const e of awsVpcFlowFormat.parse((async function* () { yield* lines; })(), ctx)) out.push(e);
    expect(out).toEqual([]);
    expect(skips).toEqual([[{ line: 2 }, 'record has no start time (the field list lacks start)']]);
    expect(notes).toHaveLength(1);
  });
});
