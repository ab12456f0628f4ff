/**
 * What `-v` and `--dry-run` print: one line per path a round changed (or would change), and with
 * `-vv` one line per storage request (on stderr: the request trace is a diagnostic, not a result).
 */
import type { FileAction, TracedRequest } from '@syncacross/sync-core';
import { formatBytes, type Output } from './output.js';

const LABELS: Record<string, string> = {
  'upload new': 'upload (new)',
  'upload changed': 'upload (changed)',
  'download new': 'download (new)',
  'download changed': 'download (changed)',
  'delete-remote': 'delete remotely',
  'delete-local': 'delete locally',
  'conflict-copy': 'conflict copy',
};

/** `  download (changed)  notes.md  10 B` (a folder ends in /; deletes move no bytes). */
function fileActionLine(a: FileAction): string {
  const label = LABELS[a.change ? `${a.action} ${a.change}` : a.action] ?? a.action;
  const path = a.kind === 'dir' ? `${a.path}/` : a.path;
  const size = a.kind === 'dir' || a.action.startsWith('delete') ? '' : `  ${formatBytes(a.bytes)}`;
  return `  ${label.padEnd(18)}  ${path}${size}`;
}

/** Each path's line, in the round's order. */
export function printFileActions(files: FileAction[], out: Output): void {
  for (const a of files) out.info(fileActionLine(a));
}

/** `-vv`: `storage get packs/ab12… 12.0 KB 35ms ok`, on stderr (keys and sizes only: never a header or token). */
export function traceRequests(out: Output): ((r: TracedRequest) => void) | undefined {
  if (out.verbose < 2) return undefined;
  return (r) => out.warn(`storage ${r.operation} ${r.key || '(root)'} ${r.operation === 'list' ? `${r.bytes} objects` : formatBytes(r.bytes)} ${Math.round(r.durationMs)}ms ${r.outcome}`);
}
