/**
 * The shape of every `--json` output, as zod schemas. `schema/json-output.schema.json` is
 * generated from these (a test keeps the two identical) and is what scripts should read.
 * Every object is strict: a field that is not documented here (a secret, say) fails the tests.
 */
import { z } from '@syncacross/sync-core';
import { adapterName, commandName, libraryDir, nodeWriter, remoteSpec, repositoryFormat, repositoryId, succeeded } from './json-output-fields.js';
import { serviceOutput } from './json-output-service.js';
import { keyOutput } from './json-output-key.js';
import { excludeOutput, mountPointOutput } from './json-output-exclude.js';
import { remoteOutput } from './json-output-remote.js';
import { nonNeg, skippedEntry, syncOutput } from './json-output-sync.js';
import { verifyOutput } from './json-output-verify.js';
import { gcOutput } from './json-output-gc.js';
import { upgradeOutput } from './json-output-upgrade.js';
import { retentionOutput } from './json-output-retention.js';
import { adaptersOutput } from './json-output-adapters.js';

export { adaptersOutput, syncOutput };

const conflictEntry = z.object({ path: z.string().describe('the conflict copy, relative to the library'), conflictOf: z.string().describe('the path it is a copy of') }).strict();

const author = z.object({ user: z.string().describe('the person (config user, else the OS account)'), machine: z.string().describe('the machine (host name)') }).strict();

export const initOutput = z
  .object({
    ok: succeeded,
    command: commandName('init'),
    library: libraryDir,
    remote: remoteSpec,
    adapter: adapterName,
    repository: repositoryId,
    joined: z.boolean().describe('true when the remote already held a repository'),
    alreadyInitialized: z.boolean().describe('true when the folder was already this library (nothing was changed)'),
    writer: nodeWriter,
    format: repositoryFormat.describe(
      'the repository format (docs/PROTOCOL.md §3.7): 2 and later compress and may encrypt; 3 lets `gc` collect history; 4 prunes it by a retention policy; 5 collects packs; 6 stores metadata smaller; 7 compresses small chunks with their pack’s dictionary',
    ),
    encrypted: z.boolean().describe('everything on the remote is encrypted; every node needs a passphrase (or a remembered key)'),
    author: author.nullable().describe('who the versions made here are from, as every node’s log shows them (null: no name could be found)'),
  })
  .strict();

export const statusOutput = z
  .object({
    ok: succeeded,
    command: commandName('status'),
    library: libraryDir,
    remote: remoteSpec,
    adapter: adapterName,
    options: z.record(z.string(), z.unknown()).describe('adapter options; secrets appear as their ${env:…} reference or ***'),
    repository: repositoryId,
    format: repositoryFormat.describe('the repository format (docs/PROTOCOL.md §3.7)'),
    encrypted: z.boolean().describe('everything on the remote is encrypted'),
    writer: nodeWriter,
    files: nonNeg.describe('entries in the merged tree (files, empty folders and databases), conflict copies not counted'),
    conflicts: z.array(conflictEntry).describe('conflict copies in the library'),
    pendingVersions: nonNeg.describe('versions made here and not yet on the remote'),
    unuploadedSegments: nonNeg.describe('segments written here and not yet on the remote'),
    staged: z
      .object({ packs: nonNeg.describe('packs in the outbox'), bytes: nonNeg.describe('their bytes') })
      .strict()
      .describe('content staged here while the remote was unreachable (the outbox), not on the remote yet'),
    corruptSegments: z.array(z.string()).describe('remote segments that failed verification here (their versions are not applied)'),
    lastSync: z.string().nullable().describe('when this node last finished a sync (ISO 8601), or null'),
    watch: z
      .object({
        running: z.boolean().describe('a `syncacross watch` of this library answered'),
        seenMounted: z
          .array(z.string())
          .optional()
          .describe(
            'folders where it saw a disk mounted, not mount points of the library: while it runs they count as ones (their files are not removed), and unsynced counts them so; absent when it did not say (busy past 2 s, or an earlier release)',
          ),
      })
      .strict()
      .describe('the watch serving this library, if one runs'),
    unsynced: z
      .object({
        added: z.array(z.string()).describe('on disk with no record: new since the last sync (an empty folder ends with /)'),
        changed: z.array(z.string()).describe('size or times differ from the record: changed since the last sync (or only touched)'),
        removed: z.array(z.string()).describe('recorded, and no longer on disk: removed since the last sync'),
        notSynced: z.array(skippedEntry).describe('what a sync would leave alone, and why (links, names it cannot take, folders it cannot read)'),
        deletionsHeld: z
          .boolean()
          .describe('so many removed at once that a sync would hold their deletions back (exit 8) until `sync --confirm-deletions`, unless their files were moved within the library'),
      })
      .strict()
      .describe('the folder against its records, by size and times (nothing is read or hashed): what the next sync would look at; disk paths, sorted'),
  })
  .strict();

