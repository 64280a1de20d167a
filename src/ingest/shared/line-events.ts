// One record a line: formats whose line parser says event, problem or "not a record" share how
// those outcomes become events and skips, and how a probe scores the share of good head lines.
import type { ForensicEvent } from '../../model/event.js';
import type { LineOutcome, LineReader, LineRecord, ParseContext } from '../format.js';
import { parseJsonLine, type JsonObject } from './json.js';
import { KeySet, projectJsonObject } from './json-project.js';

export type { LineOutcome } from '../format.js';

/** The events of the non-blank lines, in order; a problem skips its line. */
export async function* lineEvents(lines: AsyncIterable<LineRecord>, ctx: ParseContext, read: LineReader): AsyncGenerator<ForensicEvent> {
  for await (const rec of lines) {
    if (rec.text.trim() === '') continue;
    const r = read(rec);
    if (r === undefined) continue;
    if ('problem' in r) ctx.skip({ line: rec.line }, r.problem);
    else yield r.event;
  }
}

/**
 * The line reader of a JSON lines format: a line that is not a JSON object is skipped before `toEvent`
 * sees it. `lean` is passed on (see LineReader). `leanKeys`: the record keys `toEvent` reads for a
 * lean event besides the `fields` keys kept; given them, a lean reading parses only those keys
 * (projectJsonObject), and a line that is not plain JSON is parsed in full, which reports it.
 */
export function jsonLineReader(ctx: ParseContext, toEvent: (o: JsonObject, path: string, line: number, lean?: ReadonlySet<string>) => LineOutcome, leanKeys?: readonly string[]): LineReader {
  let keptFor: ReadonlySet<string> | undefined;
  let asked: KeySet | undefined;
  return (rec, lean) => {
    let o: JsonObject | undefined;
    if (lean && leanKeys) {
      // One lean set per reading: the keys asked for are worked out once.
      if (lean !== keptFor) [keptFor, asked] = [lean, new KeySet([...leanKeys, ...lean])];
      o = projectJsonObject(rec.text, asked!);
    }
    o ??= parseJsonLine(rec, ctx);
    return o ? toEvent(o, ctx.path, rec.line, lean) : undefined;
  };
}

/** lineEvents for JSON lines (see jsonLineReader). */
export function jsonLineEvents(lines: AsyncIterable<LineRecord>, ctx: ParseContext, toEvent: (o: JsonObject, path: string, line: number) => LineOutcome): AsyncGenerator<ForensicEvent> {
  return lineEvents(lines, ctx, jsonLineReader(ctx, toEvent));
}
