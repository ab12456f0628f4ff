/**
 * What every Dropbox storage operation shares: the SDK client, the options, the listing
 * snapshots, and `call`, which runs one SDK request and, when Dropbox says the access token
 * expired, refreshes it once and repeats the request.
 */
import { ConcurrencyLimiter } from '@syncacross/sync-core/adapter-kit';
import { CommitBatcher } from './batch-commit.js';
import type { DropboxClient } from './client.js';
import { responseOf, tagChain, toStorageError } from './errors.js';
import { FolderSnapshots, type ListFolderResult } from './folder-snapshots.js';
import { encodeKey, joinPath } from './names.js';
import type { DropboxOptions } from './options.js';
import type { Commits } from './upload.js';

export interface DropboxContext {
  readonly client: DropboxClient;
  readonly options: DropboxOptions;
  /** The configured root folder ('' or '/a/b'). */
  readonly root: string;
  readonly snapshots: FolderSnapshots;
  /** Keys with writes that ended with no answer, by the content_hashes written (lost-answers.ts). */
  readonly unsettled: Map<string, Set<string>>;
  /**
   * Write pacing: commits (files/upload, upload_session/finish, delete_v2) in flight at once.
   * Each takes the namespace's write lock; parallel commits only contend for it and come back as
   * 429 too_many_write_operations with long Retry-After waits under real load (issue 24;
   * developers/reference/data-ingress-guide). Uploading the bytes of sessions is not paced.
   */
  readonly writes: ConcurrencyLimiter;
  /** How object commits leave: through `writes`, and gathered into batches with commitMode "batch". */
  readonly commits: Commits;
  /** The token refresh in flight: every call that met an expired token waits for this one. */
  refreshing?: Promise<void>;
}

export function createContext(options: DropboxOptions, client: DropboxClient): DropboxContext {
  const root = options.root;
  const snapshots = new FolderSnapshots(
    {
      listFolder: async (path) => (await call(ctx, `list ${path || '/'}`, () => client.dbx.filesListFolder({ path, recursive: true, limit: 2000 }))).result as unknown as ListFolderResult,
      listFolderContinue: async (cursor) => (await call(ctx, 'list (continue)', () => client.dbx.filesListFolderContinue({ cursor }))).result as unknown as ListFolderResult,
    },
    root === '' ? 0 : root.split('/').length - 1,
  );
  const writes = new ConcurrencyLimiter(options.writeConcurrency);
  const gate = <T>(commit: () => Promise<T>) => writes.run(commit);
  const commits: Commits = { gate, batcher: options.commitMode === 'batch' ? new CommitBatcher(client.dbx, gate) : undefined };
  const ctx: DropboxContext = { client, options, root, snapshots, unsettled: new Map(), writes, commits };
  return ctx;
}

/** The Dropbox path a key is stored at. */
export const pathOf = (ctx: DropboxContext, key: string) => joinPath(ctx.root, encodeKey(key));

/** Runs one SDK call; an access token Dropbox rejects is refreshed once, then the call repeats. */
export async function call<T>(ctx: DropboxContext, what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const r = responseOf(e);
      if (attempt === 0 && r?.status === 401 && ctx.client.canRefresh) {
        const problem = tagChain((r.error as { error?: unknown } | undefined)?.error)[0];
        if (problem === 'expired_access_token' || problem === 'invalid_access_token') {
          ctx.refreshing ??= (ctx.client.auth.refreshAccessToken() as unknown as Promise<void>).finally(() => (ctx.refreshing = undefined));
          try {
            await ctx.refreshing;
          } catch (refreshError) {
            throw toStorageError(refreshError, `${what} (refreshing the access token)`);
          }
          continue;
        }
      }
      throw e;
    }
  }
}

/** `call`, with any failure mapped to a StorageError. */
export async function mapped<T>(ctx: DropboxContext, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await call(ctx, what, fn);
  } catch (e) {
    throw toStorageError(e, what);
  }
}
