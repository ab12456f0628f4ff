/**
 * A hostile (or badly broken) writer sharing the storage: after some honest segments are
 * written, it writes segments of its own that are malformed, or that give bogus locations for
 * the honest segment's chunks (another offset in the same pack, another pack, a pack that does not
 * exist). The invariants are for honest nodes: the checker does not see these segments.
 */
import { gunzipSync } from 'node:zlib';
import type { Storage } from '@syncacross/sync-core';
import { encodeSegment } from '../../packages/sync-core/src/engine/segment.js';
import type { MemoryStorage } from '../../packages/sync-core/src/testing/doubles/memory.js';
import type { Rng } from './rng.js';

type Location = [string, string, number, number];

export function withHostileWriter(memory: MemoryStorage, rng: Rng, isCalm: () => boolean): { storage: Storage; hostile: Set<string> } {
  const hostile = new Set<string>();
  let n = 0;
  async function inject(bytes: Uint8Array): Promise<void> {
    let seg: { repo: string; chunks: Location[]; versions: Record<string, unknown>[] };
    try {
      seg = JSON.parse(gunzipSync(bytes).toString('utf8')) as typeof seg;
    } catch {
      return; // a framed segment (format 2 or 3): this writer forges format 1 only
    }
    const writer = `0evil.${(n++).toString(16).padStart(8, '0')}`;
    const packs = memory.debug.keys().filter((k) => k.startsWith('packs/'));
    const bodies: Record<string, unknown>[] = [
      { chunks: seg.chunks.map(([h, p, o, l]) => [h, p, o + 1, l]) }, // same pack, wrong offset: shadows the true one if applied first
      { chunks: seg.chunks.map(([h, , , l]) => [h, packs.length > 0 ? rng.pick(packs) : `packs/${'e'.repeat(64)}`, 0, l]) },
      { chunks: seg.chunks.map(([h, , , l]) => [h, `packs/${'e'.repeat(64)}`, 0, l]) },
      { versions: seg.versions.map((v) => ({ ...v, mtime: 'yesterday' })) },
      { versions: [null], chunks: [null] },
      { versions: seg.versions.map((v) => ({ ...v, path: `${'x'.repeat(300)}/${String(v.path)}` })) },
      { chunks: seg.chunks.map(([h, , o, l]) => [h, '../../../etc/passwd', -o - 1, l]) },
    ];
    const body = rng.pick(bodies);
    const { key, bytes: evil } = encodeSegment({ format: 1, repo: seg.repo, writer, seq: 1, prev: null, versions: [], chunks: [], ...body } as never);
    hostile.add(key);
    await memory.putIfAbsent(key, evil);
  }
  const storage: Storage = {
    ...memory,
    name: 'hostile-writer',
    putIfAbsent: async (key, bytes) => {
      const r = await memory.putIfAbsent(key, bytes);
      if (r === 'created' && key.startsWith('log/') && !isCalm() && rng.chance(0.3)) await inject(bytes);
      return r;
    },
  };
  return { storage, hostile };
}
