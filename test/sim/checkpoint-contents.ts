/**
 * What the checkpoints on the storage bundle, as the checker reads it: once collection deletes a
 * segment, its versions and locations live on in a checkpoint's parts (docs/PROTOCOL.md §3.10),
 * and the invariants must count them there.
 */
import { decodeManifest, decodePart } from '../../packages/sync-core/src/engine/checkpoints/objects.js';
import { parseManifestKey } from '../../packages/sync-core/src/engine/checkpoints/format.js';
import type { RepositoryCodec } from '../../packages/sync-core/src/codec/repository-codec.js';
import type { Segment } from '../../packages/sync-core/src/engine/segment-format.js';

/** One readable checkpoint: the segments its parts bundle, each with what it carries. */
export interface ReadCheckpoint {
  bundled: Map<string, Pick<Segment, 'versions' | 'chunks'>>;
  /** Format 5 (§3.12): the packs its bundled segments announced condemned, as [segment, pack]. */
  condemned: [string, string][];
}

/** Every checkpoint on the storage that reads back whole (manifest and every part), by manifest key; unreadable ones are left out. */
export function readCheckpoints(raw: Map<string, Uint8Array>, repoIds: string[], codec: RepositoryCodec, cache: Map<string, ReadCheckpoint | undefined>): Map<string, ReadCheckpoint> {
  const out = new Map<string, ReadCheckpoint>();
  const ids = new Set(repoIds);
  for (const [key, bytes] of raw) {
    const k = parseManifestKey(key);
    if (!k) continue;
    if (!cache.has(key)) cache.set(key, readOne(raw, k, bytes, ids, codec));
    const c = cache.get(key);
    if (c) out.set(key, c);
  }
  return out;
}

function readOne(raw: Map<string, Uint8Array>, k: NonNullable<ReturnType<typeof parseManifestKey>>, bytes: Uint8Array, ids: Set<string>, codec: RepositoryCodec): ReadCheckpoint | undefined {
  try {
    const m = decodeManifest(k, bytes, ids, codec);
    const bundled = new Map<string, Pick<Segment, 'versions' | 'chunks'>>();
    const condemned: [string, string][] = [];
    m.parts.forEach((p, i) => {
      const partBytes = raw.get(p.key);
      if (!partBytes) throw new Error(`part ${p.key} missing`);
      const part = decodePart(m, i, partBytes, ids, codec);
      part.segments.forEach((s, at) => {
        bundled.set(s, {
          versions: part.versions.filter(([x]) => x === at).map(([, v]) => v),
          chunks: part.chunks.filter((c) => c[4] === at).map(([h, pack, off, len]) => [h, pack, off, len]),
        });
      });
      for (const [at, pack] of part.condemned ?? []) condemned.push([part.segments[at]!, pack]);
    });
    return { bundled, condemned };
  } catch {
    return undefined;
  }
}
