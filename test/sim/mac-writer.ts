/**
 * An honest writer on a file system with longer names than Linux (a Mac: 255 UTF-16 units a
 * name, where Linux allows 255 UTF-8 bytes). After some honest segments, it publishes a copy of an
 * honest file under a name of 100 CJK characters: valid by the protocol (100 units), 300 bytes, so
 * no node of the simulation can create it (ENAMETOOLONG). Each node must report that name, sync
 * everything else and go quiet; nothing else may be lost for it.
 */
import { gunzipSync } from 'node:zlib';
import type { Storage } from '@syncacross/sync-core';
import { encodeSegment } from '../../packages/sync-core/src/engine/segment.js';
import type { Rng } from './rng.js';

type Location = [string, string, number, number];
interface RawVersion {
  path: string;
  deleted?: true;
  kind: string;
  size: number;
  mtime: number;
  hlc: number;
  chunks: string[];
}

/** A name Linux cannot hold: 100 three-byte characters. */
export const LONG_NAME = '文'.repeat(100);
export const tooLongHere = (path: string) => path.split('/').some((name) => Buffer.byteLength(name) > 255);

export function withMacWriter(storage: Storage, rng: Rng, isCalm: () => boolean): { storage: Storage; published: Set<string> } {
  const writer = `0mac.${rng.int(0xffffffff).toString(16).padStart(8, '0')}`;
  let seq = 0;
  let prev: string | null = null;
  const published = new Set<string>(); // the paths it published
  async function copyUnderLongName(bytes: Uint8Array): Promise<void> {
    const seg = JSON.parse(gunzipSync(bytes).toString('utf8')) as { repo: string; chunks: Location[]; versions: RawVersion[] };
    const v = seg.versions.find((x) => !x.deleted && x.kind === 'file' && x.chunks.length > 0);
    if (!v) return;
    const chunks = seg.chunks.filter(([h]) => v.chunks.includes(h));
    if (chunks.length < new Set(v.chunks).size) return; // its content was placed by an earlier segment
    const path = `${rng.pick(['', 'd/'])}${LONG_NAME}${published.size}.txt`;
    const version = { path, parents: [], hlc: v.hlc + 1, writer, kind: 'file', size: v.size, mtime: v.mtime, chunks: v.chunks };
    const { key, bytes: out } = encodeSegment({ format: 1, repo: seg.repo, writer, seq: ++seq, prev, versions: [version], chunks } as never);
    if ((await storage.putIfAbsent(key, out)) !== 'created') return;
    prev = key;
    published.add(path);
  }
  const putIfAbsent: Storage['putIfAbsent'] = async (key, bytes) => {
    const r = await storage.putIfAbsent(key, bytes);
    if (r === 'created' && key.startsWith('log/') && !isCalm() && published.size < 2 && rng.chance(0.2)) await copyUnderLongName(bytes);
    return r;
  };
  // A proxy, not a spread: the storage may be a class instance whose methods live on its prototype.
  const wrapped = new Proxy(storage, { get: (t, p) => (p === 'putIfAbsent' ? putIfAbsent : Reflect.get(t, p, t)) });
  return { storage: wrapped, published };
}
