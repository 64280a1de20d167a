// Timestamp parsing for the hot path: hand-written ISO 8601 / syslog parsers, with zone offsets
// from luxon cached per hour (luxon per record would cost microseconds; its zone rules are kept).
import { DateTime, IANAZone } from 'luxon';

export function isValidZone(zone: string): boolean {
  return zone === 'UTC' || IANAZone.isValidZone(zone);
}

const offsetCache = new Map<string, number>();
let lastZone = '';
let lastHour = NaN;
let lastOffset = 0;
const HOUR = 3_600_000;

/** The zone's UTC offset in minutes at the given UTC instant (DST-correct), cached per zone and hour. */
export function zoneOffsetMinutes(zone: string, utcMs: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const hour = Math.floor(utcMs / HOUR);
  // Consecutive records nearly always fall in the same hour: skip building the cache key for them.
  if (hour === lastHour && zone === lastZone) return lastOffset;
  const key = `${zone}|${hour}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = DateTime.fromMillis(utcMs, { zone }).offset;
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  lastZone = zone;
  lastHour = hour;
  lastOffset = offset;
  return offset;
}

/** Epoch ms of a wall-clock time in `zone`. In a DST gap or overlap the earlier offset is used. */
export function wallTimeToUtc(year: number, month: number, day: number, h: number, m: number, s: number, ms: number, zone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, h, m, s, ms);
  const first = asUtc - zoneOffsetMinutes(zone, asUtc) * 60_000;
  return asUtc - zoneOffsetMinutes(zone, first) * 60_000;
}

function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses ISO 8601 / RFC 3339 date-times: `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|±HH[:]MM]`.
 * Times without a zone are read in `zone`. Returns NaN for anything else.
 */
export function parseIsoMs(text: string, zone = 'UTC'): number {
  const t = text.trim();
  if (t.length < 16 || t[4] !== '-' || t[7] !== '-' || (t[10] !== 'T' && t[10] !== ' ' && t[10] !== 't') || t[13] !== ':') return NaN;
  const year = digits(t, 0, 4), month = digits(t, 5, 2), day = digits(t, 8, 2);
  const hour = digits(t, 11, 2), minute = digits(t, 14, 2);
  let i = 16, second = 0, ms = 0;
  if (t[i] === ':') {
    second = digits(t, i + 1, 2);
    i += 3;
    if (t[i] === '.' || t[i] === ',') {
      i++;
      let scale = 100, frac = 0, start = i;
      while (i < t.length && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) {
        if (scale >= 1) frac += (t.charCodeAt(i) - 48) * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return NaN;
      ms = Math.floor(frac);
    }
  }
  // A sum is NaN when any part is (no list to build for every time read).
  if (Number.isNaN(year + month + day + hour + minute + second)) return NaN;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return NaN;
  if (i >= t.length) return wallTimeToUtc(year, month, day, hour, minute, second, ms, zone);
  const base = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (i === t.length - 1 && (t[i] === 'Z' || t[i] === 'z')) return base;
  const m = /^([+-])(\d\d):?(\d\d)?$/.exec(t.slice(i));
  if (!m) return NaN;
  const offset = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === '-' ? -1 : 1);
  return base - offset * 60_000;
}

/** Epoch seconds with an optional fraction (`1700000000.123456`), exact to the millisecond. */
export function parseEpochSeconds(text: string): number {
  // Whole seconds (every Cloud Firewall record) skip the regex and the split.
  if (text.length > 0 && text.length <= 12 && digits(text, 0, text.length) >= 0) return Number(text) * 1000;
  if (!/^\d{1,12}(\.\d+)?$/.test(text)) return NaN;
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 1000 + Number((frac + '000').slice(0, 3));
}

/** Nanoseconds since the epoch as a decimal string (OTLP), to epoch ms, without float loss. */
export function parseEpochNanos(text: string): number {
  if (!/^\d{1,22}$/.test(text)) return NaN;
  return Number(BigInt(text) / 1_000_000n);
}

export const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

/**
 * Places year-less syslog dates (RFC 3164 `Mmm dd hh:mm:ss`) in a year.
 * Starts at the given year and moves to the next one when the month goes backwards
 * (a log that runs across New Year), the way syslog readers do.
 */
export class YearTracker {
  private lastMonth = 0;
  constructor(private year: number) {}

  yearFor(month: number): number {
    if (this.lastMonth !== 0 && month < this.lastMonth && this.lastMonth - month >= 6) this.year++;
    this.lastMonth = month;
    return this.year;
  }
}

/** `Mmm dd hh:mm:ss` at the start of `text` (dd may be space-padded), or undefined. */
export function parseSyslogDate(text: string, at = 0): { month: number; day: number; h: number; m: number; s: number; length: number } | undefined {
  const month = MONTHS[text.slice(at, at + 3)];
  if (!month || text[at + 3] !== ' ') return undefined;
  let i = at + 4;
  if (text[i] === ' ') i++;
  const dayEnd = text.indexOf(' ', i);
  if (dayEnd < 0 || dayEnd - i > 2) return undefined;
  const day = Number(text.slice(i, dayEnd));
  const h = digits(text, dayEnd + 1, 2), m = digits(text, dayEnd + 4, 2), s = digits(text, dayEnd + 7, 2);
  if (text[dayEnd + 3] !== ':' || text[dayEnd + 6] !== ':' || [day, h, m, s].some(Number.isNaN)) return undefined;
  if (day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  return { month, day, h, m, s, length: dayEnd + 9 - at };
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
