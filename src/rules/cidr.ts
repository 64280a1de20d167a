// IPv4 and IPv6 CIDR membership without dependencies (the `cidr` modifier, internal-address checks).

/**
 * An address range: the first and last address, as numbers for IPv4 (compared without allocating:
 * a BigInt shift per range and rule was a visible share of matching) and as BigInts for IPv6.
 */
export type Cidr = { v6: false; first: number; last: number } | { v6: true; first: bigint; last: bigint };

/** An IPv4 address as a number (0 to 2³²−1), or -1 when the text is not a dotted quad of 0–255 parts. */
export function parseIpv4(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let value = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  if (text.includes(':')) return parseIpv6(text);
  const v4 = parseIpv4(text);
  return v4 < 0 ? undefined : { v6: false, value: BigInt(v4) };
}

function parseIpv6(text: string): { v6: boolean; value: bigint } | undefined {
  let t = text.replace(/^\[|\]$/g, '').split('%')[0]!;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4) {
    const ip = parseIp(v4[1]!);
    if (!ip) return undefined;
    t = t.slice(0, -v4[1]!.length) + ((ip.value >> 16n).toString(16)) + ':' + ((ip.value & 0xffffn).toString(16));
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return { v6: true, value };
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr, len] = text.split('/');
  const ip = parseIp(addr!);
  if (!ip) return undefined;
  const max = ip.v6 ? 128 : 32;
  const prefix = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  const hostBits = BigInt(max - prefix);
  const first = (ip.value >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return ip.v6 ? { v6: true, first, last } : { v6: false, first: Number(first), last: Number(last) };
}

/** A parsed address: IPv4 as a number, IPv6 as a BigInt; null when the text is no address. */
type Address = number | bigint | null;

// Several rules test an event's addresses against their ranges one after another (its source, then
// its destination, rule after rule): the last two texts parsed are remembered.
let texts: [string | undefined, string | undefined] = [undefined, undefined];
let addresses: [Address, Address] = [null, null];

function parseAddress(text: string): Address {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return v4;
  if (!text.includes(':')) return null;
  return parseIpv6(text)?.value ?? null;
}

function addressOf(text: string): Address {
  if (text === texts[0]) return addresses[0];
  if (text === texts[1]) return addresses[1];
  const a = parseAddress(text);
  texts = [text, texts[0]];
  addresses = [a, addresses[0]];
  return a;
}

function inRange(a: Address, cidr: Cidr): boolean {
  if (a === null) return false;
  if (typeof a === 'number') return !cidr.v6 && a >= cidr.first && a <= cidr.last;
  return cidr.v6 && a >= cidr.first && a <= cidr.last;
}

export function ipInCidr(ipText: string, cidr: Cidr): boolean {
  return inRange(addressOf(ipText), cidr);
}

/** Whether the address is in any of the ranges (the text parsed once for all of them). */
export function ipInAnyCidr(ipText: string, cidrs: readonly Cidr[]): boolean {
  const a = addressOf(ipText);
  if (a === null) return false;
  for (const c of cidrs) if (inRange(a, c)) return true;
  return false;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', '100.64.0.0/10', '::1/128', 'fc00::/7', 'fe80::/10'].map((c) => parseCidr(c)!);

/** Private, loopback, link-local and CGNAT addresses: not "external". */
export function isInternalIp(ip: string): boolean {
  return ipInAnyCidr(ip, PRIVATE);
}
