/**
 * The keyring of an encrypted repository (docs/PROTOCOL.md §3.6): one random master key, wrapped
 * once per passphrase in `keys/<repo>/<key id>`, each with its own salt and scrypt parameters
 * (memory-hard). Any passphrase opens the master key; removing one leaves the others working.
 * Segments and chunks are sealed with a data key derived from the master key (HKDF), never with
 * the master key itself.
 */
import { createHmac, hkdfSync, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import type { Storage } from '../storage/contract.js';
import { isStorageError } from '../storage/errors.js';
import { listAll } from '../storage/listing.js';
import { SyncError } from '../model/sync-error.js';
import { open, seal } from './frame.js';
import { lazily } from '../model/lazily.js';

/** scrypt's cost parameters for deriving a passphrase's wrapping key; memory is about 128·N·r bytes. */
export interface KdfParams {
  /** CPU and memory cost: a power of two from 2^10 to 2^20 (default 2^16). */
  N: number;
  /** Block size (default 8). */
  r: number;
  /** Parallelization (default 1). */
  p: number;
}
/** 64 MiB and about a quarter of a second per try on a laptop: restic's order of cost. */
export const DEFAULT_KDF: KdfParams = { N: 2 ** 16, r: 8, p: 1 };
/** A hostile key object cannot make a node spend more than this (1 GiB of memory, N ≤ 2^20). */
const MAX_KDF_MEMORY = 1024 * 1024 * 1024;
const MAX_KEY_OBJECT = 4096;

const keyObject = lazily(() => {
  const b64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/);
  return z
    .object({
      syncacross: z.literal('key'),
      format: z.literal(2),
      repo: z.string().regex(/^[0-9a-f]{32}$/),
      id: z.string().regex(/^[0-9a-f]{16}$/),
      created: z.string().max(40),
      kdf: z.object({ name: z.literal('scrypt'), N: z.number().int(), r: z.number().int().min(1).max(32), p: z.number().int().min(1).max(16), salt: b64 }).strict(),
      wrapped: b64,
    })
    .strict();
});
type KeyObject = z.infer<ReturnType<typeof keyObject>>;

/** One key (passphrase) of an encrypted repository, as `Library.keys()` lists it: never the passphrase or key itself. */
export interface KeyInfo {
  /** The key id: 16 hex digits, what `Library.removeKey` takes. */
  id: string;
  /** When it was added, ISO (the adding node's clock). */
  created: string;
}
/** An encrypted repository's master key, opened: a secret (`Library.unlockedKey`). */
export interface UnlockedKey {
  /** The repository's 32-byte master key: whoever holds it can read everything. Never log it. */
  masterKey: Uint8Array;
  /** The id of the key (passphrase) that opened it. */
  keyId: string;
}

const keyPrefix = (repo: string) => `keys/${repo}/`;
const wrapAad = (repo: string, id: string) => `syncacross/2 key ${repo}/${id}`;

function scrypt(passphrase: string, salt: Uint8Array, p: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { N: p.N, r: p.r, p: p.p, maxmem: 128 * p.N * p.r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(passphrase.normalize('NFC'), salt, 32, options, (e, key) => (e ? reject(e) : resolve(key))));
}

function checkKdf(p: KdfParams): void {
  const powerOfTwo = Number.isInteger(Math.log2(p.N));
  if (!powerOfTwo || p.N < 2 ** 10 || p.N > 2 ** 20 || 128 * p.N * p.r * p.p > MAX_KDF_MEMORY) throw new Error(`scrypt parameters out of bounds (N=${p.N}, r=${p.r}, p=${p.p})`);
}

/** The data key that seals segments and chunks. */
export const dataKeyOf = (masterKey: Uint8Array): Uint8Array => new Uint8Array(hkdfSync('sha256', masterKey, new Uint8Array(0), 'syncacross/2 data', 32));

/** A value a node keeps locally to tell a remembered key is this repository's (not the key). */
export const keyCheckOf = (masterKey: Uint8Array): string => createHmac('sha256', masterKey).update('syncacross/2 key check').digest('hex').slice(0, 32);

export const newMasterKey = (): Uint8Array => new Uint8Array(randomBytes(32));

