/**
 * Materialization's look at what is already on this disk: content another local file holds
 * (copied rather than downloaded), and whether a file still holds the version its record names.
 */
import { join } from 'node:path';
import { chunkFile } from '../../local/chunk-file.js';
import type { ChunkingParams } from '../../model/chunker.js';
import { statOf, unchangedSince } from '../../local/materialize.js';
import { IGNORE_CTIME, recordStat } from '../../local/scan.js';
import type { LocalRecord, LocalState } from '../../local/state.js';
import { sha256 } from '../../model/hashing.js';
import type { HashedVersion } from '../../model/version.js';
import { hashLocalContent } from '../local-changes.js';
import type { StepContext } from '../round-context.js';

/** Files up to this size are copied from another local file holding the same content (read whole, then written). */
const LOCAL_COPY_MAX = 64 * 1024 * 1024;

/** Whether a version's content may be copied from a local file holding it (a database is read through a snapshot, never whole). */
export const locallyCopiable = (v: HashedVersion): boolean => !v.deleted && v.kind === 'file' && v.size <= LOCAL_COPY_MAX && v.chunks.length > 0;

/** What local copies read and write of the local state. */
export type LocalCopiesState = Pick<LocalState, 'version' | 'putLocal'>;

/**
 * The chunks of `v` read from a local file said to hold it, verified against their hashes
 * (undefined when the file no longer holds exactly that content).
 */
export async function localChunks(chunking: ChunkingParams, abs: string, v: HashedVersion): Promise<Map<string, Uint8Array> | undefined> {
  if (v.kind === 'sqlite') return undefined; // a live database is read through a snapshot, not here
  try {
    const out = new Map<string, Uint8Array>();
    const order: string[] = [];
    for await (const bytes of chunkFile(abs, chunking)) {
      const h = sha256(bytes);
      order.push(h);
      out.set(h, bytes);
    }
    return order.join() === v.chunks.join() ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Before overwriting or trashing a file, make sure it still holds the recorded version. Stat
 * first; where the stat moved (an app opened a database and touched its -wal/-shm, or the record
 * was stored "racy"), compare content: if the file still holds the recorded version, the record
 * is refreshed and the incoming change may be applied.
 */
export async function settleRecord(ctx: StepContext<LocalCopiesState>, rec: LocalRecord): Promise<LocalRecord> {
  const path = join(ctx.dir, rec.path);
  if (await unchangedSince(path, rec)) return rec;
  const had = ctx.state.version(rec.version);
  if (!had || had.kind === 'dir') return rec;
  const before = await statOf(path);
  const chunks = await hashLocalContent(path, join(ctx.stateDir, 'staging'), ctx.options.chunking);
  const now = await statOf(path); // after hashing: opening a database may touch its files
  if (!before || !now || chunks === undefined || chunks.join() !== had.chunks.join()) return rec;
  if (had.kind !== 'sqlite' && (before.size !== now.size || before.mtimeMs !== now.mtimeMs)) return rec; // changed while hashing
  const ctimeMs = had.kind === 'sqlite' ? IGNORE_CTIME : undefined;
  // Stored as the scan stores it (recordStat): a file written within the racy window stays racy, so
  // the next scan reads it again. Stored with its ctime, a same-size edit within the same mtime
  // granule would look unchanged: on exFAT (whole seconds, a ctime that is the mtime) a user's
  // edit right after a round that settled the file and then failed (its download cut off) was never
  // scanned, and the next round's download overwrote it (seed 3964 of the case-insensitive
  // simulation). The stat as just seen is returned: the check right before the write compares it.
  ctx.state.putLocal({ ...rec, ...recordStat(now), ...(ctimeMs === undefined ? {} : { ctimeMs }) });
  return { ...rec, size: now.size, mtimeMs: now.mtimeMs, ctimeMs: ctimeMs ?? now.ctimeMs, ino: now.ino };
}
