/**
 * A segment's key, `log/<writer>/<seq>-<hash16>` (docs/PROTOCOL.md, the remote's layout): `<seq>`
 * is 10 decimal digits, `<hash16>` the first 16 hex digits of the SHA-256 of the stored bytes. Here,
 * not in engine/, because the local state reads keys too (local/segment-runs.ts keeps runs of
 * them by writer and number).
 */
export interface SegmentKey {
  key: string;
  writer: string;
  seq: number;
  hash: string;
}

const KEY = /^log\/([A-Za-z0-9_.-]+)\/(\d{10})-([0-9a-f]{16})$/;

export function parseSegmentKey(key: string): SegmentKey | undefined {
  const m = KEY.exec(key);
  return m ? { key, writer: m[1]!, seq: Number(m[2]), hash: m[3]! } : undefined;
}

/** The key without its hash, `log/<writer>/<seq>`: an encrypted segment is sealed to it (PROTOCOL.md §3.6). */
export const segmentStem = (writer: string, seq: number) => `log/${writer}/${String(seq).padStart(10, '0')}`;
