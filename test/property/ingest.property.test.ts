// Property tests for every registered format, through the real ingest path (head → container →
// split → depth guard → parse → date guard): any bytes in, no exception out; every event carries a
// finite, datable time and a ref into its input; every issue names a line or an index.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildHead } from '../../src/ingest/detect.js';
import type { InputFormat } from '../../src/ingest/format.js';
import { parseInput, type DetectedInput } from '../../src/ingest/ingest.js';
import type { ReadResult } from '../../src/ingest/read.js';
import { FORMATS } from '../../src/ingest/registry.js';
import { withoutUptime } from '../../src/ingest/formats/firewall/iptables.js';

const PATH = 'prop/input';
const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

/** Up to 40 lines of each text fixture of a format: realistic material for mutation. */
function fixtureLines(format: string): string[] {
  const dir = join('test', 'fixtures', format);
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'NOTICE.md' || name.endsWith('.gz')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    out.push(...text.split('\n').slice(0, 40).filter((l) => l.length < 20_000));
  }
  return out;
}

/** Feeds bytes as the input, in chunks of arbitrary size, with a read result like a file's. */
async function parseBytes(format: InputFormat, bytes: Buffer, cuts: number[]) {
  const parts: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(bytes.length, c);
    if (end > at) parts.push(bytes.subarray(at, end));
    at = Math.max(at, end);
  }
  if (at < bytes.length) parts.push(bytes.subarray(at));
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* parts;
  }
  const result: Promise<ReadResult> = Promise.resolve({ sha256: '0'.repeat(64), bytes: bytes.length, gzip: false });
  const detected: DetectedInput = {
    source: { path: PATH, isStdin: true },
    format,
    head: buildHead(bytes.subarray(0, 16 * 1024 * 1024), true),
    scores: [],
    kept: { chunks: chunks(), result },
  };
  const parsed = parseInput(detected, format, { tz: 'Asia/Kolkata', year: 2026, maxLineBytes: 4096, maxJsonDepth: 32 });
  const events = [];
  for await (const e of parsed.events) events.push(e);
  await parsed.read;
  return { events, issues: parsed.issues };
}

function checkOutcome({ events, issues }: Awaited<ReturnType<typeof parseBytes>>): void {
  for (const e of events) {
    expect(Number.isFinite(e.timeMs) && Math.abs(e.timeMs) <= 8.64e15).toBe(true);
    if (e.endMs !== undefined) expect(Number.isFinite(e.endMs) && Math.abs(e.endMs) <= 8.64e15).toBe(true);
    expect(e.ref.path).toBe(PATH);
    expect(e.ref.line !== undefined || e.ref.index !== undefined).toBe(true);
    expect(() => new Date(e.timeMs).toISOString()).not.toThrow();
  }
  for (const i of issues) {
    expect(i.path).toBe(PATH);
    expect(typeof i.message).toBe('string');
  }
}

const NASTY = ['', '\u0000', '\u001b[31m', '\ud800', '"', '\\', '{', '}', '[', ']', ',', ':', 'null', '-1', '1e400', '9'.repeat(30), 'NaN', '\r', ' ', '=', 'ÿ', '\u2028', '0000-00-00T00:00:00Z', '+275760-09-13T00:00:00Z', '1e20', 'Feb 30 25:61:61'];

/** A fixture line damaged: cut, spliced with nasty text, or with one token replaced. */
const mutatedLine = (lines: string[]) =>
  fc.tuple(fc.constantFrom(...lines), fc.nat(), fc.nat(), fc.constantFrom(...NASTY), fc.constantFrom('cut', 'insert', 'replace-token', 'keep')).map(([line, a, b, nasty, how]) => {
    const i = line.length ? a % line.length : 0;
    switch (how) {
      case 'cut': return line.slice(0, i);
      case 'insert': return line.slice(0, i) + nasty + line.slice(i);
      case 'replace-token': {
        const tokens = line.split(/(?<=[\s,:=])/);
        tokens[b % Math.max(1, tokens.length)] = nasty;
        return tokens.join('');
      }
      default: return line;
    }
  });

describe('every format parses any input without throwing (fast-check, real ingest path)', () => {
  for (const format of FORMATS) {
    const lines = fixtureLines(format.name);
    it(`${format.name}: arbitrary bytes`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat({ max: 2048 }), { maxLength: 4 }), async (bytes, cuts) => {
          checkOutcome(await parseBytes(format, Buffer.from(bytes), cuts));
        }),
        { numRuns: RUNS },
      );
    });
    it.skipIf(lines.length === 0)(`${format.name}: damaged, shuffled and duplicated fixture lines`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutatedLine(lines), { minLength: 1, maxLength: 25 }), fc.constantFrom('\n', '\r\n'), fc.array(fc.nat({ max: 8192 }), { maxLength: 3 }), async (picked, eol, cuts) => {
          checkOutcome(await parseBytes(format, Buffer.from(picked.join(eol) + eol, 'utf8'), cuts));
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('iptables withoutUptime()', () => {
  const UPTIME = /^\[\s*\d+\.\d+\]\s*/;
  it('cuts exactly what the uptime regex cuts', () => {
    const piece = fc.constantFrom('[', ']', '.', ' ', '\t', '\u00a0', '\u2003', '1', '42', '0.5', 'IN=', 'x');
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
      const payload = `[${parts.join('')}`;
      expect(withoutUptime(payload)).toBe(payload.replace(UPTIME, ''));
    }), { numRuns: 3000 });
    for (const p of ['[46000.620353] SBX DROP: IN=', '[  12.5]\tIN=', '[1.0]', '[.5] IN=', '[1.] IN=']) expect(withoutUptime(p)).toBe(p.replace(UPTIME, ''));
  });
});
