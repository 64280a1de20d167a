// Test helper: writes real MaxMind DB (MMDB v2) files, search tree + data section + metadata as the
// spec (https://maxmind.github.io/MaxMind-DB/) lays them out, so GeoIP tests read genuine binary
// databases through the `maxmind` package instead of a mocked reader. No npm package writes MMDB.

/** A value in the data section. Plain numbers are encoded by shape; wrap one to force a type. */
export type MmdbValue =
  | string
  | number
  | boolean
  | bigint
  | MmdbTyped
  | MmdbValue[]
  | { [key: string]: MmdbValue };

export interface MmdbTyped {
  readonly mmdbType: 'uint16' | 'uint32' | 'uint64' | 'int32' | 'double' | 'float' | 'bytes';
  readonly value: number | bigint | Uint8Array;
}

export const uint16 = (value: number): MmdbTyped => ({ mmdbType: 'uint16', value });
export const uint32 = (value: number): MmdbTyped => ({ mmdbType: 'uint32', value });
export const float = (value: number): MmdbTyped => ({ mmdbType: 'float', value });

export interface MmdbNetwork {
  /** `a.b.c.d/len` or an IPv6 CIDR; IPv4 networks in an IPv6 database go under ::/96, as MaxMind does */
  cidr: string;
  data: MmdbValue;
}

export interface MmdbOptions {
  databaseType: string;
  ipVersion?: 4 | 6;
  recordSize?: 24 | 28 | 32;
  languages?: string[];
  description?: string;
  /** fixed, so a test database is the same bytes on every run */
  buildEpoch?: number;
  /** store repeated strings once and point to them (real databases do; exercises the reader's pointers) */
  pointers?: boolean;
}

// Data section type numbers (spec, "Output Data Section"); 8 and above are "extended" types.
const T = { pointer: 1, string: 2, double: 3, bytes: 4, uint16: 5, uint32: 6, map: 7, int32: 8, uint64: 9, array: 11, boolean: 14, float: 15 } as const;

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'ascii')]);
const DATA_SECTION_SEPARATOR = 16;

/** The control byte(s) for a type and a payload size: 5-bit size, or 29/30/31 plus 1–3 size bytes. */
function control(type: number, size: number): Buffer {
  const head: number[] = [];
  const extra: number[] = [];
  let bits: number;
  if (size < 29) bits = size;
  else if (size < 285) {
    bits = 29;
    extra.push(size - 29);
  } else if (size < 65_821) {
    bits = 30;
    const s = size - 285;
    extra.push(s >> 8, s & 0xff);
  } else {
    bits = 31;
    const s = size - 65_821;
    extra.push((s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff);
  }
  // An extended type has type bits 000 and its number minus 7 in the next byte, before the size bytes.
  if (type > 7) head.push(bits, type - 7);
  else head.push((type << 5) | bits);
  return Buffer.from([...head, ...extra]);
}

function unsignedBytes(value: bigint): Buffer {
  const out: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn));
  return Buffer.from(out);
}

