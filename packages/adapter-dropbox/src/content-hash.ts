/**
 * Dropbox's `content_hash`: split the bytes into 4 MiB blocks, SHA-256 each block, concatenate the
 * binary digests and SHA-256 that. An empty file hashes the empty concatenation.
 * (https://www.dropbox.com/developers/reference/content-hash)
 */
import { createHash } from 'node:crypto';

const CONTENT_HASH_BLOCK_BYTES = 4 * 1024 * 1024;

/** Dropbox's `content_hash` of `bytes` (see above), in lower-case hex, to compare with what Dropbox reports. */
export function dropboxContentHash(bytes: Uint8Array): string {
  const outer = createHash('sha256');
  for (let offset = 0; offset < bytes.byteLength; offset += CONTENT_HASH_BLOCK_BYTES) {
    outer.update(
      createHash('sha256')
        .update(bytes.subarray(offset, offset + CONTENT_HASH_BLOCK_BYTES))
        .digest(),
    );
  }
  return outer.digest('hex');
}
