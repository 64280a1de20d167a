// enrichReport() and the database checks, on real MMDB files written by test/helpers/mmdb-writer.ts
// into a temp dir and read through the maxmind package.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, enrichReport, GeoIpLookup } from '../../src/enrich/geoip.js';
import { InputError } from '../../src/model/errors.js';
import type { Violation } from '../../src/model/report.js';
import { asnRecord, buildMmdb, cityRecord, uint32 } from '../helpers/mmdb-writer.js';
import { sampleReport } from '../helpers/report.js';

let dir = '';
const paths: Record<string, string> = {};

function save(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  paths[name] = p;
  return p;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'af-geoip-'));
  const city = buildMmdb([
    { cidr: '203.0.113.0/24', data: cityRecord('NL', 'Netherlands', 'Amsterdam') },
    { cidr: '198.51.100.0/24', data: cityRecord('DE', 'Germany') },
    // an anycast-style block with only the registered country, as GeoLite2 has for some ranges
    { cidr: '192.0.2.0/24', data: { registered_country: { geoname_id: uint32(6252001), iso_code: 'US', names: { en: 'United States' } } } },
    { cidr: '2001:db8:1::/48', data: cityRecord('FR', 'France') },
    // deliberately covers a private range: the lookup must never ask about internal addresses
    { cidr: '10.0.0.0/8', data: cityRecord('ZZ', 'Nowhere') },
  ], { databaseType: 'GeoLite2-City' });
  save('city.mmdb', city);
  save('city.mmdb.gz', gzipSync(city));
  save('asn.mmdb', buildMmdb([
    { cidr: '203.0.113.0/24', data: asnRecord(64500, 'Example Hosting BV') },
    { cidr: '198.51.100.0/23', data: asnRecord(64501, 'Mining Pools Ltd') },
    { cidr: '2001:db8::/32', data: asnRecord(64502, 'Documentation Net') },
  ], { databaseType: 'GeoLite2-ASN', ipVersion: 6 }));
  save('country-v4.mmdb', buildMmdb([
    { cidr: '203.0.113.0/24', data: { country: { iso_code: 'BE' } } },
    { cidr: '185.220.101.0/24', data: { country: { iso_code: 'DE' } } },
  ], { databaseType: 'GeoIP2-Country', ipVersion: 4 }));
  save('enterprise.mmdb', buildMmdb([
    { cidr: '185.220.101.0/24', data: { country: { iso_code: 'DE' }, traits: { autonomous_system_number: uint32(208294), autonomous_system_organization: 'Relay Operators' } } },
  ], { databaseType: 'GeoIP2-Enterprise', ipVersion: 6 }));
  save('anon.mmdb', buildMmdb([{ cidr: '203.0.113.0/24', data: { is_anonymous: true } }], { databaseType: 'GeoIP2-Anonymous-IP' }));
  save('garbage.mmdb', Buffer.from('this is not a MaxMind database, just text\n'.repeat(50)));
  save('empty.mmdb', Buffer.alloc(0));
  // the metadata survives but the search tree is cut short
  const whole = buildMmdb([{ cidr: '203.0.113.0/24', data: asnRecord(1, 'x') }], { databaseType: 'GeoLite2-ASN' });
  const marker = whole.lastIndexOf(Buffer.from('MaxMind.com')) - 3;
  save('truncated.mmdb', Buffer.concat([whole.subarray(0, 200), whole.subarray(marker)]));
  save('bad.mmdb.gz', gzipSync(city).subarray(0, 100));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function flowReport(endpoints: { src?: string; dst?: string }[]) {
  const r = sampleReport();
  const base = r.violations[0]!;
  r.violations = endpoints.map((e, i): Violation => ({
    ...base, id: `V${i + 1}`, attribution: null, candidates: [],
    src: e.src === undefined ? undefined : { ip: e.src, port: 40000 + i },
    dst: e.dst === undefined ? undefined : { ip: e.dst, port: 443 },
  }));
  return r;
}

describe('databaseKind()', () => {
  it('tells place databases from network-owner databases by their metadata type', () => {
    for (const t of ['GeoLite2-City', 'GeoIP2-City', 'GeoLite2-Country', 'GeoIP2-Country', 'GeoIP2-Enterprise', 'DBIP-City-Lite']) expect(databaseKind(t)).toBe('geo');
    for (const t of ['GeoLite2-ASN', 'GeoIP2-ISP', 'DBIP-ASN-Lite', 'geolite2-asn']) expect(databaseKind(t)).toBe('asn');
    for (const t of ['GeoIP2-Anonymous-IP', 'GeoIP2-Connection-Type', 'GeoIP2-Domain']) expect(databaseKind(t)).toBeUndefined();
  });
});

