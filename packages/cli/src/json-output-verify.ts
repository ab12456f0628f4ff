/** `verify --json`: what was checked on the remote, and what is wrong. */
import { z } from '@syncacross/sync-core';
import { commandName, libraryDir, succeeded } from './json-output-fields.js';
import { nonNeg, syncOutput } from './json-output-sync.js';

const verifyProblem = z
  .object({
    kind: z.enum(['segment-missing', 'segment-corrupt', 'segment-chain', 'chunk-unlocated', 'pack-missing', 'pack-short', 'pack-damaged']).describe('what kind of problem'),
    object: z.string().describe('the remote object at fault'),
    message: z.string().describe('the problem, in words'),
    paths: z.array(z.string()).describe('library paths whose versions it affects, current or past'),
  })
  .strict();

export const verifyOutput = z
  .object({
    ok: succeeded,
    command: commandName('verify'),
    library: libraryDir,
    storage: z.string().describe('the remote, as the adapter names it'),
    exitCode: z.union([z.literal(0), z.literal(8)]).describe('8 when any problem remains'),
    segments: z
      .object({ listed: nonNeg.describe('segments on the remote'), verified: nonNeg.describe('segments read and verified') })
      .strict()
      .describe('the remote history'),
    packs: z
      .object({ listed: nonNeg.describe('packs on the remote'), inUse: nonNeg.describe('packs some version needs'), read: nonNeg.describe('packs read whole and checked') })
      .strict()
      .describe('the stored content'),
    chunks: nonNeg.describe('chunks whose location was checked'),
    versions: nonNeg.describe('file versions checked'),
    sample: z
      .object({
        percent: z.number().describe('the share of packs read'),
        seed: z.number().int().describe('the seed that chose them (pass it again to read the same)'),
        packs: z.array(z.string()).describe('the packs read'),
      })
      .strict()
      .optional()
      .describe('with --read-data=PERCENT: which packs were read'),
    problems: z.array(verifyProblem).describe('what is wrong now (after --repair: what remains)'),
    repair: z
      .object({
        found: z.array(verifyProblem).describe('the problems found before repairing'),
        packs: z.array(z.string()).describe('packs uploaded again from the content on this disk'),
        sync: syncOutput.omit({ ok: true, command: true, library: true, storage: true, exitCode: true }).describe('the sync that published the repair'),
      })
      .strict()
      .optional()
      .describe('with --repair: what was done'),
  })
  .strict();
