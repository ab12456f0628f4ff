/**
 * `syncacross init [DIR] --remote <adapter>:<location> [-o key=value…] [--name NODE]`:
 * creates or joins a repository and writes DIR/.syncacross/config.json. A failed init removes
 * the state folder it created (and nothing else), so it can simply be run again.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isStorageError, openLibrary, withRetry, type Author, type Library, type RepositoryFormat, type RetryOptions, type Storage } from '@syncacross/sync-core';
import { authorHere, writeMachineSetting } from '../machine-settings.js';
import { CliError, usageError } from '../cli-error.js';
import { configPath, readConfig, STATE_FOLDER, writeConfig, type LibraryConfig } from '../config.js';
import { retryNotice } from '../library-session.js';
import type { Output } from '../output.js';
import { adapterContext } from '../remote.js';
import type { LoadedAdapter } from '../adapter-loader.js';
import { optionsKeptFor, recordLibrary, resolveRemoteArg } from '../remote-target.js';
import { enclosingLibrary, innerLibrariesNote, librariesWithin, nestedLibraryNote } from '../library-nesting.js';
import { remoteInLibrary } from '../remote-in-library.js';
import { passphraseOptions, rememberKey, secretSource, type PassphraseOptions } from '../passphrase.js';
import { checkPattern } from '../exclude-patterns.js';

export interface InitParams {
  dir: string;
  remote: string;
  options?: string[];
  name?: string;
  retries?: number;
  /** Encrypt the new repository (format 2); joining an encrypted one needs only its passphrase. */
  encrypt?: boolean;
  /** This machine's user name for `log` (kept for every library on the machine: `config set user`). */
  user?: string;
  /** The format of a new repository (default 7; 6, 5, 4, 3, 2 or 1 for remotes that earlier releases must also read). */
  format?: RepositoryFormat;
  passphrase?: PassphraseOptions;
  /** This node's exclude patterns, kept in config.json (`syncacross exclude`); none: those already kept stay. */
  exclude?: string[];
}

export interface InitResult {
  command: 'init';
  library: string;
  remote: string;
  adapter: string;
  repository: string;
  joined: boolean;
  alreadyInitialized: boolean;
  writer: string;
  format: RepositoryFormat;
  encrypted: boolean;
  /** Who the versions made here are from (null: no name; `config set user` sets one). */
  author: Author | null;
}

/**
 * fs's `createRoot` is for the first init only: kept in config.json, a later sync would quietly
 * re-create the folder of an unmounted share and then report an emptied remote instead of an
 * unreachable one.
 */
