/**
 * The shape of every `--json` output, as zod schemas. `schema/json-output.schema.json` is
 * generated from these (a test keeps the two identical) and is what scripts should read.
 * Every object is strict: a field that is not documented here (a secret, say) fails the tests.
 */
import { z } from 'zod';
import { serviceOutput } from './json-output-service.js';
import { keyOutput } from './json-output-key.js';
import { excludeOutput } from './json-output-exclude.js';
import { adapterOptionOutput, remoteOutput } from './json-output-remote.js';
import { nonNeg, syncOutput } from './json-output-sync.js';

export { syncOutput };

const author = z.object({ user: z.string(), machine: z.string() }).strict();

export const initOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('init'),
    library: z.string(),
    remote: z.string(),
    adapter: z.string(),
    repository: z.string(),
    joined: z.boolean().describe('true when the remote already held a repository'),
    alreadyInitialized: z.boolean(),
    writer: z.string(),
    format: z.union([z.literal(1), z.literal(2)]).describe('the repository format (docs/PROTOCOL.md §3.7): 2 compresses, and may encrypt'),
    encrypted: z.boolean().describe('everything on the remote is encrypted; every node needs a passphrase (or a remembered key)'),
    author: author.nullable().describe('who the versions made here are from, as every node’s log shows them (null: no name could be found)'),
  })
  .strict();

export const statusOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('status'),
    library: z.string(),
    remote: z.string(),
    adapter: z.string(),
    options: z.record(z.string(), z.unknown()).describe('adapter options; secrets appear as their ${env:…} reference or ***'),
    repository: z.string(),
    format: z.union([z.literal(1), z.literal(2)]).describe('the repository format (docs/PROTOCOL.md §3.7)'),
    encrypted: z.boolean().describe('everything on the remote is encrypted'),
    writer: z.string(),
    files: nonNeg,
    conflicts: z.array(z.object({ path: z.string(), conflictOf: z.string() }).strict()),
    pendingVersions: nonNeg.describe('versions made here and not yet on the remote'),
    unuploadedSegments: nonNeg,
    staged: z.object({ packs: nonNeg, bytes: nonNeg }).strict().describe('content staged here while the remote was unreachable (the outbox), not on the remote yet'),
    corruptSegments: z.array(z.string()),
    lastSync: z.string().nullable(),
  })
  .strict();

export const logOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('log'),
    library: z.string(),
    path: z.string().nullable(),
    entries: z.array(
      z
        .object({
          hash: z.string(),
          path: z.string(),
          writer: z.string(),
          author: author.optional().describe('the person and machine behind the writer id, once known (docs/PROTOCOL.md §3.8)'),
          time: z.string(),
          deleted: z.boolean(),
          size: nonNeg,
          parents: z.array(z.string()),
          head: z.boolean(),
        })
        .strict(),
    ),
  })
  .strict();

const configOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('config'),
    action: z.enum(['get', 'set', 'unset']),
    key: z.literal('user'),
    value: z.string().nullable().describe('the setting now (null: not set; log then shows the OS account name)'),
  })
  .strict();

export const conflictsOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('conflicts'),
    library: z.string(),
    conflicts: z.array(z.object({ path: z.string(), conflictOf: z.string() }).strict()),
  })
  .strict();

const listedEntry = z
  .object({
    path: z.string(),
    kind: z.enum(['file', 'dir', 'sqlite']),
    size: nonNeg,
    mtime: z.string(),
    time: z.string().describe('when the version was made'),
    writer: z.string(),
    version: z.string(),
    conflictOf: z.string().optional(),
    deleted: z.object({ at: z.string(), by: z.string() }).strict().optional().describe('deleted by then: the entry shows what it last held'),
  })
  .strict();

const lsOutput = z.object({ ok: z.literal(true), command: z.literal('ls'), library: z.string(), path: z.string(), at: z.string(), entries: z.array(listedEntry) }).strict();

const restoreOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('restore'),
    remote: z.string().optional().describe('restored from this remote, with no library'),
    to: z.string().optional(),
    inPlace: z.literal(true).optional(),
    dryRun: z.literal(true).optional().describe('--dry-run: nothing was written; restored, unchanged and failed say what would be'),
    exitCode: z.number().int(),
    at: z.string().describe('the moment restored'),
    restored: z.array(z.object({ path: z.string(), version: z.string(), size: nonNeg }).strict()),
    unchanged: z.array(z.string()).describe('in place: paths that already held that content'),
    failed: z.array(z.object({ path: z.string(), reason: z.string() }).strict()).describe('not restored, and why (exitCode 8)'),
    undeleted: z.array(z.string()).describe('requested paths deleted by then, restored from what they last held'),
    warnings: z.array(z.string()).optional().describe('remote segments that could not be read: their versions are missing (exitCode 8)'),
    sync: syncOutput.omit({ ok: true, command: true, library: true, storage: true, exitCode: true }).optional().describe('in place: the sync that published the restored content'),
  })
  .strict();

const verifyProblem = z
  .object({
    kind: z.enum(['segment-missing', 'segment-corrupt', 'segment-chain', 'chunk-unlocated', 'pack-missing', 'pack-short', 'pack-damaged']),
    object: z.string().describe('the remote object at fault'),
    message: z.string(),
    paths: z.array(z.string()).describe('library paths whose versions it affects, current or past'),
  })
  .strict();

const verifyOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('verify'),
    library: z.string(),
    storage: z.string(),
    exitCode: z.union([z.literal(0), z.literal(8)]).describe('8 when any problem remains'),
    segments: z.object({ listed: nonNeg, verified: nonNeg }).strict(),
    packs: z.object({ listed: nonNeg, inUse: nonNeg, read: nonNeg }).strict(),
    chunks: nonNeg,
    versions: nonNeg,
    sample: z
      .object({ percent: z.number(), seed: z.number().int(), packs: z.array(z.string()) })
      .strict()
      .optional()
      .describe('with --read-data=PERCENT: which packs were read'),
    problems: z.array(verifyProblem).describe('what is wrong now (after --repair: what remains)'),
    repair: z
      .object({ found: z.array(verifyProblem), packs: z.array(z.string()), sync: syncOutput.omit({ ok: true, command: true, library: true, storage: true, exitCode: true }) })
      .strict()
      .optional(),
  })
  .strict();

const capabilities = z.record(z.string(), z.union([z.boolean(), z.number()]));

export const adaptersOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('adapters'),
    adapters: z.array(
      z
        .object({
          name: z.string(),
          source: z.string(),
          builtin: z.boolean(),
          loaded: z.boolean(),
          description: z.string().optional(),
          secretOptions: z.array(z.string()).optional(),
          interactiveAuth: z.boolean().optional(),
          options: z.array(adapterOptionOutput).optional().describe('with `adapters NAME`: its options'),
          error: z.string().optional(),
        })
        .strict(),
    ),
    probe: z
      .object({
        storage: z.string(),
        declared: capabilities,
        effective: capabilities,
        measured: z.record(z.string(), z.boolean().optional()),
        notes: z.array(z.string()),
      })
      .strict()
      .optional(),
  })
  .strict();

const authOutput = z.object({ ok: z.literal(true), command: z.literal('auth'), adapter: z.string(), credentialsDir: z.string() }).strict();

export const demoOutput = z
  .object({
    ok: z.literal(true),
    command: z.literal('demo'),
    folder: z.string(),
    remote: z.string(),
    nodes: z.array(z.string()),
    files: z.array(z.string()),
    conflicts: z.array(z.string()),
    identical: z.boolean(),
  })
  .strict();

export const errorOutput = z
  .object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), exitCode: z.number().int(), message: z.string() }).strict(),
  })
  .strict();

/** `watch --json`: one object per round, shaped as `sync`'s. */
const watchOutput = syncOutput.extend({ command: z.literal('watch') }).describe('one line per round while `watch` runs');

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
  conflicts: conflictsOutput,
  adapters: adaptersOutput,
  remote: remoteOutput,
  auth: authOutput,
  key: keyOutput,
  config: configOutput,
  exclude: excludeOutput,
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
