/**
 * Large uploads through an upload session
 * (https://learn.microsoft.com/graph/api/driveitem-createuploadsession):
 * - conflictBehavior goes in the session body as `{ item: { "@microsoft.graph.conflictBehavior" } }`;
 *   with `fail`, an existing name answers 409 at creation or when the last fragment commits;
 * - fragments are multiples of 320 KiB, sent in order with `Content-Range`, to an upload URL that
 *   must NOT receive our Authorization header;
 * - a failed fragment is resumed from the session's `nextExpectedRanges` (the server may have kept
 *   the bytes even though we saw an error); a 404 is first taken as transient (the status is asked
 *   again with growing waits), and only a session that stays missing is restarted, once. This is
 *   the protocol's own recovery, not a general retry: other failures go to the caller.
 * The file only appears when the last byte lands, so no reader sees a partial object.
 */
import { isStorageError, StorageError } from '@syncacross/sync-core';
import type { GraphTransport } from './client.js';
import { httpStatusOf, responseFailure, toStorageError, type GraphFailure } from './errors.js';

export const FRAGMENT_UNIT = 320 * 1024;
/**
 * "The maximum bytes in any given request is less than 60 MiB"
 * (https://learn.microsoft.com/graph/api/driveitem-createuploadsession, "Upload bytes to the
 * upload session"): the largest 320 KiB multiple under 60 MiB is 191 units, 62,586,880 bytes.
 */
export const MAX_FRAGMENT_BYTES = 191 * FRAGMENT_UNIT;
export const FRAGMENT_SIZE_RULE = `a multiple of 320 KiB (327,680 bytes) under 60 MiB, at most ${MAX_FRAGMENT_BYTES.toLocaleString('en-US')} bytes`;

export interface DriveItemJson {
  id: string;
  name: string;
  eTag?: string;
  cTag?: string;
  size?: number;
  lastModifiedDateTime?: string;
  file?: unknown;
  folder?: unknown;
  root?: unknown;
  deleted?: unknown;
  parentReference?: { id?: string; driveId?: string; path?: string };
}

export interface SessionUploadOptions {
  conflictBehavior: 'fail' | 'replace';
  ifMatch?: string;
  fragmentSize: number;
  /** Fragment failures resumed per upload before giving up. */
  maxResumes?: number;
}

export type SessionUploadResult = { outcome: 'created' | 'replaced'; item: DriveItemJson } | { outcome: 'exists' };

