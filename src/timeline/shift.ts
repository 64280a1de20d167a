// An input's events on the corrected clock, for the passes that read inputs again (the timeline).
import { InputError } from '../model/errors.js';
import type { ForensicEvent } from '../model/event.js';

/** An event on the corrected clock (the parsed event itself when there is nothing to add). */
export function shiftEvent(e: ForensicEvent, offsetMs: number): ForensicEvent {
  return offsetMs === 0 ? e : { ...e, timeMs: e.timeMs + offsetMs, ...(e.endMs !== undefined ? { endMs: e.endMs + offsetMs } : {}) };
}

/** An input the analysis read in order whose records come out of order now: the evidence changed since (not a misordered timeline). */
export function changedOrder(path: string, line: number | undefined): InputError {
  return new InputError('the input changed while it was read: its records are no longer in the order of the first reading', path, line);
}

/** Whether a corrected time is within --since/--until (either may be absent). */
export function withinRange(sinceMs: number | undefined, untilMs: number | undefined): (timeMs: number) => boolean {
  return (t) => (sinceMs === undefined || t >= sinceMs) && (untilMs === undefined || t <= untilMs);
}
