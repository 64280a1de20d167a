// Per-input clock offsets: manual (--skew) and estimated from pairs of records whose content ties
// them unambiguously (a firewall record of the address a command names). Agent transcripts are the
// reference clock; an offset is added to the input's own timestamps.
import { basename } from 'node:path';
import { parseDuration } from '../model/duration.js';
import { UsageError } from '../model/errors.js';

export interface ManualSkew {
  name: string;
  offsetMs: number;
}

export function parseSkewOption(text: string): ManualSkew {
  const eq = text.lastIndexOf('=');
  const offsetMs = eq > 0 ? parseDuration(text.slice(eq + 1)) : undefined;
  if (eq <= 0 || offsetMs === undefined) throw new UsageError(`--skew takes <input or format>=<±duration>, e.g. kern.log=-40s; got '${text}'`);
  return { name: text.slice(0, eq), offsetMs };
}

/** The manual offset for an input, matched by its path, its basename or its format name. */
export function manualOffsetFor(skews: ManualSkew[], path: string, format: string): number | undefined {
  const hit = skews.find((s) => s.name === path) ?? skews.find((s) => s.name === basename(path)) ?? skews.find((s) => s.name === format);
  return hit?.offsetMs;
}

/** A violation and the call its content ties it to: the offset must put the record inside the call. */
export interface SkewPair {
  recordMs: number;
  callStartMs: number;
  callEndMs: number;
}

export interface SkewEstimate {
  offsetMs: number;
  pairs: number;
  /** pairs the chosen offset explains */
  supporting: number;
  confidence: number;
}

/** Below this, an estimated offset is treated as no skew (ordinary logging latency). */
export const SKEW_NOISE_MS = 1_000;

/**
 * The offset that places the most records inside their calls (smallest shift among equals).
 * Clocks are left alone unless a shift explains clearly more pairs than the clocks as they are
 * (counting records up to `jitterMs` before their call as explained, as attribution does): at
 * least two more, and a quarter of all pairs more. A few records that merely precede their call
 * are a near miss, not a skewed clock.
 */
export function estimateSkew(pairs: SkewPair[], slackMs = 5_000, jitterMs = 2_000): SkewEstimate {
  if (pairs.length === 0) return { offsetMs: 0, pairs: 0, supporting: 0, confidence: 0 };
  const edges: { at: number; delta: 1 | -1 }[] = [];
  for (const p of pairs) {
    edges.push({ at: p.callStartMs - p.recordMs, delta: 1 });
    edges.push({ at: p.callEndMs + slackMs - p.recordMs, delta: -1 });
  }
  edges.sort((a, b) => a.at - b.at || b.delta - a.delta);
  let depth = 0, best = 0;
  const bestRanges: [number, number][] = [];
  for (let i = 0; i < edges.length - 1; i++) {
    depth += edges[i]!.delta;
    // Between this edge and the next, exactly `depth` pairs are explained.
    if (depth > best) {
      best = depth;
      bestRanges.length = 0;
    }
    if (depth === best && depth > 0) bestRanges.push([edges[i]!.at, edges[i + 1]!.at]);
  }
  // The point of least shift inside any best range.
  let offset = Infinity;
  for (const [a, b] of bestRanges) {
    const candidate = a <= 0 && b >= 0 ? 0 : Math.abs(a) < Math.abs(b) ? a : b;
    if (Math.abs(candidate) < Math.abs(offset)) offset = candidate;
  }
  const zeroSupport = pairs.filter((p) => p.recordMs >= p.callStartMs - jitterMs && p.recordMs <= p.callEndMs + slackMs).length;
  const needed = zeroSupport + Math.max(2, Math.ceil(pairs.length / 4));
  if (Math.abs(offset) < SKEW_NOISE_MS || best < needed) {
    return { offsetMs: 0, pairs: pairs.length, supporting: zeroSupport, confidence: round(zeroSupport / pairs.length) };
  }
  return { offsetMs: Math.round(offset), pairs: pairs.length, supporting: best, confidence: round((best / pairs.length) * Math.min(1, best / 3)) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