interface SessionInfo {
  uploadUrl: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function uploadWithSession(t: GraphTransport, itemPath: string, bytes: Uint8Array, o: SessionUploadOptions): Promise<SessionUploadResult> {
  if (o.fragmentSize <= 0 || o.fragmentSize % FRAGMENT_UNIT !== 0 || o.fragmentSize > MAX_FRAGMENT_BYTES) {
    throw new StorageError('InvalidConfig', `upload fragment size must be ${FRAGMENT_SIZE_RULE}, got ${o.fragmentSize}`);
  }
  const maxResumes = o.maxResumes ?? 5;
  let restarted = false;
  let resumes = 0;
  const what = `upload session for ${decodeURIComponent(itemPath)}`;
  const open = () => openSession(t, itemPath, o, what);

  let session = await open();
  if (session === 'exists') return { outcome: 'exists' };
  let offset = 0;
  for (;;) {
    const end = Math.min(offset + o.fragmentSize, bytes.byteLength) - 1;
    const { response, failure: unanswered } = await sendFragment(t, session.uploadUrl, bytes, offset, end);
    if (response?.status === 202) {
      offset = await nextOffset(response);
      continue;
    }
    if (response && (response.status === 200 || response.status === 201)) {
      const item = (await answerOf(response, what)) as DriveItemJson;
      return { outcome: response.status === 201 ? 'created' : 'replaced', item };
    }
    const f = response ? await responseFailure(response) : unanswered!;
    if (f.status === 409 && o.conflictBehavior === 'fail') return { outcome: 'exists' };
    if (f.status === 412) throw toStorageError(f, what);
    const recoverable = f.status === -1 || f.status >= 500 || f.status === 429 || f.status === 416 || f.status === 404;
    if (!recoverable || resumes >= maxResumes) {
      await cancel(t, session.uploadUrl);
      throw toStorageError(f, what);
    }
    resumes++;
    await sleep(Math.max(t.gate.remainingMs, 50 * resumes));
    const state = await sessionStateWithPatience(t, session.uploadUrl);
    if (state === 'gone') {
      if (restarted) throw toStorageError(f, `${what} (session lost twice)`);
      restarted = true;
      const again = await open();
      if (again === 'exists') return { outcome: 'exists' };
      session = again;
      offset = 0;
    } else {
      offset = state;
    }
  }
}

/** Creates the session; with conflictBehavior 'fail', a name already taken answers 'exists'. */
async function openSession(t: GraphTransport, itemPath: string, o: SessionUploadOptions, what: string): Promise<SessionInfo | 'exists'> {
  try {
    return await t.run(what, (c) => {
      const req = c.api(`${itemPath}:/createUploadSession`);
      if (o.ifMatch) req.header('If-Match', o.ifMatch);
      return req.post({ item: { '@microsoft.graph.conflictBehavior': o.conflictBehavior } }) as Promise<SessionInfo>;
    });
  } catch (e) {
    if (o.conflictBehavior === 'fail' && httpStatusOf(e) === 409) return 'exists';
    throw e;
  }
}

/** PUTs bytes `offset..end` to the upload URL; a request that got no answer is a failure with status -1. */
async function sendFragment(t: GraphTransport, uploadUrl: string, bytes: Uint8Array, offset: number, end: number): Promise<{ response?: Response; failure?: GraphFailure }> {
  try {
    const response = await t.fetchUnauthenticated(uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes ${offset}-${end}/${bytes.byteLength}` },
      body: bytes.subarray(offset, end + 1),
    });
    return { response };
  } catch (error) {
    return { failure: { status: -1, message: error instanceof Error ? error.message : String(error) } };
  }
}

/**
 * An upload URL's JSON answer. Read within its limit (client.ts `fetchUnauthenticated`): one too
 * large is Unavailable already; one cut short or not JSON is Unavailable here, not a TypeError.
 */
async function answerOf(response: Response, what: string): Promise<unknown> {
  try {
    return await response.json();
  } catch (e) {
    if (isStorageError(e)) throw e;
    throw new StorageError('Unavailable', `${what}: the answer could not be read (${(e as Error).message})`, { cause: e });
  }
}

async function nextOffset(response: Response): Promise<number> {
  const body = (await answerOf(response, 'upload session')) as { nextExpectedRanges?: string[] };
  const start = Number(/^(\d+)-/.exec(body.nextExpectedRanges?.[0] ?? '')?.[1]);
  if (!Number.isSafeInteger(start)) throw new StorageError('Corrupt', `upload session answered without a usable nextExpectedRanges: ${JSON.stringify(body)}`);
  return start;
}

/**
 * A 404 on an upload URL is often transient (rclone's backend/onedrive/onedrive.go waits and
 * retries the fragment rather than restarting): ask the session's status again, waiting longer
 * each time, and give the session up only when it stays missing for about 1.5 s.
 */
const NOT_FOUND_WAITS_MS = [50, 100, 200, 400, 800];

async function sessionStateWithPatience(t: GraphTransport, uploadUrl: string): Promise<number | 'gone'> {
  let state = await sessionState(t, uploadUrl);
  for (const wait of NOT_FOUND_WAITS_MS) {
    if (state !== 'gone') return state;
    await sleep(Math.max(t.gate.remainingMs, wait));
    state = await sessionState(t, uploadUrl);
  }
  return state;
}

/** Where the session wants the next byte, or 'gone' when the session no longer exists. */
async function sessionState(t: GraphTransport, uploadUrl: string): Promise<number | 'gone'> {
  let response: Response;
  try {
    response = await t.fetchUnauthenticated(uploadUrl, { method: 'GET' });
  } catch (error) {
    throw new StorageError('Unavailable', `upload session status: ${String(error)}`, { cause: error });
  }
  if (response.status === 404) return 'gone';
  if (!response.ok) throw toStorageError(await responseFailure(response), 'upload session status');
  return nextOffset(response);
}

async function cancel(t: GraphTransport, uploadUrl: string): Promise<void> {
  await t.fetchUnauthenticated(uploadUrl, { method: 'DELETE' }).catch(() => undefined);
}
