/**
 * Repository identity (docs/PROTOCOL.md §3.1). Init writes a marker with create-if-absent: format 1
 * `repo/<id>` (empty of meaning beyond its name), format 2 `repository/<id>` (JSON saying whether it
 * is encrypted). On a backend where two racing inits both succeed, every id listed is an alias of
 * one repository (the merge is over the union of their segments), so racing inits converge with
 * no coordination; an encrypted one converges on the lowest id's keyring.
 * A library remembers its id: a remote that does not list it was wiped, switched, or is not
 * ours, and the sync stops before touching anything local.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Storage } from '../storage/contract.js';
import { isStorageError, StorageError } from '../storage/errors.js';
import { listAll, objectExists } from '../storage/listing.js';
import { SyncError } from '../model/sync-error.js';
import { listUpgrades } from './upgrade/upgrade-objects.js';
import { addKey, DEFAULT_KDF, newMasterKey, unlock, type KdfParams, type UnlockedKey } from '../codec/keyring.js';
import { lazily } from '../model/lazily.js';
import { REPOSITORY_FORMATS, type RepositoryFormat } from '../model/repository-format.js';

export type { RepositoryFormat };
/** The newest format this release reads and writes. */
export const NEWEST_FORMAT = REPOSITORY_FORMATS[REPOSITORY_FORMATS.length - 1]!;
/** Where each format keeps its markers: a format-1 client lists only `repo/`, so it sees no repository in a format-2 remote and stops (NotARepository) instead of writing into it. */
export const MARKER_PREFIX: Record<RepositoryFormat, string> = { 1: 'repo/', 2: 'repository/', 3: 'repository/', 4: 'repository/', 5: 'repository/', 6: 'repository/', 7: 'repository/' };
/** Whether segments and checkpoints of this format may be deleted once collected (§3.10). */
export const collects = (format: RepositoryFormat): boolean => format >= 3;
/** Whether checkpoints of this format may prune versions by a retention policy (§3.11): every node then knows superseded versions. */
export const prunes = (format: RepositoryFormat): boolean => format >= 4;
/** Whether packs no kept version needs may be condemned and deleted (§3.12): every node then honours a condemnation. */
export const collectsPacks = (format: RepositoryFormat): boolean => format >= 5;
/** Whether metadata is written as brotli frames (§3.5): every node then reads them. */
export const brotliMetadata = (format: RepositoryFormat): boolean => format >= 6;
/** Whether small chunks may be compressed with their pack's dictionary (§3.5, codec 4): every node then reads them. */
export const packDictionaries = (format: RepositoryFormat): boolean => format >= 7;
const MAX_MARKER = 4096;

const marker2 = lazily(() =>
  z
    .object({
      syncacross: z.literal('repository'),
      format: z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)]),
      id: z.string().regex(/^[0-9a-f]{32}$/),
      created: z.string().max(40),
      encryption: z.enum(['none', 'aes-256-gcm']),
    })
    .strict(),
);

/** How a new repository is made (`LibraryOptions.newRepository`); joining an existing one ignores it. */
export interface NewRepository {
  /** Default 1 (the library API's default this release; the CLI creates format 2). */
  format?: RepositoryFormat;
  /** Encrypt everything (format 2 only): needs `LibraryOptions.secret` (a passphrase). */
  encrypt?: boolean;
  /** scrypt parameters for the first key (default DEFAULT_KDF; tests use cheaper ones). */
  kdf?: KdfParams;
}

export interface JoinedRepository {
  id: string;
  format: RepositoryFormat;
  encrypted: boolean;
  key?: UnlockedKey;
}

/**
 * The repository ids the remote lists under one format's prefix (more than one: racing inits), the
 * one every node joins first. Format 1: the lowest id (all ids are aliases of one repository).
 * Format 2: the marker created first by the storage's own clock, then the lowest id: an encrypted
 * repository cannot alias another (each has its own master key), and "first created" is what
 * a racing creator that listed before the other's marker existed also chose (§3.1).
 */
