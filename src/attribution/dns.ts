// Which domains an address answered for, learned from the evidence itself: DNS answers in IDS logs,
// flow records that carry both a name (SNI, Host, domain field) and an address, and the output of
// resolver commands the agents ran (`dig +short pool.example.com` → `198.51.100.7`).
import { formatRef, type ForensicEvent } from '../model/event.js';
import { unquote } from './command.js';

export interface DnsSighting {
  domain: string;
  /** where the pairing was seen, as a phrase that completes "which resolved to <ip> (…)" */
  where: string;
}

export interface DnsEvidence {
  /** domains seen resolving to / serving an address, with where that was seen */
  domainsFor(ip: string): DnsSighting[];
}

const MAX_ADDRESSES = 100_000;
const MAX_DOMAINS_PER_ADDRESS = 8;
const IPV4 = /(?<![\w.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\w.])/g;
const HOSTNAME = /(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}(?![\w-])/gi;
const RESOLVER = /(?:^|[\s;|&(`/])(?:dig|nslookup|host|getent|drill|resolvectl|kdig|delv|ping)\b/;

/** The `fields` keys learn() reads (a scan may leave out fields that no one reads). */
export const DNS_FIELD_KEYS: readonly string[] = ['rrtype', 'dns_type', 'output'];

export class DnsIndex implements DnsEvidence {
  private map = new Map<string, DnsSighting[]>();

  add(ip: string, domain: string, where: string): void {
    const d = domain.toLowerCase().replace(/\.$/, '');
    const list = this.map.get(ip);
    if (!list) {
      if (this.map.size < MAX_ADDRESSES) this.map.set(ip, [{ domain: d, where }]);
    } else if (list.length < MAX_DOMAINS_PER_ADDRESS && !list.some((x) => x.domain === d)) list.push({ domain: d, where });
  }

  domainsFor(ip: string): DnsSighting[] {
    return this.map.get(ip) ?? [];
  }

  /** Learns whatever name ↔ address pairs one event shows. */
  learn(event: ForensicEvent): void {
    if (event.kind === 'tool-call') {
      this.learnFromOutput(event);
      return;
    }
    const dst = event.dst;
    if (!dst?.domain) return;
    const f = event.fields ?? {};
    const isDnsRecord = dst.port === 53 || f.rrtype !== undefined || f.dns_type !== undefined;
    if (isDnsRecord) {
      // A DNS record's destination is the resolver; the answers are the addresses the name has.
      const answers = typeof f.output === 'string' ? f.output.match(IPV4) ?? [] : [];
      for (const ip of answers) this.add(ip, dst.domain, `per the DNS answer at ${formatRef(event.ref)}`);
      return;
    }
    if (dst.ip) this.add(dst.ip, dst.domain, `according to the record at ${formatRef(event.ref)}`);
  }

  /** `dig`, `nslookup`, `host`, `getent hosts`, `ping` output: explicit pairs, else the one name asked for. */
  private learnFromOutput(event: ForensicEvent): void {
    const output = event.fields?.output;
    // Most calls show no output: their command is not unquoted for nothing.
    if (typeof output !== 'string') return;
    const command = unquote(event.command ?? '');
    if (!RESOLVER.test(command)) return;
    const where = `per the output of call ${event.callId ?? '?'} in session ${event.session ?? '?'} at ${formatRef(event.ref)}`;
    const pairs = resolverPairs(output);
    if (pairs.length) {
      for (const [domain, ip] of pairs) this.add(ip, domain, where);
      return;
    }
    const names = [...new Set((command.match(HOSTNAME) ?? []).map((h) => h.toLowerCase()).filter((h) => !/^\d/.test(h.split('.').pop()!)))];
    if (names.length !== 1) return;
    for (const ip of new Set(output.match(IPV4) ?? [])) this.add(ip, names[0]!, where);
  }
}

/** Name/address pairs in resolver output, whatever tool printed it. */
export function resolverPairs(output: string): [string, string][] {
  const out: [string, string][] = [];
  const push = (domain: string, ip: string) => out.push([domain.toLowerCase().replace(/\.$/, ''), ip]);
  // dig answer section: `pool.example.com. 300 IN A 198.51.100.7`
  for (const m of output.matchAll(/^(\S+?)\.?\s+\d+\s+IN\s+A\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)) push(m[1]!, m[2]!);
  // host: `pool.example.com has address 198.51.100.7`
  for (const m of output.matchAll(/^(\S+) has address (\d+\.\d+\.\d+\.\d+)/gm)) push(m[1]!, m[2]!);
  // nslookup: `Name:\tpool.example.com\nAddress: 198.51.100.7`
  for (const m of output.matchAll(/^Name:\s*(\S+)\s*\n((?:Address(?:es)?:\s*\S+\s*\n?)+)/gm)) {
    for (const ip of m[2]!.match(IPV4) ?? []) push(m[1]!, ip);
  }
  // getent hosts / ahosts: `198.51.100.7    pool.example.com`
  for (const m of output.matchAll(/^(\d+\.\d+\.\d+\.\d+)\s+(?:STREAM\s+)?([a-z0-9][\w.-]*\.[a-z]{2,})\s*$/gim)) push(m[2]!, m[1]!);
  // ping: `PING pool.example.com (198.51.100.7) 56(84) bytes of data.`
  for (const m of output.matchAll(/^PING (\S+) \((\d+\.\d+\.\d+\.\d+)\)/gm)) push(m[1]!, m[2]!);
  return out.filter(([domain]) => /[a-z]/i.test(domain) && !/^\d+\.\d+\.\d+\.\d+$/.test(domain));
}
