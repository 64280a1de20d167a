// The same record in two inputs (overlapping exports, a transcript copied twice) is one record:
// reported once, at its first place in (time, path, line) order, with the copies counted per input.
import { compareRefs, type ForensicEvent } from '../model/event.js';

/**
 * What makes two records the same: everything the parser read, except where it stands. The
 * properties are listed (an absent one as null) rather than copied into a new object by a rest
 * spread for JSON.stringify: building keys was a sixth of a worker's time on RL traces, whose every
 * call is keyed. The list is checked against ForensicEvent by the compiler (KEYED).
 */
export function recordKey(event: ForensicEvent, timeMs: number): string {
  const e = event;
  return JSON.stringify([timeMs, e.endMs === undefined ? null : e.endMs - e.timeMs, e.kind, e.source, e.format, e.timeRaw, e.host, e.sandbox, e.container,
    e.session, e.src, e.dst, e.proto, e.action, e.actor, e.operation, e.errorCode, e.callId, e.tool, e.command, e.exitCode, e.timePrecision, e.message, e.fields]);
}

/**
 * Every property of an event and whether recordKey reads it: adding one to ForensicEvent fails to
 * compile until it is decided here (and added to the key when true).
 */
export const KEYED: Record<keyof ForensicEvent, boolean> = {
  kind: true, source: true, format: true, timeMs: true, endMs: true, timeRaw: true, ref: false, host: true, sandbox: true, container: true,
  session: true, src: true, dst: true, proto: true, action: true, actor: true, operation: true, errorCode: true, callId: true, tool: true,
  command: true, exitCode: true, timePrecision: true, message: true, fields: true,
};

export interface Deduplicated<T> {
  kept: T[];
  /** path of a copy → how many of its records were copies, and of which input */
  copies: Map<string, { count: number; of: string }>;
}

/** Keeps the first of each set of identical records; `items` need not be sorted. */
export function dedupeRecords<T>(items: T[], view: (item: T) => { event: ForensicEvent; timeMs: number }): Deduplicated<T> {
  // Records of one input are never copies of each other: a million findings of one log need no sort.
  const first = items.length > 0 ? view(items[0]!).event.ref.path : undefined;
  if (items.every((item) => view(item).event.ref.path === first)) return { kept: items, copies: new Map() };
  const copies = new CopyFinder();
  const dropped = new Set<number>();
  // Only records of one instant can be copies: the instants several records share are read in time
  // order, each in (path, line) order, instead of sorting every record (half a million tool calls).
  for (const at of sharedInstants(items, view)) {
    const run = at.map((i) => ({ i, v: view(items[i]!) })).sort((a, b) => compareRefs(a.v.event.ref, b.v.event.ref));
    copies.keep(run.map((o) => o.v)).forEach((kept, j) => kept || dropped.add(run[j]!.i));
  }
  return { kept: items.filter((_, i) => !dropped.has(i)), copies: copies.copies };
}

/** The positions of the records of each instant that more than one record has, instants rising. */
function sharedInstants<T>(items: T[], view: (item: T) => { timeMs: number }): number[][] {
  const times = new Float64Array(items.length);
  items.forEach((item, i) => {
    times[i] = view(item).timeMs;
  });
  // Positions by time, ties in the order given. Inputs list their records mostly in time order, one
  // after another: the sort merges those runs (a map of instants hashed each of the times instead).
  const order = Array.from(times.keys()).sort((a, b) => times[a]! - times[b]!);
  const shared: number[][] = [];
  for (let s = 0; s < order.length;) {
    let e = s + 1;
    while (e < order.length && times[order[e]!] === times[order[s]!]) e++;
    if (e - s > 1) shared.push(order.slice(s, e));
    s = e;
  }
  return shared;
}

/**
 * Finds copies among records that come in (time, path, line) order, one instant at a time: only
 * records at the same instant in different inputs can be copies, so the rest are kept without
 * building their keys (a JSON text per record was most of the cost for tens of thousands of calls).
 */
export class CopyFinder {
  /** path of a copy → how many of its records were copies, and of which input */
  readonly copies = new Map<string, { count: number; of: string }>();

  /** Which records of one instant (in path, line order) to keep: all but copies of an earlier one from another input. */
  keep(run: readonly { event: ForensicEvent; timeMs: number }[]): boolean[] {
    const path = run[0]?.event.ref.path;
    if (run.every((v) => v.event.ref.path === path)) return run.map(() => true);
    const suspects = inSeveralInputs(run);
    // A record whose outline no other input shares at this instant has no copy to be, or to have.
    return this.keepByKey(run.map((v) => v.event.ref.path), (i) => (suspects[i] ? recordKey(run[i]!.event, run[i]!.timeMs) : undefined));
  }

  /**
   * keep() for items of one instant (in path, line order) whose keys are known otherwise (the tool
   * calls on disk carry their record key's digest): `keyOf` undefined keeps the item unexamined.
   */
  keepByKey(paths: readonly string[], keyOf: (i: number) => string | undefined): boolean[] {
    const firstSeen = new Map<string, string>();
    return paths.map((path, i) => {
      const key = keyOf(i);
      if (key === undefined) return true;
      const original = firstSeen.get(key);
      if (original === undefined) {
        firstSeen.set(key, path);
        return true;
      }
      // A record repeated inside one input is two records (e.g. a retransmission logged twice).
      if (original === path) return true;
      const c = this.copies.get(path) ?? { count: 0, of: original };
      c.count++;
      this.copies.set(path, c);
      return false;
    });
  }
}

/**
 * A few fields of a record, all part of its recordKey: records that differ here are not copies.
 * Many transcripts of parallel episodes stamp their calls at the same instants; their sessions
 * differ, so their full keys (a JSON text each) need not be built.
 */
function outline(e: ForensicEvent): string {
  return `${e.kind}\0${e.format}\0${e.session ?? ''}\0${e.callId ?? ''}\0${e.src?.ip ?? ''}\0${e.src?.port ?? ''}\0${e.dst?.ip ?? ''}\0${e.dst?.port ?? ''}\0${e.action ?? ''}\0${e.message?.length ?? -1}`;
}

/** For each record of the run, whether records of another input share its outline. */
function inSeveralInputs(run: readonly { event: ForensicEvent }[]): boolean[] {
  const outlines = run.map((v) => outline(v.event));
  const pathOf = new Map<string, string | null>();
  outlines.forEach((o, i) => {
    const p = run[i]!.event.ref.path;
    const seen = pathOf.get(o);
    if (seen === undefined) pathOf.set(o, p);
    else if (seen !== p) pathOf.set(o, null);
  });
  return outlines.map((o) => pathOf.get(o) === null);
}
