/**
 * Drive's resumable upload protocol (https://developers.google.com/drive/api/guides/manage-uploads#resumable):
 * POST the metadata with `uploadType=resumable` → session URI in `Location`; PUT chunks with
 * `Content-Range: bytes a-b/total` (multiples of 256 KiB but the last); `308 Resume Incomplete`
 * with `Range: bytes=0-n` says what arrived. After a dropped connection or a 5xx, ask with
 * `Content-Range: bytes *\/total` and continue from there: that is the protocol, not a blind
 * retry, so the adapter does it itself (a bounded number of times).
 */
import { StorageError } from '@syncacross/sync-core';
import { toStorageError, httpStatus } from './errors.js';

interface AuthRequestOptions {
  url: string;
  method: 'POST' | 'PUT';
  data?: unknown;
  headers?: Record<string, string>;
  validateStatus?: (status: number) => boolean;
  retry?: boolean;
  responseType?: 'json';
}
interface AuthResponse {
  status: number;
  data: unknown;
  headers: Headers | Record<string, string>;
}
/** The authorized request function of the OAuth client (adds and refreshes the Bearer token). */
export interface AuthRequester {
  request(options: AuthRequestOptions): Promise<AuthResponse>;
}

const RESUME_ATTEMPTS = 5;

function header(headers: AuthResponse['headers'], name: string): string | undefined {
  return typeof (headers as Headers).get === 'function' ? ((headers as Headers).get(name) ?? undefined) : (headers as Record<string, string>)[name];
}

/** Bytes the server holds, from a 308's `Range: bytes=0-n` (absent: none). */
function receivedFrom(res: AuthResponse): number {
  const m = /bytes=0-(\d+)/.exec(header(res.headers, 'range') ?? '');
  return m ? Number(m[1]) + 1 : 0;
}

const transient = (e: unknown) => {
  const s = httpStatus(e);
  return s === undefined || s >= 500 || s === 408;
};

export async function resumableUpload(auth: AuthRequester, initUrl: string, metadata: unknown, bytes: Uint8Array, chunkBytes: number, count: () => void): Promise<Record<string, unknown>> {
  const total = bytes.byteLength;
  let session: string | undefined;
  try {
    count();
    const res = await auth.request({
      url: initUrl,
      method: 'POST',
      data: metadata,
      headers: { 'Content-Type': 'application/json; charset=UTF-8', 'X-Upload-Content-Type': 'application/octet-stream', 'X-Upload-Content-Length': String(total) },
      retry: false,
    });
    session = header(res.headers, 'location');
  } catch (e) {
    throw toStorageError(e, 'start resumable upload');
  }
  if (!session) throw toStorageError(new Error('no session URI in Location'), 'start resumable upload');

  const put = (data: Uint8Array | undefined, range: string) => {
    count();
    return auth.request({
      url: session!,
      method: 'PUT',
      data: data === undefined ? undefined : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      headers: { 'Content-Range': range, 'Content-Type': 'application/octet-stream' },
      validateStatus: (s) => s === 308 || (s >= 200 && s < 300),
      retry: false,
      responseType: 'json',
    });
  };

  let offset = 0;
  let failures = 0;
  for (;;) {
    try {
      const end = Math.min(offset + chunkBytes, total);
      const res = await put(bytes.subarray(offset, end), `bytes ${offset}-${end - 1}/${total}`);
      if (res.status !== 308) return res.data as Record<string, unknown>;
      const next = receivedFrom(res);
      // A session that acknowledges nothing would loop forever: count it as a failure.
      if (next <= offset && ++failures > RESUME_ATTEMPTS) throw new StorageError('Unavailable', `resumable upload made no progress at byte ${offset} of ${total}`);
      offset = next;
    } catch (e) {
      if (!transient(e) || ++failures > RESUME_ATTEMPTS) throw toStorageError(e, `resumable upload at byte ${offset} of ${total}`);
      // Ask the session what it has, then go on from there.
      try {
        const status = await put(undefined, `bytes */${total}`);
        if (status.status !== 308) return status.data as Record<string, unknown>;
        offset = receivedFrom(status);
      } catch (e2) {
        if (!transient(e2) || failures >= RESUME_ATTEMPTS) throw toStorageError(e2, `resumable upload status at byte ${offset} of ${total}`);
      }
    }
  }
}
