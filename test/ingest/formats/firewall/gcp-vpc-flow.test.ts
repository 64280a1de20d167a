import { describe, expect, it } from 'vitest';
import { itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'gcp-vpc-flow';
const own = (f: string) => fixture(NAME, f);
const DUP_NOTE = '1 flow report(s) were the second end\'s report (reporter SRC and DEST) of a flow already read: counted once, the first report kept';

describe('gcp-vpc-flow', () => {
  itClaimsOnlyItsFixtures(NAME, { neighbours: 'gcp-firewall and gcp-audit share the LogEntry envelope' });

  it('parse() gives sampled windows, the reporting VM as host, and drops the second end of a flow', async () => {
    const path = own('vpc-flows.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([DUP_NOTE]);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 3, 4, 5]);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2024-06-16T09:40:00.186Z'),
      endMs: Date.parse('2024-06-16T09:45:00.301Z'),
      timeRaw: '2024-06-16T09:40:00.186193305Z',
      ref: { path, line: 1 },
      host: 'trainer-0',
      src: { ip: '10.128.0.16', port: 50010 },
      dst: { ip: '10.128.0.17', port: 29500 },
      proto: 'tcp',
      action: 'allow',
      message: 'FLOW TCP 10.128.0.16:50010 -> 10.128.0.17:29500 (reported by SRC)',
      fields: {
        reporter: 'SRC', bytes_sent: 73400320, packets_sent: 51200, rtt_msec: 1, src_vm: 'trainer-0', dest_vm: 'trainer-1',
        src_project: 'ml-train-prod', dest_project: 'ml-train-prod', src_zone: 'us-central1-a', dest_zone: 'us-central1-a',
        src_vpc: 'default', dest_vpc: 'default', src_subnetwork: 'default', dest_subnetwork: 'default', insert_id: 'ab01',
      },
    });
    expect(r.events[1]).toMatchObject({ host: 'trainer-0', dst: { ip: '198.51.100.77', port: 3333 }, fields: { dest_country: 'usa', dest_asn: '64500' } });
    expect(r.events[2]).toMatchObject({ host: 'trainer-0', src: { ip: '192.0.2.23', port: 59679 }, fields: { reporter: 'DEST', src_country: 'rus' } });
    // The same 5-tuple in a later window is a new flow report, not the other end's copy.
    const last = r.events[3]!;
    expect(last).toMatchObject({
      ref: { path, line: 5 },
      host: 'trainer-1',
      timeMs: Date.parse('2024-06-16T10:00:00.000Z'),
      endMs: Date.parse('2024-06-16T10:05:00.000Z'),
      fields: { reporter: 'DEST', bytes_sent: 1048576 },
    });
  });

  it('parse() reads a gcloud logging read JSON array with refs by index', async () => {
    const path = own('gcloud-read.json');
    const r = await ingestFile(path);
    expect(r.container).toBe('json');
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => [e.ref, e.timeRaw, e.endMs])).toEqual([
      [{ path, index: 0 }, '2024-06-16T09:43:20.000000000Z', Date.parse('2024-06-16T09:44:20.000Z')],
      [{ path, index: 1 }, '2024-06-16T09:44:45.860349247Z', Date.parse('2024-06-16T09:44:46.031Z')],
    ]);
  });

  it('parse() skips exactly the malformed lines of a damaged file; duplicates are not skips', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.issues.map((i) => [i.line, i.message.startsWith('not valid JSON') ? 'not valid JSON' : i.message])).toEqual([
      [3, "start_time is not ISO 8601: 'yesterday'"],
      [5, 'not valid JSON'],
      [6, "unknown reporter 'BOTH'"],
      [8, "connection.dest_port is not a port number: 'ssh'"],
    ]);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 4, 7, 9]);
    expect(r.notes).toEqual([DUP_NOTE]);
  });
});
