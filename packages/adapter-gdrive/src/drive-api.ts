/**
 * The few Drive calls the adapter makes, through the official client (googleapis → gaxios), with
 * gaxios' own retries switched off so that throttling surfaces as `RateLimited` for the engine's
 * `withRetry` (gaxios would retry neither 403s nor POSTs anyway, and blindly retrying a create
 * whose outcome is unknown makes duplicates). Every failure becomes a StorageError.
 */
import { Readable } from 'node:stream';
import { StorageError } from '@syncacross/sync-core';
import type { drive_v3 } from 'googleapis/build/src/apis/drive/index.js';
import { discard, downloaded, failedAnswer } from './download.js';
import { httpStatus, isFilePermissionRefusal, toStorageError } from './errors.js';
import type { GdriveOptions } from './options.js';
import { resumableUpload, type AuthRequester } from './resumable-upload.js';

export const FOLDER_MIME = 'application/vnd.google-apps.folder';
const FILE_FIELDS = 'id,name,mimeType,parents,size,md5Checksum,createdTime,modifiedTime';

export interface DriveFile {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  size: number;
  md5Checksum?: string;
  createdTime: string;
  modifiedTime?: string;
}

function toDriveFile(raw: drive_v3.Schema$File | Record<string, unknown>): DriveFile {
  const f = raw as drive_v3.Schema$File;
  if (typeof f.id !== 'string') throw new StorageError('Corrupt', 'gdrive: a file resource came back without an id');
  return {
    id: f.id,
    name: f.name ?? '',
    mimeType: f.mimeType ?? 'application/octet-stream',
    parents: f.parents ?? [],
    size: Number(f.size ?? 0),
    md5Checksum: f.md5Checksum ?? undefined,
    createdTime: f.createdTime ?? '',
    modifiedTime: f.modifiedTime ?? undefined,
  };
}

/** One page of `changes.list`: what changed, and where to go on from. */
export interface ChangePage {
  /** `parents` is undefined when Drive did not say (a removed file has no resource). */
  changes: { fileId: string; removed: boolean; parents?: string[] }[];
  nextPageToken?: string;
  newStartPageToken?: string;
}

