/** The invariants of docs/PROTOCOL.md, checked against the simulated world. */
import { supersededOf } from '../../packages/sync-core/src/local/superseded-table.js';
import { createHash } from 'node:crypto';
import type { Library, SyncSummary } from '@syncacross/sync-core';
import { buildTree, type Tree } from '../../packages/sync-core/src/engine/merge.js';
import { decodeSegment, parseSegmentKey } from '../../packages/sync-core/src/engine/segment.js';
import { FORMAT_1, type RepositoryCodec } from '../../packages/sync-core/src/codec/repository-codec.js';
import type { Segment } from '../../packages/sync-core/src/engine/segment-format.js';
import { withHash, type HashedVersion } from '../../packages/sync-core/src/model/version.js';
import { readCheckpoints, type ReadCheckpoint } from './checkpoint-contents.js';

export const contentChunks = (content: string): string[] => (content === '' ? [] : [createHash('sha256').update(content).digest('hex')]);

const shape = (t: Tree) => JSON.stringify([...t.entries()].map(([p, e]) => [p, e.version.hash, e.conflictOf ?? null]).sort());

/**
 * 1. Every chunk of every version in a visible segment has a live location: some visible segment
 * places it in a pack that exists and is long enough. After a storage rollback, content that lived
 * only in the lost packs and on no node's disk is gone for good; that is tolerated for versions
 * that are history (not a head of the merged tree), never for a head.
 */
export function checkChunksReachable(
  raw: Map<string, Uint8Array>,
  repoIds: string[],
  heads: Set<string>,
  rolledBack: boolean,
  cache = new Map<string, Segment | undefined>(),
  unrecoverable: Set<string> = new Set(),
  codec: RepositoryCodec = FORMAT_1,
): string[] {
  const problems: string[] = [];
  const located = new Set<string>();
  const versions: HashedVersion[] = [];
  for (const [key, seg] of visibleSegments(raw, repoIds, cache, codec)) {
    if (!seg) {
      problems.push(`segment ${key} is visible but unreadable (partial or foreign)`);
      continue;
    }
    for (const [h] of seg.chunks) located.add(h);
    versions.push(...(seg.versions as HashedVersion[]));
  }
  const live = liveChunks(raw, repoIds, cache, codec);
  for (const v of versions) {
    // Stored versions carry no hash (it is computed from them): without it, no version matched a head.
    const head = heads.has(withHash(v).hash);
    for (const h of v.chunks) {
      if (live.has(h)) continue;
      if (rolledBack && !head) continue; // history whose content the rollback took
      if (unrecoverable.has(h)) continue; // lost on every side at once (see the schedule's excuseUnheld)
      problems.push(`${v.path}: chunk ${h.slice(0, 8)} ${located.has(h) ? 'points only into missing or short packs' : 'has no location in any visible segment'}${head ? ' (a head of the tree)' : ''}`);
    }
  }
  return problems;
}

/** Checkpoints read, per segment cache (one per schedule). */
const checkpointCaches = new WeakMap<Map<string, Segment | undefined>, Map<string, ReadCheckpoint | undefined>>();

/**
 * Every segment on the storage, decoded once per key (segments are immutable); undefined:
 * unreadable. Then every segment a readable checkpoint bundles that the storage no longer holds
 * (collected, §3.10): its content is there.
 */
function* visibleSegments(raw: Map<string, Uint8Array>, repoIds: string[], cache: Map<string, Segment | undefined>, codec: RepositoryCodec): Generator<[string, Segment | undefined]> {
  yield* storedSegments(raw, repoIds, cache, codec);
  const checkpointCache = checkpointCaches.get(cache) ?? new Map<string, ReadCheckpoint | undefined>();
  checkpointCaches.set(cache, checkpointCache);
  const yielded = new Set<string>();
  for (const c of readCheckpoints(raw, repoIds, codec, checkpointCache).values()) {
    for (const [key, seg] of c.bundled) {
      if (raw.has(key) || yielded.has(key)) continue;
      yielded.add(key);
      yield [key, { format: codec.format, repo: repoIds[0] ?? '', writer: '', seq: 0, prev: null, ...seg }];
    }
  }
}