async function listRepositoryIds(storage: Storage, format: RepositoryFormat = 1): Promise<string[]> {
  const prefix = MARKER_PREFIX[format];
  const listed = (await listAll(storage, prefix)).map((o) => ({ id: o.key.slice(prefix.length), modified: o.modified?.getTime() })).filter((o) => /^[0-9a-f]{32}$/.test(o.id));
  const byTime = format >= 2 && listed.every((o) => o.modified !== undefined);
  return listed.sort((a, b) => (byTime ? a.modified! - b.modified! : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((o) => o.id);
}

/** Repositories whose keyring a listing of `keys/` shows (their marker may be the entry a lossy listing dropped). */
async function listKeyringIds(storage: Storage): Promise<string[]> {
  const ids = (await listAll(storage, 'keys/')).map((o) => /^keys\/([0-9a-f]{32})\/[0-9a-f]{16}$/.exec(o.key)?.[1]).filter((x): x is string => !!x);
  return [...new Set(ids)].sort();
}

/** Reads a format-2 or -3 marker; a marker that is not ours (or a newer format) stops with a clear message. */
export async function readMarker(storage: Storage, id: string): Promise<{ encrypted: boolean; format: Exclude<RepositoryFormat, 1> }> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.get(`${MARKER_PREFIX[2]}${id}`);
  } catch (e) {
    if (isStorageError(e, 'NotFound')) throw new StorageError('Unavailable', `${storage.name} lists repository ${id} but cannot read it yet; try again in a moment`, { cause: e });
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = bytes.byteLength <= MAX_MARKER ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
  } catch {
    parsed = undefined;
  }
  const format = (parsed as { format?: unknown } | undefined)?.format;
  if (typeof format === 'number' && format > NEWEST_FORMAT) {
    throw new SyncError(
      'NotARepository',
      `${storage.name} holds a syncacross repository of format ${format}; this syncacross reads formats 1 to ${NEWEST_FORMAT}. Upgrade syncacross. Nothing was changed.`,
    );
  }
  const checked = marker2().safeParse(parsed);
  // Not readable as a marker: on a share that shows names before their bytes it may still be being
  // written, so "not ready", never "not a repository" (which would make a node create its own).
  if (!checked.success || checked.data.id !== id)
    throw new StorageError('Unavailable', `${storage.name}: ${MARKER_PREFIX[2]}${id} cannot be read as a syncacross repository marker (yet); try again in a moment. Nothing was changed.`);
  return { encrypted: checked.data.encryption !== 'none', format: checked.data.format };
}

/**
 * The repository's format after its upgrades (§3.7): the highest of `format` (its marker's) and
 * every listed upgrade of its ids. One to a format this release does not know stops with
 * `NotARepository`, before anything is read or written.
 */
export async function upgradedFormat(storage: Storage, repoIds: ReadonlySet<string>, format: RepositoryFormat): Promise<RepositoryFormat> {
  if (format === 1) return 1; // format 1 objects are another encoding: never upgraded
  const highest = Math.max(format, (await listUpgrades(storage, repoIds))[0]?.format ?? 0);
  if (highest > NEWEST_FORMAT)
    throw new SyncError(
      'NotARepository',
      `the repository on ${storage.name} was upgraded to format ${highest} by a newer syncacross; this one reads formats 1 to ${NEWEST_FORMAT}. Upgrade syncacross on this machine. Nothing was changed.`,
    );
  return highest as RepositoryFormat;
}

/** Asked for the passphrase only when one is needed (a prompt appears only for an encrypted repository). */
export type PassphraseSource = (repo: string) => Promise<string | undefined>;

/** Joins repository `id` of format 2 or 3: reads whether it is encrypted and, if so, opens its keyring. */
async function join2(storage: Storage, id: string, wanted: NewRepository, passphraseOf: PassphraseSource, racing: boolean): Promise<JoinedRepository> {
  const { encrypted, format: created } = await readMarker(storage, id);
  const format = await upgradedFormat(storage, new Set([id]), created);
  const at = racing ? ' (created at the same moment by another node)' : '';
  if (wanted.encrypt && !encrypted)
    throw new SyncError('InvalidArgument', `${storage.name} holds an unencrypted repository${at}; encryption is chosen when a repository is created. Nothing was changed.`);
  if (!encrypted) return { id, format, encrypted: false };
  const passphrase = await passphraseOf(id);
  if (passphrase === undefined) throw new SyncError('KeyRequired', `the repository on ${storage.name} is encrypted: give its passphrase`);
  try {
    return { id, format, encrypted: true, key: await unlock(storage, id, passphrase) };
  } catch (e) {
    if (racing && e instanceof SyncError && e.code === 'KeyRejected') {
      throw new SyncError(
        'KeyRejected',
        `another node created the repository on ${storage.name} at the same moment, with a different passphrase; it is the one everyone joins. Init again with that node's passphrase. Nothing was changed here.`,
        { cause: e },
      );
    }
    throw e;
  }
}

