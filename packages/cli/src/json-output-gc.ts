/** `gc --json`: what collection relied on, and what it deleted (or would, with --dry-run). */
import { z } from '@syncacross/sync-core';
import { commandName, libraryDir, succeeded } from './json-output-fields.js';
import { nonNeg } from './json-output-sync.js';

const keys = (what: string) => z.array(z.string()).describe(what);

export const gcOutput = z
  .object({
    ok: succeeded,
    command: commandName('gc'),
    library: libraryDir,
    storage: z.string().describe('the remote, as the adapter names it'),
    dryRun: z.boolean().describe('true: nothing was deleted, the lists say what would have been'),
    marginMs: nonNeg.describe('how old a checkpoint had to be, on the storage clock, in milliseconds'),
    clockSkewMs: z.number().describe("this machine's clock minus the storage's, in milliseconds (collection refuses beyond 5 minutes)"),
    wrote: z
      .object({
        key: z.string().describe("the checkpoint manifest's key"),
        covered: nonNeg.describe('segments it covers'),
        pruned: nonNeg.describe('versions it left out under the retention policy (format 4 or later; `syncacross retention`)'),
      })
      .strict()
      .nullable()
      .describe('the checkpoint written first (this node knew more than any listed one covered), or null'),
    checkpoint: z
      .object({
        key: z.string().describe("the checkpoint manifest's key"),
        covered: nonNeg.describe('segments it covers'),
        ageMs: nonNeg.describe('its age on the storage clock, in milliseconds'),
        pruned: z.boolean().describe('it left out versions under the retention policy: those go with the segments'),
      })
      .strict()
      .nullable()
      .describe('the checkpoint the deletions rely on (read back whole first), or null when none is old enough'),
    segments: keys('segments deleted (or that would be): the checkpoint bundles each'),
    checkpoints: keys('older checkpoint manifests deleted: the chosen one bundles everything they did'),
    parts: keys('checkpoint parts deleted: of those checkpoints, or named by no manifest and older than the margin'),
    deleted: nonNeg.describe('objects deleted (0 with --dry-run)'),
    bytes: nonNeg.describe('their bytes'),
    unneededPacks: z
      .object({
        count: nonNeg.describe('packs older than the margin that nothing needs any more: they hold no chunk a kept version needs, or only chunks another pack holds too'),
        bytes: nonNeg.describe('their bytes'),
      })
      .strict()
      .nullable()
      .describe('packs nothing kept needs (condemned or not yet); null when no checkpoint was relied on, or a checkpoint or segment could not be read'),
    packs: z
      .object({
        condemned: keys('packs condemned by this run (or that would be): deleted by a later gc here, a margin after, if still unneeded'),
        repacked: keys('packs still needed but mostly unused, or small among many: what kept versions need of them was copied into new packs by this run (or would be), and they are condemned too'),
        copiedBytes: nonNeg.describe('bytes copied out of the repacked packs'),
        deleted: keys('packs this node condemned at least a margin ago, deleted now (or that would be): nothing needs them, or what kept versions need of them read back from its other home'),
        withdrawn: keys(
          'packs condemned here before that are needed again (a version uses what only they hold, or what they hold did not read back from its other home), or gone already: no longer counted as condemned here',
        ),
        waiting: nonNeg.describe('packs condemned here that wait out the margin'),
      })
      .strict()
      .nullable()
      .describe('pack collection (format 5 or later, docs/PROTOCOL.md §3.12); null before format 5, or when which packs are needed is not known'),
    notices: z.array(z.string()).describe('why less could go (no checkpoint old enough yet…) and what was kept and why'),
  })
  .strict();
