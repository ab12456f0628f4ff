/**
 * A value built at its first use instead of when its module loads. The zod schemas of remote
 * objects are built this way: building them all at load was 15-25 ms of every command's start on
 * Node 20 (session 46, timed around each module's top level), and most commands, a sync with
 * nothing new among them, parse few or none of them.
 */
export function lazily<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