export function* storedSegments(raw: Map<string, Uint8Array>, repoIds: string[], cache: Map<string, Segment | undefined>, codec: RepositoryCodec): Generator<[string, Segment | undefined]> {
  for (const [key, bytes] of raw) {
    const k = parseSegmentKey(key);
    if (!k) continue;
    if (!cache.has(key))
      cache.set(
        key,
        repoIds
          .map((r) => {
            try {
              return decodeSegment(k, bytes, r, codec);
            } catch {
              return undefined;
            }
          })
          .find(Boolean),
      );
    yield [key, cache.get(key)];
  }
}

/** Chunks some visible segment places in a pack that is there and holds them. */
export function liveChunks(raw: Map<string, Uint8Array>, repoIds: string[], cache: Map<string, Segment | undefined>, codec: RepositoryCodec = FORMAT_1): Set<string> {
  const live = new Set<string>();
  for (const [, seg] of visibleSegments(raw, repoIds, cache, codec)) {
    for (const [h, pack, off, len] of seg?.chunks ?? []) {
      const p = raw.get(pack);
      if (p && p.byteLength >= off + len && codec.loadChunk(h, p.subarray(off, off + len), p)) live.add(h);
    }
  }
  return live;
}

/**
 * Chunks a node locates in a pack the storage holds, where no segment the storage holds names
 * them yet: a round between its pack and its segment (seed 3080 of the case-insensitive
 * campaign), or a storage rolled back to a copy taken then (seed 2268). Not lost: the round goes
 * on to its segment, or the nodes that knew the lost segment publish its locations again
 * (PROTOCOL.md §7.1). Each location is read back, so a bogus one (a hostile segment's) never counts.
 */
export function chunksInStoredPacks(
  raw: Map<string, Uint8Array>,
  hashes: Iterable<string>,
  locate: (hash: string) => [string, string, number, number][],
  codec: RepositoryCodec = FORMAT_1,
): Set<string> {
  const found = new Set<string>();
  for (const h of hashes) {
    for (const [, pack, off, len] of locate(h)) {
      const p = raw.get(pack);
      if (p && p.byteLength >= off + len && codec.loadChunk(h, p.subarray(off, off + len), p)) found.add(h);
    }
  }
  return found;
}

/** Every version in a readable segment on the storage. */
export function remoteVersions(raw: Map<string, Uint8Array>, repoIds: string[], cache: Map<string, Segment | undefined>, codec: RepositoryCodec = FORMAT_1): HashedVersion[] {
  return [...visibleSegments(raw, repoIds, cache, codec)].flatMap(([, seg]) => (seg?.versions ?? []) as HashedVersion[]);
}

export interface Expectation {
  node: string;
  path: string;
  content: string;
  /** Its content was lost on every side: it must still be known, but cannot be on disk. */
  contentLost?: boolean;
}

/**
 * 2. Every acknowledged edit is known everywhere, and is either on disk (under its name or as a
 * conflict copy of it) or an ancestor of a later version: never silently dropped.
 */
export function checkAcknowledged(
  libs: Map<string, Library>,
  expected: Expectation[],
  disks: Map<string, Record<string, string>>,
  notWritableOn: (node: string, path: string) => boolean = () => false,
  /** Retention (§3.11): the node dropped this version rightly (named superseded there, a later version of its path held). */
  prunedAt: (node: string, v: HashedVersion) => boolean = () => false,
  /** Every version any node has held: where a pruned edit is found. */
  everSeen: HashedVersion[] = [],
): string[] {
  const problems: string[] = [];
  for (const [name, lib] of libs) {
    const versions = lib.state.allVersions();
    const disk = disks.get(name) ?? {};
    const onDisk = (path: string, content: string) => {
      const dot = path.lastIndexOf('.');
      const stem = dot > path.lastIndexOf('/') ? path.slice(0, dot) : path;
      return Object.entries(disk).some(([p, c]) => c === content && (p === path || p.startsWith(`${stem}.sync-conflict-`)));
    };
    const named = new Set(versions.flatMap((v) => v.parents));
    for (const e of expected) {
      const chunks = contentChunks(e.content).join();
      const matches = versions.filter((v) => v.path === e.path && !v.deleted && v.chunks.join() === chunks);
      const made = everSeen.filter((v) => v.path === e.path && !v.deleted && v.chunks.join() === chunks);
      // Pruned by retention: every version of that content this node dropped or holds was replaced (a later version of the path is held).
      const pruned = made.length > 0 && made.every((v) => prunedAt(name, v));
      if (matches.length === 0) {
        if (!pruned) problems.push(`${name} does not know ${e.node}'s acknowledged edit of ${e.path} (${JSON.stringify(e.content.slice(0, 20))})`);
      } else if (!e.contentLost && !pruned && !matches.some((v) => named.has(v.hash)) && !onDisk(e.path, e.content) && !notWritableOn(name, e.path)) {
        problems.push(`${name} lost ${e.node}'s acknowledged edit of ${e.path}: neither on disk nor replaced by a later version`);
      }
    }
  }
  return problems;
}

