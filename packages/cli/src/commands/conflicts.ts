/** `syncacross conflicts [DIR]`: the conflict copies in the library and how to resolve them. */
import { withLibrary } from '../library-session.js';
import type { Output } from '../output.js';

const HOW_TO_RESOLVE = `How to resolve: each conflict copy holds a version that was edited concurrently with the file it names.
  - keep the file as it is: delete the conflict copy, then sync;
  - keep the copy's content instead: copy it over the file, delete the copy, then sync;
  - keep both: rename the copy to a name of your own (or edit it), then sync.
Nothing is lost either way: \`syncacross log <file>\` shows every version.`;

export async function conflictsCommand(dir: string | undefined, out: Output): Promise<number> {
  return withLibrary(dir, out, { online: false }, async ({ root, library }) => {
    const conflicts = library.status().conflicts;
    if (conflicts.length === 0) out.info('no conflicts');
    else {
      for (const c of conflicts) out.info(`${c.path}\n    conflicts with ${c.conflictOf}`);
      out.info();
      out.info(HOW_TO_RESOLVE);
    }
    out.result({ command: 'conflicts', library: root, conflicts });
    return 0;
  });
}
