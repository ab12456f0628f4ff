/** `retention --json`: the repository's retention policy, as shown or as set. */
import { z } from '@syncacross/sync-core';
import { commandName, libraryDir, succeeded } from './json-output-fields.js';
import { nonNeg } from './json-output-sync.js';

const count = (what: string) => nonNeg.optional().describe(what);

export const retentionOutput = z
  .object({
    ok: succeeded,
    command: commandName('retention'),
    library: libraryDir,
    storage: z.string().describe('the remote, as the adapter names it'),
    policy: z
      .object({
        keepLast: count('the newest versions of each file kept'),
        keepWithinMs: count('every version made within this many milliseconds before a checkpoint is kept'),
        keepHourly: count('hours, back from the newest version, whose newest version is kept'),
        keepDaily: count('days, likewise (UTC)'),
        keepWeekly: count('ISO weeks, likewise'),
        keepMonthly: count('months, likewise'),
        keepYearly: count('years, likewise'),
      })
      .strict()
      .nullable()
      .describe('the policy in force, per file; null: none, every version is kept. Current versions, deletes and conflict copies are always kept'),
    described: z.string().describe('the policy in words'),
    setAt: z.string().nullable().describe('when it was set (ISO time), or null'),
    setBy: z.string().nullable().describe('the writer id that set it, or null'),
    changed: z.boolean().describe('true: this command set it'),
    notice: z.string().nullable().describe('why nothing is pruned though a setting exists (the newest one cannot be read), or null'),
  })
  .strict();
