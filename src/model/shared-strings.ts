// One copy of each repeated short string among the records a run keeps: records copied from a worker
// or detached from their lines on the main thread carry their own copy of every string.
import type { ForensicEvent } from './event.js';

/**
 * One copy of each repeated short string in the records kept: a copy carries its own copy of every
 * string ('network', 'drop', the file path, the host, the log prefix...), a third of the memory of a
 * million marked records. Bounded: it starts over when full.
 */
export class SharedStrings {
  private seen = new Map<string, string>();

  shareAll<T extends { event: ForensicEvent }>(marks: T[]): T[] {
    for (const m of marks) this.shareEvent(m.event);
    return marks;
  }

  /** Replaces the event's short strings, in place, by the copies already seen. */
  shareEvent(e: ForensicEvent): ForensicEvent {
    const record = e as unknown as Record<string, unknown>;
    for (const key in record) {
      // Per-record text (the message, the time as written, a call's id) rarely repeats.
      if (key === 'message' || key === 'timeRaw' || key === 'callId') continue;
      const v = record[key];
      if (typeof v === 'string') record[key] = this.share(v);
    }
    e.ref.path = this.share(e.ref.path);
    if (e.src?.ip !== undefined) e.src.ip = this.share(e.src.ip);
    if (e.dst?.ip !== undefined) e.dst.ip = this.share(e.dst.ip);
    if (e.dst?.domain !== undefined) e.dst.domain = this.share(e.dst.domain);
    const fields = e.fields;
    if (fields) for (const key in fields) if (typeof fields[key] === 'string') fields[key] = this.share(fields[key] as string);
    return e;
  }

  /** Whether this text was shared already (a cheaper question than sharing it). */
  knows(s: string): boolean {
    return this.seen.has(s);
  }

  /** The copy already seen of a short text (one a record type repeats, such as a call's summary). */
  share(s: string): string {
    if (s.length > MAX_SHARED_LENGTH) return s;
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    if (this.seen.size >= MAX_SHARED_STRINGS) this.seen.clear();
    this.seen.set(s, s);
    return s;
  }
}

const MAX_SHARED_LENGTH = 200;
const MAX_SHARED_STRINGS = 100_000;
