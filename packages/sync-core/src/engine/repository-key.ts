/**
 * Opening a library's repository for reading and writing: its codec (format 1, format 2, or
 * format 2 sealed with the key that an encrypted repository needs, docs/PROTOCOL.md §3.6).
 * A remembered key is checked against the check value kept at join (a wrong one is refused
 * before anything is read with it, so no segment is ever judged corrupt for a wrong key).
 */
import type { Storage } from '../storage/contract.js';
import { SyncError } from '../model/sync-error.js';
import { FORMAT_1, format2Codec, type RepositoryCodec } from '../codec/repository-codec.js';
import { dataKeyOf, keyCheckOf, unlock, type UnlockedKey } from '../codec/keyring.js';
import type { RoundStateStore } from '../local/round-state.js';
import { brotliMetadata, packDictionaries } from './repository.js';

type Secret = { passphrase: string } | { masterKey: Uint8Array };
type SecretOf = (repo: string, need?: 'passphrase') => Promise<Secret | undefined>;

/** A codec for a read-only look at an encrypted repository opened without its key: local state works, any remote object refuses. */
function lockedCodec(): RepositoryCodec {
  const refuse = (): never => {
    throw new SyncError('KeyRequired', 'this repository is encrypted: give its passphrase to read from the remote');
  };
  return {
    format: 2,
    encrypted: true,
    storeSegment: refuse,
    loadSegment: refuse,
    storeChunk: refuse,
    loadChunk: refuse,
    encodeChunk: refuse,
    loadChunkAsync: refuse,
    chunkDictionaries: () => false,
    storeDictionary: refuse,
    loadDictionary: refuse,
  };
}

export async function openCodec(
  state: { round: RoundStateStore },
  storage: Storage,
  secretOf: SecretOf,
  justUnlocked: UnlockedKey | undefined,
  readOnly = false,
): Promise<{ codec: RepositoryCodec; key?: UnlockedKey }> {
  const round = state.round;
  if (round.get('format') === 1) return { codec: FORMAT_1 };
  // Asked at each write: an upgrade followed while the library is open takes effect at once.
  const brotli = () => brotliMetadata(round.get('format'));
  const dictionaries = () => packDictionaries(round.get('format'));
  if (!round.get('encrypted')) return { codec: format2Codec(undefined, brotli, dictionaries) };
  let key = justUnlocked;
  // A read-only look at local state (status, log, ls) needs no key: its caller gives no secret,
  // and the codec then refuses any remote object.
  let secret = key ? undefined : await secretOf(round.get('repo'));
  if (!key && secret && 'masterKey' in secret) {
    if (keyCheckOf(secret.masterKey) === round.get('keyCheck')) key = { masterKey: secret.masterKey, keyId: round.get('keyId') };
    else {
      // A stale remembered key (another library's, or a damaged file): ask for the passphrase
      // instead, as if nothing had been remembered.
      secret = await secretOf(round.get('repo'), 'passphrase');
      if (!secret || 'masterKey' in secret) throw new SyncError('KeyRejected', `the remembered key is not the key of repository ${round.get('repo')}: give the passphrase again. Nothing was changed.`);
    }
  }
  if (!key && secret && 'passphrase' in secret) {
    key = await unlock(storage, round.get('repo'), secret.passphrase, round.get('keyId') || undefined);
    // A keyring that opens to another master key than the one this node joined with is not
    // this repository's (replaced on the remote): refuse rather than read or write with it.
    if (keyCheckOf(key.masterKey) !== round.get('keyCheck'))
      throw new SyncError('KeyRejected', `the keyring on ${storage.name} opens to a different master key than repository ${round.get('repo')} had when this node joined it. Nothing was changed.`);
  }
  if (!key) {
    if (readOnly) return { codec: lockedCodec() };
    throw new SyncError('KeyRequired', `repository ${round.get('repo')} is encrypted: give its passphrase`);
  }
  return { codec: format2Codec(dataKeyOf(key.masterKey), brotli, dictionaries), key };
}
