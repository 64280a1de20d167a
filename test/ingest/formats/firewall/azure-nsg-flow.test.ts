import { describe, expect, it } from 'vitest';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'azure-nsg-flow';
const own = (f: string) => fixture(NAME, f);

describe('azure-nsg-flow', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() reads NSG v1 tuples (8 values) as instants with refs by tuple index', async () => {
    const path = own('nsg-v1.json');
    const r = await ingestClean(path, 4);
    expect(r.container).toBe('json');
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2024-06-16T09:26:50.000Z'),
      timeRaw: '1718530010',
      ref: { path, index: 0 },
      host: '000D3AF87856',
      src: { ip: '192.0.2.44', port: 28746 },
      dst: { ip: '10.0.0.4', port: 443 },
      proto: 'udp',
      action: 'deny',
      message: 'DENY UDP 192.0.2.44:28746 -> 10.0.0.4:443 (DefaultRule_DenyAllInBound)',
      fields: { rule: 'DefaultRule_DenyAllInBound', mac: '000D3AF87856', direction: 'in', decision: 'D', version: 1, resource: 'TRAINER-VM-NSG' },
    });
    expect(r.events.map((e) => [e.ref.index, e.action, e.fields?.['rule']])).toEqual([
      [0, 'deny', 'DefaultRule_DenyAllInBound'],
      [1, 'deny', 'DefaultRule_DenyAllInBound'],
      [2, 'deny', 'UserRule_deny-ssh-out'],
      [3, 'allow', 'DefaultRule_AllowInternetOutBound'],
    ]);
    const last = r.events[3]!;
    expect(last).toMatchObject({ timeRaw: '1718531010', timeMs: 1718531010000, dst: { ip: '151.101.0.223', port: 443 }, fields: { direction: 'out', decision: 'A' } });
    expect(last.endMs).toBeUndefined();
  });

  it('parse() reads an NSG v2 blob as Azure writes it, with flow state and counts', async () => {
    const path = own('nsg-v2-blob.json');
    const r = await ingestClean(path, 4);
    expect(r.events[0]).toMatchObject({ ref: { path, index: 0 }, timeRaw: '1718531000', action: 'allow', fields: { flow_state: 'B', version: 2 } });
    expect(r.events[0]!.fields).not.toHaveProperty('bytes_src_to_dst');
    expect(r.events[1]!.fields).toMatchObject({ flow_state: 'C', packets_src_to_dst: 21, bytes_src_to_dst: 4300, packets_dst_to_src: 21, bytes_dst_to_src: 4820 });
    expect(r.events[2]).toMatchObject({ action: 'deny', message: 'DENY TCP 10.0.0.4:43122 -> 203.0.113.50:22 (UserRule_deny-ssh-out)' });
    expect(r.events[3]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2024-06-16T09:45:20.000Z'),
      timeRaw: '1718531120',
      ref: { path, index: 3 },
      host: '000D3AF87856',
      src: { ip: '10.0.0.4', port: 51514 },
      dst: { ip: '198.51.100.77', port: 3333 },
      proto: 'tcp',
      action: 'allow',
      message: 'ALLOW TCP 10.0.0.4:51514 -> 198.51.100.77:3333 (DefaultRule_AllowInternetOutBound)',
      fields: {
        rule: 'DefaultRule_AllowInternetOutBound', mac: '000D3AF87856', direction: 'out', decision: 'A', flow_state: 'E',
        packets_src_to_dst: 42, bytes_src_to_dst: 9120, packets_dst_to_src: 40, bytes_dst_to_src: 9800, version: 2, resource: 'TRAINER-VM-NSG',
      },
    });
  });

  it('parse() reads VNet flow logs: epoch milliseconds, state D is a deny', async () => {
    const path = own('vnet-flow.json');
    const r = await ingestClean(path, 4);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2024-06-16T09:50:52.123Z'),
      timeRaw: '1718531452123',
      ref: { path, index: 0 },
      host: '00224871C205',
      src: { ip: '10.0.0.6', port: 23956 },
      dst: { ip: '192.0.2.180', port: 443 },
      proto: 'tcp',
      action: 'allow',
      message: 'ALLOW TCP 10.0.0.6:23956 -> 192.0.2.180:443 (DefaultRule_AllowInternetOutBound)',
      fields: {
        rule: 'DefaultRule_AllowInternetOutBound', mac: '00224871C205', direction: 'out', flow_state: 'B',
        packets_src_to_dst: 0, bytes_src_to_dst: 0, packets_dst_to_src: 0, bytes_dst_to_src: 0, encryption: 'NX',
        acl_id: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', version: 4, resource: 'ml-vnet',
      },
    });
    expect(r.events.map((e) => [e.ref.index, e.action])).toEqual([[0, 'allow'], [1, 'allow'], [2, 'deny'], [3, 'deny']]);
    expect(r.events[3]).toMatchObject({
      timeMs: Date.parse('2024-06-16T09:51:00.000Z'),
      dst: { ip: '203.0.113.50', port: 22 },
      fields: { rule: 'UserRule_deny-ssh-out', flow_state: 'D', acl_id: '11bb11bb-cc22-dd33-ee44-55ff55ff55ff' },
    });
  });

  it('parse() reads one record per line with line and tuple index refs', async () => {
    const path = own('records-per-line.jsonl');
    const r = await ingestFile(path);
    expect(r.container).toBe('jsonl');
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => e.ref)).toEqual([
      { path, line: 1, index: 0 },
      { path, line: 1, index: 1 },
      { path, line: 1, index: 2 },
      { path, line: 2, index: 3 },
    ]);
  });

  it('parse() skips exactly the malformed tuples of a damaged document, by index', async () => {
    const path = own('broken-tuples.json');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([
      { path, index: 1, message: "flow tuple has 7 values, expected 8 (v1) or 13 (v2): '1718531060,10.0.0.4,198.51.100.77,51514,3333,T,O'" },
      { path, index: 2, message: "flow tuple time is not epoch seconds: '17185310xx'" },
      { path, index: 3, message: "flow tuple source is not an IP address: '10.0.0.400'" },
      { path, index: 4, message: "flow tuple decision is not A or D: 'X'" },
      { path, index: 7, message: 'records[1] is not a flow log record (no properties.flows or flowRecords.flows)' },
    ]);
    expect(r.events.map((e) => e.ref.index)).toEqual([0, 5, 6, 7]);
  });

  it('parse() skips exactly the malformed lines and tuples of damaged JSON lines', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues.map((i) => [i.line, i.index, i.message.startsWith('not valid JSON') ? 'not valid JSON' : i.message])).toEqual([
      [2, undefined, 'not valid JSON'],
      [3, 3, "flow tuple protocol is unknown: 'Q'"],
    ]);
    expect(r.events.map((e) => [e.ref.line, e.ref.index])).toEqual([[1, 0], [1, 1], [1, 2], [3, 4], [4, 5]]);
  });
});
