/**
 * `verify`: is everything this node knows really on the remote? Every listed segment is read,
 * decoded and checked against its writer's chain (no gap, each naming the one before); every
 * chunk of every known version needs a location in a listed pack long enough to hold it; with
 * `readData`, packs are downloaded (all, or a seeded random share) and each is checked against
 * its name, and each chunk in it against its hash. Nothing is changed. Each problem names the
 * remote object and the library paths it affects.
 */
import type { RepositoryCodec } from '../codec/repository-codec.js';
import type { LocalState } from '../local/state.js';
import { checkAborted } from '../model/abort.js';
import type { Storage } from '../storage/contract.js';
import { listAll } from '../storage/listing.js';
import { chunkLocations, type LocationsState } from './chunk-locations.js';
import { fetchSegments } from './ingest.js';
import { lostPacksOf } from './lost-locations.js';
import { checkPack } from './pack-health.js';
import { listSegments } from './remote-segments.js';
import { collects } from './repository.js';
import { CheckpointsOnRemote } from './collection/collected-elsewhere.js';
import type { SyncProgress } from './sync-summary.js';

/**
 * What is wrong: a segment this node applied is gone (`segment-missing`), cannot be read or
 * authenticated (`segment-corrupt`), or a writer's chain of segments has a gap or a wrong link
 * (`segment-chain`); a chunk has no known location (`chunk-unlocated`); a pack is not listed
 * (`pack-missing`), is shorter than the chunks it should hold (`pack-short`), or its bytes do not
 * match its name or a chunk its hash (`pack-damaged`, only found by reading packs: `readData`).
 */
export type VerifyProblemKind = 'segment-missing' | 'segment-corrupt' | 'segment-chain' | 'chunk-unlocated' | 'pack-missing' | 'pack-short' | 'pack-damaged';

/** One problem `verify` found on the remote. */
export interface VerifyProblem {
  /** What kind of problem; `pack-*` ones are what `verify({ repair: true })` repairs. */
  kind: VerifyProblemKind;
  /** The remote object at fault (a segment or pack key). */
  object: string;
  /** What is wrong, for a person to read. */
  message: string;
  /** Library paths whose versions it affects, current or past. */
  paths: string[];
}

/** What `Library.verify` checked on the remote, and the problems it found (none: all is well). */
export interface VerifyReport {
  /** Segments on the remote. */
  segments: {
    /** Segments listed. */
    listed: number;
    /** Segments read and found sound (authentic, decodable, of this repository). */
    verified: number;
  };
  /** Packs on the remote. */
  packs: {
    /** Packs listed. */
    listed: number;
    /** Packs that hold the copy used of at least one chunk of a known file version. */
    inUse: number;
    /** Packs downloaded and checked chunk by chunk (`readData` percent of those in use). */
    read: number;
  };
  /** Distinct chunks of every known file version (current or past, deletes and folders aside): each must be located in a listed pack. */
  chunks: number;
  /** Known file versions those chunks belong to (current or past; deletes and folders not counted). */
  versions: number;
  /** With readData below 100: the share of packs read and the seed that chose them (give it again to repeat the run). */
  sample?: {
    /** The percent of the packs in use that was read (`readData`, clamped to 0-100). */
    percent: number;
    /** The seed that chose them: `VerifyOptions.seed` repeats the same choice. */
    seed: number;
    /** The keys of the packs read, sorted. */
    packs: string[];
  };
  /** Everything found wrong, segments first; empty when the remote holds all this node knows. */
  problems: VerifyProblem[];
}

/** What `Library.verify` takes; with neither, it reads every segment and lists the packs, but reads no pack. */
export interface VerifyOptions {
  /** Percent of the packs in use to download and check (0: none, the default). */
  readData?: number;
  /** Chooses which packs a partial read covers; random when absent (and reported). */
  seed?: number;
  /** Stops the check between objects (it then throws). */
  signal?: AbortSignal;
  /** Called as it goes: `list` (segments), `fetch` (each pack read), `done`. */
  onProgress?: (p: SyncProgress) => void;
}

