/**
 * Upload sessions, as https://learn.microsoft.com/graph/api/driveitem-createuploadsession
 * describes them: bytes go to an `uploadUrl` that needs no Authorization header (sending one
 * "may result in an HTTP 401"), in fragments whose size is a multiple of 320 KiB (except the
 * last), in order (`Content-Range: bytes a-b/total`); 202 with `nextExpectedRanges` until the last
 * byte, then 201/200 with the driveItem; `GET uploadUrl` tells where to resume; the file appears
 * only when the last fragment lands (so no reader ever sees a partial object).
 */
import { randomUUID } from 'node:crypto';
import type { DriveItemState, DriveState } from './drive-state.js';
import { bareTag, eTagOf, cTagOf, graphError, json } from './responses.js';

export const FRAGMENT_UNIT = 320 * 1024;
/** "The maximum bytes in any given request is less than 60 MiB" (createUploadSession docs). */
export const REAL_FRAGMENT_LIMIT = 60 * 1024 * 1024 - 1;

export interface UploadSession {
  id: string;
  drive: DriveState;
  /** Resolves the parent folder and name when the upload completes. */
  commit(bytes: Uint8Array): Response;
  received: Uint8Array[];
  receivedBytes: number;
  /** Requests to the upload URL still to be answered with a transient 404 (real-world mode). */
  notFoundLeft: number;
  total: number | undefined;
  expires: Date;
}

export type FragmentFault = 'reject-500' | 'accept-then-500' | 'drop-session';

export class UploadSessions {
  readonly sessions = new Map<string, UploadSession>();
  /**
   * Real-world mode: the largest fragment accepted (Graph: under 60 MiB,
   * https://learn.microsoft.com/graph/api/driveitem-createuploadsession); undefined = no limit.
   * Larger fragments answer 413 requestEntityTooLarge and store nothing.
   */
  maxFragmentBytes: number | undefined;
  /**
   * Real-world mode: the first N requests to each new upload URL (fragment PUTs and status GETs)
   * answer 404 itemNotFound although the session exists, as Graph does while a session
   * propagates. rclone's backend/onedrive/onedrive.go treats a 404 on an upload URL as transient
   * and retries the fragment; restarting the upload on the first 404 would never finish here.
   */
  transientNotFound = 0;
  private faults: FragmentFault[] = [];
  /** Every fragment PUT seen, for tests: [sessionId, start, end, total]. */
  readonly fragmentLog: { session: string; start: number; end: number; total: number; status: number }[] = [];

  injectFragmentFaults(...faults: FragmentFault[]): void {
    this.faults.push(...faults);
  }

  create(origin: string, drive: DriveState, commit: UploadSession['commit']): Response {
    const id = randomUUID();
    const expires = new Date(Date.now() + 15 * 60_000);
    this.sessions.set(id, { id, drive, commit, received: [], receivedBytes: 0, total: undefined, expires, notFoundLeft: this.transientNotFound });
    return json({ uploadUrl: `${origin}/_upload/${id}`, expirationDateTime: expires.toISOString(), nextExpectedRanges: ['0-'] });
  }

  async handle(request: Request, id: string): Promise<Response> {
    const session = this.sessions.get(id);
    if (!session) return graphError(404, 'itemNotFound', 'The upload session was not found or has expired');
    if (request.method === 'DELETE') {
      this.sessions.delete(id);
      return new Response(null, { status: 204 });
    }
    if (session.notFoundLeft > 0 && (request.method === 'PUT' || request.method === 'GET')) {
      session.notFoundLeft--;
      if (request.method === 'PUT') this.fragmentLog.push({ session: id, start: -1, end: -1, total: -1, status: 404 });
      return graphError(404, 'itemNotFound', 'The upload session was not found (transient)');
    }
    const status = (code = 200) => json({ expirationDateTime: session.expires.toISOString(), nextExpectedRanges: [`${session.receivedBytes}-`] }, code);
    if (request.method === 'GET') return status();
    if (request.method !== 'PUT') return graphError(405, 'invalidRequest', 'Unsupported method on an upload URL');
    if (request.headers.has('authorization')) {
      return graphError(401, 'unauthenticated', 'The upload URL is pre-authenticated: do not send an Authorization header');
    }
    const bytes = new Uint8Array(await request.arrayBuffer());
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(request.headers.get('content-range') ?? '');
    const log = (s: number, r: Response) => {
      this.fragmentLog.push({ session: id, start: range ? Number(range[1]) : -1, end: range ? Number(range[2]) : -1, total: range ? Number(range[3]) : -1, status: s });
      return r;
    };
    if (!range) return log(400, graphError(400, 'invalidRequest', 'Content-Range header required: bytes start-end/total'));
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    const length = end - start + 1;
    const isLast = end === total - 1;
    const bad = start !== session.receivedBytes || length !== bytes.byteLength || end >= total || (session.total !== undefined && session.total !== total) || (!isLast && length % FRAGMENT_UNIT !== 0);
    if (bad) {
      return log(
        416,
        graphError(
          416,
          'invalidRange',
          `Expected a fragment starting at ${session.receivedBytes}, a multiple of 320 KiB except the last; got bytes ${start}-${end}/${total} with ${bytes.byteLength} bytes`,
        ),
      );
    }
    if (this.maxFragmentBytes !== undefined && length > this.maxFragmentBytes) {
      return log(413, graphError(413, 'requestEntityTooLarge', `A fragment must be smaller than 60 MiB; got ${length} bytes`));
    }
    const fault = this.faults.shift();
    if (fault === 'reject-500') return log(500, graphError(500, 'generalException', 'Injected fragment failure (nothing stored)'));
    if (fault === 'drop-session') {
      this.sessions.delete(id);
      return log(500, graphError(500, 'generalException', 'Injected fragment failure (session lost)'));
    }
    session.total = total;
    session.received.push(bytes);
    session.receivedBytes += bytes.byteLength;
    if (fault === 'accept-then-500') return log(500, graphError(500, 'generalException', 'Injected fragment failure (bytes were stored)'));
    if (!isLast) return log(202, status(202));
    this.sessions.delete(id);
    const whole = new Uint8Array(total);
    let offset = 0;
    for (const chunk of session.received) {
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    }
    const response = session.commit(whole);
    return log(response.status, response);
  }
}

/** Honors If-Match against eTag or cTag, as Graph does. */
export const ifMatchFails = (item: DriveItemState | undefined, ifMatch: string | null): boolean => {
  if (ifMatch === null) return false;
  if (!item) return true;
  if (ifMatch.trim() === '*') return false;
  const want = bareTag(ifMatch);
  return want !== bareTag(eTagOf(item)) && want !== bareTag(cTagOf(item));
};