function pointer(offset: number): Buffer {
  // Pointer sizes 0–2 bias their value (0, 2048, 526336) so that every offset has one shortest form.
  if (offset < 2048) return Buffer.from([(T.pointer << 5) | (0 << 3) | (offset >> 8), offset & 0xff]);
  if (offset < 526_336) {
    const v = offset - 2048;
    return Buffer.from([(T.pointer << 5) | (1 << 3) | ((v >> 16) & 7), (v >> 8) & 0xff, v & 0xff]);
  }
  if (offset < 134_744_064) {
    const v = offset - 526_336;
    return Buffer.from([(T.pointer << 5) | (2 << 3) | ((v >> 24) & 7), (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
  }
  const b = Buffer.alloc(5);
  b[0] = (T.pointer << 5) | (3 << 3);
  b.writeUInt32BE(offset, 1);
  return b;
}

function isTyped(v: unknown): v is MmdbTyped {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as MmdbTyped).mmdbType === 'string';
}

/** Encodes values into one data section; with `pointers`, a repeated string is stored once. */
class DataWriter {
  private chunks: Buffer[] = [];
  private length = 0;
  private strings = new Map<string, number>();
  constructor(private readonly usePointers: boolean) {}

  get offset(): number {
    return this.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  write(value: MmdbValue): void {
    if (typeof value === 'string') return this.writeString(value);
    if (typeof value === 'boolean') return this.push(control(T.boolean, value ? 1 : 0));
    if (typeof value === 'bigint') return this.writeUint(T.uint64, value);
    if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) return this.writeUint(T.uint32, BigInt(value));
      if (Number.isInteger(value) && value < 0 && value >= -(2 ** 31)) return this.writeInt32(value);
      return this.writeDouble(value);
    }
    if (Array.isArray(value)) {
      this.push(control(T.array, value.length));
      for (const item of value) this.write(item);
      return;
    }
    if (isTyped(value)) return this.writeTyped(value);
    const entries = Object.entries(value);
    this.push(control(T.map, entries.length));
    for (const [k, v] of entries) {
      this.writeString(k);
      this.write(v);
    }
  }

  private writeTyped(t: MmdbTyped): void {
    switch (t.mmdbType) {
      case 'uint16': return this.writeUint(T.uint16, BigInt(t.value as number));
      case 'uint32': return this.writeUint(T.uint32, BigInt(t.value as number));
      case 'uint64': return this.writeUint(T.uint64, BigInt(t.value as number | bigint));
      case 'int32': return this.writeInt32(t.value as number);
      case 'double': return this.writeDouble(t.value as number);
      case 'float': {
        const b = Buffer.alloc(4);
        b.writeFloatBE(t.value as number);
        this.push(control(T.float, 4));
        return this.push(b);
      }
      case 'bytes': {
        const b = Buffer.from(t.value as Uint8Array);
        this.push(control(T.bytes, b.length));
        return this.push(b);
      }
    }
  }

  private writeString(s: string): void {
    const known = this.usePointers ? this.strings.get(s) : undefined;
    if (known !== undefined) return this.push(pointer(known));
    const utf8 = Buffer.from(s, 'utf8');
    // A pointer costs 2–5 bytes, so only strings longer than that are worth sharing.
    if (this.usePointers && utf8.length > 3) this.strings.set(s, this.offset);
    this.push(control(T.string, utf8.length));
    this.push(utf8);
  }

  private writeUint(type: number, v: bigint): void {
    const b = unsignedBytes(v);
    this.push(control(type, b.length));
    this.push(b);
  }

  private writeInt32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.push(control(T.int32, 4));
    this.push(b);
  }

  private writeDouble(v: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    this.push(control(T.double, 8));
    this.push(b);
  }
}

interface TrieNode {
  children: [Child, Child];
}
type Child = TrieNode | { data: number } | null;

const isNode = (c: Child): c is TrieNode => c !== null && 'children' in c;

function networkBits(cidr: string, ipVersion: 4 | 6): boolean[] {
  const [addr, lenText] = cidr.split('/');
  if (!addr) throw new Error(`bad network ${cidr}`);
  const v6 = addr.includes(':');
  const width = v6 ? 128 : 32;
  const prefix = lenText === undefined ? width : Number(lenText);
  if (!Number.isInteger(prefix) || prefix < 1 || prefix > width) throw new Error(`bad prefix in ${cidr}`);
  if (v6 && ipVersion === 4) throw new Error(`IPv6 network ${cidr} in an IPv4 database`);
  const value = v6 ? ipv6Value(addr) : ipv4Value(addr);
  const bits: boolean[] = [];
  if (!v6 && ipVersion === 6) for (let i = 0; i < 96; i++) bits.push(false);
  for (let i = 0; i < prefix; i++) bits.push(((value >> BigInt(width - 1 - i)) & 1n) === 1n);
  return bits;
}

function ipv4Value(text: string): bigint {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad IPv4 address ${text}`);
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function ipv6Value(text: string): bigint {
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${text}`);
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function insert(root: TrieNode, bits: boolean[], data: number): void {
  let node = root;
  for (let i = 0; i < bits.length - 1; i++) {
    const side = bits[i] ? 1 : 0;
    const child = node.children[side];
    if (isNode(child)) node = child;
    else {
      // A wider network already covers this branch: split it so the rest of it keeps its data.
      const next: TrieNode = { children: [child, child] };
      node.children[side] = next;
      node = next;
    }
  }
  node.children[bits.at(-1) ? 1 : 0] = { data };
}

