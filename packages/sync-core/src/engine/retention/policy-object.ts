/**
 * The repository's retention policy (docs/PROTOCOL.md §3.11): one small write-once object per
 * setting, stored like an author object (a frame, sealed in an encrypted repository, so nobody
 * without the key can set a policy that prunes history):
 *
 *   retention/<hlc, 16 digits>-<writer>
 *
 * The highest key is the policy: two machines setting one at once both write, and every node
 * picks the same one. Nothing is replaced, so nothing can be torn.
 */
import { z } from 'zod';
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { checkRetentionPolicy, type RetentionPolicy } from '../../model/retention.js';
import type { Storage } from '../../storage/contract.js';
import { isStorageError, StorageError } from '../../storage/errors.js';
import { listAll } from '../../storage/listing.js';
import { WRITER_ID } from '../segment-schema.js';
import { lazily } from '../../model/lazily.js';

const PREFIX = 'retention/';
const KEY = /^retention\/(\d{16})-([A-Za-z0-9_.-]+)$/;
const MAX_BYTES = 4096;

const bodySchema = lazily(() =>
  z.strictObject({
    syncacross: z.literal('retention'),
    repo: z.string().regex(/^[0-9a-f]{32}$/),
    writer: z.string().regex(WRITER_ID),
    hlc: z.number().int().min(0),
    policy: z.unknown(),
  }),
);

/** The policy in force, with the object that set it. */
export interface PolicySetting {
  key: string;
  policy: RetentionPolicy;
  /** When it was set (the setter's clock). */
  at: Date;
  /** The writer id that set it. */
  writer: string;
}

/** How a checkpoint prunes: the policy in force, as of the writer's time. */
export interface CheckpointRetention {
  setting: PolicySetting;
  asOf: number;
}

export function encodePolicy(codec: RepositoryCodec, repo: string, writer: string, hlc: number, policy: RetentionPolicy): { key: string; bytes: Uint8Array } {
  const key = `${PREFIX}${String(hlc).padStart(16, '0')}-${writer}`;
  return { key, bytes: codec.storeSegment(JSON.stringify({ syncacross: 'retention', repo, writer, hlc, policy }), key) };
}

function decodePolicy(codec: RepositoryCodec, key: string, bytes: Uint8Array, repoIds: ReadonlySet<string>): PolicySetting | string {
  const m = KEY.exec(key);
  if (!m) return 'not a retention object name';
  if (bytes.byteLength > MAX_BYTES) return `over ${MAX_BYTES} bytes`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(codec.loadSegment(bytes, key, MAX_BYTES)).toString('utf8'));
  } catch (e) {
    return `cannot be decoded: ${(e as Error).message}`;
  }
  const body = bodySchema().safeParse(parsed);
  if (!body.success) return 'not a retention object';
  const b = body.data;
  if (!repoIds.has(b.repo)) return `belongs to repository ${b.repo}`;
  // The body must be for this very name: a copy under another name (a later one) sets nothing.
  if (b.writer !== m[2] || b.hlc !== Number(m[1])) return 'its content is for another name';
  const policy = checkRetentionPolicy(b.policy);
  if (typeof policy === 'string') return `its policy is not valid: ${policy}`;
  return { key, policy, at: new Date(b.hlc), writer: b.writer };
}

/**
 * The policy in force: the highest listed object. One that does not read as a policy (damaged,
 * another repository's, tampered with) suspends pruning, said in `unreadable`: an older setting
 * may prune what the newer one keeps, and keeping everything a while loses nothing. One listed
 * that reads as NotFound is not taken for deleted (listings run ahead of reads, §2): the next one
 * down is no answer, so this throws `Unavailable` and a later try reads it (seed 37053).
 */
export async function readPolicy(storage: Storage, codec: RepositoryCodec, repoIds: ReadonlySet<string>): Promise<{ setting?: PolicySetting; unreadable?: string }> {
  const newest = (await listAll(storage, PREFIX))
    .map((o) => o.key)
    .filter((k) => KEY.test(k))
    .sort()
    .at(-1);
  if (newest === undefined) return {};
  let bytes: Uint8Array;
  try {
    bytes = await storage.get(newest, { range: { offset: 0, length: MAX_BYTES + 1 } });
  } catch (e) {
    if (!isStorageError(e, 'NotFound')) throw e;
    throw new StorageError('Unavailable', `the retention setting ${newest} is listed but cannot be read yet; a later try reads it`, { cause: e });
  }
  const read = decodePolicy(codec, newest, bytes, repoIds);
  return typeof read === 'string' ? { unreadable: `the retention setting ${newest} cannot be read (${read}): nothing is pruned until a policy is set again` } : { setting: read };
}