/**
 * Joins the repository a listing shows, if any. A server whose listings drop entries (lossy
 * WebDAV, R2 incidents) must not make a joining node create a second repository, which for an
 * encrypted one is not an alias (§3.1); so each look lists the markers, the keyrings and the
 * root together (one round trip), and a format-2 repository is created only after three looks
 * in a row saw nothing at all, or when eight looks found no repository among what the root shows.
 * With entries dropped 30 % of the time, a repository of just a marker and a key is missed
 * about once in 2 million joins, one with a few more objects far less (the simulation's lossy
 * mode found three looks at the markers alone, 1 in 37, too few). An empty remote costs three
 * round trips.
 */
async function joinListed(storage: Storage, format: RepositoryFormat, wanted: NewRepository, passphraseOf: PassphraseSource, parallel: boolean): Promise<JoinedRepository | undefined> {
  let emptyLooks = 0;
  const framed = format >= 2;
  for (let look = 0; look < (framed ? 8 : 1) && emptyLooks < 3; look++) {
    const listings = [
      () => listRepositoryIds(storage, 1),
      () => listRepositoryIds(storage, 2),
      async () => (framed ? listKeyringIds(storage) : []),
      async () => (framed ? storage.list('', { pageSize: 5, etags: false }) : { objects: [] }),
    ];
    const [v1, v2, keyring, root] = (parallel ? await Promise.all(listings.map((l) => l())) : await inSequence(listings)) as [string[], string[], string[], { objects: unknown[] }];
    if (v1.length > 0) return join1(storage, v1[0]!, wanted);
    if (v2.length > 0) return join2(storage, v2[0]!, wanted, passphraseOf, false);
    if (keyring.length > 0) return join2(storage, keyring[0]!, wanted, passphraseOf, false);
    emptyLooks = root.objects.length === 0 ? emptyLooks + 1 : 0;
  }
  return undefined;
}

async function inSequence(calls: (() => Promise<unknown>)[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const call of calls) out.push(await call());
  return out;
}

/**
 * Creates a repository, or joins the one that is there. `parallel`: the listings of a look may go
 * out together (false where one request at a time is the rule, as in the simulation).
 */
export async function createOrJoin(storage: Storage, now: number, wanted: NewRepository = {}, passphraseOf: PassphraseSource = async () => undefined, parallel = true): Promise<JoinedRepository> {
  const format = wanted.format ?? 1;
  if (wanted.encrypt && format === 1) throw new SyncError('InvalidArgument', 'encryption needs repository format 2 or later');
  const existing = await joinListed(storage, format, wanted, passphraseOf, parallel);
  if (existing) return existing;
  const anything = await storage.list('', { pageSize: 5, etags: false });
  // A listing that dropped the marker prefix (a lossy server) but shows it here, or shows an
  // encrypted repository's keyring: join, never re-create.
  for (const f of [1, 2] as const) {
    const pattern = f === 1 ? /^repo\/([0-9a-f]{32})$/ : /^(?:repository\/([0-9a-f]{32})|keys\/([0-9a-f]{32})\/[0-9a-f]{16})$/;
    const seen = anything.objects
      .map((o) => {
        const m = pattern.exec(o.key);
        return m?.[1] ?? m?.[2];
      })
      .filter((x): x is string => !!x)
      .sort();
    if (seen.length > 0) return f === 1 ? join1(storage, seen[0]!, wanted) : join2(storage, seen[0]!, wanted, passphraseOf, false);
  }
  if (anything.objects.length > 0) {
    throw new SyncError(
      'NotARepository',
      `${storage.name} holds data but no syncacross repository (found ${anything.objects
        .map((o) => o.key)
        .slice(0, 3)
        .join(', ')}…): choose an empty location or an existing syncacross remote`,
    );
  }
  const id = randomBytes(16).toString('hex');
  const created = new Date(now).toISOString();
  if (format === 1) {
    await storage.putIfAbsent(`repo/${id}`, new TextEncoder().encode(JSON.stringify({ syncacross: 'repository', format: 1, id, created })));
    return { id: (await listRepositoryIds(storage, 1))[0] ?? id, format: 1, encrypted: false };
  }
  // The key goes first: a marker is never listed without the keyring that opens it.
  let key: UnlockedKey | undefined;
  let passphrase: string | undefined;
  if (wanted.encrypt) {
    passphrase = await passphraseOf('');
    if (!passphrase) throw new SyncError('KeyRequired', 'an encrypted repository needs a passphrase');
    const masterKey = newMasterKey();
    key = { masterKey, keyId: await addKey(storage, id, masterKey, passphrase, wanted.kdf ?? DEFAULT_KDF, now) };
  }
  const body = { syncacross: 'repository', format, id, created, encryption: wanted.encrypt ? 'aes-256-gcm' : 'none' };
  await storage.putIfAbsent(`${MARKER_PREFIX[format]}${id}`, new TextEncoder().encode(JSON.stringify(body)));
  const winner = (await listRepositoryIds(storage, format))[0] ?? id;
  if (winner === id) return { id, format, encrypted: wanted.encrypt === true, ...(key ? { key } : {}) };
  return join2(storage, winner, wanted, async () => passphrase, true);
}

