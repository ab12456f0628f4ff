/**
 * Telling a collected segment from a lost one (docs/PROTOCOL.md §3.10). In a repository that
 * collects, a segment this node applied (or uploaded) that the remote no longer holds is
 * collected if a checkpoint the remote still lists bundles it and carries every version this
 * node learned from it (with a location for each of their chunks): its content is there for
 * every node, so it is neither republished nor uploaded again (§7.1). Otherwise it is lost, as
 * before: a checkpoint that left versions out (a writer's bug, or bad faith) must not stand in for
 * it. The checkpoints are listed once per round, and each is read at most once.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { CollectionTable } from '../../local/collection-table.js';
import type { Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { listCheckpoints } from '../checkpoints/read.js';
import { frontierOf, type CheckpointManifest, type ManifestKey } from '../checkpoints/format.js';
import { parseSegmentKey } from '../segment.js';
import type Database from 'better-sqlite3';
import { leftOut } from './faithful.js';
import { readManifest, readWholeCheckpoint, type WholeCheckpoint } from './whole-checkpoint.js';

const readable = (e: unknown) => isStorageError(e, 'Corrupt') || isStorageError(e, 'NotFound');

export class CheckpointsOnRemote {
  private listed?: ManifestKey[];
  private readonly decoded = new Map<string, Promise<CheckpointManifest>>();
  /** Checkpoints read whole this round (undefined: damaged or gone). */
  private readonly wholes = new Map<string, WholeCheckpoint | undefined>();
  readonly table: CollectionTable;

  /** The repository's ids (aliases), which every checkpoint read must name: set once the round knows them. */
  repoIds: ReadonlySet<string> = new Set();

  constructor(
    private readonly storage: Storage,
    private readonly codec: RepositoryCodec,
    db: Database.Database,
  ) {
    this.table = new CollectionTable(db);
  }

  /** Whether the remote lists a checkpoint this node read before (and so verified as this repository's). */
  async listsOneRead(): Promise<boolean> {
    return (await this.manifests()).some((k) => this.table.frontier(k.key) !== undefined);
  }

  /** The manifests listed, largest first (one listing per round). */
  async manifests(): Promise<ManifestKey[]> {
    this.listed ??= await listCheckpoints(this.storage);
    return this.listed;
  }

  /** A listed manifest, read and verified once per round (a failure is thrown to each caller). */
  manifest(k: ManifestKey): Promise<CheckpointManifest> {
    let m = this.decoded.get(k.key);
    if (!m) {
      m = readManifest(this.storage, this.codec, k, this.repoIds);
      m.catch(() => undefined); // each caller sees the failure; none is left unhandled
      this.decoded.set(k.key, m);
    }
    return m;
  }

  /** Whether a segment the remote no longer holds was collected (see above); records it so. */
  async collected(key: string): Promise<boolean> {
    if (this.table.isCollected(key)) return true;
    const at = parseSegmentKey(key);
    if (!at) return false;
    const learned = this.table.versionsCreditedTo(key);
    for (const k of await this.manifests()) {
      const m = await this.manifest(k).catch((e: unknown) => (readable(e) ? undefined : Promise.reject(e)));
      if (!m || frontierOf(m, at.writer) < at.seq) continue;
      const whole = await this.whole(k);
      if (whole?.bundled.has(key) && leftOut(whole, learned) === undefined) {
        this.table.markCollected(key);
        return true;
      }
    }
    return false;
  }

  /** A listed checkpoint read whole, once a round; undefined when it cannot be (it then proves nothing collected). */
  private async whole(k: ManifestKey): Promise<WholeCheckpoint | undefined> {
    if (!this.wholes.has(k.key)) {
      try {
        this.wholes.set(k.key, await readWholeCheckpoint(this.storage, this.codec, k, this.repoIds));
      } catch (e) {
        if (!readable(e)) throw e;
        this.wholes.set(k.key, undefined);
      }
    }
    return this.wholes.get(k.key);
  }
}
