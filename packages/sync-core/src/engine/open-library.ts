/**
 * Opening a library: takes the folder's lock, creates or joins the repository when the folder has
 * no state yet (its format and, when encrypted, its key: repository.ts, repository-key.ts), and
 * hands the round its settings.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DELETION_GUARD } from './held-deletions.js';
import { mountPointsNow } from '../local/mount-points.js';
import type { Storage } from '../storage/contract.js';
import { checkedStorage } from '../storage/checked.js';
import { withCounting } from '../storage/wrappers/counting.js';
import { withRetry } from '../storage/wrappers/retry.js';
import { acquireLock, type LibraryLock } from '../local/lock.js';
import { asStateError } from '../local/state-database.js';
import { LocalState } from '../local/state.js';
import { DEFAULT_CHUNKING } from '../model/chunker.js';
import { SyncError } from '../model/sync-error.js';
import { keyCheckOf, type UnlockedKey } from '../codec/keyring.js';
import { packSizeFor } from './packs.js';
import { DEFAULT_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_READ_AFTER } from './checkpoints/format.js';
import { DEFAULT_COLLECTION_MARGIN_MS } from './collection/collect.js';
import { DEFAULT_MERGE_SMALL_PACKS } from './collection/repack-plan.js';
import { COMPACT_AFTER } from '../local/segment-runs.js';
import { DEFAULT_COLLECT_AFTER } from './steps/collect-if-due.js';
import { createOrJoin } from './repository.js';
import { checkAuthorName } from './author-object.js';
import { openCodec } from './repository-key.js';
import { HONEST_POLICY, type RoundPolicy } from './round-policy.js';
import type { RoundOptions } from './round-context.js';
import { Library, type LibraryOptions, type SecretSource } from './library.js';

const sanitizeNode = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32) || 'node';

/** Creates or joins the repository for a library with no state yet, and records who this node is. */
async function joinRepository(state: LocalState, storage: Storage, o: LibraryOptions, now: number, secretSource: SecretSource): Promise<UnlockedKey | undefined> {
  const joined = await createOrJoin(
    storage,
    now,
    o.newRepository,
    async (repo) => {
      // A master key alone cannot be checked against the keyring, only a passphrase can.
      const secret = await secretSource(repo, 'passphrase');
      return secret && 'passphrase' in secret ? secret.passphrase : undefined;
    },
    (o.fetchConcurrency ?? 8) > 1,
  );
  // In an encrypted repository the writer id, which names segment keys, tells nothing of
  // the machine: a random node name (the remote learns how many writers there are, §3.6).
  const nodeName = joined.encrypted ? 'node' : sanitizeNode(o.nodeName ?? hostname());
  const node = state.round.get('node') || `${nodeName}-${randomBytes(2).toString('hex')}`;
  state.transaction(() => {
    state.round.set('node', node);
    state.round.set('writer', `${node}.${randomBytes(4).toString('hex')}`);
    state.round.set('seq', 0);
    state.round.set('repo', joined.id);
    state.round.set('format', joined.format);
    state.round.set('encrypted', joined.encrypted);
    if (joined.key) state.round.set('keyId', joined.key.keyId);
    if (joined.key) state.round.set('keyCheck', keyCheckOf(joined.key.masterKey));
  });
  return joined.key;
}

/**
 * Opens a library: takes the folder's lock, and creates or joins the repository on
 * `o.storage` when the folder has no state yet (unless `create: false`). Close it when done.
 */
export function openLibrary(o: LibraryOptions): Promise<Library> {
  return openLibraryWithPolicy(o, HONEST_POLICY);
}

/** Checkpoints and collection (§3.9, §3.10): the options' defaults filled in. */
function historyOptions(o: LibraryOptions): Pick<RoundOptions, 'checkpointEvery' | 'checkpointReadAfter' | 'collectAfter' | 'collectMarginMs' | 'mergeSmallPacks' | 'compactSegmentsAfter' | 'sleep'> {
  return {
    checkpointEvery: o.checkpoints === false ? 0 : (o.checkpoints?.every ?? DEFAULT_CHECKPOINT_EVERY),
    checkpointReadAfter: o.checkpoints === false ? 0 : (o.checkpoints?.readAfter ?? DEFAULT_CHECKPOINT_READ_AFTER),
    collectAfter: o.collection === false ? 0 : (o.collection?.after ?? DEFAULT_COLLECT_AFTER),
    collectMarginMs: (o.collection || undefined)?.marginMs ?? DEFAULT_COLLECTION_MARGIN_MS,
    mergeSmallPacks: (o.collection || undefined)?.mergeSmallPacks ?? DEFAULT_MERGE_SMALL_PACKS,
    compactSegmentsAfter: (o.collection || undefined)?.compactSegmentsAfter ?? COMPACT_AFTER,
    ...(o.retry && o.retry.sleep ? { sleep: o.retry.sleep } : {}),
  };
}