/** Writes a new key object wrapping `masterKey` under `passphrase`; returns its id. */
export async function addKey(storage: Storage, repo: string, masterKey: Uint8Array, passphrase: string, kdf: KdfParams = DEFAULT_KDF, now = Date.now()): Promise<string> {
  if (passphrase.length === 0) throw new SyncError('InvalidArgument', 'an empty passphrase cannot protect a repository');
  checkKdf(kdf);
  const id = randomBytes(8).toString('hex');
  const salt = randomBytes(16);
  const wrapping = await scrypt(passphrase, salt, kdf);
  const object: KeyObject = {
    syncacross: 'key',
    format: 2,
    repo,
    id,
    created: new Date(now).toISOString(),
    kdf: { name: 'scrypt', ...kdf, salt: salt.toString('base64') },
    wrapped: seal(wrapping, masterKey, wrapAad(repo, id)).toString('base64'),
  };
  await storage.putIfAbsent(`${keyPrefix(repo)}${id}`, new TextEncoder().encode(JSON.stringify(object)));
  return id;
}

/** The key objects listed for `repo` that parse (a damaged or foreign one is left out). */
async function readKeys(storage: Storage, repo: string): Promise<KeyObject[]> {
  const listed = (await listAll(storage, keyPrefix(repo))).filter((o) => /^[0-9a-f]{16}$/.test(o.key.slice(keyPrefix(repo).length)) && (o.size ?? 0) <= MAX_KEY_OBJECT);
  const keys: KeyObject[] = [];
  for (const o of listed) {
    try {
      const bytes = await storage.get(o.key);
      if (bytes.byteLength > MAX_KEY_OBJECT) continue;
      const parsed = keyObject().safeParse(JSON.parse(new TextDecoder().decode(bytes)));
      if (parsed.success && parsed.data.repo === repo && `${keyPrefix(repo)}${parsed.data.id}` === o.key) keys.push(parsed.data);
    } catch (e) {
      if (!isStorageError(e, 'NotFound') && !(e instanceof SyntaxError)) throw e;
    }
  }
  return keys;
}

export async function listKeys(storage: Storage, repo: string): Promise<KeyInfo[]> {
  return (await readKeys(storage, repo)).map((k) => ({ id: k.id, created: k.created })).sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
}

/**
 * Opens the master key with a passphrase, trying `preferred` first (the key that opened last
 * time). Throws `KeyRejected` when no key of the repository opens with it, `KeyRequired` when the
 * repository lists no key at all (a listing that lags behind a racing init, or damage).
 */
export async function unlock(storage: Storage, repo: string, passphrase: string, preferred?: string): Promise<UnlockedKey> {
  // A listing may drop or lag an entry (lossy or eventually consistent servers): look again
  // before concluding there is no key. The marker was read, so a key exists (it is written
  // first): twenty listings that each drop it 30 % of the time all miss it once in 3×10^10
  // opens (eight still failed once in a 1,000-schedule campaign, seed 210295; three, as first
  // written, once in 37).
  let keys: KeyObject[] = [];
  for (let attempt = 0; attempt < 20 && keys.length === 0; attempt++) keys = await readKeys(storage, repo);
  if (keys.length === 0)
    throw new SyncError(
      'KeyRequired',
      `${storage.name} lists no readable key for encrypted repository ${repo}: try again in a moment (a just-created repository may not be listed yet); if it persists, the keyring was damaged`,
    );
  keys.sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred));
  for (const k of keys) {
    try {
      checkKdf(k.kdf);
    } catch {
      continue;
    }
    const wrapping = await scrypt(passphrase, Buffer.from(k.kdf.salt, 'base64'), k.kdf);
    const master = open(wrapping, Buffer.from(k.wrapped, 'base64'), wrapAad(repo, k.id));
    if (master && master.byteLength === 32) return { masterKey: new Uint8Array(master), keyId: k.id };
  }
  throw new SyncError('KeyRejected', `the passphrase opens none of the ${keys.length} key(s) of encrypted repository ${repo} on ${storage.name}: wrong passphrase. Nothing was changed.`);
}

/** Removes a key; refuses the last one and the one in use (`current`), so nobody is locked out by accident. */
export async function removeKey(storage: Storage, repo: string, id: string, current: string | undefined): Promise<void> {
  const keys = await listKeys(storage, repo);
  if (!keys.some((k) => k.id === id)) throw new SyncError('InvalidArgument', `repository ${repo} has no key ${id} (keys: ${keys.map((k) => k.id).join(', ')})`);
  if (id === current) throw new SyncError('InvalidArgument', `key ${id} is the one this node opened the repository with; remove it from another node, or add a new key and open with that first`);
  if (keys.length < 2) throw new SyncError('InvalidArgument', `key ${id} is the repository's last key: removing it would lock everyone out`);
  if (!storage.delete) throw new SyncError('InvalidArgument', `${storage.name} cannot delete objects: the key stays`);
  await storage.delete(`${keyPrefix(repo)}${id}`);
}
