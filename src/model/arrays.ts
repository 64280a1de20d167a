// `target.push(...items)` passes every item as an argument: past roughly 100,000 items (a slice full
// of violations, a log of malformed lines) it overflows the call stack. Lists that grow with the
// input are appended one by one instead.

/** Appends `items` to `target` in order, however many there are. */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i++) target.push(items[i]!);
}
