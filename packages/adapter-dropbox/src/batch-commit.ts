/**
 * Batch commits (option `commitMode: "batch"`), Dropbox's own answer to namespace write-lock
 * contention: "We recommend uploading many files in parallel to increase throughput. Once the
 * file contents have been uploaded, rather than calling upload_session/finish, use this route to
 * finish all your upload sessions in a single request" (upload_session/finish_batch; the
 * data-ingress guide). Each object's bytes go up in parallel as a closed upload session; the
 * commits wait here and leave together in one `finish_batch_v2` (at most 1,000 entries), one
 * batch at a time ("this route should be executed serially"), while the next batch gathers.
 * A failed entry comes back as the same 409 shape a single finish answers, so conflicts, write
 * contention and lost sessions are read by the same code (put.ts, errors.ts).
 */
import type { Dropbox, files } from 'dropbox';
import { tagChain } from './errors.js';

export type CommitGate = <T>(commit: () => Promise<T>) => Promise<T>;

const MAX_ENTRIES = 1000;

interface Waiting {
  entry: files.UploadSessionFinishArg;
  resolve(metadata: files.FileMetadata): void;
  reject(error: unknown): void;
}

/** A failed entry as the SDK would throw it for upload_session/finish (a DropboxResponseError 409). */
function entryError(failure: unknown): Error {
  const summary = `${tagChain(failure).join('/')}/..`;
  return Object.assign(new Error(`Response failed with a 409 code: ${summary}`), { name: 'DropboxResponseError', status: 409, error: { error_summary: summary, error: failure } });
}

export class CommitBatcher {
  private waiting: Waiting[] = [];
  private draining = false;
  /** Batches sent so far (for tests and logs). */
  batches = 0;

  constructor(
    private readonly dbx: Dropbox,
    private readonly gate: CommitGate,
  ) {}

  /** Commits one closed upload session; resolves with its metadata when its batch is answered. */
  commit(entry: files.UploadSessionFinishArg): Promise<files.FileMetadata> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        await new Promise((resolve) => setImmediate(resolve)); // writes started together join one batch
        await this.send(this.waiting.splice(0, MAX_ENTRIES));
      }
    } finally {
      this.draining = false;
    }
  }

  private async send(batch: Waiting[]): Promise<void> {
    this.batches++;
    let entries: files.UploadSessionFinishBatchResultEntry[];
    try {
      entries = (await this.gate(() => this.dbx.filesUploadSessionFinishBatchV2({ entries: batch.map((w) => w.entry) }))).result.entries;
    } catch (e) {
      for (const w of batch) w.reject(e); // the whole batch refused (429, 5xx, lost answer): each write decides
      return;
    }
    batch.forEach((w, i) => {
      const answer = entries[i];
      if (answer === undefined) w.reject(new Error('dropbox: finish_batch_v2 answered fewer entries than it was sent'));
      else if (answer['.tag'] === 'success') w.resolve({ ...answer, '.tag': 'file' } as unknown as files.FileMetadata);
      else w.reject(entryError(answer.failure));
    });
  }
}
