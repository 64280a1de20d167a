// One record a line: formats whose line parser says event, problem or "not a record" share how
// those outcomes become events and skips, and how a probe scores the share of good head lines.
import type { ForensicEvent } from '../../model/event.js';
import type { LineRecord, ParseContext } from '../format.js';
import { parseJsonLine, type JsonObject } from './json.js';

/** A line's outcome: its event, why it cannot be used, or undefined for a line that is no record (another program's). */
export type LineOutcome = { event: ForensicEvent } | { problem: string } | undefined;

/** The events of the non-blank lines, in order; a problem skips its line. */
export async function* lineEvents(lines: AsyncIterable<LineRecord>, ctx: ParseContext, read: (rec: LineRecord) => LineOutcome): AsyncGenerator<ForensicEvent> {
  for await (const rec of lines) {
    if (rec.text.trim() === '') continue;
    const r = read(rec);
    if (r === undefined) continue;
    if ('problem' in r) ctx.skip({ line: rec.line }, r.problem);
    else yield r.event;
  }
}

/** lineEvents for JSON lines: a line that is not a JSON object is skipped before `toEvent` sees it. */
export function jsonLineEvents(lines: AsyncIterable<LineRecord>, ctx: ParseContext, toEvent: (o: JsonObject, path: string, line: number) => LineOutcome): AsyncGenerator<ForensicEvent> {
  return lineEvents(lines, ctx, (rec) => {
    const o = parseJsonLine(rec, ctx);
    return o ? toEvent(o, ctx.path, rec.line) : undefined;
  });
}
