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

/**
 * What a version holds: a regular file, an empty folder (`dir`; a folder with content is implied by
 * its files), or a SQLite database (`sqlite`: read through SQLite's backup API and chunked at its
 * page boundaries, so an edit re-sends only the pages it changed).
 */
export type EntryKind = 'file' | 'dir' | 'sqlite';

/** One version of one path, as published in a segment (docs/PROTOCOL.md §4). */
export interface Version {
  /** The library path: relative, `/`-separated, NFC (docs/PROTOCOL.md §5). */
  path: string;
  /** Hashes of the versions of the same path this one replaces; empty for a new file. Causality is by these, never by clock. */
  parents: string[];
  /**
   * Hybrid logical clock, ms since the epoch: the writer's wall clock, but never behind any hlc
   * it had seen. Only decides which of two concurrent versions keeps the name.
   */
  hlc: number;
  /** The writer id that made this version (`<node>.<incarnation>`). */
  writer: string;
  /** Present (and true) when this version is a delete (a tombstone: no chunks, size 0). */
  deleted?: true;
  /** A file, an empty folder or a SQLite database. */
  kind: EntryKind;
  /** The content's size in bytes (0 for a folder or a delete). */
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

/** A version with its hash, the name by which `parents` of later versions refer to it. */
export interface HashedVersion extends Version {
  /** The version hash: SHA-256 (hex) of the canonical JSON of the version, parents sorted. */
  hash: string;
}

/**
 * `Object.assign`, not `{ ...v, hash }`: on Node 20 (V8 11.3) an object spread followed by a new
 * property gives every object a hidden class of its own, with its own descriptors, about 480 bytes
 * each. A first upload of 100,000 small files held 48 MiB of them until its versions were recorded.
 * Node 24's V8 shares one class either way.
 */
export const withHash = (v: Version): HashedVersion => Object.assign({}, v, { hash: versionHash(v) });

/** Higher wins: (hlc, versionHash) so every node picks the same winner. */
export function compareRecency(a: HashedVersion, b: HashedVersion): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}
