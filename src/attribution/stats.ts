// "The anomalies coincided with the agent's activity", as numbers: the share of time agents were
// executing tools, how over-represented violations are in that time, and a one-sided binomial p-value.

export interface Interval {
  startMs: number;
  endMs: number;
}

/**
 * The union of intervals given in start order, as its disjoint pieces (touching intervals join):
 * what activityStats reads of the calls, kept as they are merged instead of read back from disk.
 * Clipping to the span afterwards gives the pieces coverage() makes of the clipped intervals (an
 * intersection with one interval distributes over a union). Two numbers a piece.
 */
export class IntervalUnion {
  private bounds = new Float64Array(1024);
  private size = 0;

  /** An interval starting no earlier than those before it; one without a length that is a number is left out, as coverage() leaves it. */
  add(startMs: number, endMs: number): void {
    if (!(endMs >= startMs)) return;
    const n = this.size;
    if (n > 0 && startMs <= this.bounds[n - 1]!) {
      if (endMs > this.bounds[n - 1]!) this.bounds[n - 1] = endMs;
      return;
    }
    if (n + 2 > this.bounds.length) {
      const larger = new Float64Array(this.bounds.length * 2);
      larger.set(this.bounds);
      this.bounds = larger;
    }
    this.bounds[n] = startMs;
    this.bounds[n + 1] = endMs;
    this.size = n + 2;
  }

  /** The union with intervals in any order (the few calls kept apart, longer than an hour). */
  with(others: readonly Interval[]): IntervalUnion {
    if (others.length === 0) return this;
    const all = [...this.pieces(), ...others].sort((a, b) => a.startMs - b.startMs);
    const union = new IntervalUnion();
    for (const i of all) union.add(i.startMs, i.endMs);
    return union;
  }

  *pieces(): Generator<Interval> {
    for (let k = 0; k < this.size; k += 2) yield { startMs: this.bounds[k]!, endMs: this.bounds[k + 1]! };
  }
}

function sortedByStart(intervals: readonly Interval[]): boolean {
  for (let k = 1; k < intervals.length; k++) if (!(intervals[k - 1]!.startMs <= intervals[k]!.startMs)) return false;
  return true;
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
 * Undefined (null) when there is no span, no activity, or no violation. `activity`: a list, or
 * anything else that gives the intervals in start order (calls read back from disk).
 */
export function activityStats(activity: Iterable<Interval>, violationTimes: number[], spanStart: number, spanEnd: number): ActivityStats {
  const spanMs = Math.max(0, spanEnd - spanStart);
  const { activeMs, during } = coverage(inStartOrder(activity), ascending(violationTimes), spanStart, spanEnd);
  const fraction = spanMs > 0 ? activeMs / spanMs : 0;
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

function inStartOrder(activity: Iterable<Interval>): Iterable<Interval> {
  if (!Array.isArray(activity)) return activity;
  const list = activity as readonly Interval[];
  return sortedByStart(list) ? list : [...list].sort((a, b) => a.startMs - b.startMs);
}

function ascending(times: number[]): number[] {
  for (let k = 1; k < times.length; k++) if (!(times[k - 1]! <= times[k]!)) return [...times].sort((a, b) => a - b);
  return times;
}

/**
 * The time the union of intervals (in start order) covers within [from, to], and how many of the
 * times (ascending) it covers, the union made as the intervals come: the calls need not be held.
 */
function coverage(sorted: Iterable<Interval>, times: readonly number[], from: number, to: number): { activeMs: number; during: number } {
  let activeMs = 0, during = 0, k = 0;
  let start = NaN, end = NaN;
  const close = () => {
    activeMs += end - start;
    while (k < times.length && times[k]! < start) k++;
    while (k < times.length && times[k]! <= end) {
      during++;
      k++;
    }
  };
  for (const i of sorted) {
    const s = Math.max(i.startMs, from);
    const e = Math.min(i.endMs, to);
    if (!(e >= s)) continue;
    if (s <= end) end = Math.max(end, e);
    else {
      if (end === end) close();
      start = s;
      end = e;
    }
  }
  if (end === end) close();
  return { activeMs, during };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
