// An input's events on the corrected clock, for the passes that read inputs again (the timeline).
import { InputError } from '../model/errors.js';
import { compareEvents, type ForensicEvent } from '../model/event.js';

/** An event on the corrected clock (the parsed event itself when there is nothing to add). */
export function shiftEvent(e: ForensicEvent, offsetMs: number): ForensicEvent {
  return offsetMs === 0 ? e : { ...e, timeMs: e.timeMs + offsetMs, ...(e.endMs !== undefined ? { endMs: e.endMs + offsetMs } : {}) };
}

/** The events on the corrected clock, those within the range only. */
export async function* shifted(events: AsyncIterable<ForensicEvent>, offsetMs: number, inRange: (t: number) => boolean): AsyncGenerator<ForensicEvent> {
  for await (const e of events) {
    const moved = shiftEvent(e, offsetMs);
    if (inRange(moved.timeMs)) yield moved;
  }
}

/** An input the analysis read in order, checked on the way: evidence that changed since then is an error, not a misordered timeline. */
export async function* stillInOrder(events: AsyncIterable<ForensicEvent>, path: string): AsyncGenerator<ForensicEvent> {
  const check = orderCheck(path);
  for await (const e of events) {
    check(e);
    yield e;
  }
}

/** stillInOrder's test, an event at a time: throws when an event comes before the one handed before it. */
export function orderCheck(path: string): (e: ForensicEvent) => void {
  let last: ForensicEvent | undefined;
  return (e) => {
    if (last && compareEvents(last, e) > 0) throw new InputError('the input changed while it was read: its records are no longer in the order of the first reading', path, e.ref.line);
    last = e;
  };
}

/** Whether a corrected time is within --since/--until (either may be absent). */
export function withinRange(sinceMs: number | undefined, untilMs: number | undefined): (timeMs: number) => boolean {
  return (t) => (sinceMs === undefined || t >= sinceMs) && (untilMs === undefined || t <= untilMs);
}
