import { describe, expect, it } from 'vitest';
import { iptablesFormat } from '../../../../src/ingest/formats/firewall/iptables.js';
import { headOf, ingestClean, itClaimsOnlyItsFixtures, parseTexts } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'iptables';
const own = (f: string) => fixture(NAME, f);
const iso = (ms: number) => new Date(ms).toISOString();

describe('iptables', () => {
  itClaimsOnlyItsFixtures(NAME, { settings: { year: 2026 } });

  it('probe() scores 0 on near misses: plain syslog, auditd NETFILTER_PKT, filterlog, key=value without a header', () => {
    expect(iptablesFormat.probe(headOf('Jun  8 14:34:36 sd-126005 sshd[811]: Connection closed by 195.54.160.107 port 8080 [preauth]\n'))).toBe(0);
    expect(iptablesFormat.probe(headOf('type=NETFILTER_PKT msg=audit(1700000000.123:42): mark=0x0 saddr=10.0.0.5 daddr=203.0.113.7 proto=6\n'))).toBe(0);
    expect(iptablesFormat.probe(headOf('Sep 28 10:38:09 pfSense filterlog: 53,,,1000000301,em0,match,block,in,4,0x0,,64,420,0,none,6,tcp,460,10.0.2.2,10.0.2.15,53742,22,420,PA,1,2,65535,,\n'))).toBe(0);
    expect(iptablesFormat.probe(headOf('IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP SPT=1 DPT=2\n'))).toBe(0);
    expect(iptablesFormat.probe(headOf('{"SRC":"10.0.0.1","DST":"10.0.0.2"}\n'))).toBe(0);
  });

  it('parse() reads the crowdsec sample: lines 2 and 3 (odd IN= value, XX= instead of IN=) are still packets', async () => {
    const path = own('crowdsec-iptables-logs.log');
    const r = await ingestFile(path, { year: 2020 });
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual(['timestamps carry no year: year 2020 from --year']);
    expect(r.events).toHaveLength(4);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2020-06-08T14:34:33Z'),
      timeRaw: 'Jun  8 14:34:33',
      ref: { path, line: 1 },
      host: 'sd-126005',
      src: { ip: '195.54.160.107', port: 8080 },
      dst: { ip: '51.15.166.67', port: 8123 },
      proto: 'tcp',
      message: 'LOG TCP 195.54.160.107:8080 -> 51.15.166.67:8123',
      fields: { in: 'enp1s0', mac: '00:08:a2:0c:1f:12:00:c8:8b:e2:d6:87:08:00' },
    });
    // Line 2: interface names may contain dots (VLANs such as eth0.90), so `enp.1s0` is kept verbatim.
    expect(r.events[1]!.fields).toEqual({ in: 'enp.1s0', mac: '00:08:a2:0c:1f:12:00:c8:8b:e2:d6:87:08:00' });
    // Line 3: the damaged key `XX=` is ignored; the packet's addresses and ports are still read.
    expect(r.events[2]).toMatchObject({ ref: { path, line: 3 }, src: { ip: '195.54.160.107', port: 8080 }, dst: { ip: '51.15.166.67', port: 8123 } });
    expect(r.events[2]!.fields).toEqual({ mac: '00:08:a2:0c:1f:12:00:c8:8b:e2:d6:87:08:00' });
    expect(r.events[3]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2020-09-27T20:56:38Z'),
      timeRaw: 'Sep 27 20:56:38',
      ref: { path, line: 4 },
      host: 'ubuntu-focal',
      src: { ip: '127.0.0.1', port: 49007 },
      dst: { ip: '127.0.0.53', port: 53 },
      proto: 'udp',
      action: 'drop',
      message: 'DROP UDP 127.0.0.1:49007 -> 127.0.0.53:53 (IPTABLES-DROP:)',
      fields: { prefix: 'IPTABLES-DROP:', in: 'lo', mac: '00:00:00:00:00:00:00:00:00:00:00:00:08:00' },
    });
    for (const e of r.events) expect(e.action === undefined || e.action === 'drop').toBe(true);
  });

  it('parse() reads RFC 3164 times in --tz', async () => {
    const r = await ingestFile(own('crowdsec-iptables-logs.log'), { year: 2020, tz: 'Europe/Paris' });
    expect(iso(r.events[0]!.timeMs)).toBe('2020-06-08T12:34:33.000Z');
    expect(r.events[0]!.timeRaw).toBe('Jun  8 14:34:33');
  });

  it('parse() asks for the year once and moves to the next year when a log crosses New Year', async () => {
    const asked: string[] = [];
    const { events } = await parseTexts(
      iptablesFormat,
      [
        'Dec 31 23:59:59 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.1 DST=10.0.0.5 PROTO=TCP SPT=1 DPT=22',
        'Jan  1 00:00:01 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.1 DST=10.0.0.5 PROTO=TCP SPT=2 DPT=22',
      ],
      (m, d) => {
        asked.push(`${m}/${d}`);
        return 2025;
      },
    );
    expect(asked).toEqual(['12/31']);
    expect(events.map((e) => iso(e.timeMs))).toEqual(['2025-12-31T23:59:59.000Z', '2026-01-01T00:00:01.000Z']);
  });

  it('parse() maps UFW prefixes: [UFW AUDIT] has no verdict, [UFW BLOCK] is deny', async () => {
    const path = own('crowdsec-iptables-scan-multi-port.log');
    const r = await ingestClean(path, 49, { year: 2022 });
    expect(r.events.filter((e) => e.fields?.prefix === '[UFW AUDIT]' && e.action === undefined)).toHaveLength(16);
    expect(r.events.filter((e) => e.fields?.prefix === '[UFW BLOCK]' && e.action === 'deny')).toHaveLength(16);
    expect(r.events[0]).toMatchObject({
      timeMs: Date.parse('2022-09-30T10:09:23Z'),
      host: 'scw-d95986',
      src: { ip: '62.34.17.168', port: 52220 },
      dst: { ip: '10.73.140.49', port: 80 },
      proto: 'tcp',
      ref: { path, line: 1 },
    });
    expect(r.events[0]!.action).toBeUndefined();
    expect(r.events[48]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2022-10-30T10:09:23Z'),
      timeRaw: 'Oct 30 10:09:23',
      ref: { path, line: 49 },
      host: 'vm-1',
      src: { ip: '127.0.0.2', port: 50616 },
      dst: { ip: '127.0.0.53', port: 68 },
      proto: 'tcp',
      action: 'deny',
      message: 'DENY TCP 127.0.0.2:50616 -> 127.0.0.53:68 ([UFW BLOCK])',
      fields: { prefix: '[UFW BLOCK]', in: 'lo', mac: '00:00:00:00:00:00:00:00:00:00:00:00:08:00' },
    });
  });

  it('parse() reads the Proxmox pve-firewall log with its zone offset', async () => {
    const path = own('crowdsec-proxmox-iptables.log');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.events).toHaveLength(10);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2022-06-20T11:09:14Z'),
      timeRaw: '20/Jun/2022:13:09:14 +0200',
      ref: { path, line: 1 },
      src: { ip: '10.3.94.11', port: 49152 },
      dst: { ip: '10.3.94.12', port: 3784 },
      proto: 'udp',
      action: 'drop',
      message: 'DROP UDP 10.3.94.11:49152 -> 10.3.94.12:3784 (policy DROP:)',
      fields: { vmid: '0', chain: 'PVEFW-HOST-IN', prefix: 'policy DROP:', in: 'vmbr0.94', mac: '24:8a:07:9a:2a:f2:24:8a:07:50:2c:9e:08:00' },
    });
    expect(r.events.map((e) => e.action)).toEqual(['drop', 'allow', 'reject', 'reject', 'allow', 'reject', 'reject', 'reject', undefined, 'drop']);
    // PVEFW-HOST-OUT prints no IN=: the record starts at OUT=.
    expect(r.events[7]!.fields).toEqual({ vmid: '0', chain: 'PVEFW-HOST-OUT', prefix: 'REJECT:', out: 'vmbr0.94' });
    // A rule logged without a verdict keeps its chain and no prefix.
    expect(r.events[8]!.fields).toMatchObject({ chain: 'GROUP-security1-IN' });
    expect(r.events[8]!.fields!.prefix).toBeUndefined();
    expect(r.events[5]).toMatchObject({ src: { ip: '2a0a:1580::a', port: 59368 }, dst: { ip: '2a0a:1580::17', port: 22 }, action: 'reject' });
    expect(r.events[9]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2022-06-20T14:20:14Z'),
      timeRaw: '20/Jun/2022:16:20:14 +0200',
      ref: { path, line: 10 },
      src: { ip: '10.3.95.34', port: 51610 },
      dst: { ip: '10.3.95.200', port: 22 },
      proto: 'tcp',
      action: 'drop',
      message: 'DROP TCP 10.3.95.34:51610 -> 10.3.95.200:22 (DROP:)',
      fields: {
        vmid: '101', chain: 'tap101i0-IN', prefix: 'DROP:', in: 'fwbr101i0', out: 'fwbr101i0',
        physin: 'fwln101i0', physout: 'tap101i0', mac: 'a2:1b:bb:df:61:a5:6e:68:28:cc:2a:0c:08:00',
      },
    });
  });

  it('parse() reads UFW lines behind RFC 3339 rsyslog timestamps', async () => {
    const path = own('sefinek-ufw-rfc3339.log');
    const r = await ingestClean(path, 3);
    expect(r.events[0]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2025-04-28T05:41:59.090Z'),
      timeRaw: '2025-04-28T07:41:59.090112+02:00',
      ref: { path, line: 1 },
      host: 'sefin-sg01',
      src: { ip: '80.94.95.240', port: 55838 },
      dst: { ip: '139.99.56.17', port: 39936 },
      proto: 'tcp',
      action: 'deny',
      message: 'DENY TCP 80.94.95.240:55838 -> 139.99.56.17:39936 ([UFW BLOCK])',
      fields: { prefix: '[UFW BLOCK]', in: 'ens3', mac: 'fa:16:3e:11:60:11:26:3a:14:f6:9a:37:08:00' },
    });
    expect(r.events[2]).toMatchObject({
      timeMs: Date.parse('2025-04-27T04:56:30.844Z'),
      timeRaw: '2025-04-27T06:56:30.844985+02:00',
      ref: { path, line: 3 },
      host: 'vps-57a835de',
      src: { ip: '83.222.191.146', port: 41887 },
      dst: { ip: '139.99.56.17', port: 2222 },
      action: 'deny',
    });
  });

  it('parse() handles <PRI>, RFC 5424, ISO headers, IPv6, nested ICMP, nftables and EdgeOS prefixes, UID/GID/MARK', async () => {
    const path = own('synthetic-headers.log');
    const r = await ingestClean(path, 10, { year: 2026 });
    const [nft, rfc5424, isoPri, v6, icmp6, nested, noHost, edge, esp, metadata] = r.events;
    expect(nft).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2026-03-02T10:00:01Z'),
      timeRaw: 'Mar  2 10:00:01',
      ref: { path, line: 1 },
      host: 'trainer-1',
      src: { ip: '172.17.0.3', port: 51514 },
      dst: { ip: '203.0.113.7', port: 22 },
      proto: 'tcp',
      action: 'drop',
      message: 'DROP TCP 172.17.0.3:51514 -> 203.0.113.7:22 (nft drop:)',
      fields: { prefix: 'nft drop:', out: 'eth0', uid: 1000, gid: 1000, mark: '0x1' },
    });
    expect(rfc5424).toMatchObject({ timeMs: Date.parse('2026-03-02T10:00:02.250Z'), timeRaw: '2026-03-02T10:00:02.250000+00:00', host: 'trainer-1', action: 'deny', dst: { ip: '198.51.100.20', port: 3333 } });
    expect(rfc5424!.fields).toEqual({ prefix: '[UFW BLOCK]', out: 'eth0' });
    expect(isoPri).toMatchObject({ timeMs: Date.parse('2026-03-02T10:00:03Z'), timeRaw: '2026-03-02T12:00:03+02:00', action: 'allow', proto: 'udp', dst: { ip: '192.0.2.53', port: 53 } });
    expect(v6).toMatchObject({ src: { ip: '2001:db8::5', port: 41000 }, dst: { ip: '2001:db8:ffff::7', port: 443 }, action: 'reject', message: 'REJECT TCP [2001:db8::5]:41000 -> [2001:db8:ffff::7]:443 (OUTPUT-REJECT:)' });
    expect(icmp6).toMatchObject({ proto: 'ipv6-icmp', src: { ip: 'fe80::1' }, dst: { ip: 'ff02::1' }, fields: { in: 'eth0', icmp_type: 134, icmp_code: 0 } });
    expect(icmp6!.action).toBeUndefined();
    // The quoted packet inside the ICMP error ([SRC=10.0.0.5 DST=192.0.2.99 ... ]) must not replace the outer addresses.
    expect(nested).toMatchObject({ host: 'gw-1', proto: 'icmp', action: 'drop', src: { ip: '192.0.2.1' }, dst: { ip: '10.0.0.5' }, fields: { icmp_type: 3, icmp_code: 3 } });
    expect(nested!.src!.port).toBeUndefined();
    expect(nested!.dst!.port).toBeUndefined();
    expect(noHost).toMatchObject({ action: 'deny', fields: { prefix: 'BLOCKED:' } });
    expect(noHost!.host).toBeUndefined();
    expect(edge).toMatchObject({ host: 'edge-1', action: 'drop', fields: { prefix: '[WAN_LOCAL-default-D]' } });
    expect(esp).toMatchObject({ proto: '50', action: 'allow', src: { ip: '10.0.0.5' }, dst: { ip: '203.0.113.50' } });
    // A prefix without a verdict word leaves the action unset (rules decide); the prefix is kept.
    expect(metadata).toMatchObject({ dst: { ip: '169.254.169.254', port: 80 }, fields: { prefix: 'inet-filter-output:', uid: 0, gid: 0 } });
    expect(metadata!.action).toBeUndefined();
  });

  it('parse() skips damaged lines at their exact line numbers and ignores other syslog programs', async () => {
    const path = own('broken-lines.log');
    const r = await ingestFile(path, { year: 2020 });
    expect(r.issues).toEqual([
      { path, line: 2, message: 'no syslog or pve-firewall timestamp at the start of the line' },
      { path, line: 3, message: 'netfilter record without SRC= and DST= addresses' },
      { path, line: 5, message: 'invalid port SPT=8080 DPT=98123' },
      { path, line: 6, message: 'no syslog or pve-firewall timestamp at the start of the line' },
    ]);
    // Line 4 is an sshd message: not a netfilter record, not a parse failure. Line 7 is empty.
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 8]);
    expect(r.events[1]).toMatchObject({ action: 'drop', host: 'ubuntu-focal', dst: { ip: '127.0.0.53', port: 53 } });
  });
});
