/**
 * Names for writer ids (author-object.ts): this node publishes who writes under its writer id
 * before the first segment that needs it, and learns the others' names when it applies their
 * segments. Costs nothing in a round that neither commits nor applies anything.
 */
import { isStorageError } from '../../storage/errors.js';
import { listAll } from '../../storage/listing.js';
import { AuthorsTable } from '../../local/authors-table.js';
import { RetryLedger } from '../retry-ledger.js';
import type { LocalState } from '../../local/state.js';
import { AUTHORS_PREFIX, MAX_AUTHOR_OBJECT_BYTES, authorFingerprint, decodeAuthor, encodeAuthor } from '../author-object.js';
import type { StepContext } from '../round-context.js';

export type AuthorsState = Pick<LocalState, 'db' | 'round'>;

/** Author objects read per round at most: a flood of them (a hostile writer) cannot stall a round. */
const MAX_READS_PER_ROUND = 200;

/**
 * Publishes this node's author for its writer id from segment `seq` on, unless the same one
 * already went out. A crash between the upload and the note only publishes it again from a
 * later seq: harmless, the names are the same.
 */
export async function publishAuthor(ctx: StepContext<AuthorsState>, seq: number): Promise<void> {
  const author = ctx.options.author;
  if (!author) return;
  const writer = ctx.state.round.get('writer');
  const fingerprint = authorFingerprint(writer, author);
  if (ctx.state.round.get('authorPublished') === fingerprint) return;
  const { key, bytes } = encodeAuthor(ctx.options.codec, writer, seq, author);
  // 'exists': our own earlier attempt, or a clone of this node (same machine, and the writer is
  // retired as soon as that is noticed). A name is a label: a failed upload does not hold the
  // segment back, and is tried again at the next commit (nothing was noted).
  try {
    await ctx.storage.putIfAbsent(key, bytes);
  } catch (e) {
    if (isStorageError(e)) return;
    throw e;
  }
  const table = new AuthorsTable(ctx.state.db);
  table.add({ key, writer, fromSeq: seq, ...author });
  ctx.state.round.set('authorPublished', fingerprint);
}

/**
 * Reads the author objects this node has not seen yet (after applying other writers' segments).
 * One that does not decode is retried on later rounds like a torn segment (its name may be
 * visible before its content is complete), and only when that persists (retry-ledger.ts) is it
 * reported, once, and never read again.
 */
export async function pullAuthors(ctx: StepContext<AuthorsState>): Promise<string[]> {
  const problems: string[] = [];
  try {
    await readNewAuthors(ctx, problems);
  } catch (e) {
    // Names are labels: a remote that fails here leaves them for a later round, never the round.
    if (!isStorageError(e)) throw e;
  }
  return problems;
}

async function readNewAuthors(ctx: StepContext<AuthorsState>, problems: string[]): Promise<void> {
  const table = new AuthorsTable(ctx.state.db);
  const ledger = new RetryLedger(ctx.state.db);
  const now = ctx.options.now();
  const known = table.keys();
  const fresh = (await listAll(ctx.storage, AUTHORS_PREFIX)).filter((o) => !known.has(o.key) && ledger.due(o.key, now, o));
  for (const o of fresh.slice(0, MAX_READS_PER_ROUND)) {
    if (o.size > MAX_AUTHOR_OBJECT_BYTES) {
      table.addInvalid(o.key);
      problems.push(`ignored ${o.key} on the remote: over ${MAX_AUTHOR_OBJECT_BYTES} bytes`);
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = await ctx.storage.get(o.key);
    } catch (e) {
      if (isStorageError(e, 'NotFound')) continue; // listed before it was readable: next time
      throw e;
    }
    const author = decodeAuthor(ctx.options.codec, o.key, bytes);
    if (typeof author !== 'string') {
      table.add(author);
      ledger.succeeded(o.key);
    } else if (ledger.failed(o.key, 'author', now, { reason: author, size: o.size, ...(o.etag !== undefined ? { etag: o.etag } : {}) })) {
      table.addInvalid(o.key);
      ledger.succeeded(o.key);
      problems.push(`ignored ${o.key} on the remote: ${author}`);
    }
  }
}
