// "The anomalies coincided with the agent's activity", as numbers: the share of time agents were
// executing tools, how over-represented violations are in that time, and a one-sided binomial p-value.

export interface Interval {
  startMs: number;
  endMs: number;
}

/** Sorted, non-overlapping union of intervals clipped to [from, to]. */
export function unionWithin(intervals: readonly Interval[], from: number, to: number): Interval[] {
  // Tool calls come sorted by start (half a million of them in RL traces): merged as they are,
  // without the clipped copies and the sort that cost a hundred megabytes of garbage at the end.
  if (sortedByStart(intervals)) return mergeSorted(intervals, from, to);
  const clipped = intervals
    .map((i) => ({ startMs: Math.max(i.startMs, from), endMs: Math.min(i.endMs, to) }))
    .filter((i) => i.endMs >= i.startMs);
  return mergeSorted(clipped.sort((a, b) => a.startMs - b.startMs), from, to);
}

function sortedByStart(intervals: readonly Interval[]): boolean {
  for (let k = 1; k < intervals.length; k++) if (!(intervals[k - 1]!.startMs <= intervals[k]!.startMs)) return false;
  return true;
}

/** The union of intervals sorted by start, clipped to [from, to] (clipping keeps them sorted). */
function mergeSorted(sorted: readonly Interval[], from: number, to: number): Interval[] {
  const out: Interval[] = [];
  let last: Interval | undefined;
  for (const i of sorted) {
    const startMs = Math.max(i.startMs, from);
    const endMs = Math.min(i.endMs, to);
    if (!(endMs >= startMs)) continue;
    if (last && startMs <= last.endMs) last.endMs = Math.max(last.endMs, endMs);
    else out.push((last = { startMs, endMs }));
  }
  return out;
}

export function covers(union: Interval[], t: number): boolean {
  let lo = 0, hi = union.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const iv = union[mid]!;
    if (t < iv.startMs) hi = mid - 1;
    else if (t > iv.endMs) lo = mid + 1;
    else return true;
  }
  return false;
}

/** ln(i!) for i ≤ n, built once per call: O(n), where summing logs per term would be O(n²). */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) out[i] = out[i - 1]! + Math.log(i);
  return out;
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p). Sums from the mode side outwards in log space, relative to the
 * largest term, so neither large n nor tiny tails underflow before they have to; below the mean it
 * takes the complement of the lower tail.
 */
export function binomialUpperTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;
  const lf = logFactorials(n);
  const logTerm = (i: number) => lf[n]! - lf[i]! - lf[n - i]! + i * Math.log(p) + (n - i) * Math.log1p(-p);
  // Terms fall away from the mean in both directions; stop once they no longer change the sum.
  const tail = (from: number, step: 1 | -1, to: number): number => {
    const ref = logTerm(from);
    let sum = 0;
    for (let i = from; step > 0 ? i <= to : i >= to; i += step) {
      const rel = logTerm(i) - ref;
      if (rel < -745) break;
      sum += Math.exp(rel);
    }
    return Math.exp(ref + Math.log(sum));
  };
  if (k > n * p) return Math.min(1, tail(k, 1, n));
  return Math.max(0, Math.min(1, 1 - tail(k - 1, -1, 0)));
}

export interface ActivityStats {
  agentActiveFraction: number;
  overRepresentation: number | null;
  pValue: number | null;
  violationsDuringActivity: number;
  spanMs: number;
}

/**
 * Compares the violation rate while any agent tool call runs with the rate over the whole span.
 * Undefined (null) when there is no span, no activity, or no violation.
 */
export function activityStats(activity: readonly Interval[], violationTimes: number[], spanStart: number, spanEnd: number): ActivityStats {
  const spanMs = Math.max(0, spanEnd - spanStart);
  const union = unionWithin(activity, spanStart, spanEnd);
  const activeMs = union.reduce((s, i) => s + (i.endMs - i.startMs), 0);
  const fraction = spanMs > 0 ? activeMs / spanMs : 0;
  const during = violationTimes.filter((t) => covers(union, t)).length;
  const n = violationTimes.length;
  if (n === 0 || fraction <= 0 || fraction >= 1) {
    return { agentActiveFraction: round(fraction), overRepresentation: null, pValue: null, violationsDuringActivity: during, spanMs };
  }
  return {
    agentActiveFraction: round(fraction),
    overRepresentation: round(during / n / fraction),
    pValue: Number(binomialUpperTail(n, during, fraction).toPrecision(4)),
    violationsDuringActivity: during,
    spanMs,
  };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