/** Quotes a value for a `q` string literal: Drive escapes `'` and `\` with a backslash. */
export const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export class DriveApi {
  /** Requests sent, for diagnostics and the cost tests. */
  requests = 0;

  constructor(
    private readonly drive: drive_v3.Drive,
    private readonly auth: AuthRequester,
    private readonly o: GdriveOptions,
    private readonly refreshToken: () => Promise<boolean> = async () => false,
  ) {}

  private get scope() {
    return this.o.sharedDriveId
      ? { corpora: 'drive', driveId: this.o.sharedDriveId, includeItemsFromAllDrives: true, supportsAllDrives: true }
      : { spaces: this.o.appDataFolder ? 'appDataFolder' : 'drive', supportsAllDrives: true, includeItemsFromAllDrives: true };
  }

  /**
   * One Drive call: counted, errors mapped. A 401 means the access token died before its
   * announced expiry (revoked, or the clock is off): refresh it once and repeat; if the refresh
   * itself is refused (invalid_grant), the user has to authorize again and is told so.
   */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.requests++;
      try {
        return await fn();
      } catch (e) {
        if (httpStatus(e) === 401 && attempt === 0 && (await this.refreshToken())) continue;
        throw toStorageError(e, what);
      }
    }
  }

  /** Every page of a search. `incompleteSearch` means results may be missing: that is Unavailable, never a short answer. */
  async search(q: string): Promise<DriveFile[]> {
    const out: DriveFile[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await this.call(`files.list ${q}`, () =>
        this.drive.files.list({ q, pageSize: this.o.pageSize, pageToken, fields: `nextPageToken,incompleteSearch,files(${FILE_FIELDS})`, ...this.scope }),
      );
      if (data.incompleteSearch) throw new StorageError('Unavailable', `gdrive: files.list answered incompleteSearch for ${q}: some results may be missing`);
      for (const f of data.files ?? []) out.push(toDriveFile(f));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }

  /**
   * The children of each parent that match `clause`: one search per parent, in parallel, never an
   * OR of parents. Drive sometimes answers `'A' in parents or 'B' in parents` with only some (or
   * none) of the parents' children and `incompleteSearch: false` (rclone's fast-list bug fix,
   * https://issuetracker.google.com/issues/149522397; emulator/real-world.ts), which would hide
   * other writers' segments and packs. A parent's own search has no such failure reported.
   */
  async searchChildren(parentIds: string[], clause: string): Promise<DriveFile[]> {
    const answers = await Promise.all([...new Set(parentIds)].map((id) => this.search(`${quote(id)} in parents and ${clause}`)));
    return answers.flat();
  }

  /**
   * The change log's position now (`changes.getStartPageToken`), for the change feed
   * (change-feed.ts; https://developers.google.com/drive/api/reference/rest/v3/changes/getStartPageToken).
   */
  async startPageToken(): Promise<string> {
    const { data } = await this.call('changes.getStartPageToken', () =>
      this.drive.changes.getStartPageToken({ supportsAllDrives: true, ...(this.o.sharedDriveId ? { driveId: this.o.sharedDriveId } : {}) }),
    );
    if (!data.startPageToken) throw new StorageError('Corrupt', 'gdrive: changes.getStartPageToken answered no startPageToken');
    return data.startPageToken;
  }

  /**
   * One page of `changes.list` from `pageToken` (https://developers.google.com/drive/api/reference/rest/v3/changes/list):
   * the files changed (or removed) since, with their parents, in the same space or shared drive
   * as every other call here.
   */
  async changes(pageToken: string): Promise<ChangePage> {
    const scope = this.o.sharedDriveId
      ? { driveId: this.o.sharedDriveId, includeItemsFromAllDrives: true, supportsAllDrives: true }
      : { spaces: this.o.appDataFolder ? 'appDataFolder' : 'drive', includeItemsFromAllDrives: true, supportsAllDrives: true };
    const { data } = await this.call('changes.list', () =>
      this.drive.changes.list({ pageToken, pageSize: this.o.pageSize, fields: 'nextPageToken,newStartPageToken,changes(fileId,removed,file(parents))', ...scope }),
    );
    const changes = (data.changes ?? []).map((c) => ({ fileId: c.fileId ?? '', removed: c.removed === true, parents: c.file?.parents ?? undefined }));
    return { changes, nextPageToken: data.nextPageToken ?? undefined, newStartPageToken: data.newStartPageToken ?? undefined };
  }

  /** Metadata by id (strongly consistent, unlike searches); undefined when the file is gone or trashed. */
  async metadata(fileId: string): Promise<DriveFile | undefined> {
    try {
      const { data } = await this.call(`files.get ${fileId}`, () => this.drive.files.get({ fileId, fields: `${FILE_FIELDS},trashed`, supportsAllDrives: true }));
      return data.trashed ? undefined : toDriveFile(data);
    } catch (e) {
      if ((e as StorageError).code === 'NotFound') return undefined;
      throw e;
    }
  }

  async createFolder(name: string, parentId: string): Promise<DriveFile> {
    const { data } = await this.call(`create folder ${name}`, () =>
      this.drive.files.create({ requestBody: { name, mimeType: FOLDER_MIME, parents: [parentId] }, fields: FILE_FIELDS, supportsAllDrives: true }),
    );
    return toDriveFile(data);
  }

  /** Uploads a new file: multipart up to the threshold, resumable above it. */
  async upload(name: string, parentId: string, bytes: Uint8Array): Promise<DriveFile> {
    const metadata = { name, parents: [parentId], mimeType: 'application/octet-stream' };
    if (bytes.byteLength > this.o.resumableThresholdBytes) {
      const base = this.o.rootUrl.endsWith('/') ? this.o.rootUrl : `${this.o.rootUrl}/`;
      const url = `${base}upload/drive/v3/files?uploadType=resumable&supportsAllDrives=true&fields=${encodeURIComponent(FILE_FIELDS)}`;
      return toDriveFile(await resumableUpload(this.auth, url, metadata, bytes, this.o.chunkBytes, () => this.requests++));
    }
    const { data } = await this.call(`upload ${name}`, () => {
      const body = bytes.byteLength === 0 ? Readable.from([]) : Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
      // The generated client builds upload URLs from the per-call rootUrl only (not the global one).
      return this.drive.files.create({ requestBody: metadata, media: { mimeType: 'application/octet-stream', body }, fields: FILE_FIELDS, supportsAllDrives: true }, { rootUrl: this.o.rootUrl });
    });
    return toDriveFile(data);
  }

  /** Downloads content (`alt=media`), optionally a byte range (206). A range past the end is empty (416). */
  async download(fileId: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    if (range && range.length === 0) return new Uint8Array(0);
    const headers = range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : undefined;
    const what = `download ${fileId}`;
    // A stream, with every status an answer: gaxios would read the body whole otherwise (download.ts).
    const answer = await this.call(what, async () => {
      const got = await this.drive.files.get({ fileId, alt: 'media', supportsAllDrives: true }, { responseType: 'stream', headers, validateStatus: () => true });
      if (got.status === 416 || (got.status >= 200 && got.status < 300)) return got;
      throw await failedAnswer(got);
    });
    if (answer.status !== 416) return downloaded(answer, range, what);
    await discard(answer);
    return new Uint8Array(0); // the range starts past the end
  }

  /**
   * Deletes permanently; false when it was already gone. Where permanent deletion is refused (403
   * insufficientFilePermissions: a shared-drive content manager may trash but not delete), the
   * file is trashed instead, which every search here (`trashed = false`) and metadata() treat as
   * gone. A file this account may not trash either (another account's copy) stays, and that
   * refusal is what the caller gets (errors.ts: Unavailable, permanent; not AuthFailed).
   */
  async remove(fileId: string): Promise<boolean> {
    try {
      await this.call(`delete ${fileId}`, () => this.drive.files.delete({ fileId, supportsAllDrives: true }));
      return true;
    } catch (e) {
      if ((e as StorageError).code === 'NotFound') return false;
      if (!isFilePermissionRefusal(e)) throw e;
    }
    try {
      await this.call(`trash ${fileId} (permanent deletion was refused)`, () => this.drive.files.update({ fileId, requestBody: { trashed: true }, fields: 'id', supportsAllDrives: true }));
      return true;
    } catch (e) {
      if ((e as StorageError).code === 'NotFound') return false;
      throw e;
    }
  }
}
