/**
 * The round's durable state: what one step of a round tells a later one (in this round or, after
 * a crash, in the next), and who this node is. Each field is a row of the `meta` table, under its
 * own name and in the same text encoding as always, so a state database made by an earlier
 * release opens unchanged. Steps read and write these only through `state.round`, typed.
 */
import { REPOSITORY_FORMATS, type RepositoryFormat } from '../model/repository-format.js';

export interface RoundState {
  /** The repository id this library joined ('' before it joined one). */
  repo: string;
  /** The repository's format (docs/PROTOCOL.md §3.5, §3.7): 1 for a state made before format 2 existed. */
  format: RepositoryFormat;
  /** The repository is encrypted: it opens only with a key (§3.6). */
  encrypted: boolean;
  /** The key id that opened it last (tried first next time), and a check value of its master key (not the key). */
  keyId: string;
  keyCheck: string;
  /** This machine's name, part of every writer id it uses; survives a retired writer. */
  node: string;
  /** The writer id segments are written under now (changes when a restored or cloned node is detected). */
  writer: string;
  /** The last segment number journaled under `writer` (0: none yet). */
  seq: number;
  /** Key of the last segment journaled under `writer`: the next segment's `prev` (null: none). */
  lastSegment: string | null;
  /** Writer ids this node used before (restored from an older copy, or cloned). */
  retired: string[];
  /**
   * Ids the repository answers to (aliases after a racing init), as last verified: the listing
   * then spares a request. Empty: verify again.
   */
  repoIds: string[];
  /** The hybrid logical clock: never behind anything this node has seen or written. */
  hlc: number;
  /** When the last round completed (ISO time; undefined: never). */
  lastSync: string | undefined;
  /**
   * Packs may be lost (a segment vanished, another node announced lost packs, a read kept
   * failing): look for lost packs. Kept until a check completes, so a crash in it does not forget.
   */
  checkPacks: boolean;
  /** Packs other nodes announced lost or damaged, not judged here yet (checked while `checkPacks`). */
  verifyPacks: string[];
  /** Packs found lost here, to announce in this node's next segment (cleared when one is journaled). */
  announceLost: string[];
  /** Locations were forgotten: the next scan reads unchanged files again and uploads their chunks. */
  resupply: boolean;
  /**
   * Chunks whose only remaining locations could not be verified (in a pack that does not match
   * its name): the next scan (with `resupply`) uploads them again if this node holds them, though
   * a location is still known. Cleared with `resupply`.
   */
  doubtfulChunks: string[];
  /**
   * Chunks whose every location was in a condemned pack found gone (§3.12): a pending version, or
   * one sent late, that needs one has no content on the remote; it waits while its file holds
   * it, or is dropped (steps/rescue-condemned.ts). Cleared once a commit has judged them.
   */
  collectedChunks: string[];
  /**
   * The folder may be behind the merged tree: set with what changes the tree, in the same
   * transaction, and cleared when a materialization completes; a crash mid-way finishes next round.
   */
  materialize: boolean;
  /**
   * The exclude patterns the last complete materialization left paths out under ('' : none). When
   * they change, the folder may be behind the tree where a pattern no longer applies.
   */
  excludedUnder: string;
  /**
   * What the last materialization left only because mount points were not there ('' : nothing, or
   * more than that): `{"mounts":[paths],"changes":n}`. While the same ones are away and nothing
   * changes, a round does not redo it (steps/awaiting-mounts.ts).
   */
  waitingForMounts: string;
  /** Fingerprint of the writer and author last published as an author object ('' : none yet; author-object.ts). */
  authorPublished: string;
  /** The last checkpoint number this writer used (docs/PROTOCOL.md §3.9; 0: none yet). Moved on before a checkpoint is uploaded. */
  checkpointSeq: number;
  /** How many segments the largest checkpoint this node wrote, read or saw listed covers: what the next one must beat. */
  checkpointCovered: number;
  /**
   * Paths of the offline versions dropped to stay within the staging limit (one entry per version;
   * engine/outbox/superseded.ts), not told to the user yet: the next message about the outbox tells them.
   */
  outboxDropped: string[];
  /** When this node last tried to collect on its own after a round (its clock, ms; 0: never; engine/steps/collect-if-due.ts). */
  collectionTried: number;
  /** When this node last looked whether packs condemned in collected segments are gone (its clock, ms; 0: never; engine/collection/forget-collected-packs.ts). */
  collectedPacksCheckedAt: number;
  /** When this node last looked for an upgrade of the repository's format (its clock, ms; 0: never; engine/upgrade/). */
  upgradesCheckedAt: number;
  /** The writer id this node last said follows upgrades (`ready/<writer>`; '' : none yet). */
  readyAnnounced: string;
}

export type RoundStateKey = keyof RoundState;

interface Codec<T> {
  decode(raw: string | undefined): T;
  encode(value: T): string;
}

const text: Codec<string> = { decode: (raw) => raw ?? '', encode: (v) => v };
const count: Codec<number> = { decode: (raw) => Number(raw ?? 0), encode: (v) => String(v) };
const flag: Codec<boolean> = { decode: (raw) => raw === '1', encode: (v) => (v ? '1' : '0') };
const list: Codec<string[]> = { decode: (raw) => (raw ? (JSON.parse(raw) as string[]) : []), encode: (v) => JSON.stringify(v) };
/** A list stored as '' when empty (so the row reads as "nothing to do"). */
const listOrBlank: Codec<string[]> = { decode: list.decode, encode: (v) => (v.length > 0 ? JSON.stringify(v) : '') };

const CODECS: { [K in RoundStateKey]: Codec<RoundState[K]> } = {
  repo: text,
  // No row (a state from before format 2) or one this release does not know reads as 1.
  format: { decode: (raw) => REPOSITORY_FORMATS.find((f) => String(f) === raw) ?? 1, encode: (v) => String(v) },
  encrypted: flag,
  keyId: text,
  keyCheck: text,
  node: text,
  writer: text,
  seq: count,
  lastSegment: { decode: (raw) => raw || null, encode: (v) => v ?? '' },
  retired: list,
  repoIds: list,
  hlc: count,
  lastSync: { decode: (raw) => raw || undefined, encode: (v) => v ?? '' },
  checkPacks: flag,
  verifyPacks: listOrBlank,
  announceLost: listOrBlank,
  resupply: flag,
  doubtfulChunks: listOrBlank,
  collectedChunks: listOrBlank,
  collectionTried: count,
  upgradesCheckedAt: count,
  collectedPacksCheckedAt: count,
  readyAnnounced: text,
  materialize: { decode: (raw) => raw === 'pending', encode: (v) => (v ? 'pending' : 'done') },
  excludedUnder: text,
  waitingForMounts: text,
  authorPublished: text,
  checkpointSeq: count,
  checkpointCovered: count,
  outboxDropped: listOrBlank,
};

/** Raw access to the `meta` table (LocalState provides it). */
export interface MetaTable {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** Typed reads and writes of the round state over the `meta` table. */
export class RoundStateStore {
  constructor(private readonly meta: MetaTable) {}

  get<K extends RoundStateKey>(key: K): RoundState[K] {
    return CODECS[key].decode(this.meta.get(key));
  }

  set<K extends RoundStateKey>(key: K, value: RoundState[K]): void {
    this.meta.set(key, CODECS[key].encode(value));
  }
}
