/**
 * A user reverting an edit (docs/PROTOCOL.md §3.12): the file gets an earlier content of the same
 * path back, so its chunk is one the storage already has. A writer deduplicates against it, unless
 * every pack that holds it is condemned: then it must upload it again (or, having deduplicated
 * before it learned of the condemnation, copy it out before publishing).
 */
import type { Rng } from './rng.js';

interface Writes {
  writes: readonly { path: string; content: string | null }[];
}

/**
 * An earlier content of `path`, as any node's user wrote it there, other than `current` (what the
 * file holds now) and other than what `gone` rejects (content the harness counts as lost on every
 * side, which it no longer expects anywhere); undefined if there is none.
 */
export function earlierContent(rng: Rng, nodes: readonly Writes[], path: string, current: string | undefined, gone: (content: string) => boolean): string | undefined {
  const earlier = [...new Set(nodes.flatMap((n) => n.writes.filter((w) => w.path === path && w.content !== null && w.content !== current).map((w) => w.content!)))].filter((c) => !gone(c));
  return earlier.length > 0 ? rng.pick(earlier) : undefined;
}
