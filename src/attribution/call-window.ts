// Tool calls on disk (call-spill.ts), read back through a window that moves forward in time: a pass
// that asks about instants in rising order holds the calls that can reach the instant it is at, not
// all of them. A call reaches a violation only within its own length plus the rules' windows, so the
// window is as wide as the longest ordinary call plus the longest look-back; the rare calls longer
// than that stay in memory and join every window they can reach.
import { compareRefs, refFor, type Ref, type TimePrecision } from '../model/event.js';
import { jsonStringEnd } from '../model/json-text.js';
import type { SharedStrings } from '../model/shared-strings.js';
import { LineReader } from '../timeline/json-lines-file.js';
import type { CommandFact, CommandFacts, ToolCall, Windows } from './attribute.js';
import { CallIndex, type ContentTest } from './violations.js';
import type { Interval, IntervalUnion } from './stats.js';

/** Calls longer than this (or of no length) stay in memory: the window need not reach back to their start. */
export const LONG_CALL_MS = 3_600_000;

export function isLongCall(c: { startMs: number; endMs: number }): boolean {
  return !(c.endMs - c.startMs <= LONG_CALL_MS);
}

/**
 * What a call's line holds after its times: the rest of the call (its command's facts are worked
 * out again). Its input is a number (CallReading.paths): paths were 40 % of the bytes.
 */
type CallTuple = [input: number, line: number | null, index: number | null, openEnded: boolean, session: string, callId: string | null, tool: string | null, command: string | null, container: string | null, precision: TimePrecision, host: string | null, sandbox: string | null, hostInInventory: boolean];

/**
 * A call but its times, as JSON: a call's line in the file is `start<TAB>end<TAB>next start<TAB>` and this. `input`: its path's number.
 * Its place, whether its end is open and its session come first: the merge of the runs reads them (and the command) without parsing the rest.
 */
export function serializeCall(c: ToolCall, input: number): string {
  const tuple: CallTuple = [input, c.ref.line ?? null, c.ref.index ?? null, c.openEnded, c.session, c.callId ?? null, c.tool ?? null, c.command ?? null, c.container ?? null, c.precision, c.host ?? null, c.sandbox ?? null, c.hostInInventory];
  return JSON.stringify(tuple);
}

/** What the merge reads of a call serializeCall wrote (from `from`, where its `[` is), without parsing it. */
export interface CallHead {
  input: number;
  line: number | undefined;
  index: number | undefined;
  openEnded: boolean;
  /** the session as JSON text (`""` for none) */
  session: string;
}

/** The head of the call serializeCall wrote at `from` in `text` (see CallHead). */
export function callHeadAt(text: string, from: number): CallHead {
  const c1 = text.indexOf(',', from + 1);
  const c2 = text.indexOf(',', c1 + 1);
  const c3 = text.indexOf(',', c2 + 1);
  const c4 = text.indexOf(',', c3 + 1);
  return {
    input: numberIn(text, from + 1, c1),
    line: text.charCodeAt(c1 + 1) === NULL_START ? undefined : numberIn(text, c1 + 1, c2),
    index: text.charCodeAt(c2 + 1) === NULL_START ? undefined : numberIn(text, c2 + 1, c3),
    openEnded: text.charCodeAt(c3 + 1) === TRUE_START,
    session: text.slice(c4 + 1, jsonStringEnd(text, c4 + 1)),
  };
}

const NULL_START = 110; // n
const TRUE_START = 116; // t

/**
 * The command of a call serializeCall wrote (null for none), read without parsing the rest: the
 * merge of the runs asks it of every call (see NamingIndex). Its place: after the input, line and
 * index (numbers or null), whether its end is open, and the session, call id and tool (strings or null).
 */
export function commandOfCall(text: string): string | null {
  let at = 1;
  for (let k = 0; k < 4; k++) at = text.indexOf(',', at) + 1;
  for (let k = 0; k < 3; k++) at = (text.charCodeAt(at) === QUOTE ? jsonStringEnd(text, at) : text.indexOf(',', at)) + 1;
  if (text.charCodeAt(at) !== QUOTE) return null;
  const end = jsonStringEnd(text, at);
  const body = text.slice(at + 1, end - 1);
  return body.includes('\\') ? (JSON.parse(text.slice(at, end)) as string) : body;
}

