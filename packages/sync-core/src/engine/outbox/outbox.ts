/**
 * The durable outbox (issue 21): what changes here while the remote cannot be reached is still
 * taken at once, so a later edit or delete of the file cannot lose it.
 *
 * - **Capture** runs the round's local scan (step 5) with the outbox as the place packs go: each
 *   changed file's new chunks are packed into `.syncacross/outbox/` (content-addressed, one copy
 *   of what changed), and its version is recorded in the state as pending, with the node's known
 *   heads as parents, exactly as an online round records it once its packs are written. Nothing
 *   is journaled or numbered: the next online round commits pending versions as it always does.
 *   Several captures in a row keep every version (each edit's parent is the one before), so an
 *   edit, another edit and a delete made offline all reach the history, as long as the outbox
 *   stays within its limit. Past it, only the newest version of a file is kept staged: the older
 *   offline versions it replaces are dropped, and said so (superseded.ts).
 * - **Drain**: every round starts by uploading the outbox's packs, under the names their
 *   locations already use, before it reads or writes anything else; a pack leaves the outbox only
 *   once the remote holds it. So the remote never sees a version before its content (§7 step 7).
 */
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { checkAborted } from '../../model/abort.js';
import { isStorageError, StorageError } from '../../storage/errors.js';
import { withCounting } from '../../storage/wrappers/counting.js';
import { checkPack } from '../pack-health.js';
import { verifyRepository } from '../repository.js';
import type { RoundContext } from '../round-context.js';
import { scanLocal } from '../steps/scan-local.js';
import { OutboxStorage, type OutboxContents } from './outbox-storage.js';
import { countDrops, describeDrops, evictSuperseded, takeUntoldDrops, type DropCount, type SupersededKind } from './superseded.js';

const OUTBOX_DIR = 'outbox';

const outboxOf = (stateDir: string, limitBytes?: number) => new OutboxStorage(join(stateDir, OUTBOX_DIR), limitBytes);

/** What the outbox holds now (no request): packs waiting for the remote and their bytes. */
const outboxContents = (stateDir: string): OutboxContents => outboxOf(stateDir).contents();

/** What waits in the outbox for the remote. */
export interface OutboxTotals {
  /** Packs staged here, not on the remote yet. */
  packs: number;
  /** Their bytes, as stored (compressed, sealed when encrypted). */
  bytes: number;
}

/** The same, counted: what `status` shows as staged locally. */
export function outboxTotals(stateDir: string): OutboxTotals {
  const { packs, bytes } = outboxContents(stateDir);
  return { packs: packs.length, bytes };
}

/** What one capture took. */
export interface CaptureResult {
  /** Versions recorded (pending until the remote is back). */
  versions: number;
  /** The changes found here that these versions record. */
  local: {
    /** Paths new here. */
    added: number;
    /** Paths changed here. */
    changed: number;
    /** Paths deleted here. */
    deleted: number;
  };
  /** Packs added to the outbox. */
  packs: number;
  /** Bytes of those packs. */
  bytes: number;
  /** Files not taken (still being written, unreadable…), and why. */
  skipped: {
    /** The file. */
    path: string;
    /** Why it was not taken. */
    reason: string;
  }[];
  /** Earlier offline versions given up to stay within the limit (only the newest of a file is kept staged). */
  dropped: {
    /** Versions dropped from the pending set (they will not reach the history). */
    versions: number;
    /** The files they were versions of. */
    files: number;
  };
  /** Set when the outbox reached its limit: these changes stay on disk only, until the next sync. */
  full?: string;
}

/**
 * Takes what changed here into the outbox and the state, with no request to the remote. A capture
 * that would take the outbox past its limit gives up superseded offline versions (superseded.ts),
 * least history first, and tries again while that frees room: only the newest version of a file
 * is then kept staged. If it still does not fit, nothing of it is recorded: the files are on disk,
 * and the next round takes them as they are then.
 */
export async function captureOffline(ctx: RoundContext, limitBytes: number): Promise<CaptureResult> {
  const outbox = outboxOf(ctx.stateDir, limitBytes);
  const storage = withCounting(outbox);
  const dropped: string[] = [];
  const taken = () => ({ packs: outbox.written.size, bytes: [...outbox.written.values()].reduce((a, b) => a + b, 0), dropped: countDrops(dropped) });
  const evictions: SupersededKind[] = ['intermediate', 'replaced-on-disk'];
  for (;;) {
    try {
      const scan = await scanLocal({ ...ctx, storage });
      return { versions: scan.created, local: scan.local, skipped: scan.skipped, ...taken() };
    } catch (e) {
      // Packs already staged stay (their chunks are known, so the next scan does not stage them
      // again); the versions of this attempt are not recorded: the files are still on disk.
      if (!isStorageError(e, 'NoSpace')) throw e;
      let freed = 0;
      while (freed === 0 && evictions.length > 0) {
        const evicted = await evictSuperseded(ctx, outbox, evictions.shift()!);
        for (const v of evicted.dropped) dropped.push(v.path); // not push(...): one argument each, past the stack's limit on a large library
        freed = evicted.freed;
      }
      if (freed === 0) return { versions: 0, local: { added: 0, changed: 0, deleted: 0 }, skipped: [], ...taken(), full: e.message };
    }
  }
}

