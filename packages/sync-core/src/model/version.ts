/**
 * Layer `model/` (the bottom, with `storage/`): the vocabulary both `local/` and `engine/` speak:
 * versions, hashes, chunking, chunk locations, SyncError and abort points. It imports nothing
 * from the layers above it.
 *
 * A version of one path. Causality is by hash: `parents` names the versions this one replaces.
 * `hlc` (a hybrid logical clock: wall milliseconds, never behind anything this writer has seen)
 * only orders *concurrent* heads when picking which one keeps the name.
 */
import { canonicalJson, sha256 } from './hashing.js';

export type EntryKind = 'file' | 'dir' | 'sqlite';

export interface Version {
  path: string;
  parents: string[];
  hlc: number;
  writer: string;
  deleted?: true;
  kind: EntryKind;
  size: number;
  /** Modification time of the content, ms since the epoch (restored on materialization). */
  mtime: number;
  /** Executable bit. */
  exec?: true;
  /** Chunk hashes whose concatenation is the content. */
  chunks: string[];
}

const versionHash = (v: Version): string => sha256(canonicalJson({ ...v, parents: [...v.parents].sort() }));

/** Identity of the content alone: equal content is never a conflict. */
export const contentId = (v: Version): string => (v.deleted ? 'deleted' : sha256(canonicalJson({ kind: v.kind, chunks: v.chunks, exec: v.exec ?? false })));

export interface HashedVersion extends Version {
  hash: string;
}

export const withHash = (v: Version): HashedVersion => ({ ...v, hash: versionHash(v) });

/** Higher wins: (hlc, versionHash) so every node picks the same winner. */
export function compareRecency(a: HashedVersion, b: HashedVersion): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}