const QUOTE = 34;

/** The number written in text[from, to): plain digits read in place, anything else (a sign, a fraction, an exponent) by Number. */
export function numberIn(text: string, from: number, to: number): number {
  if (to - from > 15 || to === from) return Number(text.slice(from, to));
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number(text.slice(from, to));
    n = n * 10 + d;
  }
  return n;
}

/** What reading calls back shares: the inputs' paths by number, command facts, one copy of repeated strings. */
export interface CallReading {
  paths: readonly string[];
  commands: CommandFacts;
  strings: SharedStrings;
}

/** The call serializeCall wrote, with its times (made with the same shape toToolCall gives). */
export function parseCall(text: string, startMs: number, endMs: number, nextStartMs: number | undefined, reading: CallReading): ToolCall {
  const [input, line, index, openEnded, session, callId, tool, command, container, precision, host, sandbox, hostInInventory] = JSON.parse(text) as CallTuple;
  const ref = refFor(reading.paths[input]!, line, index);
  const facts = reading.commands.of(command ?? '');
  const { strings } = reading;
  // A window holds hundreds of thousands of calls: their sessions, hosts and commands repeat.
  return {
    ref, callId: callId ?? undefined, tool: tool === null ? undefined : strings.share(tool), command: command === null ? undefined : strings.share(command),
    container: container === null ? undefined : strings.share(container),
    startMs, endMs, openEnded, precision,
    text: facts.text,
    session: strings.share(session),
    host: host === null ? undefined : strings.share(host),
    sandbox: sandbox === null ? undefined : strings.share(sandbox),
    background: facts.background,
    hostInInventory,
    nextStartMs,
    facts,
  };
}

/** The tool calls of a run past the budget: the ordinary ones in a file in (start, position) order, the long ones in memory. */
export class CallFile {
  /** `reading`: the paths by number the file's calls were written with (and what parsing shares) */
  private readonly CallLine: ReturnType<typeof callLine>;

  /** `activity`: the union of the spans of the calls in the file and of the long ones */
  constructor(readonly path: string, private readonly fileCount: number, readonly long: readonly ToolCall[], private readonly reading: CallReading, private readonly activity: IntervalUnion) {
    this.CallLine = callLine(reading);
  }

  get count(): number {
    return this.fileCount + this.long.length;
  }

  /** A window of the calls for instants asked in rising order (see CallWindow). */
  window(backMs: number, aheadMs: number): CallWindow {
    return new CallWindow(this, backMs, aheadMs);
  }

  /** The union of the calls' spans (with the long ones), in start order: what the activity statistics read. */
  spans(): Iterable<Interval> {
    return this.activity.pieces();
  }

  /** The lines of the file, in order. */
  lines(): LineReader {
    return new LineReader(this.path);
  }

  /** The call of a line of the file, parsed past its times and command when first read (see callLine). */
  callOf(line: string): ToolCall {
    const tab = line.indexOf('\t');
    const tab2 = line.indexOf('\t', tab + 1);
    const rest = line.indexOf('\t', tab2 + 1) + 1;
    return new this.CallLine(line, Number(line.slice(0, tab)), Number(line.slice(tab + 1, tab2)), this.reading.commands.of(commandOfCall(line.slice(rest)) ?? ''));
  }
}

/**
 * The class of the calls of a calls file as a window holds them: a call's times and command's facts
 * (all a window's index and the content tests read of most calls) at once, the rest parsed from
 * its line when first read (by the scoring of a candidate). A window holds every call of the last
 * hours and the violations score a few of them: parsing each was most of the time of the
 * violations of RL traces. Made per file, so that a call need not hold what parsing shares
 * (`reading`): its fields are those of a parsed call, or fewer.
 */
