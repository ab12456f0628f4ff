/** Inputs for the codec tests (reused-zlib, reused-zstd): deterministic, so a failure replays. */
import { createHash } from 'node:crypto';

/** Pseudo-random bytes: they do not compress. */
export function bytes(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, block = 0; i < n; block++) i += createHash('sha256').update(`${seed}/${block}`).digest().copy(out, i);
  return out;
}

/** Text of a small vocabulary, as a database page or a note holds: it compresses, and matches reach into a dictionary. */
export function text(n: number, seed: string): Buffer {
  const words = ['author', 'title', 'journal', 'volume', 'pages', 'doi', 'abstract', 'keywords', 'year', 'the', 'of', 'and'];
  const noise = bytes(n, seed);
  let s = '';
  for (let i = 0; s.length < n; i++) s += `${words[noise[i % n]! % words.length]}${noise[(i * 7) % n]! % 5 === 0 ? '\n' : ' '}`;
  return Buffer.from(s.slice(0, n));
}

/**
 * What a damaged, truncated, padded or hostile remote makes of `good`, a payload that decodes to
 * `length` bytes: each with a name and the length a reader is told to expect.
 */
export function hostileVersions(good: Buffer, length: number, changeEvery: number): [string, Buffer, number][] {
  const versions: [string, Buffer, number][] = [
    ['truncated', good.subarray(0, good.length - 3), length],
    ['cut in half', good.subarray(0, good.length >> 1), length],
    ['padded', Buffer.concat([good, Buffer.from('more')]), length],
    ['followed by itself', Buffer.concat([good, good]), length],
    ['longer than said', good, length - 1],
    ['shorter than said', good, length + 1],
    ['empty', Buffer.alloc(0), length],
    ['not of this codec', bytes(500, 'garbage'), length],
  ];
  for (let at = 0; at < good.length; at += changeEvery) {
    const changed = Buffer.from(good);
    changed[at] = changed[at]! ^ 0x5a;
    versions.push([`a byte changed at ${at}`, changed, length]);
  }
  return versions;
}
