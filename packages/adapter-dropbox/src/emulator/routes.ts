/**
 * The emulated API routes: what each one does with its argument, body and the caller's view.
 * Request parsing, auth, hosts and faults are handled before these run (see emulator.ts).
 */
import { dropboxContentHash } from '../content-hash.js';
import { commit, finishWriteFailed, uploadWriteFailed, type CommitInfo } from './commit.js';
import { ApiError, nest, routeError, tag, type Tagged } from './errors.js';
import type { Listings } from './listing.js';
import type { View } from './namespace.js';
import { pathProblem } from './paths.js';
import { lookupFailed, type Cursor, type UploadSessions } from './sessions.js';

export interface RouteContext {
  view: View;
  arg: Record<string, unknown>;
  body: Uint8Array;
  request: Request;
  sessions: UploadSessions;
  listings: Listings;
  quotaBytes?: number;
  maxNameLength?: number;
  maxRequestBytes: number;
  batchJobPolls: number;
  /** Per-entry write contention inside a batch (finish_batch failure entries). */
  batchEntryContended: () => boolean;
}

export type Download = { download: true; metadata: Record<string, unknown>; bytes: Uint8Array };
export type RouteHandler = (ctx: RouteContext) => unknown | Promise<unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function checkPayload(ctx: RouteContext): void {
  if (ctx.body.byteLength > ctx.maxRequestBytes) throw routeError(tag('payload_too_large'));
}

function checkHash(ctx: RouteContext, bytes: Uint8Array): void {
  const claimed = str(ctx.arg.content_hash);
  if (claimed !== undefined && claimed !== dropboxContentHash(bytes)) throw routeError(tag('content_hash_mismatch'));
}

function lookupFile(ctx: RouteContext, errorTag: string) {
  const path = str(ctx.arg.path) ?? '';
  const problem = pathProblem(path, false, ctx.maxNameLength);
  if (problem || path === '') throw routeError(nest(errorTag, problem ?? tag('malformed_path')));
  const node = ctx.view.ns.get(ctx.view.inside(path));
  if (!node) throw routeError(nest(errorTag, tag('not_found')));
  return node;
}

/** Commits a finished session's bytes; the error shape is UploadSessionFinishError. */
function finishSession(ctx: RouteContext, cursor: Cursor | undefined, info: CommitInfo, tail: Uint8Array): { ok: true; metadata: unknown } | { ok: false; error: Tagged } {
  const found = ctx.sessions.lookup(cursor, false);
  if ('error' in found) return { ok: false, error: lookupFailed(found.error) };
  const bytes = Buffer.concat([ctx.sessions.contents(found.session), tail]);
  const result = commit(ctx.view, info, bytes, { quotaBytes: ctx.quotaBytes, maxNameLength: ctx.maxNameLength });
  if (!result.ok) return { ok: false, error: finishWriteFailed(result.error) };
  ctx.sessions.take(found.session);
  return result;
}

export const routes: Record<string, RouteHandler> = {
  'files/upload'(ctx) {
    checkPayload(ctx);
    checkHash(ctx, ctx.body);
    const result = commit(ctx.view, ctx.arg as unknown as CommitInfo, ctx.body, { quotaBytes: ctx.quotaBytes, maxNameLength: ctx.maxNameLength });
    if (result.ok) return result.metadata;
    // The bytes stay in a closed session that upload_session/finish can commit later.
    const session = ctx.sessions.start(ctx.body, true);
    throw routeError(uploadWriteFailed(result.error, session.id));
  },

  'files/upload_session/start'(ctx) {
    checkPayload(ctx);
    checkHash(ctx, ctx.body);
    if (ctx.arg.session_type !== undefined && (ctx.arg.session_type as Tagged)['.tag'] === 'concurrent') {
      throw new ApiError(400, 'concurrent upload sessions are not emulated');
    }
    return { session_id: ctx.sessions.start(ctx.body, ctx.arg.close === true).id };
  },

  'files/upload_session/append_v2'(ctx) {
    checkPayload(ctx);
    checkHash(ctx, ctx.body);
    ctx.sessions.append(ctx.arg.cursor as Cursor | undefined, ctx.body, ctx.arg.close === true);
    return null;
  },

  'files/upload_session/finish'(ctx) {
    checkPayload(ctx);
    const result = finishSession(ctx, ctx.arg.cursor as Cursor | undefined, ctx.arg.commit as CommitInfo, ctx.body);
    if (!result.ok) throw routeError(result.error);
    return result.metadata;
  },

  'files/upload_session/finish_batch'(ctx) {
    return { '.tag': 'async_job_id', async_job_id: ctx.sessions.launchJob(finishBatch(ctx), ctx.batchJobPolls) };
  },
  'files/upload_session/finish_batch_v2': (ctx) => finishBatch(ctx),
  'files/upload_session/finish_batch/check': (ctx) => ctx.sessions.check(str(ctx.arg.async_job_id) ?? ''),

  'files/download'(ctx): Download {
    const node = lookupFile(ctx, 'path');
    if (node.kind !== 'file') throw routeError(nest('path', tag('not_file')));
    if (str(ctx.arg.rev) !== undefined && ctx.arg.rev !== node.rev) throw routeError(nest('path', tag('not_found')));
    return { download: true, metadata: ctx.view.metadata(node), bytes: node.bytes };
  },

  'files/get_metadata'(ctx) {
    return ctx.view.metadata(lookupFile(ctx, 'path'));
  },

  'files/delete_v2'(ctx) {
    const node = lookupFile(ctx, 'path_lookup');
    if (str(ctx.arg.parent_rev) !== undefined && (node.kind !== 'file' || node.rev !== ctx.arg.parent_rev)) {
      throw routeError(nest('path_write', tag('conflict', { conflict: tag('file') })));
    }
    const metadata = ctx.view.metadata(node);
    ctx.view.ns.remove(node.display);
    return { metadata };
  },

  'files/list_folder': (ctx) => ctx.listings.listFolder(ctx.view, ctx.arg),
  'files/list_folder/continue': (ctx) => ctx.listings.continue(ctx.view, ctx.arg),
  'files/list_folder/get_latest_cursor': (ctx) => ctx.listings.latestCursor(ctx.view, ctx.arg),

  'users/get_current_account': () => ({
    account_id: 'dbid:emulated-account',
    name: { display_name: 'Emulated User' },
    email: 'user@example.invalid',
    root_info: { '.tag': 'team', root_namespace_id: '2002', home_namespace_id: '1001', home_path: '/Emulated User' },
  }),
};

function finishBatch(ctx: RouteContext): unknown {
  const entries = Array.isArray(ctx.arg.entries) ? (ctx.arg.entries as { cursor?: Cursor; commit?: CommitInfo }[]) : [];
  if (entries.length > 1000) throw new ApiError(400, 'entries: list has more than 1000 items');
  return {
    entries: entries.map((e) => {
      const s = e.cursor && ctx.sessions.sessions.get(e.cursor.session_id);
      if (s && !s.closed) return { '.tag': 'failure', failure: lookupFailed(tag('not_closed')) };
      if (ctx.batchEntryContended()) return { '.tag': 'failure', failure: tag('too_many_write_operations') };
      const result = finishSession(ctx, e.cursor, e.commit ?? { path: '' }, new Uint8Array(0));
      if (!result.ok) return { '.tag': 'failure', failure: result.error };
      // FileMetadata inlined into the union variant: the variant's tag replaces the subtype's.
      const { '.tag': _file, ...fields } = result.metadata as Record<string, unknown>;
      return { ...fields, '.tag': 'success' };
    }),
  };
}
