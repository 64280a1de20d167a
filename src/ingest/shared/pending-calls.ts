// Tool calls waiting for their result line, shared by the transcript formats that pair a call with a later
// result: calls leave in call order, so the events stay sorted by start even when results come out of order.
import type { ForensicEvent } from '../../model/event.js';

export interface PendingCall {
  event: ForensicEvent;
  /** its result is in (or it needs none): free to leave */
  done: boolean;
}

export class PendingCalls {
  // Map insertion order is the order of the call lines.
  private readonly calls = new Map<string, PendingCall>();

  /** `max`: open calls beyond this make the oldest leave without its result (bounded memory). */
  constructor(private readonly max = 4096) {}

  /** No call waits. */
  get empty(): boolean {
    return this.calls.size === 0;
  }

  has(key: string): boolean {
    return this.calls.has(key);
  }

  get(key: string): PendingCall | undefined {
    return this.calls.get(key);
  }

  /** Whether flush(false) would hand back anything (spares building it after most lines). */
  hasReady(): boolean {
    for (const p of this.calls.values()) return this.mayLeave(p, false);
    return false;
  }

  add(key: string, event: ForensicEvent, done = false): void {
    this.calls.set(key, { event, done });
  }

  /** The calls at the front that are done (all of them when `force`, at the end of the input), taken out. */
  flush(force: boolean): ForensicEvent[] {
    const out: ForensicEvent[] = [];
    for (const [key, p] of this.calls) {
      if (!this.mayLeave(p, force)) break;
      this.calls.delete(key);
      out.push(p.event);
    }
    return out;
  }

  /** A call at the front leaves when done, at the end of the input, or when too many are open. */
  private mayLeave(p: PendingCall, force: boolean): boolean {
    return p.done || force || this.calls.size > this.max;
  }
}
