// CIDR membership compares numbers (IPv4) and BigInt bounds (IPv6) and remembers the last addresses
// parsed; the answers must be those of a plain reference that parses and shifts every time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipInAnyCidr, ipInCidr, parseCidr, parseIp, parseIpv4 } from '../../src/rules/cidr.js';

/** The reference: the address and the range as BigInts, compared on their first `prefix` bits. */
function reference(ipText: string, cidrText: string): boolean {
  const ip = parseIp(ipText);
  const [addr, len] = cidrText.split('/');
  const net = parseIp(addr!);
  if (!ip || !net || ip.v6 !== net.v6) return false;
  const max = ip.v6 ? 128 : 32;
  const host = BigInt(max - Number(len ?? max));
  return ip.value >> host === net.value >> host;
}

function referenceV4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) return -1;
  return parts.reduce((v, p) => v * 256 + Number(p), 0);
}

const octet = fc.integer({ min: 0, max: 255 });
const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const hextet = fc.integer({ min: 0, max: 0xffff }).map((h) => h.toString(16));
const v6 = fc.oneof(
  fc.array(hextet, { minLength: 8, maxLength: 8 }).map((h) => h.join(':')),
  fc.tuple(fc.array(hextet, { maxLength: 3 }), fc.array(hextet, { maxLength: 3 })).map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
  v4.map((a) => `::ffff:${a}`),
);
/** Addresses near each other, so ranges both hold and miss them. */
const v4Near = fc.tuple(fc.constantFrom(10, 172, 192, 100, 127, 169), octet, octet, octet).map((o) => o.join('.'));
const v4Range = fc.tuple(v4Near, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`);
const v6Range = fc.tuple(v6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`);
const junk = fc.constantFrom('', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '01.002.3.4', '1..2.3', '1.2.3.', '.1.2.3', 'a.b.c.d', '1.2.3.4/8', '::', '::1', 'fe80::1%eth0', '[2001:db8::1]', ':::', '1:2:3:4:5:6:7:8:9', 'localhost');

describe('CIDR membership', () => {
  it('parses IPv4 addresses as the dotted-quad rule says', () => {
    fc.assert(fc.property(fc.oneof(v4, junk, fc.string({ maxLength: 16 }), fc.stringMatching(/^[0-9.]{1,16}$/)), (text) => {
      expect(parseIpv4(text)).toBe(referenceV4(text));
    }), { numRuns: 3000 });
  });

  it('answers as the reference for IPv4, IPv6 and text that is no address', () => {
    fc.assert(fc.property(fc.oneof(v4Near, v4, v6, junk), fc.oneof(v4Range, v6Range), (ip, range) => {
      const cidr = parseCidr(range)!;
      expect(ipInCidr(ip, cidr)).toBe(reference(ip, range));
    }), { numRuns: 5000 });
  });

  it('answers a list as any of its ranges, whatever was asked before', () => {
    fc.assert(fc.property(fc.array(fc.oneof(v4Near, v6, junk), { minLength: 1, maxLength: 6 }), fc.array(fc.oneof(v4Range, v6Range), { minLength: 1, maxLength: 9 }), (ips, ranges) => {
      const cidrs = ranges.map((r) => parseCidr(r)!);
      // The same texts asked in turn, as rules ask for an event's source and destination.
      for (const ip of [...ips, ...ips.reverse()]) expect(ipInAnyCidr(ip, cidrs)).toBe(ranges.some((r) => reference(ip, r)));
    }), { numRuns: 2000 });
  });

  it('holds the edges of a range and the whole space', () => {
    const net = parseCidr('172.16.0.0/12')!;
    expect(['172.16.0.0', '172.31.255.255'].map((a) => ipInCidr(a, net))).toEqual([true, true]);
    expect(['172.15.255.255', '172.32.0.0'].map((a) => ipInCidr(a, net))).toEqual([false, false]);
    expect(ipInCidr('255.255.255.255', parseCidr('0.0.0.0/0')!)).toBe(true);
    expect(ipInCidr('::', parseCidr('::/0')!)).toBe(true);
    expect(ipInCidr('1.2.3.4', parseCidr('::/0')!)).toBe(false);
    expect(ipInCidr('::ffff:10.1.2.3', parseCidr('10.0.0.0/8')!)).toBe(false);
    expect(ipInCidr('fe80::1%eth0', parseCidr('fe80::/10')!)).toBe(true);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.1/8')).toEqual({ v6: false, first: 0x0a000000, last: 0x0affffff });
  });
});
