// The tool calls as attribution sees them: clock-corrected, sorted, with each session's calls read
// together, so an open-ended call (only its response time is known) ends where the next one starts.
import { compareRefs, type ForensicEvent } from '../model/event.js';
import { CommandFacts, toToolCall, type ToolCall } from './attribute.js';
import type { Inventory } from './inventory.js';

/**
 * ToolCalls for every tool-call event, ordered by start then ref. An agent runs one session's
 * calls one after another, so a call without a recorded end has finished by the time the session's
 * next call starts (calls issued together, with the same start, are left alone).
 */
export function buildToolCalls(events: readonly ForensicEvent[], inventory: Inventory, offsetOf: (path: string) => number): ToolCall[] {
  const commands = new CommandFacts();
  const calls = events.map((e) => toToolCall(e, inventory, offsetOf(e.ref.path), commands))
    .sort((a, b) => a.startMs - b.startMs || compareRefs(a.event.ref, b.event.ref));
  const bySession = new Map<string, ToolCall[]>();
  for (const c of calls) {
    if (!c.session) continue;
    const key = `${c.event.ref.path}\0${c.session}`;
    const list = bySession.get(key);
    if (list) list.push(c);
    else bySession.set(key, [c]);
  }
  for (const list of bySession.values()) {
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      let j = i + 1;
      while (j < list.length && list[j]!.startMs === c.startMs) j++;
      const next = list[j];
      if (!next) continue;
      c.nextStartMs = next.startMs;
      if (c.openEnded && next.startMs < c.endMs) c.endMs = next.startMs;
    }
  }
  return calls;
}
