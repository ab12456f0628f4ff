/**
 * Drive's upload endpoint, `/upload/drive/v3/files`, per "Upload file data"
 * (https://developers.google.com/drive/api/guides/manage-uploads):
 * - `uploadType=media`: the body is the content;
 * - `uploadType=multipart`: `multipart/related`, JSON metadata then the media;
 * - `uploadType=resumable`: POST the metadata (`X-Upload-Content-Length` optional) → 200 with the
 *   session URI in `Location`; then PUT chunks with `Content-Range: bytes a-b/total` (every chunk
 *   but the last a multiple of 256 KiB); an incomplete upload answers `308 Resume Incomplete` with
 *   `Range: bytes=0-n` (no Range when nothing arrived); `Content-Range: bytes *\/total` with an
 *   empty body asks for the status; the final chunk answers 200 with the file resource.
 * The file exists only when the last byte has arrived, so no reader ever sees it partial.
 */
import { randomBytes } from 'node:crypto';
import { createFromMetadata } from './files-api.js';
import { boundaryOf, MultipartError, parseMultipart } from './multipart.js';
import { driveError, invalidParameter, notFound, realWorldErrors } from './responses.js';
import type { DriveStore } from './store.js';

const CHUNK_GRANULE = 256 * 1024;

interface Session {
  metadata: unknown;
  declaredSize?: number;
  fields: string | null;
  received: Buffer[];
  receivedBytes: number;
}

export class UploadEndpoint {
  private readonly sessions = new Map<string, Session>();
  /** Test hook: the next chunk PUT keeps at most this many bytes (whole 256 KiB blocks), then fails with 503 (a dropped connection). */
  failNextChunkAfterBytes: number | undefined;

  constructor(
    private readonly store: DriveStore,
    private readonly copiesPerCreate: () => number,
    /** Counts uploaded bytes against the daily upload cap (real-world.ts); false when over it. */
    private readonly admitUpload: (bytes: number) => boolean = () => true,
  ) {}

  get openSessions(): number {
    return this.sessions.size;
  }

  async post(url: URL, request: Request): Promise<Response> {
    const fields = url.searchParams.get('fields');
    const body = Buffer.from(await request.arrayBuffer());
    switch (url.searchParams.get('uploadType')) {
      case 'media':
        if (!this.admitUpload(body.byteLength)) return realWorldErrors.uploadCap();
        return createFromMetadata(this.store, {}, body, fields, this.copiesPerCreate());
      case 'multipart': {
        try {
          const parts = parseMultipart(body, boundaryOf(request.headers.get('content-type')));
          if (parts.length !== 2) return driveError(400, 'badContent', 'Multipart upload needs exactly a metadata part and a media part.');
          const metadata = JSON.parse(parts[0]!.body.toString('utf8')) as unknown;
          if (!this.admitUpload(parts[1]!.body.byteLength)) return realWorldErrors.uploadCap();
          return createFromMetadata(this.store, metadata, Buffer.from(parts[1]!.body), fields, this.copiesPerCreate());
        } catch (e) {
          if (e instanceof MultipartError || e instanceof SyntaxError) return driveError(400, 'badContent', `Malformed multipart body: ${e.message}`);
          throw e;
        }
      }
      case 'resumable': {
        const declared = request.headers.get('x-upload-content-length');
        if (declared !== null && !/^\d+$/.test(declared)) return invalidParameter('X-Upload-Content-Length');
        let metadata: unknown = {};
        if (body.byteLength > 0) {
          try {
            metadata = JSON.parse(body.toString('utf8'));
          } catch {
            return driveError(400, 'parseError', 'Parse Error');
          }
        }
        const id = randomBytes(18).toString('base64url');
        this.sessions.set(id, { metadata, declaredSize: declared === null ? undefined : Number(declared), fields, received: [], receivedBytes: 0 });
        const location = new URL(url.pathname, url.origin);
        location.searchParams.set('uploadType', 'resumable');
        location.searchParams.set('upload_id', id);
        return new Response(null, { status: 200, headers: { location: location.toString(), 'x-guploader-uploadid': id } });
      }
      default:
        return invalidParameter('uploadType');
    }
  }

  async put(url: URL, request: Request): Promise<Response> {
    const id = url.searchParams.get('upload_id') ?? '';
    const session = this.sessions.get(id);
    if (!session) return notFound(`upload session ${id}`);
    const body = Buffer.from(await request.arrayBuffer());
    const header = request.headers.get('content-range') ?? `bytes 0-${body.byteLength - 1}/${body.byteLength}`;
    const m = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(header.trim());
    if (!m) return invalidParameter('Content-Range');
    const total = m[3] === '*' ? undefined : Number(m[3]);
    if (total !== undefined && session.declaredSize !== undefined && total !== session.declaredSize) {
      return driveError(400, 'badContent', `Content-Range total ${total} differs from X-Upload-Content-Length ${session.declaredSize}`);
    }
    if (m[1] !== undefined) {
      const start = Number(m[1]);
      const end = Number(m[2]);
      if (end - start + 1 !== body.byteLength) return driveError(400, 'badContent', 'Content-Range does not match the body length');
      if (start > session.receivedBytes) return driveError(400, 'badContent', `Chunk starts at ${start} but only ${session.receivedBytes} bytes were received`);
      const isLast = total !== undefined && end + 1 === total;
      if (!isLast && (end + 1) % CHUNK_GRANULE !== 0) return driveError(400, 'badContent', 'Every chunk but the last must be a multiple of 256 KiB');
      const fresh = body.subarray(session.receivedBytes - start); // overlap with bytes we already have is dropped
      const keep = this.failNextChunkAfterBytes;
      if (keep !== undefined) {
        this.failNextChunkAfterBytes = undefined;
        // Google's upload servers persist whole 256 KiB blocks: the 308 Range after a cut stays aligned.
        const alignedEnd = Math.floor((session.receivedBytes + Math.min(keep, fresh.byteLength)) / CHUNK_GRANULE) * CHUNK_GRANULE;
        const kept = fresh.subarray(0, Math.max(0, alignedEnd - session.receivedBytes));
        session.received.push(Buffer.from(kept));
        session.receivedBytes += kept.byteLength;
        return driveError(503, 'backendError', 'The connection was reset during the upload.');
      }
      session.received.push(Buffer.from(fresh));
      session.receivedBytes += fresh.byteLength;
    }
    if (total !== undefined && session.receivedBytes === total) {
      this.sessions.delete(id);
      if (!this.admitUpload(total)) return realWorldErrors.uploadCap();
      return createFromMetadata(this.store, session.metadata, Buffer.concat(session.received), session.fields, this.copiesPerCreate());
    }
    const headers: Record<string, string> = session.receivedBytes > 0 ? { range: `bytes=0-${session.receivedBytes - 1}` } : {};
    return new Response(null, { status: 308, headers });
  }
}
