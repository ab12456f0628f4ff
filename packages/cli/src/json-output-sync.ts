/** `sync --json` (and each round of `watch --json`): what one round did. */
import { z } from '@syncacross/sync-core';
import { commandName, nodeWriter, repositoryId, succeeded } from './json-output-fields.js';
import { syncFileFields } from './json-output-files.js';

const count3 = z
  .object({
    added: z.number().int().describe('paths that appeared'),
    changed: z.number().int().describe('paths whose content changed'),
    deleted: z.number().int().describe('paths removed'),
  })
  .strict();
export const nonNeg = z.number().int().nonnegative();

/** A path a sync leaves alone, and why: in sync's `skipped`, and status's `unsynced.notSynced`. */
export const skippedEntry = z.object({ path: z.string().describe('the file or folder, relative to the library'), reason: z.string().describe('why it is not synced') }).strict();

export const syncOutput = z
  .object({
    ok: succeeded,
    command: commandName('sync'),
    library: z.string().describe('absolute path of the library folder'),
    storage: z.string().describe('the remote, as the adapter names it (e.g. fs:/mnt/nas/library)'),
    exitCode: z
      .union([z.literal(0), z.literal(3), z.literal(8)])
      .describe('3 when something will be retried (see retryable), else 8 when the sync completed with errors or left something on disk unsynced (see errors and skipped)'),
    repository: repositoryId,
    writer: nodeWriter,
    uploaded: z
      .object({
        versions: nonNeg.describe('versions published'),
        bytes: nonNeg.describe('bytes of new content sent (after compression)'),
        packs: nonNeg.describe('packs written'),
        segments: nonNeg.describe('segments written'),
      })
      .strict()
      .describe('what this round sent'),
    downloaded: z
      .object({ files: nonNeg.describe('files written here from the remote'), bytes: nonNeg.describe('their bytes') })
      .strict()
      .describe('what this round received'),
    local: count3.describe('changes found in this folder and sent'),
    remote: count3.describe('changes received from other nodes'),
    conflicts: z.array(z.string()).describe('conflict copies present in the library after this sync (resolve with `syncacross conflicts`)'),
    errors: z.array(z.string()).describe('what was not synced (exitCode 8)'),
    notices: z
      .array(z.string())
      .describe('what a person should know (a restored node continuing under a new writer id; why deletions were held back, and how to publish them); on their own, exitCode stays 0'),
    retryable: z.array(z.string()).describe('what could not be done yet and a later sync retries (a remote object not yet readable as its name promises): the sync is not complete (exitCode 3)'),
    heldDeletions: nonNeg.describe('local deletions held back because most of the library went at once (each is in skipped; `sync --confirm-deletions` publishes them)'),
    awaitingMount: nonNeg.describe('changes of other nodes below a mount point not there (in skipped), not written: the next sync that finds it mounted writes them'),
    skipped: z.array(skippedEntry).describe('what is on disk but was not synced, and why (exitCode 8)'),
    excluded: z
      .object({ local: nonNeg.describe('entries here left out'), remote: nonNeg.describe("other nodes' changes not applied here") })
      .strict()
      .describe("left out by this node's exclude patterns, by choice (no exit code): entries here, and other nodes' changes not applied"),
    retiredWriter: z.string().optional().describe('the writer id this node stopped using this round (it was restored or cloned): it continues under writer'),
    ...syncFileFields,
    requests: z
      .object({
        putIfAbsent: nonNeg.describe('objects written'),
        get: nonNeg.describe('objects (or ranges) read'),
        list: nonNeg.describe('listing pages'),
        delete: nonNeg.describe('objects deleted'),
        putIfMatch: nonNeg.describe('objects replaced by compare-and-swap'),
      })
      .strict()
      .describe('storage requests by kind'),
    totalRequests: nonNeg.describe('every storage request, all kinds'),
    bytesUp: nonNeg.describe('bytes sent to the remote'),
    bytesDown: nonNeg.describe('bytes read from the remote'),
    durationMs: nonNeg.describe('how long the round took, in milliseconds'),
  })
  .strict();
