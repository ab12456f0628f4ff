/**
 * Named remotes, as rclone users know them: `remotes.json` in the config folder (beside
 * settings.json and the credentials) maps a name to an adapter, a location and options, so a
 * remote is described once and every library on this machine initialised from it follows its
 * changes. Secrets stay out of the file exactly as in a library's config.json: a secret option
 * holds a `${env:NAME}` reference or comes from SYNCACROSS_<ADAPTER>_<OPTION> (secrets.ts).
 *
 * What `--remote X` means (init, restore, adapters --probe; `auth X`):
 *   1. X has no colon: the named remote X (an error if there is none);
 *   2. X is `NAME:` (rclone's spelling) and NAME is a named remote: that remote;
 *   3. otherwise X is `adapter:location`.
 * A name may not contain a colon nor be a built-in adapter's name, so `fs:/x` is always a folder.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from '@syncacross/sync-core';
import { BUILTIN_ADAPTERS } from './adapter-loader.js';
import { usageError } from './cli-error.js';
import { didYouMean } from './did-you-mean.js';
import { credentialsDir } from './remote.js';

const namedRemoteSchema = z
  .object({
    /** As typed after `remote add NAME`, for messages: `fs:/mnt/nas/library`. */
    remote: z.string(),
    /** A built-in name, a package name or an absolute module path (as in config.json). */
    adapter: z.string().min(1),
    /** The parsed location plus `-o` values; secrets only as `${env:NAME}` references. */
    options: z.record(z.string(), z.unknown()),
    /** Libraries on this machine initialised from it (so `remote remove` can name them). */
    libraries: z.array(z.string()).default([]),
  })
  .strict();

const remotesFileSchema = z.object({ version: z.literal(1), remotes: z.record(z.string(), namedRemoteSchema) }).strict();

export type NamedRemote = z.infer<typeof namedRemoteSchema>;
type RemotesFile = z.infer<typeof remotesFileSchema>;

export const remotesFile = (env: NodeJS.ProcessEnv = process.env) => join(credentialsDir(env), 'remotes.json');

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkRemoteName(name: string): void {
  if (!NAME.test(name)) throw usageError('BadRemoteName', `remote name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (no colon), up to 64, e.g. nas`);
  if (BUILTIN_ADAPTERS[name] !== undefined)
    throw usageError('BadRemoteName', `remote name ${name} is an adapter's name: choose another (e.g. my-${name}), so ${name}:LOCATION keeps meaning the adapter`);
}

function parseRemotes(text: string, file: string): RemotesFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw usageError('BadRemotesFile', `${file} is not valid JSON (${(e as Error).message}): fix it, or remove it and add the remotes again`);
  }
  const parsed = remotesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usageError('BadRemotesFile', `${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data;
}

export async function readRemotes(): Promise<RemotesFile> {
  const file = remotesFile();
  try {
    return parseRemotes(await readFile(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, remotes: {} };
    throw e;
  }
}

/** The names only, read synchronously and never failing: for shell completion. */
export function remoteNamesForCompletion(): string[] {
  try {
    return Object.keys(parseRemotes(readFileSync(remotesFile(), 'utf8'), remotesFile()).remotes);
  } catch {
    return [];
  }
}

/** Written to a temporary file then renamed, so a crash never leaves half a file. */
export async function writeRemotes(remotes: RemotesFile): Promise<void> {
  const file = remotesFile();
  await mkdir(credentialsDir(), { recursive: true, mode: 0o700 });
  const tmp = `${file}.syncacross-tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(remotes, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/** The named remote `--remote X` means, if it means one (see the rules above). */
export function namedRemoteIn(value: string, remotes: RemotesFile): string | undefined {
  const colon = value.indexOf(':');
  if (colon < 0) return value;
  if (colon === value.length - 1 && Object.hasOwn(remotes.remotes, value.slice(0, -1))) return value.slice(0, -1);
  return undefined;
}

/** The named remote `name`, or an exit-2 error that says how to fix it (`library`: the library that uses it). */
export function getNamedRemote(name: string, remotes: RemotesFile, library?: string): NamedRemote {
  const entry = Object.hasOwn(remotes.remotes, name) ? remotes.remotes[name] : undefined;
  if (entry) return entry;
  if (library !== undefined) {
    throw usageError(
      'UnknownRemote',
      `${library} uses the named remote "${name}", which is not in ${remotesFile()} (removed?): add it again with \`syncacross remote add ${name} <adapter>:<location> [-o key=value…]\`, and this library follows it`,
    );
  }
  const names = Object.keys(remotes.remotes);
  throw usageError(
    'UnknownRemote',
    `no named remote "${name}"${didYouMean(name, names)} (${names.length > 0 ? `named remotes: ${names.join(', ')}` : 'there are none yet'}): add it with \`syncacross remote add ${name} <adapter>:<location>\`, or give <adapter>:<location>, e.g. fs:/mnt/nas/library`,
  );
}