/** 3 and 4. All nodes agree, and the merge does not depend on the order of versions. */
export function checkConvergence(libs: Map<string, Library>, disks: Map<string, Record<string, string>>, shuffle: <T>(xs: T[]) => T[]): string[] {
  const problems: string[] = [];
  const entries = [...libs.entries()];
  const [firstName, first] = entries[0]!;
  const firstShape = shape(first.tree());
  const firstDisk = JSON.stringify(disks.get(firstName));
  for (const [name, lib] of entries.slice(1)) {
    if (shape(lib.tree()) !== firstShape) {
      const mine = new Set(lib.state.allVersions().map((v) => v.hash));
      const theirs = new Set(first.state.allVersions().map((v) => v.hash));
      const onlyMine = [...mine].filter((h) => !theirs.has(h)).map((h) => `${lib.state.version(h)!.path}@${h.slice(0, 8)}`);
      const onlyTheirs = [...theirs].filter((h) => !mine.has(h)).map((h) => `${first.state.version(h)!.path}@${h.slice(0, 8)}`);
      problems.push(`${name}'s tree differs from ${firstName}'s (versions only ${name} knows: ${onlyMine.join(', ') || 'none'}; only ${firstName}: ${onlyTheirs.join(', ') || 'none'})`);
    }
    if (JSON.stringify(disks.get(name)) !== firstDisk) problems.push(`${name}'s folder differs from ${firstName}'s: ${JSON.stringify(disks.get(name))} vs ${firstDisk}`);
  }
  for (const [name, lib] of entries) {
    const vs = lib.state.allVersions();
    if (shape(buildTree(shuffle([...vs, ...vs.slice(0, 2)]), supersededOf(lib.state))) !== shape(lib.tree())) problems.push(`${name}: merge depends on version order`);
  }
  return problems;
}

/** 6. Nothing new under a retired writer id; and no fork (two segments at one sequence) where listings are complete. */
export function checkWriters(raw: Map<string, Uint8Array>, retired: Map<string, Set<string>>, forkFree: boolean, cloned: Set<string>): string[] {
  const problems: string[] = [];
  const byWriter = new Map<string, string[]>();
  for (const key of raw.keys()) {
    const k = parseSegmentKey(key);
    if (!k) continue;
    byWriter.set(k.writer, [...(byWriter.get(k.writer) ?? []), key]);
  }
  for (const [writer, atRetirement] of retired) {
    // A clone's twin may rightly go on as the writer its sibling retired: only one of them does.
    if (cloned.has(writer)) continue;
    for (const key of byWriter.get(writer) ?? []) if (!atRetirement.has(key)) problems.push(`segment ${key} was written under the retired writer id ${writer}`);
  }
  if (forkFree) {
    for (const [writer, keys] of byWriter) {
      if (cloned.has(writer)) continue;
      const seqs = keys.map((k) => parseSegmentKey(k)!.seq);
      if (new Set(seqs).size !== seqs.length) problems.push(`writer ${writer} forked: two different segments share a sequence number`);
    }
  }
  return problems;
}

/**
 * 5. A delete never removes a version it did not causally see: every parent of a delete a node
 * made is a version that node knew when its user removed the file.
 */
