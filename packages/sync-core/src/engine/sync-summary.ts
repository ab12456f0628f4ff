/** What a round reports: progress while it runs, and a summary when it is done. */
import type { StorageStats } from '../storage/wrappers/counting.js';
import type { EntryKind } from '../model/version.js';
import { appendAll } from '../model/append-all.js';

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

/**
 * What one path did in a round (or, in a dry run, would do). `upload`: a new version published
 * (its content sent as needed); `delete-remote`: a delete published; `download`: written here from
 * the tree; `delete-local`: moved to the library's trash; `conflict-copy`: a conflict copy written.
 */
export interface FileAction {
  /** The path in the library. */
  path: string;
  /** What happened to it (see above). */
  action: 'upload' | 'delete-remote' | 'download' | 'delete-local' | 'conflict-copy';
  /** For uploads and downloads: whether the path is new or already held a version. */
  change?: 'new' | 'changed';
  /** A file or a folder. */
  kind: EntryKind;
  /** The version's size (what reaches the other side at most: chunks already there are not sent again). */
  bytes: number;
}

/** What a round did: returned by {@link Library.sync}. */
export interface SyncSummary {
  /** Present and true when nothing was applied: the round was planned only (`Library.sync({ dryRun: true })`). */
  dryRun?: true;
  /** The repository's id. */
  repository: string;
  /** This node's writer id. */
  writer: string;
  /** What this node sent: versions, their new bytes, and the packs and segments holding them. */
  uploaded: {
    /** Versions published (new files, edits and deletes). */
    versions: number;
    /** Bytes of the packs uploaded, as stored (content the remote already held is not sent again). */
    bytes: number;
    /** Packs uploaded, those staged in the outbox while offline included. */
    packs: number;
    /** Segments uploaded (usually 0 or 1). */
    segments: number;
  };
  /** Files written here from the remote, and their bytes. */
  downloaded: {
    /** Files (and folders) written here. */
    files: number;
    /** Their size in bytes. */
    bytes: number;
  };
  /** Changes found in this folder and sent. */
  local: {
    /** New paths found here. */
    added: number;
    /** Paths whose content changed here. */
    changed: number;
    /** Paths deleted here. */
    deleted: number;
  };
  /** Changes from other nodes applied here. */
  remote: {
    /** Paths written here that this folder did not hold. */
    added: number;
    /** Paths here replaced by another node's version. */
    changed: number;
    /** Paths here removed (moved to the library's trash). */
    deleted: number;
  };
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
  /**
   * Local deletions held back this round: most of the library went at once (held-deletions.ts).
   * Each is in `skipped`; `sync({ confirmDeletions: true })` publishes them.
   */
  heldDeletions: number;
  /**
   * Changes of other nodes below a mount point not there this round (`LibraryOptions.mountPoints`),
   * not written: they wait for it, and the next round that finds it writes them. The mount point is in `skipped`.
   */
  awaitingMount: number;
  /** Files not synced this round, and why (the CLI reports them). */
  skipped: {
    /** The library path. */
    path: string;
    /** Why, for a person to read (e.g. still being written, a symbolic link). */
    reason: string;
  }[];
  /**
   * What this node's exclude patterns (`LibraryOptions.exclude`) left out, by the user's choice
   * (so neither an error nor `skipped`): entries on disk not scanned (a folder counts once), and
   * changes other nodes made at excluded paths, not written here.
   */
  excluded: {
    /** Entries on disk not scanned. */
    local: number;
    /** Changes of other nodes not written here. */
    remote: number;
  };
  /** Each path the round changed (or would change, in a dry run), in the order the round did it. */
  files: FileAction[];
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
    heldDeletions: 0,
    awaitingMount: 0,
    skipped: [],
    excluded: { local: 0, remote: 0 },
    files: [],
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
  /** Changes of other nodes at paths this node excludes, left alone (absent: none). */
  excludedRemote?: number;
  /** Changes of other nodes below a mount point not there, left for a later round (absent: none). */
  awaitingMount?: number;
  /** Each path the step changed (or would change, in a dry run). */
  files?: FileAction[];
  /** Paths that are conflict copies in the tree just materialized (absent: not looked at). */
  conflicts?: string[];
  /** The writer id retired this step, and the one that replaces it. */
  retired?: { writer: string; next: string };
}

export function emptyReport(): StepReport {
  return { errors: [], notices: [], retryable: [], remote: { added: 0, changed: 0, deleted: 0 }, downloaded: { files: 0, bytes: 0 } };
}

export function addReport(summary: SyncSummary, report: StepReport): void {
  appendAll(summary.errors, report.errors);
  appendAll(summary.notices, report.notices);
  appendAll(summary.retryable, report.retryable);
  summary.remote.added += report.remote.added;
  summary.remote.changed += report.remote.changed;
  summary.remote.deleted += report.remote.deleted;
  summary.downloaded.files += report.downloaded.files;
  summary.downloaded.bytes += report.downloaded.bytes;
  summary.excluded.remote += report.excludedRemote ?? 0;
  summary.awaitingMount += report.awaitingMount ?? 0;
  if (report.conflicts) summary.conflicts = report.conflicts;
  if (report.files) appendAll(summary.files, report.files);
  if (report.retired) {
    summary.retiredWriter = report.retired.writer;
    summary.writer = report.retired.next;
  }
}
