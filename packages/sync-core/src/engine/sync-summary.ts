/** What a round reports: progress while it runs, and a summary when it is done. */
import type { StorageStats } from '../storage/wrappers/counting.js';

export interface SyncProgress {
  phase: 'list' | 'fetch' | 'scan' | 'upload' | 'materialize' | 'done';
  done: number;
  total: number;
  bytes: number;
  path?: string;
}

export interface SyncSummary {
  repository: string;
  writer: string;
  uploaded: { versions: number; bytes: number; packs: number; segments: number };
  downloaded: { files: number; bytes: number };
  local: { added: number; changed: number; deleted: number };
  remote: { added: number; changed: number; deleted: number };
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
  skipped: { path: string; reason: string }[];
  retiredWriter?: string;
  requests: StorageStats['requests'];
  totalRequests: number;
  bytesUp: number;
  bytesDown: number;
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
