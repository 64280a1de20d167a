// Pairs for clock-skew estimation: records a single call's command ties by content (it names the
// destination), within half an hour, and not from a place that call cannot be.
import type { SkewPair } from '../timeline/skew.js';
import { mentionsToken } from './command.js';
import { originOf, type Finding, type ToolCall } from './attribute.js';
import type { Inventory } from './inventory.js';
import { candidatesNear } from './violations.js';

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
    const origin = originOf(f.event, inventory);
    const named = candidatesNear(f.timeMs, calls, PAIR_SEARCH_MS, PAIR_SEARCH_MS).filter((c) =>
      ((dst.ip && mentionsToken(c.text, dst.ip)) || (dst.domain && mentionsToken(c.text, dst.domain)))
      && !elsewhere(origin, c));
    if (named.length === 1 && !named[0]!.background) pairs.push({ recordMs: f.timeMs, callStartMs: named[0]!.startMs, callEndMs: named[0]!.endMs });
  }
  return pairs;
}

function elsewhere(origin: ReturnType<typeof originOf>, c: ToolCall): boolean {
  if (!origin) return false;
  if (origin.session && c.session) return origin.session !== c.session;
  if (origin.sandbox && c.sandbox) return origin.sandbox !== c.sandbox;
  return !!(origin.host && c.host && origin.host !== c.host);
}
