/** `sync --json` (and each round of `watch --json`): what one round did. */
import { z } from 'zod';
import { syncFileFields } from './json-output-files.js';

const count3 = z.object({ added: z.number().int(), changed: z.number().int(), deleted: z.number().int() }).strict();
export const nonNeg = z.number().int().nonnegative();

export const syncOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('sync'),
    library: z.string().describe('absolute path of the library folder'),
    storage: z.string().describe('the remote, as the adapter names it (e.g. fs:/mnt/nas/library)'),
    exitCode: z
      .union([z.literal(0), z.literal(3), z.literal(8)])
      .describe('3 when something will be retried (see retryable), else 8 when the sync completed with errors or left something on disk unsynced (see errors and skipped)'),
    repository: z.string(),
    writer: z.string(),
    uploaded: z.object({ versions: nonNeg, bytes: nonNeg, packs: nonNeg, segments: nonNeg }).strict(),
    downloaded: z.object({ files: nonNeg, bytes: nonNeg }).strict(),
    local: count3.describe('changes found in this folder and sent'),
    remote: count3.describe('changes received from other nodes'),
    conflicts: z.array(z.string()).describe('conflict copies present in the library after this sync (resolve with `syncacross conflicts`)'),
    errors: z.array(z.string()).describe('what was not synced (exitCode 8)'),
    notices: z.array(z.string()).describe('what happened that needs no action (a restored node continuing under a new writer id); exitCode stays 0'),
    retryable: z.array(z.string()).describe('what could not be done yet and a later sync retries (a remote object not yet readable as its name promises): the sync is not complete (exitCode 3)'),
    skipped: z.array(z.object({ path: z.string(), reason: z.string() }).strict()).describe('what is on disk but was not synced, and why (exitCode 8)'),
    excluded: z.object({ local: nonNeg, remote: nonNeg }).strict().describe("left out by this node's exclude patterns, by choice (no exit code): entries here, and other nodes' changes not applied"),
    retiredWriter: z.string().optional(),
    ...syncFileFields,
    requests: z.object({ putIfAbsent: nonNeg, get: nonNeg, list: nonNeg, delete: nonNeg, putIfMatch: nonNeg }).strict().describe('storage requests by kind'),
    totalRequests: nonNeg,
    bytesUp: nonNeg,
    bytesDown: nonNeg,
    durationMs: nonNeg,
  })
  .strict();
