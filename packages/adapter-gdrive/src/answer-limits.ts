/**
 * Drive's answers other than downloads (a `files.list` page, a created file's resource, an upload
 * session's answers, the token endpoint's), read within a limit. gaxios reads a body whole,
 * whatever its length, in every responseType but `stream`: a hostile or broken server sending an
 * answer with no end would take all the memory there is. So every request of the adapter's OAuth
 * client goes through this gaxios `adapter` (client.ts): it asks gaxios' own fetch for the body
 * as a stream (node-fetch 3, with gaxios' proxy agent as before) and reads it here, within the
 * limit, into what gaxios would have made of it for the responseType asked.
 *
 * A download (`alt=media`) asks for a stream itself, and download.ts reads it up to its range.
 */
import { StorageError } from '@syncacross/sync-core';
import { ANSWER_BODY_LIMIT, declaredLength, ERROR_BODY_LIMIT, readBodyWithin } from '@syncacross/sync-core/adapter-kit';
import { headerOf } from './errors.js';

/** The part of gaxios' request options this reads. */
interface Options {
  responseType?: string;
}

/** The part of gaxios' response this reads and rewrites (`data`). */
interface Answer {
  status: number;
  headers: unknown;
  data: unknown;
}

/** A gaxios `adapter`: gaxios' own request (`send`), the body read within its limit. */
export async function withinLimits<O extends Options, R extends Answer>(options: O, send: (options: O) => Promise<R>): Promise<R> {
  if (options.responseType === 'stream') return send(options);
  const answer = await send({ ...options, responseType: 'stream' });
  const body = answer.data as AsyncIterable<Uint8Array> | string | null | undefined;
  if (!body || typeof body === 'string') return answer; // a 204's: gaxios answers '' without a body
  const header = (name: string) => headerOf(answer.headers, name);
  const ok = answer.status >= 200 && answer.status < 300;
  // An error's body (or a 308's, which the Range header says all of) is read for its message only.
  // A `files.list` page is at most 1,000 files ("pageSize … Acceptable values are 1 to 1000",
  // https://developers.google.com/drive/api/reference/rest/v3/files/list), under 1 KB each with
  // the fields asked: about a MB, far within ANSWER_BODY_LIMIT.
  const limit = ok ? ANSWER_BODY_LIMIT + 1 : ERROR_BODY_LIMIT;
  let bytes: Buffer;
  try {
    bytes = await readBodyWithin(body, { declared: declaredLength(header, answer.status), limit });
  } catch (e) {
    throw new StorageError('Unavailable', `the answer could not be read (${(e as Error).message})`, { cause: e });
  }
  if (ok && bytes.byteLength > ANSWER_BODY_LIMIT) throw new StorageError('Unavailable', `the server's answer is larger than ${ANSWER_BODY_LIMIT} bytes, more than any Drive answer this adapter reads`);
  answer.data = asGaxiosWould(bytes, options.responseType, header('content-type'));
  // gaxios' error for a failed answer keeps its data only where the response says its body was
  // used (common.ts: `response.bodyUsed ? data : undefined`), and node-fetch says so only when it
  // read the body itself: without this, the error lost Drive's reason (throttling, invalid_grant).
  Object.defineProperty(answer, 'bodyUsed', { value: true, configurable: true });
  return answer;
}

/** The body as gaxios makes it for a responseType (gaxios 7, src/gaxios.ts `getResponseData`). */
function asGaxiosWould(bytes: Buffer, responseType: string | undefined, contentType: string | undefined): unknown {
  const text = () => bytes.toString('utf8');
  const json = () => {
    try {
      return JSON.parse(text()) as unknown;
    } catch {
      return text();
    }
  };
  switch (responseType) {
    case 'json':
      return json();
    case 'text':
      return text();
    case 'arraybuffer':
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    case 'blob':
      return new Blob([bytes]);
    default: {
      // By its Content-Type (`getResponseDataFromContentType`).
      const type = contentType?.toLowerCase();
      if (type === undefined || /^text\//.test(type)) return text();
      if (type.includes('application/json')) return json();
      return new Blob([bytes]);
    }
  }
}
