/**
 * Where a restore finds content the remote cannot give (a lost or damaged pack): a file of this
 * library holding the same content, read and checked against the version's chunk hashes. Only
 * once the remote failed: a restore reads the remote first, so it tests the backup it restores
 * from, and the outcome names the files that came from this machine instead
 * (`RestoreOutcome.fromThisMachine`): the loss is not hidden, and `verify --repair` uploads the
 * content again.
 */
import { join } from 'node:path';
import type { ChunkSource } from '../local/materialize.js';
import type { LocalRecord } from '../local/state.js';
import type { ChunkingParams } from '../model/chunker.js';
import { contentId, type HashedVersion } from '../model/version.js';
import { localChunks, locallyCopiable } from './steps/local-copies.js';

/**
 * Runs `use` with the content of `v` from a file of this machine that holds it now, and answers
 * what it does; undefined when no file does. One at a time: a file is read whole (up to 64 MiB)
 * and held until written, and a restore writes 8 files at once (8 × 64 MiB over a lost pack).
 */
export type LocalContent = <T>(v: HashedVersion, use: (content: ChunkSource) => Promise<T>) => Promise<T | undefined>;

/**
 * `LocalContent` over the files of the library in `dir`, by their records. The index by content is
 * made at the first question (a restore whose remote gives everything never makes it); a record
 * is only a lead: the file is read and each chunk checked, so an edit since is never taken.
 */
export function localContentOf(dir: string, records: () => Iterable<LocalRecord>, versions: readonly HashedVersion[], chunking: ChunkingParams): LocalContent {
  let byContent: Map<string, string[]> | undefined;
  const index = () => {
    const byHash = new Map(versions.map((v) => [v.hash, v]));
    const made = new Map<string, string[]>();
    for (const rec of records()) {
      const v = byHash.get(rec.version);
      if (!v || !locallyCopiable(v)) continue;
      const id = contentId(v);
      const holders = made.get(id);
      if (holders) holders.push(join(dir, rec.path));
      else made.set(id, [join(dir, rec.path)]);
    }
    return made;
  };
  const find = async (v: HashedVersion): Promise<ChunkSource | undefined> => {
    if (!locallyCopiable(v)) return undefined;
    byContent ??= index();
    for (const abs of byContent.get(contentId(v)) ?? []) {
      const chunks = await localChunks(chunking, abs, v);
      if (chunks) return { get: async (h) => chunks.get(h)! };
    }
    return undefined;
  };
  let turn: Promise<unknown> = Promise.resolve();
  return <T>(v: HashedVersion, use: (content: ChunkSource) => Promise<T>) => {
    const mine = turn.then(async () => {
      const content = await find(v);
      return content ? use(content) : undefined;
    });
    turn = mine.catch(() => undefined); // the next one's turn comes whatever this one did
    return mine;
  };
}