export function persistentOptions(adapter: string, options: Record<string, unknown>): Record<string, unknown> {
  if (adapter !== 'fs') return options;
  const { createRoot: _createRoot, ...rest } = options;
  return rest;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Opens the new library, creating or joining the repository (and remembering its key, if encrypted). */
async function createOrJoinLibrary(dir: string, storage: Storage, p: InitParams, retry: RetryOptions): Promise<{ library: Library; joined: boolean }> {
  const retrying = withRetry(storage, retry);
  const joined = (await retrying.list('repo/', { pageSize: 1 })).objects.length > 0 || (await retrying.list('repository/', { pageSize: 1 })).objects.length > 0;
  const format = p.format ?? 7;
  if (p.encrypt && format === 1) throw usageError('InvalidArgument', '--encrypt needs --format 2 or later');
  const library = await openLibrary({
    dir,
    storage,
    create: true,
    retry,
    newRepository: { format, encrypt: p.encrypt === true },
    secret: secretSource(p.passphrase ?? {}, true),
    ...(p.name ? { nodeName: p.name } : {}),
  });
  try {
    const key = library.unlockedKey();
    if (key) await rememberKey(library.repository, key, p.passphrase ?? {});
    return { library, joined };
  } catch (e) {
    await library.close();
    throw e;
  }
}

/** The exclude patterns config.json keeps: those given, else those an earlier init kept. */
async function patternsToKeep(given: string[] | undefined, initialized: string | undefined): Promise<{ exclude?: string[] }> {
  const exclude = given?.length ? given.map((x) => checkPattern(x, '--exclude')) : initialized ? ((await readConfig(initialized)).exclude ?? []) : [];
  return exclude.length > 0 ? { exclude } : {};
}

/** Whether DIR is already this very library (init again changes nothing); another remote's is refused. */
async function alreadyThisLibrary(dir: string, config: LibraryConfig): Promise<boolean> {
  if (!existsSync(configPath(dir))) return false;
  const existing = await readConfig(dir);
  if (existing.namedRemote !== config.namedRemote || existing.adapter !== config.adapter || !sameJson(existing.options, config.options)) {
    throw usageError(
      'AlreadyInitialized',
      `${dir} is already a library synced with ${existing.remote}. Nothing was changed. To sync this folder with another remote, use a new folder (or remove ${join(dir, STATE_FOLDER)} to start over: files are kept, and joining a repository with different content makes conflict copies, never deletions).`,
    );
  }
  return true;
}

/** What config.json says of the remote; a named remote's options live in remotes.json, not in the library (named-remotes.ts). */
function libraryConfig(remote: string, adapter: LoadedAdapter, stored: Record<string, unknown>, named: string | undefined): LibraryConfig {
  const options = named !== undefined ? { options: {}, namedRemote: named } : { options: persistentOptions(adapter.module.name, stored) };
  return { version: 1, remote, adapter: adapter.specifier, ...options };
}

/** Removes `dir` and its parents up to `top`, the folders init made, as long as each is empty. */
async function removeEmptyUpTo(dir: string, top: string): Promise<void> {
  for (let d = dir; ; d = dirname(d)) {
    try {
      await rmdir(d); // only ever an empty folder
    } catch {
      return; // something is in it now: it stays, and so do its parents
    }
    if (d === top || dirname(d) === d) return;
  }
}

/** `syncacross init`: creates or joins the repository, writes the library's config.json, and says what it did. */
export async function initLibrary(p: InitParams, out: Output): Promise<InitResult> {
  const dir = resolve(p.dir);
  const { adapter, given, stored, options, named } = await resolveRemoteArg(p.remote, p.options ?? [], [dir, process.cwd()], await optionsKeptFor(dir, p.remote));
  const config = libraryConfig(p.remote, adapter, stored, named);
  const inLibrary = remoteInLibrary(adapter.module.name, options, dir);
  const alreadyInitialized = await alreadyThisLibrary(dir, config);
  const kept = await patternsToKeep(p.exclude, alreadyInitialized ? dir : undefined);

  // The name is the machine's, for every library: set before anything else, so a typo stops here.
  if (p.user !== undefined) await writeMachineSetting('user', p.user);
  const author = await authorHere(p.name);
  const stateExisted = existsSync(join(dir, STATE_FOLDER));
  const made = await mkdir(dir, { recursive: true }); // the first folder it made (of the path), if any
  const retry = { ...(p.retries !== undefined ? { retries: p.retries } : {}), onRetry: retryNotice(out) };
  let library: Library;
  let joined: boolean;
  try {
    const storage = await adapter.module.create(
      options,
      adapterContext((line) => out.warn(line)),
    );
    try {
      ({ library, joined } = await createOrJoinLibrary(dir, storage, p, retry));
    } catch (e) {
      await storage.close?.().catch(() => undefined);
      throw e;
    }
    await writeConfig(dir, { ...config, ...(p.name ? { node: p.name } : {}), ...kept });
    if (named !== undefined) await recordLibrary(named, dir);
    if (inLibrary !== undefined)
      out.warn(`syncacross: note: the remote folder is inside the library (${inLibrary}): it is left out of the sync. A copy on the same disk is lost with it: keep another remote elsewhere too.`);
    const outer = enclosingLibrary(dir);
    if (outer !== undefined) out.warn(nestedLibraryNote(outer, dir));
    const inner = librariesWithin(dir);
    if (inner.length > 0) out.warn(innerLibrariesNote(dir, inner));
  } catch (e) {
    if (!stateExisted) await rm(join(dir, STATE_FOLDER), { recursive: true, force: true });
    if (made !== undefined) await removeEmptyUpTo(dir, made);
    if (isStorageError(e, 'Unavailable') && adapter.module.name === 'fs' && !('createRoot' in given)) {
      throw new CliError(3, `remote unreachable: ${(e as Error).message}. If this is a new folder, add -o createRoot=true.`, 'Unavailable', { cause: e });
    }
    throw e;
  }
  try {
    return {
      command: 'init',
      library: dir,
      remote: p.remote,
      adapter: adapter.specifier,
      repository: library.repository,
      joined,
      alreadyInitialized,
      writer: library.writer,
      ...library.format,
      author: author ?? null,
    };
  } finally {
    await library.close();
  }
}

export async function initCommand(
  dir: string | undefined,
  opts: { remote?: string; option?: string[]; name?: string; retries?: number; encrypt?: boolean; format?: RepositoryFormat; user?: string; exclude?: string[] } & PassphraseOptions,
  out: Output,
): Promise<number> {
  if (!opts.remote) throw usageError('BadOption', 'init needs --remote <adapter>:<location>, e.g. --remote fs:/mnt/nas/library');
  const r = await initLibrary(
    {
      dir: dir ?? '.',
      remote: opts.remote,
      ...(opts.option ? { options: opts.option } : {}),
      ...(opts.name ? { name: opts.name } : {}),
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.encrypt ? { encrypt: true } : {}),
      ...(opts.format !== undefined ? { format: opts.format } : {}),
      ...(opts.user !== undefined ? { user: opts.user } : {}),
      ...(opts.exclude ? { exclude: opts.exclude } : {}),
      passphrase: passphraseOptions(opts),
    },
    out,
  );
  if (r.alreadyInitialized) out.info(`${r.library} is already a library synced with ${r.remote} (repository ${r.repository}).`);
  else out.info(`${r.joined ? 'Joined' : 'Created'} ${r.encrypted ? 'encrypted ' : ''}repository ${r.repository} on ${r.remote} for ${r.library}.`);
  if (r.encrypted && !r.joined) out.info('Keep the passphrase safe: without it (or a remembered key) nobody can read the repository, and it cannot be recovered.');
  out.info(
    r.author
      ? `Versions made here show as "${r.author.user}" on ${r.author.machine} in every node's log (change with: syncacross config set user "Your Name").`
      : 'Versions made here show only as this node in the log: name yourself with syncacross config set user "Your Name".',
  );
  out.info(`This node writes as ${r.writer}. Next: syncacross sync ${r.library}`);
  out.result(r);
  return 0;
}
