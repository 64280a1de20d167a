import { describe, expect, it } from 'vitest';
import { pfsenseFilterlogFormat } from '../../../../src/ingest/formats/firewall/pfsense-filterlog.js';
import { headOf, ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'pfsense-filterlog';
const own = (f: string) => fixture(NAME, f);

describe('pfsense-filterlog', () => {
  itClaimsOnlyItsFixtures(NAME, { settings: { year: 2022 } });

  it('probe() scores 0 on near misses: another program, a bare CSV, a CSV with a bad action layout', () => {
    expect(pfsenseFilterlogFormat.probe(headOf('Sep 28 10:38:12 pfSense sshd[4242]: Accepted keyboard-interactive/pam for admin from 10.0.2.2 port 53742 ssh2\n'))).toBe(0);
    expect(pfsenseFilterlogFormat.probe(headOf('53,,,1000000301,em0,match,block,in,4,0x0,,64,420,0,none,6,tcp,460,10.0.2.2,10.0.2.15,53742,22,420,PA,1,2,65535,,\n'))).toBe(0);
    expect(pfsenseFilterlogFormat.probe(headOf('Sep 28 10:38:09 pfSense filterlog: a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u\n'))).toBe(0);
  });

  it('parse() reads pfSense BSD syslog and OPNsense RFC 5424 records, IPv4 and IPv6', async () => {
    const path = own('crowdsec-pf-logs.log');
    const r = await ingestFile(path, { year: 2022 });
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual(['timestamps carry no year: year 2022 from --year']);
    expect(r.events).toHaveLength(9);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2022-09-28T10:38:09Z'),
      timeRaw: 'Sep 28 10:38:09',
      ref: { path, line: 1 },
      host: 'pfSense',
      src: { ip: '10.0.2.2', port: 53742 },
      dst: { ip: '10.0.2.15', port: 22 },
      proto: 'tcp',
      action: 'deny',
      message: 'DENY TCP 10.0.2.2:53742 -> 10.0.2.15:22 (em0 in, rule 53)',
      fields: { rule: '53', tracker: '1000000301', interface: 'em0', direction: 'in', reason: 'match', vendor_action: 'block', tcp_flags: 'PA' },
    });
    expect(r.events[2]).toMatchObject({ src: { ip: '10.0.2.15', port: 22 }, dst: { ip: '10.0.2.2', port: 53742 }, fields: { direction: 'out' } });
    expect(r.events[4]).toMatchObject({ action: 'allow', proto: 'udp', host: 'opnsense', timeMs: Date.parse('2022-09-06T16:37:34Z'), timeRaw: '2022-09-06T18:37:34+02:00' });
    expect(r.events[7]).toMatchObject({ action: 'allow', proto: 'udp', src: { ip: '2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a', port: 6881 }, dst: { ip: '2c02:2454:ada:d900::1738', port: 51918 } });
    expect(r.events[8]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2022-09-06T17:00:06Z'),
      timeRaw: '2022-09-06T19:00:06+02:00',
      ref: { path, line: 9 },
      host: 'opnsense',
      src: { ip: '2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a', port: 6881 },
      dst: { ip: '2c02:2454:ada:d900::1738', port: 51918 },
      proto: 'udp',
      action: 'deny',
      message: 'DENY UDP [2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a]:6881 -> [2c02:2454:ada:d900::1738]:51918 (re0 in, rule 98)',
      fields: { rule: '98', tracker: '64d253df-ef65-4b56-9df4-c03fc11b8ce4', interface: 're0', direction: 'in', reason: 'match', vendor_action: 'block' },
    });
  });

  it('parse() reads RFC 5424 records with microseconds, VLAN interfaces and an upper-case IPv6 protocol name', async () => {
    const path = own('crowdsec-pfsense-rfc5424-filterlog.log');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.events).toHaveLength(4);
    expect(r.events[0]).toMatchObject({
      timeMs: Date.parse('2025-11-06T11:32:42.868Z'),
      timeRaw: '2025-11-06T11:32:42.868451+00:00',
      host: 'firewall.lan',
      src: { ip: '192.168.5.6', port: 42970 },
      dst: { ip: '192.168.1.100', port: 80 },
      proto: 'tcp',
      action: 'deny',
      fields: { rule: '7', interface: 'vtnet0.5', tcp_flags: 'S' },
    });
    expect(r.events[2]).toMatchObject({ proto: 'tcp', src: { ip: 'fdfd:ace:ace:10:d8:cdbf:f6f8:6d69', port: 65382 }, dst: { ip: 'fdfd:ace:ace:5::6', port: 443 } });
    expect(r.events[3]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2025-11-06T11:47:38.269Z'),
      timeRaw: '2025-11-06T11:47:38.269437+00:00',
      ref: { path, line: 4 },
      host: 'firewall.lan',
      src: { ip: '192.168.5.6', port: 58014 },
      dst: { ip: '192.168.1.100', port: 80 },
      proto: 'tcp',
      action: 'deny',
      message: 'DENY TCP 192.168.5.6:58014 -> 192.168.1.100:80 (vtnet0.5 in, rule 7)',
      fields: { rule: '7', tracker: '1000000102', interface: 'vtnet0.5', direction: 'in', reason: 'match', vendor_action: 'block', tcp_flags: 'S' },
    });
  });

  it('parse() ignores the trailing empty line of the port-scan sample', async () => {
    const path = own('crowdsec-pf-scan-multi-port.log');
    const r = await ingestClean(path, 16, { year: 2022 });
    expect(r.events.map((e) => e.dst!.port)).toEqual([22, 2222, 21, 23, 25, 80, 8081, 8082, 443, 4443, 145, 3306, 336, 1234, 4567, 9090]);
    expect(r.events[15]).toMatchObject({ ref: { path, line: 16 }, timeMs: Date.parse('2022-09-30T14:35:50Z'), action: 'deny' });
  });

  it('parse() skips damaged records at their exact line numbers and ignores other programs', async () => {
    const path = own('broken-lines.log');
    const r = await ingestFile(path, { year: 2022 });
    expect(r.issues).toEqual([
      { path, line: 2, message: 'truncated filterlog record: 10 fields' },
      { path, line: 3, message: "unknown IP version '7'" },
      { path, line: 5, message: "not an IP address pair: '10.0.2.2', '10.0.2.999'" },
      { path, line: 6, message: 'no syslog timestamp at the start of the line' },
    ]);
    // Line 4 is an sshd message from the same host: not ours, not a parse failure.
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 7]);
    expect(r.events[1]).toMatchObject({ action: 'allow', host: 'opnsense', dst: { ip: '10.0.0.200', port: 51918 } });
  });
});