export const logOutput = z
  .object({
    ok: succeeded,
    command: commandName('log'),
    library: libraryDir,
    path: z.string().nullable().describe('the path asked about, or null for the whole library'),
    entries: z
      .array(
        z
          .object({
            hash: z.string().describe('the version id'),
            path: z.string().describe('the path, relative to the library'),
            writer: z.string().describe('the writer id that made this version'),
            author: author.optional().describe('the person and machine behind the writer id, once known (docs/PROTOCOL.md §3.8)'),
            time: z.string().describe('when it was made (ISO 8601)'),
            deleted: z.boolean().describe('the version is a delete'),
            size: nonNeg.describe('its size in bytes'),
            parents: z.array(z.string()).describe('the versions it replaced'),
            head: z.boolean().describe('it is what the path holds now (or one side of a conflict)'),
          })
          .strict(),
      )
      .describe('versions, newest first'),
  })
  .strict();

const configOutput = z
  .object({
    ok: succeeded,
    command: commandName('config'),
    action: z.enum(['get', 'set', 'unset']).describe('what was done'),
    key: z.literal('user').describe('the setting'),
    value: z.string().nullable().describe('the setting now (null: not set; log then shows the OS account name)'),
  })
  .strict();

export const conflictsOutput = z
  .object({
    ok: succeeded,
    command: commandName('conflicts'),
    library: libraryDir,
    conflicts: z.array(conflictEntry).describe('conflict copies in the library, to keep or remove'),
  })
  .strict();

const listedEntry = z
  .object({
    path: z.string().describe('the path, relative to the library'),
    kind: z.enum(['file', 'dir', 'sqlite']).describe('a file, an empty folder, or a SQLite database'),
    size: nonNeg.describe('its size in bytes'),
    mtime: z.string().describe('its modification time (ISO 8601)'),
    time: z.string().describe('when the version was made'),
    writer: z.string().describe('the writer id that made this version'),
    version: z.string().describe('the version id'),
    conflictOf: z.string().optional().describe('a conflict copy: the path it is a copy of'),
    deleted: z
      .object({ at: z.string().describe('when (ISO 8601)'), by: z.string().describe('the writer id that deleted it') })
      .strict()
      .optional()
      .describe('deleted by then: the entry shows what it last held'),
  })
  .strict();

const lsOutput = z
  .object({
    ok: succeeded,
    command: commandName('ls'),
    library: libraryDir,
    path: z.string().describe('the folder listed, relative to the library'),
    at: z.string().describe('the moment shown (ISO 8601)'),
    entries: z.array(listedEntry).describe('what the folder held then'),
  })
  .strict();

