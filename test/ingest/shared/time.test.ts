import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEpochNanos, parseEpochSeconds, parseIsoMs, parseSyslogDate, wallTimeToUtc, YearTracker } from '../../../src/ingest/shared/time.js';

describe('parseIsoMs()', () => {
  it('reads Z, colon and colon-less offsets and fractions to the millisecond', () => {
    expect(parseIsoMs('2026-03-02T10:15:03.120Z')).toBe(Date.UTC(2026, 2, 2, 10, 15, 3, 120));
    expect(parseIsoMs('2026-03-02T12:15:03+02:00')).toBe(Date.UTC(2026, 2, 2, 10, 15, 3));
    expect(parseIsoMs('2018-07-05T15:51:36.000123-0400')).toBe(Date.UTC(2018, 6, 5, 19, 51, 36, 0));
    expect(parseIsoMs('2026-03-02 10:15:03.999999')).toBe(Date.UTC(2026, 2, 2, 10, 15, 3, 999));
  });

  it('reads zone-less times in the given IANA zone, DST included', () => {
    expect(parseIsoMs('2026-07-01T12:00:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 1, 10));
    expect(parseIsoMs('2026-01-01T12:00:00', 'Europe/Berlin')).toBe(Date.UTC(2026, 0, 1, 11));
    expect(parseIsoMs('2026-01-01T12:00:00', 'Asia/Shanghai')).toBe(Date.UTC(2026, 0, 1, 4));
  });

  it('returns NaN for text that is not a timestamp', () => {
    for (const bad of ['', 'yesterday', '2026-13-01T00:00:00Z', '2026-03-02T10:15:03+2', '2026-03-02']) expect(parseIsoMs(bad)).toBeNaN();
    // a part that is not digits, a zone followed by more text, a seconds field cut short
    for (const bad of ['2x26-03-02T10:15:03Z', '2026-0x-02T10:15:03Z', '2026-03-0xT10:15:03Z', '2026-03-02T1x:15:03Z', '2026-03-02T10:1x:03Z', '2026-03-02T10:15:0xZ',
      '2026-03-02T10:15:03Zx', '2026-03-02T10:15:03ZZ', '2026-03-02T10:15:03Z+01:00', '2026-03-02T10:15:', '2026-03-02T10:15:0']) expect(parseIsoMs(bad), bad).toBeNaN();
  });

  it('reads zoned times as Date.parse does, whatever surrounds them (property)', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const zone = fc.oneof(fc.constantFrom('Z', 'z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 59 })).map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`));
    const time = fc.record({
      y: fc.integer({ min: 1970, max: 2100 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }), h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }), ms: fc.option(fc.integer({ min: 0, max: 999 })), zone, space: fc.constantFrom('', ' ', '\t'),
    });
    fc.assert(fc.property(time, (t) => {
      const iso = `${pad(t.y, 4)}-${pad(t.mo)}-${pad(t.d)}T${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}${t.ms === null ? '' : `.${pad(t.ms, 3)}`}${t.zone}`;
      expect(parseIsoMs(`${t.space}${iso}${t.space}`)).toBe(Date.parse(iso.toUpperCase()));
    }), { numRuns: 2000 });
  });
});

describe('epoch parsers', () => {
  it('parseEpochSeconds() keeps milliseconds exactly', () => {
    expect(parseEpochSeconds('1331901000.123456')).toBe(1331901000123);
    expect(parseEpochSeconds('1331901000')).toBe(1331901000000);
    expect(parseEpochSeconds('-1')).toBeNaN();
  });
  it('parseEpochNanos() reads OTLP decimal strings without float loss', () => {
    expect(parseEpochNanos('1544712660300000000')).toBe(1544712660300);
    expect(parseEpochNanos('abc')).toBeNaN();
  });
});

describe('syslog dates', () => {
  it('parseSyslogDate() reads space-padded days', () => {
    expect(parseSyslogDate('Mar  2 10:15:03 host kernel:')).toEqual({ month: 3, day: 2, h: 10, m: 15, s: 3, length: 15 });
    expect(parseSyslogDate('Foo  2 10:15:03')).toBeUndefined();
  });
  it('YearTracker moves to the next year when a log crosses New Year', () => {
    const t = new YearTracker(2025);
    expect([t.yearFor(12), t.yearFor(12), t.yearFor(1), t.yearFor(2)]).toEqual([2025, 2025, 2026, 2026]);
  });
  it('wallTimeToUtc() resolves local times with the zone offset of that instant', () => {
    expect(wallTimeToUtc(2026, 3, 29, 3, 30, 0, 0, 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 30));
  });
});
