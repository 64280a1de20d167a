import { describe, expect, it } from 'vitest';
import { zeekConnFormat } from '../../../../src/ingest/formats/firewall/zeek-conn.js';
import { headOf, ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'zeek-conn';
const own = (f: string) => fixture(NAME, f);

// A Zeek ssh.log (TSV and JSON) shares the id.* columns with conn.log but must not be taken for it.
// Hand-written in the layout of Zeek's ssh.log (https://docs.zeek.org/en/master/logs/ssh.html).
const SSH_TSV = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tssh',
  '#open\t2026-03-02-10-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tauth_success\tauth_attempts\tclient\tserver',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tbool\tcount\tstring\tstring',
  '1772445600.000001\tCx1\t10.0.0.5\t40000\t10.0.0.9\t22\t2\tT\t1\tSSH-2.0-OpenSSH_9.6\tSSH-2.0-OpenSSH_9.6',
  '',
].join('\n');
const SSH_JSON = '{"_path":"ssh","ts":"2026-03-02T10:00:00.000001Z","uid":"Cx1","id.orig_h":"10.0.0.5","id.orig_p":40000,"id.resp_h":"10.0.0.9","id.resp_p":22,"version":2,"auth_success":true,"auth_attempts":1}\n';
const SSH_JSON_NO_PATH = '{"ts":1772445600.000001,"uid":"Cx1","id.orig_h":"10.0.0.5","id.orig_p":40000,"id.resp_h":"10.0.0.9","id.resp_p":22,"version":2,"auth_success":true,"auth_attempts":1}\n';

describe('zeek-conn', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('probe() scores 0 on Zeek ssh.log in TSV and JSON', () => {
    expect(zeekConnFormat.probe(headOf(SSH_TSV))).toBe(0);
    expect(zeekConnFormat.probe(headOf(SSH_JSON))).toBe(0);
    expect(zeekConnFormat.probe(headOf(SSH_JSON_NO_PATH))).toBe(0);
  });

  it('parse() reads TSV conn.log: ts is the start, ts + duration the end', async () => {
    const path = own('zeek-cut-conn.log');
    const r = await ingestClean(path, 5);
    expect(r.container).toBe('lines');
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2012-02-21T16:52:55.736Z'),
      endMs: Date.parse('2012-02-21T16:52:55.848Z'),
      timeRaw: '1329843175.736107',
      ref: { path, line: 9 },
      src: { ip: '141.142.220.235', port: 37604 },
      dst: { ip: '199.233.217.249', port: 56666 },
      proto: 'tcp',
      action: 'allow',
      message: 'CONN TCP 141.142.220.235:37604 -> 199.233.217.249:56666 ftp-data SF',
      fields: { uid: 'CjhGID4nQcgTWjvg4c', conn_state: 'SF', service: 'ftp-data', history: 'ShAdfFa', orig_bytes: 0, resp_bytes: 342, orig_pkts: 4, resp_pkts: 4 },
    });
    expect(r.events[4]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2012-02-21T16:52:41.968Z'),
      endMs: Date.parse('2012-02-21T16:52:41.968Z') + 38_056,
      timeRaw: '1329843161.968492',
      ref: { path, line: 13 },
      src: { ip: '141.142.220.235', port: 50003 },
      dst: { ip: '199.233.217.249', port: 21 },
      proto: 'tcp',
      action: 'allow',
      message: 'CONN TCP 141.142.220.235:50003 -> 199.233.217.249:21 ftp SF',
      fields: { uid: 'CXWv6p3arKYeMETxOg', conn_state: 'SF', service: 'ftp', history: 'ShAdDfFa', orig_bytes: 180, resp_bytes: 3146, orig_pkts: 38, resp_pkts: 25 },
    });
  });

  it('parse() reads JSON conn records with epoch and ISO ts, skips other logs of a mixed stream, keeps ICMP type/code out of ports', async () => {
    const path = own('synthetic-conn.json');
    const r = await ingestFile(path);
    expect(r.container).toBe('jsonl');
    expect(r.issues).toEqual([]);
    // Line 2 is a dns.log record of the same stream: not a conn record, not a failure.
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 3, 4]);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2026-03-02T10:00:00.123Z'),
      endMs: Date.parse('2026-03-02T10:00:12.623Z'),
      timeRaw: '1772445600.123456',
      ref: { path, line: 1 },
      src: { ip: '172.17.0.3', port: 51514 },
      dst: { ip: '203.0.113.7', port: 22 },
      proto: 'tcp',
      action: 'allow',
      message: 'CONN TCP 172.17.0.3:51514 -> 203.0.113.7:22 ssh SF',
      fields: {
        uid: 'CsYn3b1Qx7sFfX0Yk1', conn_state: 'SF', service: 'ssh', history: 'ShADadFf',
        orig_bytes: 3000, resp_bytes: 4000, orig_pkts: 20, resp_pkts: 18, local_orig: true, local_resp: false,
      },
    });
    expect(r.events[1]).toMatchObject({
      timeMs: Date.parse('2026-03-02T10:00:05.250Z'),
      endMs: Date.parse('2026-03-02T10:00:05.262Z'),
      timeRaw: '2026-03-02T10:00:05.250000Z',
      proto: 'udp',
      dst: { ip: '192.0.2.53', port: 53 },
      fields: { service: 'dns', conn_state: 'SF' },
    });
    expect(r.events[2]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2026-03-02T10:00:10.500Z'),
      timeRaw: '1772445610.5',
      ref: { path, line: 4 },
      src: { ip: '10.0.0.5' },
      dst: { ip: '198.51.100.9' },
      proto: 'icmp',
      action: 'allow',
      message: 'CONN ICMP 10.0.0.5 -> 198.51.100.9 OTH',
      fields: { icmp_type: 8, icmp_code: 0, uid: 'CjW3fR2o0pLkq9ZAc3', conn_state: 'OTH', orig_pkts: 1, resp_pkts: 0, local_orig: true, local_resp: false },
    });
  });

  it('parse() skips damaged TSV rows at their exact line numbers', async () => {
    const path = own('broken-lines.log');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([
      { path, line: 10, message: 'expected 20 columns, found 5' },
      { path, line: 11, message: "ts is not a Zeek time: 'yesterday'" },
      { path, line: 12, message: "invalid port '61918' / '70000'" },
      { path, line: 13, message: "duration is not a number: 'fast'" },
    ]);
    expect(r.events.map((e) => e.ref.line)).toEqual([9, 15]);
  });
});
