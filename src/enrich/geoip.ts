// GeoIP/ASN enrichment (--geoip): country, AS number and AS organization of every external address
// in a finished report's violations, from MaxMind DB files (GeoIP2/GeoLite2 City, Country, ASN and
// compatible ones). Which fields a database gives is decided by its metadata, not by its file name.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { Reader, type Response } from 'maxmind';
import { InputError } from '../model/errors.js';
import type { Report, ReportEndpoint, Violation } from '../model/report.js';
import { isInternalIp, parseIp } from '../rules/cidr.js';

/** What a database answers: location (City, Country, Enterprise) or network owner (ASN, ISP). */
export type GeoDatabaseKind = 'geo' | 'asn';

export interface GeoFacts {
  country?: string;
  asn?: number;
  org?: string;
}

interface OpenDatabase {
  path: string;
  kind: GeoDatabaseKind;
  type: string;
  ipVersion: 4 | 6;
  built: string;
  reader: Reader<Response>;
}

/**
 * The kind of a database from its metadata `database_type`: GeoLite2-ASN, GeoIP2-ISP and
 * DBIP-ASN-Lite answer owners; GeoLite2-City, GeoIP2-Country, GeoIP2-Enterprise and DBIP-City-Lite
 * answer places. Anything else (Anonymous-IP, Connection-Type, Domain) has neither.
 */
export function databaseKind(databaseType: string): GeoDatabaseKind | undefined {
  if (/\b(?:ASN|ISP)\b/i.test(databaseType)) return 'asn';
  if (/City|Country|Enterprise/i.test(databaseType)) return 'geo';
  return undefined;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Opens and checks one database; every problem is an InputError naming the file (exit 2). */
export async function openGeoDatabase(path: string): Promise<OpenDatabase> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read the GeoIP database (${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message})`, path, undefined, { cause: err });
  }
  // Some redistributions ship GeoLite2-*.mmdb.gz; reading them as-is spares the user a step.
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new InputError('not a valid GeoIP database: a damaged gzip file', path, undefined, { cause: err });
    }
  }
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(bytes);
  } catch (err) {
    throw new InputError(`not a MaxMind DB (.mmdb) file: ${(err as Error).message}`, path, undefined, { cause: err });
  }
  const m = reader.metadata;
  // mmdb-lib trusts the metadata; a truncated or foreign file must fail here, not mid-report.
  if (typeof m.databaseType !== 'string' || !Number.isInteger(m.nodeCount) || m.nodeCount <= 0 || (m.ipVersion !== 4 && m.ipVersion !== 6)
    || m.binaryFormatMajorVersion !== 2 || m.searchTreeSize + 16 > bytes.length) {
    throw new InputError('not a valid MaxMind DB (.mmdb) file: its metadata is missing or does not fit the file', path);
  }
  const kind = databaseKind(m.databaseType);
  if (!kind) {
    throw new InputError(`database type '${m.databaseType}' has no country or network owner; --geoip takes GeoIP2/GeoLite2 City, Country or ASN databases`, path);
  }
  const epoch = m.buildEpoch.getTime();
  return { path, kind, type: m.databaseType, ipVersion: m.ipVersion, built: Number.isFinite(epoch) ? new Date(epoch).toISOString().slice(0, 10) : 'unknown', reader };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const whole = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** The facts one record gives, read defensively: a database is input too, and may lack or mistype fields. */
function factsOf(kind: GeoDatabaseKind, record: unknown): GeoFacts {
  if (typeof record !== 'object' || record === null) return {};
  const r = record as Record<string, Record<string, unknown> | undefined>;
  if (kind === 'asn') {
    const flat = record as Record<string, unknown>;
    return { asn: whole(flat.autonomous_system_number), org: text(flat.autonomous_system_organization) };
  }
  // country is where the address is used; registered_country (where the block is registered) stands
  // in for anycast and satellite ranges that GeoLite2 leaves without one. Enterprise adds traits.
  return {
    country: text(r.country?.iso_code) ?? text(r.registered_country?.iso_code),
    asn: whole(r.traits?.autonomous_system_number),
    org: text(r.traits?.autonomous_system_organization),
  };
}

/** Lookups over several databases, each address looked up once (the memo), first database first. */
export class GeoIpLookup {
  private memo = new Map<string, GeoFacts | null>();
  constructor(readonly databases: readonly OpenDatabase[]) {}

  static async open(paths: readonly string[]): Promise<GeoIpLookup> {
    const dbs: OpenDatabase[] = [];
    for (const p of paths) dbs.push(await openGeoDatabase(p));
    return new GeoIpLookup(dbs);
  }

  /** Facts for one external address, or null for internal, unparsable or unknown addresses. */
  lookup(ip: string): GeoFacts | null {
    const known = this.memo.get(ip);
    if (known !== undefined) return known;
    const result = this.resolve(ip);
    this.memo.set(ip, result);
    return result;
  }

  get cachedAddresses(): number {
    return this.memo.size;
  }

  private resolve(ip: string): GeoFacts | null {
    const parsed = parseIp(ip);
    if (!parsed || isInternalIp(ip)) return null;
    const facts: GeoFacts = {};
    for (const db of this.databases) {
      if (parsed.v6 && db.ipVersion === 4) continue;
      let record: unknown;
      try {
        record = db.reader.get(ip.replace(/^\[|\]$/g, ''));
      } catch (err) {
        throw new InputError(`damaged GeoIP database: looking up ${ip} failed (${(err as Error).message})`, db.path, undefined, { cause: err });
      }
      const f = factsOf(db.kind, record);
      facts.country ??= f.country;
      facts.asn ??= f.asn;
      facts.org ??= f.org;
    }
    return facts.country === undefined && facts.asn === undefined && facts.org === undefined ? null : facts;
  }
}

function enrichEndpoint(e: ReportEndpoint | undefined, geo: GeoIpLookup): void {
  if (!e?.ip) return;
  const f = geo.lookup(e.ip);
  if (!f) return;
  if (f.country !== undefined) e.country = f.country;
  if (f.asn !== undefined) e.asn = f.asn;
  if (f.org !== undefined) e.org = f.org;
}

/**
 * Fills `country`, `asn` and `org` on the src and dst of every violation whose address is external
 * (not private, loopback, link-local or CGNAT), and records the databases used in `settings.geoip`.
 * An unreadable or invalid database is an InputError (exit 2).
 */
export async function enrichReport(report: Report, dbPaths: string[]): Promise<void> {
  if (dbPaths.length === 0) return;
  const geo = await GeoIpLookup.open(dbPaths);
  for (const v of report.violations) enrichViolation(v, geo);
  report.settings = { ...report.settings, geoip: geoipSetting(geo) };
}

/** The GeoIP facts of one violation's addresses (for violations enriched as they are built). */
export function enrichViolation(v: Violation, geo: GeoIpLookup): void {
  enrichEndpoint(v.src, geo);
  enrichEndpoint(v.dst, geo);
}

/** The databases used, as `settings.geoip` states them. */
export function geoipSetting(geo: GeoIpLookup): string {
  return geo.databases.map((d) => `${d.path} (${d.type}, built ${d.built})`).join('; ');
}
