import { describe, expect, it } from 'vitest';
import { alibabaVpcFlowFormat } from '../../../../src/ingest/formats/firewall/alibaba-vpc-flow.js';
import { itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'alibaba-vpc-flow';
const own = (f: string) => fixture(NAME, f);

describe('alibaba-vpc-flow', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() turns OK records into capture-window events and drops NODATA', async () => {
    const path = own('sls-export.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.events).toHaveLength(4);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2024-06-16T09:43:20.000Z'),
      endMs: Date.parse('2024-06-16T09:44:20.000Z'),
      timeRaw: '1718531000',
      ref: { path, line: 1 },
      host: 'i-bp1e4i6xr7wk2u0zdo4q',
      src: { ip: '192.168.0.15', port: 51514 },
      dst: { ip: '198.51.100.77', port: 3333 },
      proto: 'tcp',
      action: 'allow',
      message: 'ACCEPT TCP 192.168.0.15:51514 -> 198.51.100.77:3333',
      fields: {
        __time__: 1718531062, __topic__: 'flow_log', version: 1, vswitch_id: 'vsw-bp1s2ssfrrtx8k4x1p5dn',
        vm_id: 'i-bp1e4i6xr7wk2u0zdo4q', vpc_id: 'vpc-bp1qpo0kug3a20qqe5cxl', account_id: '1234567890123456',
        eni_id: 'eni-bp1b8gn2kb3vgq2l4s7m', srcaddr: '192.168.0.15', dstaddr: '198.51.100.77', protocol: 6,
        direction: 'out', packets: 42, bytes: 9120, log_status: 'OK', action: 'ACCEPT', tcp_flags: 18, traffic_path: 7,
      },
    });
    expect(r.events[1]).toMatchObject({ action: 'reject', dst: { ip: '203.0.113.50', port: 22 }, timeRaw: '1718531005' });
    // No vm-id: the ENI names the host.
    expect(r.events[2]).toMatchObject({ ref: { path, line: 4 }, host: 'eni-bp1hc7ot2mv1a0f0b4xq', action: 'reject', fields: { direction: 'in' } });
    const last = r.events[3]!;
    expect(last).toMatchObject({
      ref: { path, line: 5 },
      proto: 'udp',
      timeMs: Date.parse('2024-06-16T09:45:30.000Z'),
      endMs: Date.parse('2024-06-16T09:46:20.000Z'),
      message: 'ACCEPT UDP 192.168.0.15:38211 -> 100.100.2.136:53',
    });
  });

  it('parse() skips exactly the malformed lines of a damaged file', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues.map((i) => [i.line, i.message.replace(/:.*/s, '')])).toEqual([
      [2, 'not valid JSON'],
      [4, 'start is not epoch seconds'],
      [5, "unknown action 'DENY'"],
      [6, 'not a JSON object'],
    ]);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 3, 7]);
  });

  it('parse() counts SKIPDATA windows in a note', async () => {
    const rec = { 'eni-id': 'eni-1', srcaddr: '-', dstaddr: '-', start: '1718531060', end: '1718531120', 'log-status': 'SKIPDATA' };
    const notes: string[] = [];
    const ctx = { path: 'x', tz: 'UTC', yearFor: () => 2024, skip: () => undefined, note: (m: string) => notes.push(m) };
    const out = [];
    for await (const e of alibabaVpcFlowFormat.parse((async function* () { yield { line: 1, text: JSON.stringify(rec) }; })(), ctx)) out.push(e);
    expect(out).toEqual([]);
    expect(notes).toEqual(['1 SKIPDATA record(s): flows were skipped in those capture windows']);
  });
});
