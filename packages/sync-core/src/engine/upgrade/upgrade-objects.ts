/**
 * The two kinds of object a format upgrade rests on (docs/PROTOCOL.md §3.7). Both are created with
 * `putIfAbsent` and never change, so neither can be torn by a crash or raced into two versions,
 * and the repository marker, which an upgrade cannot rewrite atomically on most backends, stays
 * as it was created:
 * - `upgrades/<repository id>/<format>`: the repository is of that format from now on (the
 *   storage's `modified` says since when). A node's format is the highest of its marker's and of
 *   these.
 * - `ready/<writer id>`: the node writing under that id follows upgrades (it looks for them at
 *   least hourly, switches to a format it knows and stops before touching anything for one it
 *   does not). An upgrade waits until every writer that has been writing has said so.
 * - `reads/<format>/<writer id>` (format 4 on): that node also reads that format, so an upgrade to
 *   it does not stop the node (a node of a release that does not know the format stops, safely,
 *   until it is updated: the upgrade waits for it instead).
 * Their bodies are small JSON documents for a person reading the bucket; readers go by the key.
 */
import type { ObjectInfo, Storage } from '../../storage/contract.js';
import { listAll } from '../../storage/listing.js';
import { parseSegmentKey } from '../segment.js';

const UPGRADES_PREFIX = 'upgrades/';
const READY_PREFIX = 'ready/';
const UPGRADE_KEY = /^upgrades\/([0-9a-f]{32})\/(\d{1,4})$/;
const READY_KEY = /^ready\/([A-Za-z0-9_.-]{1,200})$/;
const READS_KEY = /^reads\/(\d{1,4})\/([A-Za-z0-9_.-]{1,200})$/;

/** One upgrade of one repository id, as listed. */
export interface ListedUpgrade {
  repo: string;
  format: number;
  /** When the storage stamped it (undefined where listings show no times). */
  modified?: Date;
}

export const upgradeKey = (repo: string, format: number) => `${UPGRADES_PREFIX}${repo}/${format}`;
export const readyKey = (writer: string) => `${READY_PREFIX}${writer}`;
export const readsKey = (format: number, writer: string) => `reads/${format}/${writer}`;

export const encodeUpgrade = (repo: string, format: number, from: number, at: number) =>
  new TextEncoder().encode(JSON.stringify({ syncacross: 'upgrade', repo, format, from, at: new Date(at).toISOString() }));
export const encodeReady = (writer: string, reads: number) => new TextEncoder().encode(JSON.stringify({ syncacross: 'ready', writer, reads }));

/** Upgrades of the given repository ids (aliases after a racing init), highest format first. */
export async function listUpgrades(storage: Storage, repoIds: ReadonlySet<string>): Promise<ListedUpgrade[]> {
  const out: ListedUpgrade[] = [];
  for (const o of await listAll(storage, UPGRADES_PREFIX)) {
    const m = UPGRADE_KEY.exec(o.key);
    if (!m || !repoIds.has(m[1]!)) continue;
    out.push({ repo: m[1]!, format: Number(m[2]), ...(o.modified ? { modified: o.modified } : {}) });
  }
  return out.sort((a, b) => b.format - a.format);
}

/** Writer ids whose node said it follows upgrades. */
export async function listReady(storage: Storage): Promise<Set<string>> {
  const out = new Set<string>();
  for (const o of await listAll(storage, READY_PREFIX)) {
    const m = READY_KEY.exec(o.key);
    if (m) out.add(m[1]!);
  }
  return out;
}

/** Writer ids whose node said it reads `format` (4 and later; for 3, `listReady`). */
export async function listReads(storage: Storage, format: number): Promise<Set<string>> {
  const out = new Set<string>();
  for (const o of await listAll(storage, `reads/${format}/`)) {
    const m = READS_KEY.exec(o.key);
    if (m && Number(m[1]) === format) out.add(m[2]!);
  }
  return out;
}

/** Per writer id, when its newest listed segment was stored (undefined where the listing shows no times). */
export function newestByWriter(listed: ObjectInfo[]): Map<string, Date | undefined> {
  const out = new Map<string, Date | undefined>();
  for (const o of listed) {
    const k = parseSegmentKey(o.key);
    if (!k) continue;
    if (!out.has(k.writer)) {
      out.set(k.writer, o.modified);
      continue;
    }
    const had = out.get(k.writer);
    out.set(k.writer, had && o.modified ? (o.modified > had ? o.modified : had) : undefined);
  }
  return out;
}
