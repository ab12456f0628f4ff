/**
 * What a command's `--remote X [-o …]` or a library's config.json points at, with named remotes
 * (named-remotes.ts) in place: the adapter, and its options resolved and validated.
 */
import { existsSync } from 'node:fs';
import { loadAdapter } from './adapter-loader.js';
import { configPath, readConfig, type LibraryConfig } from './config.js';
import { getNamedRemote, namedRemoteIn, readRemotes, writeRemotes, type NamedRemote } from './named-remotes.js';
import { resolveRemoteSpec, validateOptions } from './remote.js';
import { parseOptionPairs } from './remote-spec.js';
import { rejectLiteralSecrets, resolveSecrets } from './secrets.js';

/**
 * `--remote X`: a named remote (its options, with `-o` values on top for this command only,
 * e.g. createRoot=true) or `adapter:location` as before, on top of `earlier` options (a library's
 * own, when init is run again on it with the same remote). `named` is the remote's name, if any.
 */
export async function resolveRemoteArg(value: string, optionPairs: string[], searchDirs: string[], earlier: Record<string, unknown> = {}) {
  const remotes = await readRemotes();
  const name = namedRemoteIn(value, remotes);
  if (name === undefined) return { ...(await resolveRemoteSpec(value, optionPairs, searchDirs, process.env, earlier)), named: undefined };
  const entry = getNamedRemote(name, remotes);
  const adapter = await loadAdapter(entry.adapter, searchDirs);
  const given = parseOptionPairs(optionPairs);
  rejectLiteralSecrets(adapter.module, given);
  const options = validateOptions(adapter.module, resolveSecrets(adapter.module, { ...entry.options, ...given }));
  return { adapter, given, stored: entry.options, options, named: name };
}

/** A library's config with its named remote's adapter and options in place (unchanged without one). */
async function effectiveConfig(config: LibraryConfig, root: string): Promise<LibraryConfig> {
  if (config.namedRemote === undefined) return config;
  const entry = getNamedRemote(config.namedRemote, await readRemotes(), root);
  return { ...config, remote: `${config.namedRemote} (${entry.remote})`, adapter: entry.adapter, options: entry.options };
}

export const readEffectiveConfig = async (root: string) => effectiveConfig(await readConfig(root), root);

/** Remembers that `library` uses the named remote, so `remote remove` can name it. */
export async function recordLibrary(name: string, library: string): Promise<void> {
  const remotes = await readRemotes();
  const entry = remotes.remotes[name];
  if (!entry || entry.libraries.includes(library)) return;
  entry.libraries.push(library);
  await writeRemotes(remotes);
}

/** The recorded libraries that still exist and still use the remote. */
export async function librariesUsing(name: string, entry: NamedRemote): Promise<string[]> {
  const using: string[] = [];
  for (const library of entry.libraries) {
    if (!existsSync(configPath(library))) continue;
    const config = await readConfig(library).catch(() => undefined);
    if (config?.namedRemote === name) using.push(library);
  }
  return using;
}

/** `auth X`: the named remote X (or `X:`) if there is one; otherwise X names an adapter, as before. */
export async function existingNamedRemote(value: string): Promise<NamedRemote | undefined> {
  const remotes = await readRemotes();
  const name = namedRemoteIn(value, remotes);
  return name !== undefined && Object.hasOwn(remotes.remotes, name) ? remotes.remotes[name] : undefined;
}

/**
 * The options a library's config.json keeps for the remote `remote`, when `dir` is a library made
 * with that very remote (`adapter:location` as typed then): init run again on it (to rebuild a
 * lost state, as its advice says) need not be given them again. Without this, `init DIR --remote
 * s3:bucket` on a library made with `-o region=…` was refused as "already a library synced with
 * s3:bucket". Secrets are kept as the references they were given as (`${env:NAME}`), never values.
 */
export async function optionsKeptFor(dir: string, remote: string): Promise<Record<string, unknown>> {
  if (!existsSync(configPath(dir))) return {};
  const config = await readConfig(dir).catch(() => undefined);
  return config && config.namedRemote === undefined && config.remote === remote ? config.options : {};
}
