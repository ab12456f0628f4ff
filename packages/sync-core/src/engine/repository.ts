/**
 * Repository identity. Init writes `repo/<id>` with create-if-absent. On a backend where two
 * racing inits both succeed, every id listed under `repo/` is an alias of one repository (the
 * merge is over the union of their segments), so racing inits converge with no coordination.
 * A library remembers its id: a remote that does not list it was wiped, switched, or is not
 * ours, and the sync stops before touching anything local.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from '../storage/contract.js';
import { listAll, objectExists } from '../storage/listing.js';
import { SyncError } from '../model/sync-error.js';

const REPOSITORY_FORMAT = 1;

/** The repository ids the remote lists (more than one: racing inits, all one repository). */
export async function listRepositoryIds(storage: Storage): Promise<string[]> {
  return (await listAll(storage, 'repo/'))
    .map((o) => o.key.slice('repo/'.length))
    .filter((id) => /^[0-9a-f]{32}$/.test(id))
    .sort();
}

/** Creates a repository, or joins the one that is there. Returns the id to remember. */
export async function createOrJoin(storage: Storage, now: number): Promise<string> {
  let ids = await listRepositoryIds(storage);
  if (ids.length > 0) return ids[0]!;
  const anything = await storage.list('', { pageSize: 5 });
  // A listing that dropped repo/ (a lossy server) but shows it here: join, never re-create.
  const seen = anything.objects
    .map((o) => /^repo\/([0-9a-f]{32})$/.exec(o.key)?.[1])
    .filter((x): x is string => !!x)
    .sort();
  if (seen.length > 0) return seen[0]!;
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
  const body = JSON.stringify({ syncacross: 'repository', format: REPOSITORY_FORMAT, id, created: new Date(now).toISOString() });
  await storage.putIfAbsent(`repo/${id}`, new TextEncoder().encode(body));
  ids = await listRepositoryIds(storage);
  return ids[0] ?? id;
}

/** Checks the remote still holds our repository; returns every alias id. */
export async function verifyRepository(storage: Storage, remembered: string): Promise<string[]> {
  const ids = await listRepositoryIds(storage);
  if (ids.includes(remembered)) return ids;
  // A listing may lag behind writes (or a listed page may be stale): ask for the object itself
  // before concluding anything, since "not listed" is not "absent".
  if (await objectExists(storage, `repo/${remembered}`)) return [...ids, remembered].sort();
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
