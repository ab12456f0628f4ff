/** What a round reports: progress while it runs, and a summary when it is done. */
import type { StorageStats } from '../storage/wrappers/counting.js';

/** Where a round is, for a progress bar: reported through `sync({ onProgress })`. */
export interface SyncProgress {
  /** The step: list the remote, fetch segments, scan the folder, upload, write files, done. */
  phase: 'list' | 'fetch' | 'scan' | 'upload' | 'materialize' | 'done';
  /** Items of this phase done so far. */
  done: number;
  /** Items this phase has in all (0 when not known yet). */
  total: number;
  /** Bytes moved in this phase so far. */
  bytes: number;
  /** The file being worked on, when there is one. */
  path?: string;
}

/** What a round did: returned by {@link Library.sync}. */
export interface SyncSummary {
  /** The repository's id. */
  repository: string;
  /** This node's writer id. */
  writer: string;
  /** What this node sent: versions, their new bytes, and the packs and segments holding them. */
  uploaded: { versions: number; bytes: number; packs: number; segments: number };
  /** Files written here from the remote, and their bytes. */
  downloaded: { files: number; bytes: number };
  /** Changes found in this folder and sent. */
  local: { added: number; changed: number; deleted: number };
  /** Changes from other nodes applied here. */
  remote: { added: number; changed: number; deleted: number };
  /** Paths of the conflict copies this round made. */
  conflicts: string[];
  /** What went wrong: something was not synced (exit 8 in the CLI). */
  errors: string[];
  /** What a person should know although nothing was lost or skipped (the CLI prints them, exit 0). */
  notices: string[];
  /**
   * What this round could not do yet and a later one will retry (a remote object not yet readable
   * as its name promises): the round is not complete. The CLI exits 3 when any remain.
   */
  retryable: string[];
  /** Files not synced this round, and why (the CLI reports them). */
  skipped: { path: string; reason: string }[];
  /** The writer id this node left (after it found itself cloned or restored from a backup). */
  retiredWriter?: string;
  /** Requests made, by kind. */
  requests: StorageStats['requests'];
  /** Requests made in all. */
  totalRequests: number;
  /** Bytes sent to the remote. */
  bytesUp: number;
  /** Bytes read from the remote. */
  bytesDown: number;
  /** How long the round took. */
  durationMs: number;
}

/** A summary of nothing done yet. */
export function emptySummary(repository: string, writer: string, requests: StorageStats['requests']): SyncSummary {
  return {
    repository,
    writer,
    uploaded: { versions: 0, bytes: 0, packs: 0, segments: 0 },
    downloaded: { files: 0, bytes: 0 },
    local: { added: 0, changed: 0, deleted: 0 },
    remote: { added: 0, changed: 0, deleted: 0 },
    conflicts: [],
    errors: [],
    notices: [],
    retryable: [],
    skipped: [],
    requests,
    totalRequests: 0,
    bytesUp: 0,
    bytesDown: 0,
    durationMs: 0,
  };
}

/**
 * What one step of a round did. Steps return one and the round adds it to its summary
 * (`addReport`), so a step's effect on what the user is told is visible in its signature.
 */
export interface StepReport {
  errors: string[];
  notices: string[];
  retryable: string[];
  remote: { added: number; changed: number; deleted: number };
  downloaded: { files: number; bytes: number };
  /** Paths that are conflict copies in the tree just materialized (absent: not looked at). */
  conflicts?: string[];
  /** The writer id retired this step, and the one that replaces it. */
  retired?: { writer: string; next: string };
}

export function emptyReport(): StepReport {
  return { errors: [], notices: [], retryable: [], remote: { added: 0, changed: 0, deleted: 0 }, downloaded: { files: 0, bytes: 0 } };
}

export function addReport(summary: SyncSummary, report: StepReport): void {
  summary.errors.push(...report.errors);
  summary.notices.push(...report.notices);
  summary.retryable.push(...report.retryable);
  summary.remote.added += report.remote.added;
  summary.remote.changed += report.remote.changed;
  summary.remote.deleted += report.remote.deleted;
  summary.downloaded.files += report.downloaded.files;
  summary.downloaded.bytes += report.downloaded.bytes;
  if (report.conflicts) summary.conflicts = report.conflicts;
  if (report.retired) {
    summary.retiredWriter = report.retired.writer;
    summary.writer = report.retired.next;
  }
}
