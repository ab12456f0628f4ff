/**
 * Which needed packs are repacked (docs/PROTOCOL.md §3.12). A pack some kept version still needs
 * stays for ever unless its needed chunks get another home; when that costs little against what
 * it frees, the collection copies them into new packs and condemns the pack:
 * - a pack mostly unused: what it alone holds of needed chunks is at most half its size (history
 *   pruned around a file that has not changed since);
 * - a small pack among many: each sync writes one pack for what it uploaded, so a library edited a
 *   little at a time leaves thousands of tiny packs that retention thins but never empties. Once
 *   there are `smallCount` of them, they are merged (what they alone hold goes into one pack).
 * Only chunks this node can locate in the pack itself are copied (it reads them from there, and
 * verifies each); a pack holding one it cannot locate is left alone. A collection copies at most
 * `budgetBytes`, so a run stays short; the next one goes on.
 */
import type { ObjectInfo } from '../../storage/contract.js';

/** What a collection repacks: the packs, and each chunk copied with the pack it is read from. */
export interface Repack {
  packs: ObjectInfo[];
  /** chunk → the pack it is copied out of. */
  chunks: Map<string, string>;
  /** Bytes copied. */
  bytes: number;
}

/** Chooses among packs whose needed chunks they alone hold (`stuck`: pack → those chunks), at most `room` packs. */
export type RepackRule = (stuck: ReadonlyMap<ObjectInfo, string[]>, room: number) => Repack;

export interface RepackLimits {
  /** A pack under this size is small. */
  smallBytes: number;
  /** How many small packs it takes before they are merged. */
  smallCount: number;
  /** Bytes copied per collection, at most. */
  budgetBytes: number;
}

/** Small packs merged at once, unless told otherwise (`LibraryOptions.collection.mergeSmallPacks`). */
export const DEFAULT_MERGE_SMALL_PACKS = 16;

/** For packs written at `packSize`: small is under an eighth of it; 256 MiB copied per run at most. */
export function repackLimits(packSize: number, smallCount: number): RepackLimits {
  return { smallBytes: Math.floor(packSize / 8), smallCount, budgetBytes: 256 * 1024 * 1024 };
}

type Candidate = { pack: ObjectInfo; copy: Map<string, number>; bytes: number };

/** `lengthsIn(pack)`: the chunks this node locates in the pack, with their stored lengths. */
export function repackRule(lengthsIn: (pack: string) => ReadonlyMap<string, number>, limits: RepackLimits): RepackRule {
  return (stuck, room) => {
    const out: Repack = { packs: [], chunks: new Map(), bytes: 0 };
    const mostlyUnused: Candidate[] = [];
    const small: Candidate[] = [];
    for (const [pack, alone] of stuck) {
      const lengths = lengthsIn(pack.key);
      if (!alone.every((h) => lengths.has(h))) continue;
      const copy = new Map(alone.map((h) => [h, lengths.get(h)!]));
      const bytes = [...copy.values()].reduce((a, b) => a + b, 0);
      if (bytes * 2 <= pack.size) mostlyUnused.push({ pack, copy, bytes });
      else if (pack.size < limits.smallBytes) small.push({ pack, copy, bytes });
    }
    // What frees the most per byte copied first; small packs oldest first (the newest may yet be pruned).
    mostlyUnused.sort((a, b) => b.pack.size - b.bytes - (a.pack.size - a.bytes));
    small.sort((a, b) => (a.pack.modified?.getTime() ?? 0) - (b.pack.modified?.getTime() ?? 0));
    const take = (c: Candidate) => {
      if (out.packs.length >= room || out.bytes + c.bytes > limits.budgetBytes) return;
      out.packs.push(c.pack);
      for (const h of c.copy.keys()) if (!out.chunks.has(h)) out.chunks.set(h, c.pack.key);
      out.bytes += c.bytes;
    };
    for (const c of mostlyUnused) take(c);
    const merged = small.filter((c) => out.packs.length < room && out.bytes + c.bytes <= limits.budgetBytes);
    if (merged.length >= limits.smallCount) for (const c of merged) take(c);
    return out;
  };
}