function callLine(reading: CallReading) {
  return class CallLine implements ToolCall {
    /** the call parsed, once read past its times and command (its line is then let go) */
    private whole: ToolCall | undefined;

    constructor(private line: string, readonly startMs: number, readonly endMs: number, readonly facts: CommandFact) {}

    get text(): string { return this.facts.text; }
    get background(): boolean { return this.facts.background; }
    get nextStartMs(): number | undefined { return this.parsed.nextStartMs; }
    get ref(): Ref { return this.parsed.ref; }
    get callId(): string | undefined { return this.parsed.callId; }
    get tool(): string | undefined { return this.parsed.tool; }
    get command(): string | undefined { return this.parsed.command; }
    get container(): string | undefined { return this.parsed.container; }
    get openEnded(): boolean { return this.parsed.openEnded; }
    get precision(): TimePrecision { return this.parsed.precision; }
    get session(): string { return this.parsed.session; }
    get host(): string | undefined { return this.parsed.host; }
    get sandbox(): string | undefined { return this.parsed.sandbox; }
    get hostInInventory(): boolean { return this.parsed.hostInInventory; }

    private get parsed(): ToolCall {
      if (!this.whole) {
        const line = this.line;
        const tab2 = line.indexOf('\t', line.indexOf('\t') + 1);
        const tab3 = line.indexOf('\t', tab2 + 1);
        const next = line.slice(tab2 + 1, tab3);
        this.whole = parseCall(line.slice(tab3 + 1), this.startMs, this.endMs, next ? Number(next) : undefined, reading);
        this.line = '';
      }
      return this.whole;
    }
  };
}

function startOf(line: string): number {
  return Number(line.slice(0, line.indexOf('\t')));
}

/**
 * The calls that can matter at an instant, for instants asked in rising order: every call that
 * started from `backMs` before it to `aheadMs` after it, and the long calls that have not ended
 * `backMs` before it, in (start, position) order. The list is made anew once per stretch of
 * `backMs / 4` (the same list comes back within it, so a caller may index it once per list).
 */
export class CallWindow {
  private list: ToolCall[] = [];
  /** calls read from the file, from the window's start on */
  private read: ToolCall[] = [];
  private readonly reader: LineReader;
  private pending: string | undefined;
  private until = -Infinity;
  private last = -Infinity;
  private readonly stretchMs: number;

  constructor(private readonly file: CallFile, private readonly backMs: number, private readonly aheadMs: number) {
    this.reader = file.lines();
    this.pending = this.reader.next();
    this.stretchMs = Math.max(60_000, backMs / 4);
  }

  at(t: number): ToolCall[] {
    if (t < this.last) throw new Error(`tool calls asked out of time order (${t} after ${this.last})`);
    this.last = t;
    if (t <= this.until) return this.list;
    const from = t - this.backMs;
    this.until = t + this.stretchMs;
    const to = this.until + this.aheadMs;
    let k = 0;
    while (k < this.read.length && this.read[k]!.startMs < from) k++;
    const read = this.read.slice(k);
    for (; this.pending !== undefined; this.pending = this.reader.next()) {
      const start = startOf(this.pending);
      if (start > to) break;
      if (start >= from) read.push(this.file.callOf(this.pending));
    }
    this.read = read;
    const long = this.file.long.filter((c) => c.startMs <= to && !(c.endMs < from));
    this.list = long.length ? mergeByStart(long, read) : read;
    return this.list;
  }

  close(): void {
    this.reader.close();
  }
}

/** Two lists in (start, position) order as one. */
function mergeByStart(a: readonly ToolCall[], b: readonly ToolCall[]): ToolCall[] {
  const out: ToolCall[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i]!.startMs - b[j]!.startMs || compareRefs(a[i]!.ref, b[j]!.ref)) < 0)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** CallIndex.near() over a window: the index is made again when the window moves on. */
export class WindowedCallIndex {
  private list: ToolCall[] | undefined;
  private index: CallIndex | undefined;

  constructor(private readonly window: CallWindow) {}

  near(t: number, w: Windows, content?: ContentTest): ToolCall[] {
    const list = this.window.at(t);
    if (list !== this.list) {
      this.list = list;
      this.index = new CallIndex(list);
    }
    return this.index!.near(t, w, content);
  }
}