export type VerifyState = LocationsState & Pick<LocalState, 'allVersions' | 'knownSegments' | 'segmentState' | 'pathsInSegment' | 'packsInUse' | 'chunksIn' | 'round'>;

export async function verifyRemote(storage: Storage, codec: RepositoryCodec, state: VerifyState, repoIds: string[], o: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  o.onProgress?.({ phase: 'list', done: 0, total: 0, bytes: 0 });
  const segments = await checkSegments(storage, codec, state, repoIds, problems, o.signal);
  checkAborted(o.signal);
  const packSizes = new Map((await listAll(storage, 'packs/', { etags: false })).map((p) => [p.key, p.size]));
  const versions = state.allVersions().filter((v) => !v.deleted && v.kind !== 'dir');
  const pathsOf = new Map<string, Set<string>>();
  for (const v of versions) for (const h of v.chunks) (pathsOf.get(h) ?? pathsOf.set(h, new Set()).get(h)!).add(v.path);
  const located = checkLocations(state, pathsOf, packSizes, problems);
  const inUse = [...located].sort();
  const sample = chooseSample(inUse, o.readData ?? 0, o.seed);
  let read = 0;
  for (const pack of sample.packs) {
    checkAborted(o.signal);
    o.onProgress?.({ phase: 'fetch', done: read, total: sample.packs.length, bytes: 0, path: pack });
    const probes = state.chunksIn([pack]).flatMap((hash) =>
      chunkLocations(state, hash)
        .filter((l) => l[1] === pack)
        .map((l) => ({ hash, offset: l[2], length: l[3] })),
    );
    const { verdict, bogus } = await checkPack(storage, codec, pack, probes);
    read++;
    const paths = affected(
      pathsOf,
      probes.map((p) => p.hash),
    );
    if (verdict === 'missing') problems.push({ kind: 'pack-missing', object: pack, message: `${pack} could not be read (missing)`, paths });
    else if (verdict === 'damaged') problems.push({ kind: 'pack-damaged', object: pack, message: `${pack} does not match its name: its bytes were altered or truncated`, paths });
    else if (bogus.length > 0)
      problems.push({
        kind: 'pack-damaged',
        object: pack,
        message: `${bogus.length} chunk(s) in ${pack} do not match their hash`,
        paths: affected(
          pathsOf,
          bogus.map((i) => probes[i]!.hash),
        ),
      });
  }
  o.onProgress?.({ phase: 'done', done: read, total: sample.packs.length, bytes: 0 });
  return {
    segments,
    packs: { listed: packSizes.size, inUse: inUse.length, read },
    chunks: pathsOf.size,
    versions: versions.length,
    ...(sample.percent > 0 && sample.percent < 100 ? { sample } : {}),
    problems,
  };
}

const affected = (pathsOf: Map<string, Set<string>>, hashes: Iterable<string>) => [...new Set([...hashes].flatMap((h) => [...(pathsOf.get(h) ?? [])]))].sort();

