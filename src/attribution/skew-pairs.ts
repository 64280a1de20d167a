// Pairs for clock-skew estimation: records a single call's command ties by content (it names the
// destination), within half an hour, and not from a place that call cannot be.
import type { SkewPair } from '../timeline/skew.js';
import { mentionsLowerToken } from './command.js';
import { originOf, type Finding, type ToolCall } from './attribute.js';
import type { Inventory } from './inventory.js';
import { firstStartingFrom } from './violations.js';

const PAIR_SEARCH_MS = 30 * 60_000;

/**
 * Records tied to exactly one call by content (the command names the destination), within 30 min,
 * and not from a place the call cannot be (another known host, sandbox or session).
 */
export function skewPairs(findings: Finding[], calls: ToolCall[], inventory: Inventory): SkewPair[] {
  const pairs: SkewPair[] = [];
  for (const f of findings) {
    const dst = f.event.dst;
    if (!dst?.ip && !dst?.domain) continue;
    const named = onlyCallNaming(f, dst.ip?.toLowerCase(), dst.domain?.toLowerCase(), calls, inventory);
    if (named && !named.background) pairs.push({ recordMs: f.timeMs, callStartMs: named.startMs, callEndMs: named.endMs });
  }
  return pairs;
}

/**
 * The one call within PAIR_SEARCH_MS that names the destination, from a place the record may come
 * from; undefined when none or several do (this runs for every record near every call: no lists).
 */
function onlyCallNaming(f: Finding, ip: string | undefined, domain: string | undefined, calls: ToolCall[], inventory: Inventory): ToolCall | undefined {
  let origin: ReturnType<typeof originOf> | null = null;
  let named: ToolCall | undefined;
  const last = f.timeMs + PAIR_SEARCH_MS;
  for (let i = firstStartingFrom(calls.length, (k) => calls[k]!.startMs, f.timeMs - PAIR_SEARCH_MS); i < calls.length && calls[i]!.startMs <= last; i++) {
    const c = calls[i]!;
    if (!((ip && mentionsLowerToken(c.text, ip)) || (domain && mentionsLowerToken(c.text, domain)))) continue;
    if (origin === null) origin = originOf(f.event, inventory);
    if (elsewhere(origin, c)) continue;
    if (named) return undefined;
    named = c;
  }
  return named;
}

function elsewhere(origin: ReturnType<typeof originOf>, c: ToolCall): boolean {
  if (!origin) return false;
  if (origin.session && c.session) return origin.session !== c.session;
  if (origin.sandbox && c.sandbox) return origin.sandbox !== c.sandbox;
  return !!(origin.host && c.host && origin.host !== c.host);
}
