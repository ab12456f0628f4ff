/**
 * Writing one object: a single files/upload up to `singleUploadLimitBytes` (Dropbox: "a single
 * request should not upload more than 150 MB"), otherwise an upload session (start, append_v2,
 * finish; a session holds up to 350 GB and the file appears only when finish commits it, so no
 * reader sees a partial object). Every request carries the `content_hash` of its bytes, so
 * Dropbox refuses anything damaged in transit. An `incorrect_offset` answer (a chunk landed but
 * its answer was lost) resumes from the offset Dropbox reports: the one retry this protocol needs.
 * Only the commits (files/upload, finish) take the namespace's write lock, so only they pass
 * through `commitGate` (the adapter's write pacing, context.ts); chunks upload in parallel.
 * (docs.rs/dropbox-sdk files::upload_session_start, upload_session_finish)
 */
import type { Dropbox, files } from 'dropbox';
import type { CommitBatcher, CommitGate } from './batch-commit.js';
import { dropboxContentHash } from './content-hash.js';
import { responseOf, tagChain } from './errors.js';

export type WriteMode = { '.tag': 'add' } | { '.tag': 'update'; update: string };

export interface UploadLimits {
  singleUploadLimitBytes: number;
  chunkBytes: number;
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The offset Dropbox says it has, when an error is `incorrect_offset` (possibly inside lookup_failed). */
function correctOffset(e: unknown): number | undefined {
  const r = responseOf(e);
  if (r?.status !== 409) return undefined;
  let node = (r.error as { error?: unknown } | undefined)?.error as Record<string, unknown> | undefined;
  if (tagChain(node)[0] === 'lookup_failed') node = node?.lookup_failed as Record<string, unknown> | undefined;
  return node?.['.tag'] === 'incorrect_offset' && typeof node.correct_offset === 'number' ? node.correct_offset : undefined;
}

/** How commits leave: paced one by one through `gate`, or gathered by `batcher` (commitMode "batch"). */
export interface Commits {
  gate: CommitGate;
  batcher?: CommitBatcher;
}

/** The bytes go up now, in parallel (a session start takes no lock); the commit joins the next batch. */
async function uploadBatched(dbx: Dropbox, bytes: Uint8Array, commit: files.CommitInfo, batcher: CommitBatcher): Promise<files.FileMetadata> {
  const started = await dbx.filesUploadSessionStart({ close: true, contents: asBuffer(bytes), content_hash: dropboxContentHash(bytes) } as files.UploadSessionStartArg);
  return batcher.commit({ cursor: { session_id: started.result.session_id, offset: bytes.byteLength }, commit } as files.UploadSessionFinishArg);
}

export async function uploadObject(dbx: Dropbox, path: string, bytes: Uint8Array, mode: WriteMode, limits: UploadLimits, commits: Commits): Promise<files.FileMetadata> {
  // strict_conflict: identical bytes already at the path must still count as a conflict.
  const commit = { path, mode, autorename: false, strict_conflict: true, mute: true } as files.CommitInfo;
  const commitGate = commits.gate;
  if (commits.batcher && bytes.byteLength <= limits.singleUploadLimitBytes) return uploadBatched(dbx, bytes, commit, commits.batcher);
  if (bytes.byteLength <= limits.singleUploadLimitBytes) {
    const res = await commitGate(() => dbx.filesUpload({ ...commit, contents: asBuffer(bytes), content_hash: dropboxContentHash(bytes) } as files.UploadArg));
    return res.result;
  }
  const chunk = limits.chunkBytes;
  const piece = (from: number) => bytes.subarray(from, Math.min(bytes.byteLength, from + chunk));
  const first = piece(0);
  const started = await dbx.filesUploadSessionStart({ close: false, contents: asBuffer(first), content_hash: dropboxContentHash(first) } as files.UploadSessionStartArg);
  const sessionId = started.result.session_id;
  let offset = first.byteLength;
  let resumes = 0;
  const resumeOr = (e: unknown, canResend: boolean) => {
    if (++resumes > 5) throw e;
    // No answer at all (connection lost): send the same chunk again; if it had landed, Dropbox
    // answers incorrect_offset with the offset it has, and we continue from there.
    // (finish is not resent: had it landed, the session would be gone and the outcome unknown.)
    if (responseOf(e) === undefined && canResend) return;
    const at = correctOffset(e);
    if (at === undefined || at < 0 || at > bytes.byteLength) throw e;
    offset = at;
  };
  for (;;) {
    if (bytes.byteLength - offset > chunk) {
      const next = piece(offset);
      try {
        await dbx.filesUploadSessionAppendV2({
          cursor: { session_id: sessionId, offset },
          close: false,
          contents: asBuffer(next),
          content_hash: dropboxContentHash(next),
        } as files.UploadSessionAppendArg);
        offset += next.byteLength;
      } catch (e) {
        resumeOr(e, true);
      }
      continue;
    }
    const last = bytes.subarray(offset);
    try {
      const res = await commitGate(() =>
        dbx.filesUploadSessionFinish({
          cursor: { session_id: sessionId, offset },
          commit,
          contents: asBuffer(last),
          content_hash: dropboxContentHash(last),
        } as files.UploadSessionFinishArg),
      );
      return res.result;
    } catch (e) {
      resumeOr(e, false);
    }
  }
}
