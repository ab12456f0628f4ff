/**
 * Appends every item to `to`, one by one. `to.push(...items)` passes each item as an argument,
 * and past about 120,000 of them (a first upload of 200,000 files listing each in the summary)
 * V8 throws "Maximum call stack size exceeded": the sync failed, exit 1. Use this wherever the
 * number of items grows with the library.
 */
export function appendAll<T>(to: T[], items: Iterable<T>): void {
  for (const item of items) to.push(item);
}
