// "The anomalies coincided with the agent's activity", as numbers: the share of time agents were
// executing tools, how over-represented violations are in that time, and a one-sided binomial p-value.

export interface Interval {
  startMs: number;
  endMs: number;
}

/** Sorted, non-overlapping union of intervals clipped to [from, to]. */
export function unionWithin(intervals: Interval[], from: number, to: number): Interval[] {
  const sorted = intervals
    .map((i) => ({ startMs: Math.max(i.startMs, from), endMs: Math.min(i.endMs, to) }))
    .filter((i) => i.endMs >= i.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.startMs <= last.endMs) last.endMs = Math.max(last.endMs, i.endMs);
    else out.push({ ...i });
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

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space so large n does not underflow. */
export function binomialUpperTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let total = 0;
  for (let i = k; i <= n; i++) total += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log(1 - p));
  return Math.min(1, total);
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
export function activityStats(activity: Interval[], violationTimes: number[], spanStart: number, spanEnd: number): ActivityStats {
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