/** Options no round could use, refused before anything is opened or published. */
function refuseBadOptions(o: LibraryOptions): void {
  // An author readers would refuse (§3.8) is refused here, before anything is published.
  const badName = o.author && (checkAuthorName(o.author.user) ?? checkAuthorName(o.author.machine));
  if (badName) throw new SyncError('InvalidArgument', `author names must be ${badName}`);
  mountPointsNow(o.mountPoints); // a function is asked again at every round
}

/**
 * openLibrary with the round's decisions taken by `policy`: only the simulation passes anything
 * but HONEST_POLICY, to prove its checker catches a broken engine. Not on the main entry; exported
 * from `@syncacross/sync-core/testing`.
 */
export async function openLibraryWithPolicy(o: LibraryOptions, policy: RoundPolicy): Promise<Library> {
  const stateDir = o.stateDir ?? join(o.dir, '.syncacross');
  const now = o.now ?? Date.now;
  const fresh = !existsSync(join(stateDir, 'state.db'));
  refuseBadOptions(o);
  if (fresh && (o.create === false || o.readOnly)) throw new SyncError('NotInitialized', `${o.dir} is not a syncacross library yet: run init first`);
  await mkdir(stateDir, { recursive: true });
  const lock: LibraryLock = o.readOnly ? { release: async () => undefined } : await acquireLock(join(stateDir, 'lock'), o.lockWaitMs ?? 2000);
  let state: LocalState | undefined;
  try {
    state = new LocalState(join(stateDir, 'state.db'), { readonly: o.readOnly === true });
    // From the outside in: counting, retry, checked, the adapter. Counting sees each request the
    // engine makes once however many attempts retry needs (its `failures` are requests that threw
    // in the end); every attempt passes checkedStorage's validation before reaching the adapter.
    const checked = checkedStorage(o.storage);
    const counting = withCounting(o.retry === false ? checked : withRetry(checked, o.retry));
    const given = o.secret;
    const secretSource: SecretSource = typeof given === 'function' ? given : async () => given;
    let key: UnlockedKey | undefined;
    if (!state.round.get('repo')) {
      if (o.create === false || o.readOnly) throw new SyncError('NotInitialized', `${o.dir} is not a syncacross library yet: run init first`);
      key = await joinRepository(state, counting, o, now(), secretSource);
    }
    const opened = await openCodec(state, counting, secretSource, key, o.readOnly === true);
    if (opened.key && !o.readOnly && opened.key.keyId !== state.round.get('keyId')) state.round.set('keyId', opened.key.keyId);
    return new Library(
      o.dir,
      stateDir,
      state,
      lock,
      counting,
      o.storage,
      {
        stableAfterMs: o.stableAfterMs ?? 2000,
        settleWaitMs: o.settleWaitMs ?? 3000,
        roundLimitMs: o.roundLimitMs ?? 10 * 60_000,
        packSize: o.packSize ?? packSizeFor(o.storage),
        chunking: o.chunking ?? DEFAULT_CHUNKING,
        now,
        fetchConcurrency: o.fetchConcurrency ?? 8,
        ...historyOptions(o),
        policy,
        readOnly: o.readOnly === true,
        staging: o.staging ?? {},
        codec: opened.codec,
        ...(o.author ? { author: o.author } : {}),
        ...(typeof o.exclude === 'function' ? { exclude: o.exclude } : o.exclude?.length ? { exclude: [...o.exclude] } : {}),
        ...(o.mountPoints ? { mountPoints: typeof o.mountPoints === 'function' ? o.mountPoints : [...o.mountPoints] } : {}),
        ...(o.deletionGuard === false ? {} : { deletionGuard: { ...DEFAULT_DELETION_GUARD, ...o.deletionGuard } }),
      },
      opened.key,
    );
  } catch (e) {
    state?.close();
    await lock.release();
    throw asStateError(join(stateDir, 'state.db'), e); // opening touches no other database
  }
}
