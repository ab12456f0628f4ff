/**
 * Keys → file names that survive every file system a library may live on: case-insensitive
 * ones (Windows, macOS, SMB shares, FAT/exFAT drives), ones that forbid `<>:"|?*` or trailing
 * dots, Windows reserved names, and NFC/NFD-normalizing ones (macOS). Only `[a-z0-9_-]` and
 * inner dots pass through; everything else becomes `%XX` (upper-case hex of the UTF-8 bytes),
 * so two different keys never map to names a file system could confuse. These parameters are the
 * on-disk format: changing one would hide every object already written.
 */
import { nameCodec } from '@syncacross/sync-core/adapter-kit';

const fsNames = nameCodec({
  literal: /^[a-z0-9_-]$/,
  dots: 'inner',
  escape: '%',
  hexCase: 'upper',
  // (`conin$`/`conout$` never match: `$` is already `%24` when this is tested. Harmless, kept
  // as it was so that no name changes.)
  reserved: /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\.|$)/,
});

/** The file name of one key segment; and back (undefined: a name we would not have written). */
export const {
  /** The file name of one key segment. */
  encodeName,
  /** The key segment a file name stands for; undefined for a name this adapter would not have written. */
  decodeName,
} = fsNames;

/** The path segments (file and folder names under the root) of a storage key: each segment encoded. */
export function encodeKey(key: string): string[] {
  return key.split('/').map(encodeName);
}
