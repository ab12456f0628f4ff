/**
 * A write whose answer never came (no response, a 5xx: `Unavailable`) may have committed. Retried
 * with `strict_conflict`, Dropbox then reports our own file as a conflict (issue 24), and the
 * engine would read "someone else wrote this key". So each such write is remembered here by key
 * and `content_hash`; when a retry of it meets a conflict, the file at the path is looked up: the
 * same `content_hash` means the lost attempt committed and the write is ours (idempotent), a
 * different one means another writer's file. Only a write with an unknown outcome is ever taken
 * for ours: a plain conflict on a first attempt stays `exists`, even for identical bytes.
 * Residual risk: another writer committing byte-identical content in the window between our lost
 * answer and our retry is indistinguishable (Dropbox support's advice is the same comparison of
 * contents: dropbox/dropbox-sdk-obj-c#392).
 */
import { isStorageError } from '@syncacross/sync-core';
import type { files } from 'dropbox';
import { dropboxContentHash } from './content-hash.js';
import { mapped, pathOf, type DropboxContext } from './context.js';

/** Keys remembered at most; the oldest is forgotten first (a retry normally follows at once). */
const MAX_UNSETTLED = 10_000;

/**
 * Records that a write of `bytes` to `key` ended with its outcome unknown. Several writes of one
 * key by this client (racing creates, each with its own bytes) may be unsettled at once: each
 * is remembered by its own hash.
 */
export function rememberUnsettled(ctx: DropboxContext, key: string, bytes: Uint8Array, error: unknown): void {
  if (!isStorageError(error, 'Unavailable')) return;
  const hashes = ctx.unsettled.get(key) ?? new Set<string>();
  ctx.unsettled.delete(key); // re-inserted last: the oldest key is the one forgotten
  ctx.unsettled.set(key, hashes.add(dropboxContentHash(bytes)));
  if (ctx.unsettled.size > MAX_UNSETTLED) ctx.unsettled.delete(ctx.unsettled.keys().next().value!);
}

/** A definite answer to the write of `bytes` (created, updated, or known ours) settles it. */
export function settle(ctx: DropboxContext, key: string, bytes: Uint8Array): void {
  const hashes = ctx.unsettled.get(key);
  if (!hashes?.delete(dropboxContentHash(bytes))) return;
  if (hashes.size === 0) ctx.unsettled.delete(key);
}

/**
 * After a conflict: the file at `key` when it is the one an earlier, unanswered attempt to write
 * these same bytes committed; undefined when the conflict is another writer's.
 */
export async function ownLostWrite(ctx: DropboxContext, key: string, bytes: Uint8Array): Promise<files.FileMetadata | undefined> {
  const hash = dropboxContentHash(bytes);
  if (!ctx.unsettled.get(key)?.has(hash)) return undefined;
  let metadata: files.FileMetadata & { '.tag'?: string };
  try {
    metadata = (await mapped(ctx, `check ${key}`, () => ctx.client.dbx.filesGetMetadata({ path: pathOf(ctx, key) }))).result as typeof metadata;
  } catch (e) {
    if (isStorageError(e, 'NotFound')) return undefined; // deleted since: not ours to claim
    throw e;
  }
  settle(ctx, key, bytes);
  return metadata['.tag'] === 'file' && metadata.content_hash === hash ? metadata : undefined;
}
