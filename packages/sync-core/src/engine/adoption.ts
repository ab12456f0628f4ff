/**
 * After a crash: a file materialization renamed into place whose record was not yet written has
 * no record (or an older one). Judged as a local edit, it would be a version with the wrong
 * parents, and once the tree moved on (another node edited or deleted the file meanwhile) a
 * spurious conflict copy, or a deleted file back. Materialization stores its plan before the
 * first rename (LocalState.planWrites); a file that holds exactly the content it planned for that
 * name is this node's own write: adopted as that version, never a new one.
 */
import type { LocalState } from '../local/state.js';
import { contentId, type HashedVersion, type Version } from '../model/version.js';

export function plannedVersionHeld(
  state: Pick<LocalState, 'plannedWrite' | 'version'>,
  diskPath: string,
  held: Version,
  /** Whether the disk folds case: a plan for another spelling then counts (write-versions.ts records the disk's). */
  foldsCase: () => boolean = () => false,
): { version: HashedVersion; treePath: string } | undefined {
  let plan = state.plannedWrite(diskPath);
  if (!plan) {
    const otherSpelling = state.plannedWrite(diskPath, true);
    if (otherSpelling && foldsCase()) plan = otherSpelling;
  }
  if (!plan) return undefined;
  const v = state.version(plan.version);
  if (!v || v.deleted || v.kind === 'dir' || contentId(v) !== contentId(held)) return undefined;
  return { version: v, treePath: plan.treePath };
}
