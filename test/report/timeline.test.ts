// The timeline's times are formatted a second at a time (millions of lines share few seconds): the
// text must be exactly Date's, whatever came before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ForensicEvent } from '../../src/model/event.js';
import { iso, TIMELINE_FORMATS, writeTimeline, type TimelineFormat } from '../../src/report/timeline.js';

describe('iso()', () => {
  it('is new Date(ms).toISOString() for any sequence of times, neighbours or not', () => {
    const time = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: 1772409600000, max: 1772409603000 }),
      fc.integer({ min: -3000, max: 3000 }),
      fc.integer({ min: 253402300799000, max: 253402300801000 }),
    );
    fc.assert(fc.property(fc.array(time, { maxLength: 40 }), (times) => times.every((t) => iso(t) === new Date(t).toISOString())), { numRuns: 500 });
    // every day of the years 0000–9999 (leap years, centuries, before 1970), each time alone and in pairs
    const anyDay = fc.integer({ min: -62167219200000, max: 253402300799999 });
    fc.assert(fc.property(anyDay, anyDay, (a, b) => [a, b, a, b + 1].every((t) => iso(t) === new Date(t).toISOString())), { numRuns: 20_000 });
    for (const t of [-62167219200000, -62135596800001, -1, 0, 951782400000, 951868799999, 4107542400000, 253402300799999]) expect(iso(t), String(t)).toBe(new Date(t).toISOString());
    expect(iso(1772409600007.5)).toBe(new Date(1772409600007.5).toISOString());
    expect(iso(undefined)).toBeUndefined();
    expect(() => iso(NaN)).toThrow(RangeError);
  });
});

/** Events of every kind, with absent and hostile values, for the writers. */
function events(n: number): ForensicEvent[] {
  return Array.from({ length: n }, (_, i): ForensicEvent => {
    const base = { timeMs: 1772409600000 + i * 37, timeRaw: `raw ${i}`, ref: { path: '/evidence/a.log', line: i + 1 } };
    if (i % 3 === 0) return { ...base, kind: 'tool-call', source: 'agent', format: 'agent-events', session: 's1', callId: `c${i}`, tool: 'bash', command: i % 2 ? '=cmd|calc' : 'curl "x"\ty', endMs: base.timeMs + 500 };
    if (i % 3 === 1) return { ...base, kind: 'audit', source: 'audit', format: 'aws-cloudtrail', operation: 'ListBuckets', errorCode: i % 2 ? 'AccessDenied' : undefined, actor: 'arn:aws:iam::1:user/a' };
    return { ...base, kind: 'network', source: 'firewall', format: 'iptables', action: 'drop', proto: 'tcp', src: { ip: '10.0.0.5', port: 40000 + i }, dst: { ip: '203.0.113.9', port: 22 }, message: `DROP \u001b[31m${'x'.repeat(i % 700)}`, host: 'gpu-node-07' };
  });
}

async function written(list: ForensicEvent[], format: TimelineFormat): Promise<string[]> {
  const writes: string[] = [];
  async function* stream() {
    yield* list;
  }
  await writeTimeline(stream(), format, async (text) => {
    writes.push(text);
  });
  return writes;
}

describe('writeTimeline()', () => {
  it('writes the same text, a mebibyte at a time, as writing each event alone', async () => {
    const list = events(12000);
    for (const format of TIMELINE_FORMATS) {
      const writes = await written(list, format);
      const whole = writes.join('');
      let alone = '';
      for (const e of list) {
        const one = (await written([e], format)).join('');
        // CSV: every single-event text starts with the header row.
        alone += format === 'csv' && alone !== '' ? one.slice(one.indexOf('\n') + 1) : one;
      }
      expect(whole, format).toBe(alone);
      expect(whole.split('\n').length - 1, format).toBe(list.length + (format === 'csv' ? 1 : 0));
      expect(writes.length, format).toBeGreaterThan(1);
      for (const w of writes.slice(0, -1)) expect(w.length, format).toBeGreaterThanOrEqual(1 << 20);
    }
  });

  it('writes JSON lines without the absent values', async () => {
    const [text] = await written(events(5).slice(4), 'jsonl');
    const line = JSON.parse(text!);
    expect(Object.values(line)).not.toContain(null);
    expect('error_code' in line).toBe(false);
    expect(line.operation).toBe('ListBuckets');
  });
});
