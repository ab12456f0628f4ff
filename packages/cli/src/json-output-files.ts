/** The per-path part of `sync --json` (and `watch`'s rounds): its own file, so json-output.ts stays one screen of shapes. */
import { z } from '@syncacross/sync-core';

const fileAction = z
  .object({
    path: z.string().describe('the path, relative to the library'),
    action: z
      .enum(['upload', 'delete-remote', 'download', 'delete-local', 'conflict-copy'])
      .describe('upload: a new version published; delete-remote: a delete published; download: written here; delete-local: moved to the trash; conflict-copy: a conflict copy written here'),
    change: z.enum(['new', 'changed']).optional().describe('uploads and downloads: whether the path already held a version'),
    kind: z.enum(['file', 'sqlite', 'dir']).describe('a file, a SQLite database, or an empty folder'),
    bytes: z.number().int().nonnegative().describe("the version's size (chunks the other side already holds are not sent again); 0 for deletes"),
  })
  .strict();

/** The fields `sync` adds for --dry-run and per-path reporting. */
export const syncFileFields = {
  dryRun: z.literal(true).optional().describe('--dry-run: nothing was changed; files and the counts say what a sync would do'),
  files: z.array(fileAction).describe('each path this sync changed (with --dry-run: would change), in order'),
};
