// GeoIP facts (--geoip) as the human reports show them: a compact `NL/AS64500` tag beside an address,
// and the list of external addresses with their network owners. Plain text; each renderer escapes it.
import type { Report, ReportEndpoint, Violation } from '../model/report.js';

/** `NL/AS64500`, `NL`, `AS64500`, or '' when the endpoint carries no GeoIP facts. */
export function geoTag(e: ReportEndpoint | undefined): string {
  if (!e) return '';
  return [e.country, e.asn !== undefined ? `AS${e.asn}` : undefined].filter(Boolean).join('/');
}

/** `NL · AS64500 Example Hosting BV`: the tag plus the network owner's name. */
export function geoLabel(e: ReportEndpoint | undefined): string {
  if (!e) return '';
  const as = e.asn !== undefined ? `AS${e.asn}${e.org ? ` ${e.org}` : ''}` : e.org;
  return [e.country, as].filter(Boolean).join(' · ');
}

export const hasGeo = (e: ReportEndpoint | undefined): boolean =>
  e !== undefined && (e.country !== undefined || e.asn !== undefined || e.org !== undefined);

/** Whether any violation carries GeoIP facts, so reports without --geoip keep their old shape. */
export function reportHasGeo(report: Report): boolean {
  return report.violations.some((v) => hasGeo(v.src) || hasGeo(v.dst));
}

/** The remote side of a violation for a one-column view: the destination, or the source of inbound traffic. */
export function remoteGeoTag(v: Violation): string {
  if (hasGeo(v.dst)) return geoTag(v.dst);
  return hasGeo(v.src) ? `src ${geoTag(v.src)}` : '';
}

export interface ExternalAddress {
  ip: string;
  country?: string;
  asn?: number;
  org?: string;
  /** whether the address was a destination, a source, or both */
  role: 'destination' | 'source' | 'both';
  /** violation ids, in report order */
  violations: string[];
}

/** Every enriched address in the violations, in order of first appearance (so the list is stable). */
export function externalAddresses(report: Report): ExternalAddress[] {
  const byIp = new Map<string, ExternalAddress>();
  for (const v of report.violations) {
    for (const [e, role] of [[v.dst, 'destination'], [v.src, 'source']] as const) {
      if (!e?.ip || !hasGeo(e)) continue;
      const known = byIp.get(e.ip);
      if (!known) {
        byIp.set(e.ip, {
          ip: e.ip, role, violations: [v.id],
          ...(e.country !== undefined ? { country: e.country } : {}),
          ...(e.asn !== undefined ? { asn: e.asn } : {}),
          ...(e.org !== undefined ? { org: e.org } : {}),
        });
        continue;
      }
      if (known.role !== role) known.role = 'both';
      if (known.violations.at(-1) !== v.id) known.violations.push(v.id);
    }
  }
  return [...byIp.values()];
}

/** `V3, V4, V6` or `V10 … V32 (21)` for long runs, so a miner's hundreds of hits stay one line. */
export function idList(ids: readonly string[], max = 6): string {
  if (ids.length <= max) return ids.join(', ');
  return `${ids.slice(0, max - 1).join(', ')} … ${ids.at(-1)} (${ids.length})`;
}