/** What draining did: packs uploaded, their bytes, and packs left in the outbox (and why). */
export interface DrainResult {
  packs: number;
  bytes: number;
  errors: string[];
  /** Offline versions dropped for the staging limit and not told yet ('' : none). */
  dropped: string;
}

/**
 * Uploads every pack of the outbox, then removes it there. A name that exists already holds
 * these bytes (it is their hash), unless the remote's copy is damaged: that one is kept here and
 * reported, since a write-once name cannot be replaced (the round's pack checks take it from there).
 */
export async function drainOutbox(ctx: Pick<RoundContext, 'stateDir' | 'state' | 'storage' | 'options' | 'signal' | 'progress'>): Promise<DrainResult> {
  const outbox = outboxOf(ctx.stateDir);
  const { packs, bytes: total } = outbox.contents();
  const result: DrainResult = { packs: 0, bytes: 0, errors: [], dropped: describeDrops(takeUntoldDrops(ctx.state)) };
  if (packs.length === 0) return result;
  // Only into this library's repository: a remote that answers but is not it (an empty folder
  // where the share should be mounted, another repository) stops the round before anything leaves.
  const { round } = ctx.state;
  await verifyRepository(ctx.storage, round.get('repo'), round.get('format'), round.get('encrypted'));
  for (const pack of packs) {
    checkAborted(ctx.signal);
    ctx.progress({ phase: 'upload', done: result.bytes, total, bytes: pack.size, path: pack.key });
    const bytes = await outbox.get(pack.key);
    if ((await ctx.storage.putIfAbsent(pack.key, bytes)) === 'exists' && (await checkPack(ctx.storage, ctx.options.codec, pack.key)).verdict === 'damaged') {
      result.errors.push(`${pack.key} is damaged on the remote and cannot be replaced there; its staged copy stays in the outbox`);
      continue;
    }
    await outbox.delete(pack.key);
    result.packs++;
    result.bytes += bytes.byteLength;
  }
  return result;
}

/** The outbox's default limit: a quarter of what is free on its disk (counting what it holds). */
export function defaultStagingLimit(stateDir: string): number {
  const held = outboxContents(stateDir).bytes;
  try {
    const fs = statfsSync(stateDir);
    return Math.floor((held + fs.bavail * fs.bsize) / 4);
  } catch {
    return held + 1024 ** 3; // no statfs here: 1 GiB more
  }
}

/** How a capture is told to a person, after what made the remote unreachable; `dropped`: the drops not told yet (this capture's among them). */
function describeCapture(c: CaptureResult, dropped: DropCount): string {
  const taken = c.versions > 0 ? `${c.versions} change(s) here were staged locally (${c.bytes} bytes of new content) and go up at the next sync` : 'nothing new here to stage';
  const skipped = c.skipped.length > 0 ? `; ${c.skipped.length} file(s) could not be taken (${c.skipped[0]!.path}: ${c.skipped[0]!.reason})` : '';
  const drops = dropped.versions > 0 ? `; ${describeDrops(dropped)}` : '';
  return (c.full ? `could not stage the changes here: ${c.full}; they stay on disk and go up at the next sync` : taken + skipped) + drops;
}

/** An error a round threw, and what was staged because of it. */
export type StagedError = StorageError & {
  /** What was staged after the failure. */
  staged: CaptureResult;
};

/**
 * After a round failed because the remote cannot be reached (offline, asleep, throttled past all
 * retries), takes the local changes into the outbox and returns the same error, its message
 * saying what was staged (`staged` has the numbers). Any other failure is returned as it is.
 */
export async function stageWhenUnreachable(error: unknown, ctx: RoundContext, limitBytes: number | undefined): Promise<unknown> {
  if (!isStorageError(error) || (error.code !== 'Unavailable' && error.code !== 'RateLimited') || ctx.signal?.aborted) return error;
  let captured: CaptureResult;
  let note: string;
  try {
    captured = await captureOffline(ctx, limitBytes ?? defaultStagingLimit(ctx.stateDir));
    note = describeCapture(captured, takeUntoldDrops(ctx.state));
  } catch (e) {
    // The changes are still on disk, but the user must know they were not staged (a full local
    // disk, an unreadable state folder): said in the round's own error, which stays the cause.
    captured = { versions: 0, local: { added: 0, changed: 0, deleted: 0 }, packs: 0, bytes: 0, skipped: [], dropped: countDrops([]), full: (e as Error).message };
    note = `could not stage the changes here: ${(e as Error).message}; they stay on disk and go up at the next sync`;
  }
  const staged = new StorageError(error.code, `${error.message}; ${note}`, {
    cause: error,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    ...(error.permanent ? { permanent: true } : {}),
  });
  return Object.assign(staged, { staged: captured });
}
