// Skew pairs with the tool calls on disk, without reading the calls back: the destinations of the
// records whose clocks are estimated are known before the calls are merged, so the merge notes the
// few calls whose command names one of them (worked out once per distinct command), and the pairs
// are looked up there. Reading every call back through a window for this (RL traces: a million and
// a half calls, each a JSON parse) cost as much as the merge itself.
import type { SkewPair } from '../timeline/skew.js';
import { mentionsLowerToken } from './command.js';
import type { CommandFact, Finding, ToolCall } from './attribute.js';
import type { Inventory } from './inventory.js';
import { onlyCallFrom, PAIR_SEARCH_MS, pairWith, TOKEN_RUNS } from './skew-pairs.js';
import { firstStartingFrom } from './violations.js';

/** What a pair needs of a call that names a destination. */
export type NamingCall = Pick<ToolCall, 'startMs' | 'endMs' | 'background' | 'session' | 'sandbox' | 'host'>;

/** Distinct commands whose answer is remembered (as many as CommandFacts remembers). */
const MAX_REMEMBERED = 50_000;

const NONE: readonly string[] = Object.freeze([]);

/**
 * The calls whose command names one of a set of destinations (lower-cased addresses and domains),
 * by destination, in start order; and the skew pairs a finding makes with them, as SkewPairFinder
 * makes them from a list of every call.
 */
export class NamingIndex {
  /** each token run of a destination → the destinations it is a run of */
  private readonly byPiece = new Map<string, string[]>();
  /** destinations without a token character (never a run of their own): tested on every command */
  private readonly bare: string[] = [];
  private readonly answers = new Map<CommandFact, readonly string[]>();
  private readonly calls = new Map<string, NamingCall[]>();

  constructor(destinations: Iterable<string>) {
    for (const d of destinations) {
      const pieces = new Set(d.match(TOKEN_RUNS) ?? []);
      if (pieces.size === 0) this.bare.push(d);
      for (const p of pieces) {
        const list = this.byPiece.get(p);
        if (list) list.push(d);
        else this.byPiece.set(p, [d]);
      }
    }
  }

  get empty(): boolean {
    return this.byPiece.size === 0 && this.bare.length === 0;
  }

  /**
   * The destinations a command names as mentionsLowerToken finds them. Each token run of a
   * destination found in a text is a whole token run of the text (the characters around it are
   * not token characters, or are the destination's own separators), so only destinations with a
   * run among the text's are tested.
   */
  named(facts: CommandFact): readonly string[] {
    let answer = this.answers.get(facts);
    if (answer === undefined) {
      answer = this.search(facts.text);
      if (this.answers.size >= MAX_REMEMBERED) this.answers.clear();
      this.answers.set(facts, answer);
    }
    return answer;
  }

  /**
   * Notes a call (its end final: linked to its session's next call) under each destination it
   * names, as what a pair reads of it only: when most calls name a destination (a command run in a
   * loop), this holds them all.
   */
  add(c: NamingCall, destinations: readonly string[]): void {
    if (destinations.length === 0) return;
    const call: NamingCall = { startMs: c.startMs, endMs: c.endMs, background: c.background, session: c.session, sandbox: c.sandbox, host: c.host };
    for (const d of destinations) {
      const list = this.calls.get(d);
      if (list) list.push(call);
      else this.calls.set(d, [call]);
    }
  }

  /** Puts each destination's calls in start order (calls added out of order: the long ones, after the others). */
  sort(): void {
    for (const list of this.calls.values()) list.sort((a, b) => a.startMs - b.startMs);
  }

  /** The skew pair of a finding (its own clock), when exactly one call names its destination (see onlyCallNaming). */
  pairOf(f: Finding, inventory: Inventory): SkewPair | undefined {
    const dst = f.event.dst;
    if (!dst?.ip && !dst?.domain) return undefined;
    const from = f.timeMs - PAIR_SEARCH_MS;
    const to = f.timeMs + PAIR_SEARCH_MS;
    const near = new Set<NamingCall>();
    for (const d of [dst.ip?.toLowerCase(), dst.domain?.toLowerCase()]) {
      const list = d === undefined ? undefined : this.calls.get(d);
      if (!list) continue;
      for (let i = firstStartingFrom(list.length, (k) => list[k]!.startMs, from); i < list.length && list[i]!.startMs <= to; i++) near.add(list[i]!);
    }
    return pairWith(f, onlyCallFrom(f, near, inventory));
  }

  private search(text: string): readonly string[] {
    let found: Set<string> | undefined;
    for (const [run] of text.matchAll(TOKEN_RUNS)) {
      for (const d of this.byPiece.get(run) ?? NONE) if (mentionsLowerToken(text, d)) (found ??= new Set()).add(d);
    }
    for (const d of this.bare) if (mentionsLowerToken(text, d)) (found ??= new Set()).add(d);
    return found ? [...found] : NONE;
  }
}