const restoreOutput = z
  .object({
    ok: succeeded,
    command: commandName('restore'),
    remote: z.string().optional().describe('restored from this remote, with no library'),
    to: z.string().optional().describe('with --to: the folder written'),
    inPlace: z.literal(true).optional().describe('with --in-place: restored into the library'),
    dryRun: z.literal(true).optional().describe('--dry-run: nothing was written; restored, unchanged and failed say what would be'),
    exitCode: z.number().int().describe('0, or 8 when something was not restored or came from this machine (see failed, fromThisMachine and warnings)'),
    at: z.string().describe('the moment restored'),
    restored: z
      .array(z.object({ path: z.string().describe('the path, relative to the library'), version: z.string().describe('the version written'), size: nonNeg.describe('its size in bytes') }).strict())
      .describe('what was written'),
    unchanged: z.array(z.string()).describe('in place: paths that already held that content'),
    failed: z
      .array(
        z
          .object({
            path: z.string().describe('the path, relative to the library ("": the whole library, when nothing was in it at that moment)'),
            code: z
              .enum(['NothingThen', 'ContentUnreadable', 'ChangedSinceSync', 'AppearedWhileRestoring', 'AwaitingMount', 'CannotWrite'])
              .describe(
                'why, as a stable code: nothing was there then; the remote could not give its content and no file here holds it (`verify --repair` where one does); in place, changed since the last sync; a file appeared there while restoring; below a mount point not mounted; this machine cannot write the path',
              ),
            reason: z.string().describe('why, for a person'),
          })
          .strict(),
      )
      .describe('not restored, and why (exitCode 8)'),
    undeleted: z.array(z.string()).describe('requested paths deleted by then, restored from what they last held'),
    fromThisMachine: z
      .array(z.string())
      .optional()
      .describe(
        "restored, but the remote could not give their content (a lost or damaged pack): it came from this library's own files, checked against its hashes (exitCode 8). In place, the library's syncs then look for what the remote lost and upload it again; otherwise the remote still lacks it: `verify --repair` uploads it again",
      ),
    warnings: z.array(z.string()).optional().describe('remote segments that could not be read: their versions are missing (exitCode 8)'),
    sync: syncOutput.omit({ ok: true, command: true, library: true, storage: true, exitCode: true }).optional().describe('in place: the sync that published the restored content'),
  })
  .strict();

const authOutput = z.object({ ok: succeeded, command: commandName('auth'), adapter: adapterName, credentialsDir: z.string().describe('where the credentials were stored (mode 0600)') }).strict();

export const demoOutput = z
  .object({
    ok: succeeded,
    command: commandName('demo'),
    folder: z.string().describe('where the demo ran'),
    remote: remoteSpec,
    nodes: z.array(z.string()).describe('the libraries it made, one per pretend machine'),
    files: z.array(z.string()).describe('the files they ended with'),
    conflicts: z.array(z.string()).describe('the conflict copies they ended with'),
    identical: z.boolean().describe('every library ended the same'),
  })
  .strict();

export const errorOutput = z
  .object({
    ok: z.literal(false).describe('false: the command failed'),
    error: z
      .object({
        code: z.string().describe('a stable code (BadOption, Unavailable, AuthFailed, …)'),
        exitCode: z.number().int().describe('the process exit code'),
        message: z.string().describe('what went wrong, for a person (no secret is ever in it)'),
      })
      .strict()
      .describe('why'),
  })
  .strict();

/** `watch --json`: one object per round, shaped as `sync`'s. */
const watchOutput = syncOutput.extend({ command: commandName('watch') }).describe('one line per round while `watch` runs');

const outputs = {
  sync: syncOutput,
  watch: watchOutput,
  service: serviceOutput,
  init: initOutput,
  status: statusOutput,
  log: logOutput,
  ls: lsOutput,
  restore: restoreOutput,
  verify: verifyOutput,
  gc: gcOutput,
  upgrade: upgradeOutput,
  retention: retentionOutput,
  conflicts: conflictsOutput,
  adapters: adaptersOutput,
  remote: remoteOutput,
  auth: authOutput,
  key: keyOutput,
  config: configOutput,
  exclude: excludeOutput,
  'mount-point': mountPointOutput,
  demo: demoOutput,
  error: errorOutput,
};

/** A command whose `--json` output has a schema in `JSON_OUTPUTS` (`error`: any command's failure). */
export type JsonOutputName = keyof typeof outputs;

/**
 * The zod schema of each command's `--json` output, by command (`error` for any command that
 * fails). Every object is strict. What each field means is its schema's description, rendered
 * with the shapes into `schema/json-output.schema.json` (`jsonOutputSchemaDocument`), which is
 * the reference for scripts in any language; in TypeScript, `JSON_OUTPUTS.sync.parse(value)`
 * checks a line of output.
 */
export const JSON_OUTPUTS: Readonly<Record<JsonOutputName, z.ZodType>> = outputs;

/** The document written to schema/json-output.schema.json. */
export function jsonOutputSchemaDocument(): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'syncacross --json output',
    description: 'Each command prints one object on stdout: $defs.<command> on success, $defs.error on failure.',
    $defs: Object.fromEntries(
      Object.entries(outputs).map(([k, s]) => {
        const { $schema: _inner, ...schema } = z.toJSONSchema(s);
        return [k, schema];
      }),
    ),
  };
}
