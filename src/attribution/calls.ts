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
  return linkSessions(events.map(toolCallMaker(inventory, offsetOf)));
}

/**
 * buildToolCalls for a caller that gives up its list: each event leaves the list as its ToolCall is
 * made, so that a collection during the build can free the records already read (with half a
 * million calls, the records and the calls together were the run's peak).
 */
export function buildToolCallsFrom(events: (ForensicEvent | undefined)[], inventory: Inventory, offsetOf: (path: string) => number): ToolCall[] {
  const make = toolCallMaker(inventory, offsetOf);
  const calls: ToolCall[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    calls[i] = make(events[i]!);
    events[i] = undefined;
  }
  events.length = 0;
  return linkSessions(calls);
}

/** Makes the ToolCall of each event, the commands' facts shared among them. */
function toolCallMaker(inventory: Inventory, offsetOf: (path: string) => number): (e: ForensicEvent) => ToolCall {
  const commands = new CommandFacts();
  return (e) => toToolCall(e, inventory, offsetOf(e.ref.path), commands);
}

/** The calls in order, each call of a session with its session's next start (and an open end there). */
function linkSessions(unsorted: ToolCall[]): ToolCall[] {
  const calls = unsorted.sort((a, b) => a.startMs - b.startMs || compareRefs(a.ref, b.ref));
  for (const list of sessionsOf(calls)) {
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      let j = i + 1;
      while (j < list.length && list[j]!.startMs === c.startMs) j++;
      const next = list[j];
      if (next) linkToNext(c, next.startMs);
    }
  }
  return calls;
}

/** A call's session started its next call at `nextStartMs`: a call whose end is unknown has ended by then. */
export function linkToNext(c: { nextStartMs?: number; openEnded: boolean; endMs: number }, nextStartMs: number): void {
  c.nextStartMs = nextStartMs;
  if (c.openEnded && nextStartMs < c.endMs) c.endMs = nextStartMs;
}

/**
 * Each session's calls (of one input), in the order given. Grouped by session, then split by input
 * in the rare case that two inputs name the same session: a key joining path and session was a new
 * string to hash for each of hundreds of thousands of calls, and a map by path costs as much.
 */
function sessionsOf(calls: readonly ToolCall[]): ToolCall[][] {
  const bySession = new Map<string, ToolCall[]>();
  for (const c of calls) {
    if (!c.session) continue;
    const list = bySession.get(c.session);
    if (list) list.push(c);
    else bySession.set(c.session, [c]);
  }
  const lists: ToolCall[][] = [];
  for (const list of bySession.values()) {
    const path = list[0]!.ref.path;
    if (list.every((c) => c.ref.path === path)) lists.push(list);
    else lists.push(...byPath(list));
  }
  return lists;
}

function byPath(calls: readonly ToolCall[]): ToolCall[][] {
  const groups = new Map<string, ToolCall[]>();
  for (const c of calls) {
    const list = groups.get(c.ref.path);
    if (list) list.push(c);
    else groups.set(c.ref.path, [c]);
  }
  return [...groups.values()];
}
