// Durations as users and rules write them: `40s`, `-1.5m`, `2h`, `500ms`, `1d`.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds for a duration text, or undefined when it is not one. A bare number is seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}
