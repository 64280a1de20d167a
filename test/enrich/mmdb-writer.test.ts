// The test MMDB writer checked against the real reader (maxmind / mmdb-lib): if these pass, the
// GeoIP tests run on genuine MaxMind DB files, not on something only our code understands.
import { Reader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { asnRecord, buildMmdb, cityRecord, float, type MmdbValue } from '../helpers/mmdb-writer.js';

const read = (buf: Buffer) => new Reader<Record<string, unknown>>(buf);

describe('buildMmdb()', () => {
  for (const recordSize of [24, 28, 32] as const) {
    it(`writes a ${recordSize}-bit IPv4 tree that maxmind walks to the right records`, () => {
      const db = read(buildMmdb([
        { cidr: '203.0.113.0/24', data: { name: 'doc-3' } },
        { cidr: '198.51.100.0/25', data: { name: 'doc-2-low' } },
        { cidr: '8.8.8.8/32', data: { name: 'one' } },
      ], { databaseType: 'Test-IPv4', ipVersion: 4, recordSize }));
      expect(db.metadata.recordSize).toBe(recordSize);
      expect(db.metadata.ipVersion).toBe(4);
      expect(db.get('203.0.113.47')).toEqual({ name: 'doc-3' });
      expect(db.getWithPrefixLength('198.51.100.23')).toEqual([{ name: 'doc-2-low' }, 25]);
      expect(db.get('198.51.100.200')).toBeNull();
      expect(db.getWithPrefixLength('8.8.8.8')).toEqual([{ name: 'one' }, 32]);
      expect(db.get('8.8.8.9')).toBeNull();
      expect(db.get('1.1.1.1')).toBeNull();
    });
  }

  it('puts IPv4 networks under ::/96 of an IPv6 tree and finds IPv6 networks too', () => {
    const db = read(buildMmdb([
      { cidr: '203.0.113.0/24', data: cityRecord('NL', 'Netherlands') },
      { cidr: '2001:db8:1::/48', data: cityRecord('DE', 'Germany', 'Berlin') },
    ], { databaseType: 'GeoLite2-City', ipVersion: 6 }));
    expect(db.metadata.ipVersion).toBe(6);
    expect((db.get('203.0.113.9') as { country: { iso_code: string } }).country.iso_code).toBe('NL');
    expect(db.getWithPrefixLength('203.0.113.9')[1]).toBe(24);
    const berlin = db.get('2001:db8:1:ff::2') as { country: { iso_code: string }; city: { names: { en: string } } };
    expect(berlin.country.iso_code).toBe('DE');
    expect(berlin.city.names.en).toBe('Berlin');
    expect(db.getWithPrefixLength('2001:db8:1:ff::2')[1]).toBe(48);
    expect(db.get('2001:db8:2::1')).toBeNull();
    expect(db.get('192.0.2.1')).toBeNull();
  });

  it('lets a narrower network override part of a wider one, the rest keeping the wider record', () => {
    const db = read(buildMmdb([
      { cidr: '10.0.0.0/8', data: asnRecord(1, 'wide') },
      { cidr: '10.1.2.0/24', data: asnRecord(2, 'narrow') },
    ], { databaseType: 'GeoLite2-ASN', ipVersion: 4 }));
    expect(db.get('10.1.2.3')).toEqual({ autonomous_system_number: 2, autonomous_system_organization: 'narrow' });
    expect(db.get('10.1.3.3')).toEqual({ autonomous_system_number: 1, autonomous_system_organization: 'wide' });
    expect(db.get('10.200.0.1')).toEqual({ autonomous_system_number: 1, autonomous_system_organization: 'wide' });
    expect(db.get('11.0.0.1')).toBeNull();
  });

  it('writes the metadata the spec requires', () => {
    const db = read(buildMmdb([{ cidr: '192.0.2.0/24', data: 'x' }], {
      databaseType: 'GeoLite2-Country', languages: ['en', 'de'], description: 'unit test', buildEpoch: 1_700_000_000,
    }));
    expect(db.metadata).toMatchObject({
      binaryFormatMajorVersion: 2, binaryFormatMinorVersion: 0, databaseType: 'GeoLite2-Country',
      description: { en: 'unit test' }, languages: ['en', 'de'], ipVersion: 6, recordSize: 24,
    });
    expect(db.metadata.buildEpoch.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    // one /24 under ::/96 needs a node per bit above the record: 96 + 23 + 1 = 120 nodes
    expect(db.metadata.nodeCount).toBe(120);
  });

  it('round-trips every data type, with sizes that need one, two and three extra size bytes', () => {
    const value: MmdbValue = {
      short: 'AS64500',
      unicode: 'Zürich – 東京',
      s100: 'a'.repeat(100),
      s1000: 'b'.repeat(1000),
      s70000: 'c'.repeat(70_000),
      zero: 0,
      u32: 4_294_967_295,
      u64: 18_446_744_073_709_551_615n,
      negative: -42,
      double: 52.379189,
      float: float(1.5),
      yes: true,
      no: false,
      list: ['x', 1, { deep: ['y'] }],
      empty: {},
    };
    const got = read(buildMmdb([{ cidr: '192.0.2.1/32', data: value }], { databaseType: 'Types', ipVersion: 4 })).get('192.0.2.1')!;
    expect(got).toEqual({ ...value, u64: 18_446_744_073_709_551_615n, float: 1.5 });
  });

  it('shares repeated strings through pointers of every size the reader must follow', () => {
    // 3000 distinct ~300-byte records make a ~900 kB data section. Each `pair` string is stored by an
    // even record and pointed to by the next one, so pointers land below 2048, below 526,336 and
    // beyond: the three biased pointer sizes.
    const networks = Array.from({ length: 3000 }, (_, i) => ({
      cidr: `10.${i >> 8}.${i & 255}.0/24`,
      data: { autonomous_system_number: 64_512 + i, autonomous_system_organization: `Org ${i} ${'x'.repeat(250)}`, shared: 'Example Hosting BV', pair: `pair-${i >> 1}` },
    }));
    const withPointers = buildMmdb(networks, { databaseType: 'GeoLite2-ASN', ipVersion: 4, pointers: true });
    const without = buildMmdb(networks, { databaseType: 'GeoLite2-ASN', ipVersion: 4, pointers: false });
    expect(withPointers.length).toBeLessThan(without.length);
    const db = read(withPointers);
    for (const i of [0, 1, 7, 8, 2047, 2999]) {
      expect(db.get(`10.${i >> 8}.${i & 255}.77`)).toEqual(networks[i]!.data);
    }
  });
});