export function checkDeletesSawWhatTheyRemoved(
  libs: Map<string, Library>,
  nodes: { writers: Set<string>; sawAtDelete: Map<string, Set<string>> }[],
  /** Every version any node has held (retention may have pruned a delete's parent from every state since). */
  everSeen: ReadonlyMap<string, HashedVersion> = new Map(),
): string[] {
  const problems: string[] = [];
  const [, lib] = [...libs.entries()][0]!;
  for (const v of lib.state.allVersions()) {
    // Only what a user removed: the engine also retires an empty folder's entry once it holds files
    // (users here remove files only; with local edges a user may have removed a file `d/e` where a
    // folder `d/e` later stood, so the path alone does not tell).
    if (!v.deleted || v.kind === 'dir') continue;
    const authors = nodes.filter((n) => n.writers.has(v.writer) && n.sawAtDelete.has(v.path));
    const saw = new Set(authors.flatMap((n) => [...n.sawAtDelete.get(v.path)!]));
    // The node's own versions count as seen: its user wrote them (a scan may record one after the
    // user already deleted the file, while the round waits to upload its content).
    const own = (h: string) => authors.some((n) => n.writers.has((lib.state.version(h) ?? everSeen.get(h))?.writer ?? ''));
    const unseen = v.parents.filter((p) => !saw.has(p) && !own(p));
    if (authors.length > 0 && unseen.length > 0) problems.push(`a delete of ${v.path} by ${v.writer} removes ${unseen.map((h) => h.slice(0, 8)).join(', ')}, which its node had not seen`);
  }
  return problems;
}

/**
 * 7. Nothing from outside a library reaches the storage: no version under a link to an outside
 * folder, and no version holding the outside files' content (a link followed and read).
 */
export function checkNothingFromOutside(versions: HashedVersion[], linkPaths: string[], outsideChunks: string[]): string[] {
  const problems: string[] = [];
  const secret = outsideChunks.join();
  for (const v of versions) {
    if (linkPaths.some((l) => v.path === l || v.path.startsWith(`${l}/`))) problems.push(`a version of ${v.path} was published: a link to a folder outside the library was followed`);
    else if (!v.deleted && secret && v.chunks.join() === secret) problems.push(`${v.path} was published with the content of a file outside the library`);
  }
  return problems;
}

/**
 * 9. A path of the tree a node's file system cannot hold (a name over 255 bytes, from a Mac, on Linux) is
 * reported by every node in its last round: never missing in silence. (Why is not checked: behind
 * a node's link, the link is the reason given.)
 */
export function checkReportedTooLong(libs: Map<string, Library>, last: Map<string, SyncSummary>, tooLong: (node: string, path: string) => boolean): string[] {
  const problems: string[] = [];
  for (const [name, lib] of libs) {
    const said = [...(last.get(name)?.errors ?? []), ...(last.get(name)?.skipped ?? []).map((s) => `${s.path}: ${s.reason}`)];
    for (const path of lib.tree().keys()) if (tooLong(name, path) && !said.some((m) => m.includes(path))) problems.push(`${name} did not report ${path.slice(0, 12)}…, a name too long for its disk`);
  }
  return problems;
}

/**
 * 8. Every delete of a file a node published was made by its user (who removed or renamed that
 * path): a file the node merely could not see (behind a link it does not follow) is not deleted
 * for everyone. The engine's own deletes are of folder entries only (a folder that filled up).
 */
export function checkOnlyUserDeletes(lib: Library, nodes: { writers: Set<string>; removed: Set<string> }[]): string[] {
  const problems: string[] = [];
  for (const v of lib.state.allVersions()) {
    if (!v.deleted || v.kind === 'dir') continue;
    const authors = nodes.filter((n) => n.writers.has(v.writer));
    if (authors.length > 0 && !authors.some((n) => n.removed.has(v.path))) problems.push(`${v.writer} deleted ${v.path}, which its user never removed`);
  }
  return problems;
}

/** The person behind a simulated node: a clone (`n0c`) is its original's disk, so its person. */
export const personOf = (node: string) => node.replace(/c+$/, '');

/**
 * Author objects never name the wrong person (§3.8): wherever a node's history names the author
 * of a version, that is the person of a node that wrote under the version's writer id. (A name
 * may be missing, e.g. after a rollback took the object: a label, not data.)
 */
export function checkAuthorsNamed(libs: Map<string, Library>, nodes: { name: string; writers: Set<string> }[]): string[] {
  const problems: string[] = [];
  for (const [name, lib] of libs) {
    for (const e of lib.history()) {
      if (!e.author) continue;
      const writers = nodes.filter((n) => n.writers.has(e.writer)).map((n) => personOf(n.name));
      if (writers.length > 0 && !writers.includes(e.author.user))
        problems.push(`${name} names ${e.author.user} as the author of ${e.path} (${e.hash.slice(0, 8)}), written under ${e.writer} by ${writers.join(', ')}`);
    }
  }
  return problems;
}