function writeRecord(tree: Buffer, nodeIndex: number, side: 0 | 1, value: number, recordSize: 24 | 28 | 32): void {
  const at = nodeIndex * (recordSize / 4);
  if (recordSize === 24) tree.writeUIntBE(value, at + side * 3, 3);
  else if (recordSize === 32) tree.writeUInt32BE(value, at + side * 4);
  else if (side === 0) {
    // 28-bit records share the middle byte: its high nibble tops the left record, its low nibble the right.
    tree.writeUIntBE(value & 0xffffff, at, 3);
    tree[at + 3] = (tree[at + 3]! & 0x0f) | ((value >> 20) & 0xf0);
  } else {
    tree.writeUIntBE(value & 0xffffff, at + 4, 3);
    tree[at + 3] = (tree[at + 3]! & 0xf0) | ((value >> 24) & 0x0f);
  }
}

/** The bytes of an MMDB file holding `networks`. Wider networks may contain narrower ones (the narrower wins). */
export function buildMmdb(networks: MmdbNetwork[], options: MmdbOptions): Buffer {
  const ipVersion = options.ipVersion ?? 6;
  const recordSize = options.recordSize ?? 24;
  const data = new DataWriter(options.pointers ?? true);
  const dataOffsets: number[] = [];
  for (const n of networks) {
    dataOffsets.push(data.offset);
    data.write(n.data);
  }
  const root: TrieNode = { children: [null, null] };
  const ordered = networks.map((n, i) => ({ bits: networkBits(n.cidr, ipVersion), i })).sort((a, b) => a.bits.length - b.bits.length);
  for (const { bits, i } of ordered) insert(root, bits, i);

  // Breadth-first numbering: the root is node 0, as readers expect.
  const nodes: TrieNode[] = [root];
  for (let i = 0; i < nodes.length; i++) for (const c of nodes[i]!.children) if (isNode(c)) nodes.push(c);
  const index = new Map(nodes.map((n, i) => [n, i]));
  const nodeCount = nodes.length;
  if (nodeCount + DATA_SECTION_SEPARATOR + data.offset >= 2 ** recordSize) throw new Error(`${recordSize}-bit records cannot address this database`);

  const tree = Buffer.alloc(nodeCount * (recordSize / 4));
  nodes.forEach((node, i) => {
    node.children.forEach((c, side) => {
      // A record is a node number, node_count for "no data", or node_count + 16 + a data-section offset.
      const value = c === null ? nodeCount : isNode(c) ? index.get(c)! : nodeCount + DATA_SECTION_SEPARATOR + dataOffsets[c.data]!;
      writeRecord(tree, i, side as 0 | 1, value, recordSize);
    });
  });

  const meta = new DataWriter(false);
  meta.write({
    binary_format_major_version: uint16(2),
    binary_format_minor_version: uint16(0),
    build_epoch: BigInt(options.buildEpoch ?? 1_767_225_600),
    database_type: options.databaseType,
    description: { en: options.description ?? `${options.databaseType} test database` },
    ip_version: uint16(ipVersion),
    languages: options.languages ?? ['en'],
    node_count: uint32(nodeCount),
    record_size: uint16(recordSize),
  });
  return Buffer.concat([tree, Buffer.alloc(DATA_SECTION_SEPARATOR), data.bytes(), METADATA_MARKER, meta.bytes()]);
}

/** A GeoLite2-City-shaped record: country and registered country with names, a city and a location. */
export function cityRecord(iso: string, country: string, city?: string): MmdbValue {
  const countryRec = { geoname_id: uint32(1000 + iso.charCodeAt(0) * 31 + iso.charCodeAt(1)), iso_code: iso, names: { en: country } };
  return {
    ...(city ? { city: { geoname_id: uint32(5000), names: { en: city } } } : {}),
    continent: { code: 'EU', geoname_id: uint32(6255148), names: { en: 'Europe' } },
    country: countryRec,
    location: { accuracy_radius: uint16(100), latitude: 52.5, longitude: 5.75, time_zone: 'Europe/Amsterdam' },
    registered_country: countryRec,
  };
}

/** A GeoLite2-ASN-shaped record. */
export function asnRecord(asn: number, org: string): MmdbValue {
  return { autonomous_system_number: uint32(asn), autonomous_system_organization: org };
}