/** Reads every listed segment; checks each writer's chain, and that no segment this node applied is gone. */
async function checkSegments(storage: Storage, codec: RepositoryCodec, state: VerifyState, repoIds: string[], problems: VerifyProblem[], signal?: AbortSignal) {
  const listing = await listSegments(storage);
  const outcome = await fetchSegments(storage, listing, repoIds, codec, 8, signal);
  for (const c of [...outcome.corrupt, ...outcome.torn]) problems.push({ kind: 'segment-corrupt', object: c.key, message: c.reason, paths: state.pathsInSegment(c.key) });
  const listed = new Set(listing.map((k) => k.key));
  // In a repository that collects (§3.10), a segment a listed checkpoint bundles is not missing.
  const checkpoints = collects(state.round.get('format')) ? new CheckpointsOnRemote(storage, codec, state.db) : undefined;
  if (checkpoints) checkpoints.repoIds = new Set(repoIds);
  const collected = async (key: string | null) => key !== null && checkpoints !== undefined && (await checkpoints.collected(key));
  for (const key of state.knownSegments()) {
    if (listed.has(key) || state.segmentState(key) !== 'applied' || (await collected(key))) continue;
    problems.push({ kind: 'segment-missing', object: key, message: `${key} was applied here but is no longer on the remote`, paths: state.pathsInSegment(key) });
  }
  const byWriter = new Map<string, { key: string; seq: number; prev: string | null }[]>();
  for (const f of outcome.fetched) {
    const chain = byWriter.get(f.key.writer) ?? byWriter.set(f.key.writer, []).get(f.key.writer)!;
    chain.push({ key: f.key.key, seq: f.key.seq, prev: f.segment.prev });
  }
  for (const [writer, chain] of byWriter) {
    chain.sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < chain.length; i++) {
      const s = chain[i]!;
      const before = chain[i - 1];
      // The first listed segment may follow a collected one: then a checkpoint holds what came before.
      if (i === 0 && s.seq > 1 && (await collected(s.prev))) continue;
      if (i === 0 ? s.seq !== 1 : s.seq !== before!.seq + 1) {
        problems.push({
          kind: 'segment-chain',
          object: s.key,
          message: `writer ${writer}'s segments jump to ${s.seq} from ${before ? before.seq : 'the start'}: segment(s) in between are missing`,
          paths: state.pathsInSegment(s.key),
        });
      } else if (s.prev !== (before?.key ?? null)) {
        problems.push({
          kind: 'segment-chain',
          object: s.key,
          message: `${s.key} names ${s.prev ?? 'no segment'} as the one before it, not ${before?.key ?? 'none'}`,
          paths: state.pathsInSegment(s.key),
        });
      }
    }
  }
  return { listed: listing.length, verified: outcome.fetched.length };
}

/** Every chunk needs a location in a listed pack that holds its range; returns the packs that do. */
function checkLocations(state: VerifyState, pathsOf: Map<string, Set<string>>, packSizes: Map<string, number>, problems: VerifyProblem[]): Set<string> {
  const used = new Set<string>();
  const missing = new Map<string, Set<string>>();
  const short = new Map<string, Set<string>>();
  for (const hash of pathsOf.keys()) {
    const locations = chunkLocations(state, hash);
    const live = locations.find((l) => (packSizes.get(l[1]) ?? -1) >= l[2] + l[3]);
    if (live) {
      used.add(live[1]);
      continue;
    }
    if (locations.length === 0) {
      // A location kept aside in a pack listed again (lost-locations.ts): the next sync that needs it reads it back.
      const back = lostPacksOf(state.db, hash).filter((p) => packSizes.has(p));
      const hope = back.length > 0 ? `; ${back[0]}, which held it, is on the remote again: the next sync reads it back from there` : '';
      problems.push({
        kind: 'chunk-unlocated',
        object: `chunk ${hash.slice(0, 12)}`,
        message: `chunk ${hash.slice(0, 12)} has no known location in any pack (its pack was lost and no node has uploaded that content again)${hope}`,
        paths: affected(pathsOf, [hash]),
      });
    }
    for (const l of locations) {
      const bucket = packSizes.has(l[1]) ? short : missing;
      bucket.set(l[1], (bucket.get(l[1]) ?? new Set<string>()).add(hash));
    }
  }
  for (const [pack, hashes] of missing) problems.push({ kind: 'pack-missing', object: pack, message: `${pack} is missing from the remote`, paths: affected(pathsOf, hashes) });
  for (const [pack, hashes] of short)
    problems.push({ kind: 'pack-short', object: pack, message: `${pack} is shorter (${packSizes.get(pack)} bytes) than the chunks it should hold`, paths: affected(pathsOf, hashes) });
  return used;
}

/** All packs, or a seeded random share of them (mulberry32), so a partial run can be repeated. */
function chooseSample(packs: string[], percent: number, seed = Math.floor(Math.random() * 2 ** 31)): { percent: number; seed: number; packs: string[] } {
  const share = Math.max(0, Math.min(100, percent));
  if (share >= 100 || share === 0) return { percent: share, seed, packs: share === 0 ? [] : packs };
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const shuffled = packs.map((p) => ({ p, r: random() })).sort((x, y) => x.r - y.r);
  return {
    percent: share,
    seed,
    packs: shuffled
      .slice(0, Math.ceil((packs.length * share) / 100))
      .map((x) => x.p)
      .sort(),
  };
}
