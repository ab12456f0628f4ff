/**
 * Writing a file at a path under a WriteMode, the way files/upload, upload_session/finish and
 * finish_batch commit. Dropbox's documented rules (WriteMode, UploadArg.strict_conflict):
 * (a) nothing at the path: written, no conflict; (b) a folder at the path: always a conflict;
 * (c) a file with identical contents: nothing is written and there is no conflict, unless
 * `strict_conflict`, which "forces a conflict even when the target path refers to a file with
 * identical contents" and makes `update(rev)` conflict when the file was deleted.
 * (docs.rs/dropbox-sdk files::WriteMode and files::UploadArg)
 */
import { dropboxContentHash } from '../content-hash.js';
import { nest, tag, writeConflict, type Tagged } from './errors.js';
import type { FileNode, View } from './namespace.js';
import { lower, nameOf, parentOf, pathProblem } from './paths.js';

export interface CommitInfo {
  path: string;
  mode?: string | Tagged;
  autorename?: boolean;
  strict_conflict?: boolean;
  mute?: boolean;
  client_modified?: string;
}

export type CommitResult = { ok: true; metadata: Record<string, unknown> } | { ok: false; error: Tagged };

function parseMode(mode: CommitInfo['mode']): { kind: 'add' | 'overwrite' | 'update'; rev?: string } | undefined {
  const m = mode === undefined ? { '.tag': 'add' } : typeof mode === 'string' ? { '.tag': mode } : mode;
  if (m['.tag'] === 'add' || m['.tag'] === 'overwrite') return { kind: m['.tag'] };
  if (m['.tag'] === 'update' && typeof m.update === 'string' && /^[0-9a-f]{9,}$/.test(m.update)) return { kind: 'update', rev: m.update };
  return undefined;
}

function renamed(path: string, n: number, conflictedCopy: boolean): string {
  const name = nameOf(path);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const suffix = conflictedCopy ? ` (conflicted copy${n > 1 ? ` ${n}` : ''})` : ` (${n})`;
  return `${parentOf(path)}/${stem}${suffix}${ext}`;
}

export interface CommitOptions {
  /** Namespace quota in bytes, for insufficient_space. */
  quotaBytes?: number;
  /** Longest name a path may hold (real-world mode maxNameLength). */
  maxNameLength?: number;
}

export function commit(view: View, info: CommitInfo, bytes: Uint8Array, options: CommitOptions = {}): CommitResult {
  const mode = parseMode(info.mode);
  if (!mode) throw new Error(`bad mode ${JSON.stringify(info.mode)}`);
  const problem = pathProblem(info.path, true, options.maxNameLength);
  if (problem) return { ok: false, error: problem };
  const ns = view.ns;
  const internal = view.inside(info.path);
  if (ns.fileAncestor(internal)) return { ok: false, error: writeConflict('file_ancestor') };
  if (options.quotaBytes !== undefined) {
    let used = 0;
    for (const n of ns.nodes.values()) if (n.kind === 'file') used += n.bytes.byteLength;
    if (used + bytes.byteLength > options.quotaBytes) return { ok: false, error: tag('insufficient_space') };
  }
  const existing = ns.get(internal);
  const write = (path: string) => ({ ok: true as const, metadata: view.metadata(ns.writeFile(path, bytes)) });
  const conflict = (kind: 'file' | 'folder'): CommitResult => {
    if (!info.autorename) return { ok: false, error: writeConflict(kind) };
    for (let n = 1; n < 1000; n++) {
      const candidate = renamed(internal, n, mode.kind === 'update');
      if (!ns.get(candidate)) return write(candidate);
    }
    return { ok: false, error: writeConflict(kind) };
  };

  if (existing?.kind === 'folder') return conflict('folder');
  const strict = info.strict_conflict === true;
  if (existing) {
    const file = existing as FileNode;
    const identical = file.contentHash === dropboxContentHash(bytes);
    if (mode.kind === 'overwrite') return identical ? { ok: true, metadata: view.metadata(file) } : write(internal);
    if (mode.kind === 'update' && file.rev === mode.rev) return identical ? { ok: true, metadata: view.metadata(file) } : write(internal);
    if (identical && !strict) return { ok: true, metadata: view.metadata(file) };
    return conflict('file');
  }
  if (mode.kind === 'update') {
    // Non-strict update may revive the file it names; strict update needs the file to be there.
    if (!strict && ns.deletedRevs.get(lower(internal)) === mode.rev) return write(internal);
    return conflict('file');
  }
  return write(internal);
}

/** files/upload reports a WriteError as UploadError.path = UploadWriteFailed {reason, upload_session_id}. */
export const uploadWriteFailed = (reason: Tagged, sessionId: string): Tagged => ({ '.tag': 'path', reason, upload_session_id: sessionId });
/** upload_session/finish reports it as UploadSessionFinishError.path (a nested union). */
export const finishWriteFailed = (reason: Tagged): Tagged => nest('path', reason);