describe('enrichReport()', () => {
  it('fills country, AS number and organization of external addresses from a City and an ASN database', async () => {
    const r = flowReport([
      { src: '172.17.0.3', dst: '203.0.113.47' },
      { src: '185.220.101.34', dst: '10.20.3.17' },
      { src: '10.0.0.4', dst: '198.51.100.23' },
      { src: '10.0.0.4', dst: '2001:db8:1::9' },
    ]);
    await enrichReport(r, [paths['city.mmdb']!, paths['asn.mmdb']!]);
    const [v1, v2, v3, v4] = r.violations;
    expect(v1!.src).toEqual({ ip: '172.17.0.3', port: 40000 });
    expect(v1!.dst).toEqual({ ip: '203.0.113.47', port: 443, country: 'NL', asn: 64500, org: 'Example Hosting BV' });
    // in neither database: left as it was
    expect(v2!.src).toEqual({ ip: '185.220.101.34', port: 40001 });
    // 10.0.0.0/8 is in the City database, but internal addresses are never looked up
    expect(v2!.dst).toEqual({ ip: '10.20.3.17', port: 443 });
    expect(v3!.dst).toEqual({ ip: '198.51.100.23', port: 443, country: 'DE', asn: 64501, org: 'Mining Pools Ltd' });
    expect(v4!.dst).toEqual({ ip: '2001:db8:1::9', port: 443, country: 'FR', asn: 64502, org: 'Documentation Net' });
    expect(r.settings?.geoip).toBe(`${paths['city.mmdb']} (GeoLite2-City, built 2026-01-01); ${paths['asn.mmdb']} (GeoLite2-ASN, built 2026-01-01)`);
  });

  it('leaves every internal kind of address alone: private, loopback, link-local, CGNAT, ULA', async () => {
    const internal = ['10.1.2.3', '172.16.0.1', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.100.100.200', '::1', 'fd00::1', 'fe80::1'];
    const r = flowReport(internal.map((ip) => ({ dst: ip })));
    await enrichReport(r, [paths['city.mmdb']!]);
    for (const v of r.violations) expect(Object.keys(v.dst!).sort()).toEqual(['ip', 'port']);
  });

  it('uses the registered country when a record has no country', async () => {
    const r = flowReport([{ dst: '192.0.2.80' }]);
    await enrichReport(r, [paths['city.mmdb']!]);
    expect(r.violations[0]!.dst!.country).toBe('US');
  });

  it('lets the first database that knows a field win, and skips IPv6 addresses for an IPv4-only database', async () => {
    const r = flowReport([{ dst: '203.0.113.47' }, { dst: '2001:db8:1::9' }]);
    await enrichReport(r, [paths['country-v4.mmdb']!, paths['city.mmdb']!]);
    expect(r.violations[0]!.dst!.country).toBe('BE');
    expect(r.violations[1]!.dst!.country).toBe('FR');
  });

  it('reads country and network owner from one GeoIP2 Enterprise record', async () => {
    const r = flowReport([{ src: '185.220.101.34', dst: '10.20.3.17' }]);
    await enrichReport(r, [paths['enterprise.mmdb']!]);
    expect(r.violations[0]!.src).toEqual({ ip: '185.220.101.34', port: 40000, country: 'DE', asn: 208294, org: 'Relay Operators' });
  });

  it('reads a gzip-compressed database as it is', async () => {
    const r = flowReport([{ dst: '203.0.113.47' }]);
    await enrichReport(r, [paths['city.mmdb.gz']!]);
    expect(r.violations[0]!.dst!.country).toBe('NL');
  });

  it('does nothing, and opens nothing, without databases', async () => {
    const r = flowReport([{ dst: '203.0.113.47' }]);
    const before = JSON.stringify(r);
    await enrichReport(r, []);
    expect(JSON.stringify(r)).toBe(before);
  });

  it('ignores endpoints whose address is not an IP', async () => {
    const r = flowReport([{ dst: 'pool.supportxmr.com' }, { dst: '203.0.113.999' }]);
    await enrichReport(r, [paths['city.mmdb']!]);
    expect(r.violations.map((v) => v.dst!.country)).toEqual([undefined, undefined]);
  });

  it.each([
    ['missing.mmdb', /cannot read the GeoIP database \(no such file\)/],
    ['empty.mmdb', /not a (valid )?MaxMind DB/],
    ['garbage.mmdb', /not a (valid )?MaxMind DB/],
    ['truncated.mmdb', /not a valid MaxMind DB .*does not fit the file/],
    ['bad.mmdb.gz', /damaged gzip/],
    ['anon.mmdb', /database type 'GeoIP2-Anonymous-IP' has no country or network owner/],
  ])('refuses %s with an InputError that names the file', async (name, message) => {
    const p = paths[name] ?? join(dir, name);
    const err = await enrichReport(flowReport([{ dst: '203.0.113.47' }]), [p]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).path).toBe(p);
    expect((err as InputError).message).toMatch(message);
    expect((err as InputError).describe().startsWith(`${p}: `)).toBe(true);
  });
});

describe('GeoIpLookup', () => {
  it('looks each address up once, however often it appears', async () => {
    const geo = await GeoIpLookup.open([paths['city.mmdb']!, paths['asn.mmdb']!]);
    const calls: string[] = [];
    for (const db of geo.databases) {
      const get = db.reader.get.bind(db.reader);
      db.reader.get = (ip: string) => {
        calls.push(ip);
        return get(ip);
      };
    }
    for (let i = 0; i < 50; i++) {
      expect(geo.lookup('203.0.113.47')).toEqual({ country: 'NL', asn: 64500, org: 'Example Hosting BV' });
      expect(geo.lookup('8.8.8.8')).toBeNull();
      expect(geo.lookup('10.0.0.1')).toBeNull();
    }
    // two databases × two external addresses; the internal one never reaches a database
    expect(calls).toEqual(['203.0.113.47', '203.0.113.47', '8.8.8.8', '8.8.8.8']);
    expect(geo.cachedAddresses).toBe(3);
  });
});
