/**
 * Upload sessions: start / append_v2 / finish, and committing many sessions at once with
 * finish_batch (v1: answers an async job id to poll with finish_batch/check) or finish_batch_v2
 * (synchronous). Limits from the route docs: a request carries at most 150 MB, a session at most
 * 350 GB, a batch at most 1000 entries, and a session must be closed before a batch commits it
 * (docs.rs/dropbox-sdk files::upload_session_start, upload_session_finish_batch).
 */
import { randomBytes } from 'node:crypto';
import { nest, routeError, tag, type Tagged } from './errors.js';

export interface Session {
  id: string;
  chunks: Uint8Array[];
  size: number;
  closed: boolean;
}

export interface Cursor {
  session_id: string;
  offset: number;
}

const MAX_SESSION_BYTES = 350 * 1024 ** 3;

export class UploadSessions {
  readonly sessions = new Map<string, Session>();
  private readonly jobs = new Map<string, { pollsLeft: number; result: unknown }>();

  start(bytes: Uint8Array, close: boolean): Session {
    const session: Session = { id: `pid_upload_session:${randomBytes(18).toString('base64url')}`, chunks: [bytes], size: bytes.byteLength, closed: close };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session a cursor points at, or the UploadSessionLookupError explaining why not. */
  lookup(cursor: Cursor | undefined, wantOpen: boolean): { session: Session } | { error: Tagged } {
    const s = cursor && this.sessions.get(cursor.session_id);
    if (!s) return { error: tag('not_found') };
    if (cursor!.offset !== s.size) return { error: tag('incorrect_offset', { correct_offset: s.size }) };
    if (wantOpen && s.closed) return { error: tag('closed') };
    return { session: s };
  }

  append(cursor: Cursor | undefined, bytes: Uint8Array, close: boolean): void {
    const found = this.lookup(cursor, true);
    if ('error' in found) throw routeError(found.error);
    const s = found.session;
    if (s.size + bytes.byteLength > MAX_SESSION_BYTES) throw routeError(tag('too_large'));
    s.chunks.push(bytes);
    s.size += bytes.byteLength;
    if (close) s.closed = true;
  }

  /** Concatenates and forgets a session (after a successful commit). */
  take(s: Session): Uint8Array {
    this.sessions.delete(s.id);
    return Buffer.concat(s.chunks);
  }

  contents(s: Session): Uint8Array {
    return Buffer.concat(s.chunks);
  }

  /** finish_batch v1 runs "in the background": the job answers in_progress `polls` times first. */
  launchJob(result: unknown, polls: number): string {
    const id = `dbjid:${randomBytes(18).toString('base64url')}`;
    this.jobs.set(id, { pollsLeft: polls, result });
    return id;
  }

  check(jobId: string): unknown {
    const job = this.jobs.get(jobId);
    if (!job) throw routeError(tag('invalid_async_job_id'));
    if (job.pollsLeft-- > 0) return tag('in_progress');
    return { '.tag': 'complete', ...(job.result as object) };
  }
}

/** UploadSessionFinishError.lookup_failed wraps a lookup error. */
export const lookupFailed = (e: Tagged) => nest('lookup_failed', e);
