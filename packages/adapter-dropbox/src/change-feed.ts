/**
 * The change feed (`Storage.changeFeed`, mode `wait`) on Dropbox's long poll, as Dropbox's
 * "detecting changes" guide (developers.dropbox.com/detecting-changes-guide) lays it out:
 * - files/list_folder/get_latest_cursor (recursive, on the root folder) gives a cursor for "now";
 * - files/list_folder/longpoll, on notify.dropboxapi.com and without an Authorization header
 *   (the SDK sends it `noauth`), blocks until something under the cursor changed or `timeout`
 *   seconds passed, and answers `{changes, backoff?}`: "if present, backoff for at least this many
 *   seconds before calling list_folder/longpoll again" (ListFolderLongpollResult);
 * - files/list_folder/continue moves the cursor past the changes, page by page (`has_more`);
 * - an expired cursor answers 409 `reset` (ListFolderContinueError / ListFolderLongpollError):
 *   a fresh cursor, and "changed" since we cannot know what we missed.
 * The SDK takes no AbortSignal per call, but a fetch per client: the long poll goes through one
 * that passes the signal on (client.ts `abortable`), and every wait also races the signal.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangeFeed } from '@syncacross/sync-core';
import { call, type DropboxContext } from './context.js';
import { routeTags, toStorageError } from './errors.js';

/**
 * How long one long poll may wait, in seconds (Dropbox: 30-480, default 30). Dropbox adds "up to
 * 90 seconds of random jitter" and warns that "some network infrastructure does not support long
 * timeouts"; 90 s (so at most 3 minutes per request) stays under the 5-minute idle limits common
 * in NATs and proxies, while asking a third as often as the default.
 */
const LONGPOLL_TIMEOUT_SECONDS = 90;

/**
 * Marks a cursor on a folder above the root, taken while the root does not exist yet (Dropbox
 * answers get_latest_cursor on a missing folder with `path/not_found`). A change there may be
 * the root's creation: the feed then aims at the root again. Dropbox cursors are base64.
 */
const ABOVE_ROOT = 'above:';

/** The feed; `timeoutSeconds` is the long poll's (tests pass a short one to the emulator). */
export function createChangeFeed(ctx: DropboxContext, timeoutSeconds = LONGPOLL_TIMEOUT_SECONDS): ChangeFeed {
  let backoffUntil = 0;
  return {
    mode: 'wait',
    async next(cursor, signal) {
      try {
        if (cursor === undefined) return { cursor: await latestCursor(ctx, signal), changed: false };
        await waitUntil(backoffUntil, signal);
        const above = cursor.startsWith(ABOVE_ROOT);
        const watched = above ? cursor.slice(ABOVE_ROOT.length) : cursor;
        const poll = ctx.client.abortable(signal).filesListFolderLongpoll({ cursor: watched, timeout: timeoutSeconds });
        const { changes, backoff } = (await raced(poll, signal)).result;
        if (backoff !== undefined) backoffUntil = Date.now() + backoff * 1000;
        if (!changes) return { cursor, changed: false };
        // Above the root, a fresh cursor re-aims at the root once it exists (no need to page).
        return { cursor: above ? await latestCursor(ctx, signal) : await skipChanges(ctx, watched, signal), changed: true };
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (routeTags(e)[0] !== 'reset') throw toStorageError(e, 'watch for changes');
        return { cursor: await latestCursor(ctx, signal), changed: true };
      }
    },
  };
}

/** A cursor for the root folder as it is now, or for its nearest existing ancestor (ABOVE_ROOT). */
async function latestCursor(ctx: DropboxContext, signal: AbortSignal | undefined): Promise<string> {
  for (let folder = ctx.root; ; folder = folder.slice(0, folder.lastIndexOf('/'))) {
    try {
      const answer = await raced(
        call(ctx, 'watch (get_latest_cursor)', () => ctx.client.dbx.filesListFolderGetLatestCursor({ path: folder, recursive: true })),
        signal,
      );
      return folder === ctx.root ? answer.result.cursor : ABOVE_ROOT + answer.result.cursor;
    } catch (e) {
      const tags = routeTags(e);
      const missing = tags[0] === 'path' && (tags[1] === 'not_found' || tags[1] === 'not_folder');
      if (!missing || folder === '') throw e;
    }
  }
}

/** Moves `cursor` past every change so far (list_folder/continue until `has_more` is false). */
async function skipChanges(ctx: DropboxContext, cursor: string, signal: AbortSignal | undefined): Promise<string> {
  for (;;) {
    const request = call(ctx, 'watch (continue)', () => ctx.client.dbx.filesListFolderContinue({ cursor }));
    const page = (await raced(request, signal)).result;
    if (!page.has_more) return page.cursor;
    cursor = page.cursor;
  }
}

/** `promise`, or the signal's reason as soon as it fires. */
function raced<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined); // a request left behind must not surface as unhandled
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** Waits until the time `until` (a Dropbox backoff), ending early when `signal` fires. */
async function waitUntil(until: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = until - Date.now();
  if (ms > 0) await sleep(ms, undefined, { signal });
}
