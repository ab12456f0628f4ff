/** `upgrade --json`: the repository's format before and after, and every writer the upgrade waited for or not. */
import { z } from '@syncacross/sync-core';
import { commandName, libraryDir, succeeded } from './json-output-fields.js';

const format = z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)]);

export const upgradeOutput = z
  .object({
    ok: succeeded,
    command: commandName('upgrade'),
    library: libraryDir,
    storage: z.string().describe('the remote, as the adapter names it'),
    dryRun: z.boolean().describe('true: nothing was written, the fields say what would have happened'),
    from: format.describe('the repository format before'),
    to: format.describe('the format it is now (or would be, with --dry-run)'),
    already: z.boolean().describe('true: it was of the newest format already; nothing to do'),
    upgraded: z.boolean().describe('true: the upgrade was written now (false with --dry-run, or when already done; while a machine blocks it, upgrade fails with exit code 2 and names it)'),
    writers: z
      .array(
        z
          .object({
            writer: z.string().describe('a writer id with history on the remote'),
            user: z.string().nullable().describe('who writes under it, if its node published a name'),
            machine: z.string().nullable().describe('on which machine, if published'),
            lastWrote: z.string().nullable().describe('when its newest history segment was stored (ISO time, the storage clock), or null where the storage shows no times'),
            ready: z.boolean().describe('its node said it reads the newest format (this release or later, after one sync)'),
            blocking: z.boolean().describe('not ready, and wrote within 30 days: the upgrade waits for it'),
          })
          .strict(),
      )
      .describe('every writer with history on the remote, most recent first'),
  })
  .strict();
