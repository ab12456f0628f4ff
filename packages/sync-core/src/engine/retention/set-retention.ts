/**
 * `Library.retention()` (docs/PROTOCOL.md §3.11): shows the repository's retention policy, or sets
 * a new one for every node. Setting writes one small object; checkpoints from then on prune by it
 * (a `gc` writes one at once), and segments go once a checkpoint that pruned by it is a margin old.
 */
import type { LocalState } from '../../local/state.js';
import { checkRetentionPolicy, describeRetention, keepsEverything, RETENTION_FIELDS, type RetentionPolicy } from '../../model/retention.js';
import { SyncError } from '../../model/sync-error.js';
import type { Storage } from '../../storage/contract.js';
import { prunes, verifyRepository } from '../repository.js';
import type { RoundOptions } from '../round-context.js';
import { encodePolicy, readPolicy } from './policy-object.js';

/** What `Library.retention()` found, or set. */
export interface RetentionOutcome {
  /** The policy in force; absent: none was set, every version is kept. */
  policy?: RetentionPolicy;
  /** The policy in words. */
  described: string;
  /** When it was set (ISO time, the setter's clock). */
  setAt?: string;
  /** The writer id that set it. */
  setBy?: string;
  /** This call set it (false: shown only, or it was in force already). */
  changed: boolean;
  /** Why nothing is pruned though a setting exists (the newest setting cannot be read). */
  notice?: string;
}

const same = (a: RetentionPolicy, b: RetentionPolicy) => RETENTION_FIELDS.every((f) => (a[f] ?? 0) === (b[f] ?? 0));

export async function retentionOf(state: Pick<LocalState, 'round'>, storage: Storage, options: Pick<RoundOptions, 'codec' | 'now'>, set?: RetentionPolicy): Promise<RetentionOutcome> {
  const format = state.round.get('format');
  const repoIds = new Set(await verifyRepository(storage, state.round.get('repo'), format, state.round.get('encrypted')));
  const read = await readPolicy(storage, options.codec, repoIds);
  let changed = false;
  if (set) {
    const policy = checkRetentionPolicy(set);
    if (typeof policy === 'string') throw new SyncError('InvalidArgument', `not a retention policy: ${policy}`);
    if (!prunes(format))
      throw new SyncError(
        'CannotCollect',
        `this repository is format ${format}; a retention policy needs format 4, which every machine must be able to read. Run \`syncacross upgrade\` first (it says which machines it waits for). Nothing was changed`,
      );
    if (read.unreadable || !read.setting || !same(read.setting.policy, policy)) {
      // Later than the setting it replaces, whatever this machine's clock says: the highest key wins.
      const hlc = Math.max(options.now(), state.round.get('hlc') + 1, (read.setting?.at.getTime() ?? 0) + 1);
      state.round.set('hlc', hlc);
      const o = encodePolicy(options.codec, state.round.get('repo'), state.round.get('writer'), hlc, policy);
      await storage.putIfAbsent(o.key, o.bytes);
      // What was written, not a listing again: one that lags would show the setting replaced.
      read.setting = { key: o.key, policy, at: new Date(hlc), writer: state.round.get('writer') };
      delete read.unreadable;
      changed = true;
    }
  }
  const s = read.setting;
  return {
    ...(s && !keepsEverything(s.policy) ? { policy: s.policy } : {}),
    described: read.unreadable ? 'keep every version (the newest setting cannot be read)' : describeRetention(s?.policy ?? {}),
    ...(s ? { setAt: s.at.toISOString(), setBy: s.writer } : {}),
    changed,
    ...(read.unreadable ? { notice: read.unreadable } : {}),
  };
}
