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
