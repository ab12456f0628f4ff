/** Base for wrappers: forwards every operation the inner storage has, so a wrapper overrides only what it changes. */
import type { Storage } from '../contract.js';

export function forwardAll(inner: Storage, overrides: Partial<Storage> & { name?: string }): Storage {
  const s: Storage = {
    name: overrides.name ?? inner.name,
    capabilities: overrides.capabilities ?? inner.capabilities,
    putIfAbsent: overrides.putIfAbsent ?? inner.putIfAbsent.bind(inner),
    get: overrides.get ?? inner.get.bind(inner),
    list: overrides.list ?? inner.list.bind(inner),
  };
  if (inner.delete) s.delete = overrides.delete ?? inner.delete.bind(inner);
  if (inner.putIfMatch) s.putIfMatch = overrides.putIfMatch ?? inner.putIfMatch.bind(inner);
  // The feed is forwarded as it is: a wrapper that counts, retries or limits requests has nothing
  // to add to a wait that is the backend's own (the watch handles its failures).
  if (inner.changeFeed) (s as { changeFeed?: Storage['changeFeed'] }).changeFeed = inner.changeFeed;
  if (inner.close || overrides.close) s.close = overrides.close ?? inner.close!.bind(inner);
  return s;
}
