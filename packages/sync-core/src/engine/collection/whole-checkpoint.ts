/**
 * A checkpoint read whole (docs/PROTOCOL.md §3.10): its manifest and every part, each verified as
 * a reader verifies them (§3.9). Collection deletes segments only on the strength of a checkpoint
 * it has read this way, and a node decides a vanished segment was collected, not lost, only when
 * such a checkpoint bundles it.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { checkAborted } from '../../model/abort.js';
import { withHash, type Version } from '../../model/version.js';
import type { Storage } from '../../storage/contract.js';
import { MAX_SEGMENT_BYTES } from '../remote-limits.js';
import type { CheckpointManifest, CheckpointPart, ManifestKey } from '../checkpoints/format.js';
import { decodeManifest, decodePart } from '../checkpoints/objects.js';

const readCapped = (storage: Storage, key: string) => storage.get(key, { range: { offset: 0, length: MAX_SEGMENT_BYTES + 1 } });

export async function readManifest(storage: Storage, codec: RepositoryCodec, k: ManifestKey, repoIds: ReadonlySet<string>): Promise<CheckpointManifest> {
  return decodeManifest(k, await readCapped(storage, k.key), repoIds, codec);
}

async function readPart(storage: Storage, codec: RepositoryCodec, m: CheckpointManifest, index: number, repoIds: ReadonlySet<string>): Promise<CheckpointPart> {
  return decodePart(m, index, await readCapped(storage, m.parts[index]!.key), repoIds, codec);
}

export interface WholeCheckpoint {
  manifest: CheckpointManifest;
  /** Every segment its parts bundle. */
  bundled: Set<string>;
  /** Every version it carries, by hash: its path and time. */
  versions: Map<string, Pick<Version, 'path' | 'hlc'>>;
  /** Every chunk it gives a location for. */
  located: Set<string>;
  /** The packs it locates each chunk in, and the chunks its versions use (what packs hold that is needed: pack-references.ts). */
  packsOf: Map<string, string[]>;
  used: Set<string>;
  /** Under a retention policy (§3.11): the versions it names superseded (hash16, with their time), and the times of the versions it carries, by path. */
  superseded: Map<string, number>;
  carriedByPath: Map<string, { hash: string; hlc: number }[]>;
  /** Format 5 (§3.12): each condemnation it carries, as `<segment> <pack>`. */
  condemned: Set<string>;
}

/** Reads a checkpoint and every part; throws (Corrupt, NotFound, …) if any of them fails. */
export async function readWholeCheckpoint(storage: Storage, codec: RepositoryCodec, k: ManifestKey, repoIds: ReadonlySet<string>, signal?: AbortSignal): Promise<WholeCheckpoint> {
  const manifest = await readManifest(storage, codec, k, repoIds);
  const whole: WholeCheckpoint = {
    manifest,
    bundled: new Set(),
    versions: new Map(),
    located: new Set(),
    packsOf: new Map(),
    used: new Set(),
    superseded: new Map(),
    carriedByPath: new Map(),
    condemned: new Set(),
  };
  for (let i = 0; i < manifest.parts.length; i++) {
    checkAborted(signal);
    const part = await readPart(storage, codec, manifest, i, repoIds);
    for (const s of part.segments) whole.bundled.add(s);
    for (const [, v] of part.versions) {
      const { hash } = withHash(v);
      whole.versions.set(hash, v);
      for (const c of v.chunks) whole.used.add(c);
      if (manifest.retention) (whole.carriedByPath.get(v.path) ?? whole.carriedByPath.set(v.path, []).get(v.path)!).push({ hash, hlc: v.hlc });
    }
    for (const [hash, pack] of part.chunks) {
      whole.located.add(hash);
      (whole.packsOf.get(hash) ?? whole.packsOf.set(hash, []).get(hash)!).push(pack);
    }
    for (const [prefix, hlc] of part.superseded ?? []) whole.superseded.set(prefix, hlc);
    for (const [at, pack] of part.condemned ?? []) whole.condemned.add(`${part.segments[at]!} ${pack}`);
  }
  return whole;
}
