/**
 * From a library's config (or a fresh --remote) to a live Storage: load the adapter, resolve
 * secrets, validate options against the adapter's schema, create.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AdapterContext, AdapterModule, Storage } from '@syncacross/sync-core';
import { CliError, usageError } from './cli-error.js';
import { isStorageError } from '@syncacross/sync-core';
import type { LibraryConfig } from './config.js';
import { loadAdapter, type LoadedAdapter } from './adapter-loader.js';
import { parseOptionPairs, parseRemoteSpec } from './remote-spec.js';
import { adapterOptions } from './adapter-options.js';
import { didYouMean } from './did-you-mean.js';
import { rejectLiteralSecrets, resolveSecrets } from './secrets.js';
import { remoteInLibrary } from './remote-in-library.js';

/** Where adapters keep refresh tokens: outside every library. */
export function credentialsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SYNCACROSS_CONFIG_DIR) return env.SYNCACROSS_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'syncacross');
  return join(homedir(), '.config', 'syncacross');
}

/** For a misspelt option (`-o regoin=…`): the option meant, and where all are listed. */
function unknownOptionHint(module: AdapterModule<unknown>, issue: { code?: string; keys?: string[] }): string {
  if (issue.code !== 'unrecognized_keys' || !issue.keys) return '';
  const known = (adapterOptions(module) ?? []).map((o) => o.name);
  const hints = issue.keys.map((key) => didYouMean(key, known)).filter((h) => h !== '');
  return `${hints.join('')} (all options: syncacross adapters ${module.name})`;
}

/** Validates against the adapter's schema; the message names each bad option. */
export function validateOptions<O>(module: AdapterModule<O>, options: Record<string, unknown>): O {
  const result = module.optionsSchema.safeParse(options);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) =>
    i.path.length > 0 ? `option ${i.path.map(String).join('.')}: ${i.message}` : i.message + unknownOptionHint(module, i as { code?: string; keys?: string[] }),
  );
  throw usageError('BadOption', `bad options for the ${module.name} adapter: ${lines.join('; ')}`);
}

export function adapterContext(log: (line: string) => void, signal?: AbortSignal): AdapterContext {
  return { credentialsDir: credentialsDir(), log, ...(signal ? { signal } : {}) };
}

export interface OpenedRemote {
  adapter: LoadedAdapter;
  storage: Storage;
  /** Where the remote's folder lies inside the library, if it does (remote-in-library.ts). */
  inLibrary?: string;
}

export async function openRemote(config: LibraryConfig, libraryDir: string, context: AdapterContext): Promise<OpenedRemote> {
  const adapter = await loadAdapter(config.adapter, [libraryDir, process.cwd()]);
  const options = validateOptions(adapter.module, resolveSecrets(adapter.module, config.options));
  const inLibrary = remoteInLibrary(adapter.module.name, options, libraryDir);
  const storage = await adapter.module.create(options, context);
  return { adapter, storage, ...(inLibrary !== undefined ? { inLibrary } : {}) };
}

/** A storage that answers nothing: for commands that only read local state (status, log, conflicts). */
export function offlineStorage(name: string): Storage {
  const refuse = async (): Promise<never> => {
    throw usageError('Offline', 'this command does not contact the remote');
  };
  return {
    name,
    capabilities: { atomicCreate: false, compareAndSwap: false, rangedGet: false, consistentListing: false, delete: false, maxObjectSize: 0, caseInsensitiveNames: false, sortedListing: false },
    putIfAbsent: refuse,
    get: refuse,
    list: refuse,
  };
}

function locationOptions(parse: (l: string) => Record<string, unknown>, location: string, adapter: string): Record<string, unknown> {
  try {
    return parse(location);
  } catch (e) {
    if (e instanceof CliError || isStorageError(e)) throw e;
    throw usageError('BadLocation', `bad location for the ${adapter} adapter: ${JSON.stringify(location)}: ${(e as Error).message}`);
  }
}

/**
 * A `--remote adapter:location` with its `-o key=value` options, as init and a library-less
 * restore take them: the adapter loaded, literal secrets refused, the options as they will be
 * stored (`stored`, secrets still as references) and resolved and validated (`options`).
 * `env`: where secrets are read (remote add checks the shape with stand-ins for unset variables).
 */
export async function resolveRemoteSpec(remote: string, optionPairs: string[], searchDirs: string[], env: NodeJS.ProcessEnv = process.env, earlier: Record<string, unknown> = {}) {
  const spec = parseRemoteSpec(remote);
  const given = parseOptionPairs(optionPairs);
  const adapter = await loadAdapter(spec.adapter, searchDirs);
  rejectLiteralSecrets(adapter.module, given);
  const stored = { ...earlier, ...locationOptions((l) => adapter.module.parseLocation(l), spec.location, adapter.module.name), ...given };
  const options = validateOptions(adapter.module, resolveSecrets(adapter.module, stored, env));
  return { adapter, given, stored, options };
}
