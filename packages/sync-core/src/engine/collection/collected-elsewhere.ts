/**
 * Telling a collected segment from a lost one (docs/PROTOCOL.md §3.10). In a repository that
 * collects, a segment this node applied (or uploaded) that the remote no longer holds is
 * collected if a checkpoint the remote still lists bundles it: its content is there for every
 * node, so it is neither republished nor uploaded again (§7.1). Otherwise it is lost, as before.
 * The checkpoints are listed once per round, and a checkpoint's parts read at most once.
 */
import type { RepositoryCodec } from '../../codec/repository-codec.js';
import { CollectionTable } from '../../local/collection-table.js';
import type { Storage } from '../../storage/contract.js';
import { isStorageError } from '../../storage/errors.js';
import { listCheckpoints } from '../checkpoints/read.js';
import { frontierOf, type CheckpointManifest, type ManifestKey } from '../checkpoints/format.js';
import { parseSegmentKey } from '../segment.js';
import type Database from 'better-sqlite3';
import { readManifest, readPart } from './whole-checkpoint.js';

const readable = (e: unknown) => isStorageError(e, 'Corrupt') || isStorageError(e, 'NotFound');

export class CheckpointsOnRemote {
  private listed?: ManifestKey[];
  private readonly partsRead = new Set<string>();
  private readonly decoded = new Map<string, Promise<CheckpointManifest>>();
  /** Segments seen bundled this round, by manifest (kept in the table too, unless it is read-only). */
  private readonly bundledNow = new Map<string, string>();
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

  /** Whether a segment the remote no longer holds was collected (a listed checkpoint bundles it); records it so. */
  async collected(key: string): Promise<boolean> {
    if (this.table.isCollected(key)) return true;
    const manifests = await this.manifests();
    const listedKeys = new Set(manifests.map((m) => m.key));
    const seen = this.bundledNow.get(key) ?? this.table.bundledIn(key);
    if (seen && listedKeys.has(seen)) return this.mark(key);
    const at = parseSegmentKey(key);
    if (!at) return false;
    for (const k of manifests) {
      if (this.partsRead.has(k.key)) continue;
      this.partsRead.add(k.key);
      if (!(await this.recordParts(k, at.writer, at.seq))) continue;
      if (this.bundledNow.get(key) === k.key) return this.mark(key);
    }
    return false;
  }

  private mark(key: string): true {
    this.table.markCollected(key);
    return true;
  }

  /** Reads a checkpoint's parts if its frontier reaches (writer, seq), recording what they bundle; false if it does not reach or cannot be read. */
  private async recordParts(k: ManifestKey, writer: string, seq: number): Promise<boolean> {
    try {
      const m = await this.manifest(k);
      if (frontierOf(m, writer) < seq) return false;
      for (let i = 0; i < m.parts.length; i++) {
        const { segments } = await readPart(this.storage, this.codec, m, i, this.repoIds);
        this.table.recordBundled(k.key, segments);
        for (const s of segments) this.bundledNow.set(s, k.key);
      }
      return true;
    } catch (e) {
      if (!readable(e)) throw e;
      return false; // a damaged checkpoint proves nothing collected: the segment counts as lost
    }
  }
}