/**
 * The repository on a remote, opened for reading without joining it (restore on a new machine):
 * its ids (aliases) and format, unlocked with `passphrase` when encrypted. Never creates anything.
 */
export async function findRepository(storage: Storage, passphrase?: string | PassphraseSource): Promise<JoinedRepository & { ids: string[] }> {
  const v1 = await listRepositoryIds(storage, 1);
  if (v1.length > 0) return { id: v1[0]!, format: 1, encrypted: false, ids: v1 };
  const v2 = await listRepositoryIds(storage, 2);
  if (v2.length === 0) throw new SyncError('NotARepository', `${storage.name} holds no syncacross repository: nothing to restore`);
  const source: PassphraseSource = typeof passphrase === 'function' ? passphrase : async () => passphrase;
  return { ...(await join2(storage, v2[0]!, {}, source, false)), ids: v2 };
}

function join1(storage: Storage, id: string, wanted: NewRepository): JoinedRepository {
  if (wanted.encrypt)
    throw new SyncError(
      'InvalidArgument',
      `${storage.name} holds an unencrypted repository made by an earlier release (format 1); encryption is chosen when a repository is created. Nothing was changed.`,
    );
  return { id, format: 1, encrypted: false };
}

/** Checks the remote still holds our repository; returns every alias id. */
export async function verifyRepository(storage: Storage, remembered: string, format: RepositoryFormat = 1, encrypted = false): Promise<string[]> {
  const ids = await listRepositoryIds(storage, format);
  if (encrypted && ids.length > 0 && ids[0] !== remembered && ids.includes(remembered)) {
    // Lost a race of encrypted inits that this node did not see at init (a listing that lagged,
    // or a storage clock too coarse to order the two): its key opens nothing the others write.
    throw new SyncError(
      'RepositoryMismatch',
      `${storage.name} holds two encrypted repositories created at the same moment; everyone joins ${ids[0]}, not ${remembered}, which this library joined. Nothing was changed. Run init again in a new folder with the passphrase of the node that created ${ids[0]}.`,
    );
  }
  if (ids.includes(remembered)) return ids;
  // A listing may lag behind writes (or a listed page may be stale): ask for the object itself
  // before concluding anything, since "not listed" is not "absent".
  if (await objectExists(storage, `${MARKER_PREFIX[format]}${remembered}`)) return [...ids, remembered].sort();
  if (ids.length > 0) {
    throw new SyncError(
      'RepositoryMismatch',
      `${storage.name} holds a different syncacross repository (${ids[0]}) than this library joined (${remembered}). Nothing was changed. Point the library back at its remote, or re-initialize it to join the new one.`,
    );
  }
  throw new SyncError(
    'RemoteEmptied',
    `${storage.name} no longer holds this library's repository ${remembered} (wiped, emptied, or a different location?). Nothing local was deleted. Check the remote location; to re-seed it from this library, run init with --reseed.`,
  );
}
