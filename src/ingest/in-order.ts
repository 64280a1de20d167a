// Many small inputs (CloudTrail delivers a file every five minutes per region) are mostly waiting on
// the file system: opened, inspected and read a few at a time instead of one after another, their
// results still taken in input order so that nothing depends on which finished first.

/** How many inputs are opened, inspected or read at once on one thread (libuv has four file threads). */
export const IO_AT_ONCE = 16;

/**
 * `fn` over `items` with at most `limit` running at once; the settled results in item order. Like a
 * plain loop, it stops at the first failure: no item after a failed one is started, and results
 * end at the first failure in item order (later items that had already started are dropped).
 */
export async function settleInOrder<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: (PromiseSettledResult<R> | undefined)[] = new Array(items.length);
  let next = 0;
  let failedAt = Infinity;
  const lane = async (): Promise<void> => {
    while (next < items.length && next < failedAt) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i]!, i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
        failedAt = Math.min(failedAt, i);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  const end = Number.isFinite(failedAt) ? failedAt + 1 : items.length;
  return results.slice(0, end) as PromiseSettledResult<R>[];
}

/** `fn` over `items`, at most `limit` at once, results in item order; the first failure in item order is thrown. */
export async function mapInOrder<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const settled = await settleInOrder(items, limit, fn);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<R>).value);
}
