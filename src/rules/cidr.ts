// IPv4 and IPv6 CIDR membership without dependencies (the `cidr` modifier, internal-address checks).

export interface Cidr {
  v6: boolean;
  bits: bigint;
  prefix: number;
}

export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  if (text.includes(':')) return parseIpv6(text);
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(p));
  }
  return { v6: false, value };
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
  return { v6: ip.v6, bits: ip.value >> BigInt(max - prefix), prefix };
}

// Several rules test the same event's address against their ranges one after another: the last
// address parsed is remembered (a BigInt parse per range and rule was a visible share of matching).
let lastText: string | undefined;
let lastIp: ReturnType<typeof parseIp>;

function parseIpOnce(text: string): ReturnType<typeof parseIp> {
  if (text !== lastText) {
    lastIp = parseIp(text);
    lastText = text;
  }
  return lastIp;
}

export function ipInCidr(ipText: string, cidr: Cidr): boolean {
  const ip = parseIpOnce(ipText);
  if (!ip || ip.v6 !== cidr.v6) return false;
  const max = ip.v6 ? 128 : 32;
  return ip.value >> BigInt(max - cidr.prefix) === cidr.bits;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', '100.64.0.0/10', '::1/128', 'fc00::/7', 'fe80::/10'].map((c) => parseCidr(c)!);

/** Private, loopback, link-local and CGNAT addresses: not "external". */
export function isInternalIp(ip: string): boolean {
  return PRIVATE.some((c) => ipInCidr(ip, c));
}
