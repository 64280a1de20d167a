// Pairs for clock-skew estimation: records a single call's command ties by content (it names the
// destination), within half an hour, and not from a place that call cannot be.
import type { SkewPair } from '../timeline/skew.js';
import { mentionsLowerToken } from './command.js';
import { originOf, type Finding, type ToolCall } from './attribute.js';
import type { Inventory } from './inventory.js';
import { firstStartingFrom } from './violations.js';

export const PAIR_SEARCH_MS = 30 * 60_000;

/**
 * Records tied to exactly one call by content (the command names the destination), within 30 min,
 * and not from a place the call cannot be (another known host, sandbox or session).
 */
export function skewPairs(findings: Finding[], calls: ToolCall[], inventory: Inventory, tokensAfter = TOKENS_AFTER): SkewPair[] {
  const finder = new SkewPairFinder(calls, inventory, tokensAfter);
  for (const f of findings) finder.add(f);
  return finder.pairs;
}

/** skewPairs() one finding at a time (an input's findings are read back in batches). */
export class SkewPairFinder {
  readonly pairs: SkewPair[] = [];
  private readonly naming: CallsNaming;

  /** `tokensAfter`: see CallsNaming (tests set it low) */
  constructor(private readonly calls: ToolCall[], private readonly inventory: Inventory, tokensAfter = TOKENS_AFTER) {
    this.naming = new CallsNaming(calls, tokensAfter);
  }

  add(f: Finding): void {
    const dst = f.event.dst;
    if (!dst?.ip && !dst?.domain) return;
    const pair = pairWith(f, onlyCallNaming(f, dst.ip?.toLowerCase(), dst.domain?.toLowerCase(), this.calls, this.naming, this.inventory));
    if (pair) this.pairs.push(pair);
  }
}

/** A destination seen this often gets its list of the calls that name it (one pass over all calls). */
const LIST_AFTER = 32;

/** After this many searches of the calls around a record, dotted destinations are looked up in an index of the calls' dotted tokens. */
const TOKENS_AFTER = 256;

const NO_POSITIONS: number[] = [];

/**
 * The calls whose command names a destination, listed once per destination that comes back often:
 * a flood of records to one address would otherwise test every call around every record. Once
 * records to rare destinations have been searched for often (thousands of refused addresses, each
 * seen once), addresses and domains are looked up in an index of the dotted tokens of every command.
 */
class CallsNaming {
  private seen = new Map<string, number>();
  private lists = new Map<string, number[]>();
  private searches = 0;
  private dotted?: Map<string, number[]>;
  constructor(private readonly calls: ToolCall[], private readonly tokensAfter: number) {}

  /** Positions (in start order) of the calls naming `needle`, or undefined while it is still rare. */
  of(needle: string): number[] | undefined {
    const known = this.lists.get(needle);
    if (known) return known;
    if (this.searches >= this.tokensAfter && DOTTED_TOKEN.test(needle)) return (this.dotted ??= dottedTokens(this.calls)).get(needle) ?? NO_POSITIONS;
    const n = (this.seen.get(needle) ?? 0) + 1;
    this.seen.set(needle, n);
    if (n < LIST_AFTER) {
      this.searches++;
      return undefined;
    }
    const list: number[] = [];
    for (let i = 0; i < this.calls.length; i++) if (mentionsLowerToken(this.calls[i]!.text, needle)) list.push(i);
    this.lists.set(needle, list);
    return list;
  }
}

/**
 * A needle of token characters only, with a dot: mentionsLowerToken finds it exactly where it is a
 * whole run of token characters, so an index of the runs answers for it.
 */
const DOTTED_TOKEN = /^[A-Za-z0-9_-]*\.[A-Za-z0-9.\-_]*$/;
export const TOKEN_RUNS = /[A-Za-z0-9.\-_]+/g;

/** For each run of token characters with a dot in a command, the positions of the calls whose command has it. */
function dottedTokens(calls: readonly ToolCall[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  calls.forEach((c, i) => {
    for (const [run] of c.text.matchAll(TOKEN_RUNS)) {
      if (!run.includes('.')) continue;
      const at = index.get(run);
      if (!at) index.set(run, [i]);
      else if (at[at.length - 1] !== i) at.push(i);
    }
  });
  return index;
}

/**
 * The one call within PAIR_SEARCH_MS that names the destination, from a place the record may come
 * from; undefined when none or several do.
 */
function onlyCallNaming(f: Finding, ip: string | undefined, domain: string | undefined, calls: ToolCall[], naming: CallsNaming, inventory: Inventory): ToolCall | undefined {
  const from = f.timeMs - PAIR_SEARCH_MS;
  const to = f.timeMs + PAIR_SEARCH_MS;
  const byIp = ip ? naming.of(ip) : [];
  const byDomain = domain ? naming.of(domain) : [];
  let candidates: Iterable<ToolCall>;
  if (byIp && byDomain) candidates = new Set([...within(byIp, calls, from, to), ...within(byDomain, calls, from, to)]);
  else {
    // Still rare: test the calls around the record one by one.
    const near: ToolCall[] = [];
    for (let i = firstStartingFrom(calls.length, (k) => calls[k]!.startMs, from); i < calls.length && calls[i]!.startMs <= to; i++) {
      const text = calls[i]!.text;
      if ((ip && mentionsLowerToken(text, ip)) || (domain && mentionsLowerToken(text, domain))) near.push(calls[i]!);
    }
    candidates = near;
  }
  return onlyCallFrom(f, candidates, inventory);
}

/** The one call among `candidates` from a place the record may come from; undefined when none or several. */
export function onlyCallFrom<C extends Pick<ToolCall, 'session' | 'sandbox' | 'host'>>(f: Finding, candidates: Iterable<C>, inventory: Inventory): C | undefined {
  let origin: ReturnType<typeof originOf> | null = null;
  let named: C | undefined;
  for (const c of candidates) {
    if (origin === null) origin = originOf(f.event, inventory);
    if (elsewhere(origin, c)) continue;
    if (named) return undefined;
    named = c;
  }
  return named;
}

/** The skew pair of a finding and the one call naming its destination, unless that call ran in the background. */
export function pairWith(f: Finding, named: Pick<ToolCall, 'startMs' | 'endMs' | 'background'> | undefined): SkewPair | undefined {
  return named && !named.background ? { recordMs: f.timeMs, callStartMs: named.startMs, callEndMs: named.endMs } : undefined;
}

/** The calls at the positions of `list` that started within [from, to]. */
function* within(list: number[], calls: ToolCall[], from: number, to: number): Generator<ToolCall> {
  for (let k = firstStartingFrom(list.length, (j) => calls[list[j]!]!.startMs, from); k < list.length && calls[list[k]!]!.startMs <= to; k++) yield calls[list[k]!]!;
}

/** Whether a call is from a place the record cannot come from (another session, sandbox or host). */
function elsewhere(origin: ReturnType<typeof originOf>, c: Pick<ToolCall, 'session' | 'sandbox' | 'host'>): boolean {
  if (!origin) return false;
  if (origin.session && c.session) return origin.session !== c.session;
  if (origin.sandbox && c.sandbox) return origin.sandbox !== c.sandbox;
  return !!(origin.host && c.host && origin.host !== c.host);
}
