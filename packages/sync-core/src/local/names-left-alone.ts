/**
 * Names in a folder that the scan leaves alone, and says why, although the file system holds them
 * (scan.ts): a file or folder there is not synced, is named as not synced (exit 8), and keeps its
 * folder from looking empty.
 *
 * - A name that is not valid UTF-8 (Linux allows any bytes but `/` and NUL: a file copied from an
 *   old Latin-1 disk, say). Node decodes it with U+FFFD for each invalid byte, and nothing on disk
 *   answers to that string: a whole sync failed with ENOENT on its stat before.
 * - A name that another name in the same folder equals once Unicode-normalized (`café` typed on
 *   Linux in NFC beside a `café` copied from a Mac in NFD). A library path is NFC, so both are the
 *   same file to every other node: each round published the two as edits of one path, and the
 *   second as a conflict copy that never came back to this disk. The NFC spelling is kept (or,
 *   with none, the first in code-point order) and the others are named. Such a conflict copy made
 *   by an earlier release goes (to the other machines' trash; its versions stay in history): the
 *   twin it came from is named instead, and stays on this disk.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { nfc, printableAscii } from './paths.js';
import { isUtf8, spelledBytes } from './spelled-bytes.js';

/** The names of a folder listing left alone, each with the reason a person reads; undefined when none is. */
export function namesLeftAlone(root: string, rel: string, names: Dirent[]): Map<string, string> | undefined {
  // One test a name where, as nearly everywhere, all are printable ASCII (UTF-8, and NFC already).
  if (names.every((d) => printableAscii(d.name))) return undefined;
  const undecodable = undecodableNames(root, rel, names);
  const twins = normalizationTwins(names);
  if (!twins) return undecodable;
  if (undecodable) for (const [name, reason] of undecodable) twins.set(name, reason);
  return twins;
}

const also = (names: Dirent[]) => {
  const folders = new Set(names.filter((d) => d.isDirectory()).map((d) => d.name));
  return (name: string) => (folders.has(name) ? ' and what it holds' : '');
};

/**
 * The names that are not valid UTF-8, as Node decoded them, their bytes spelled out
 * (spelled-bytes.ts). Listed again as bytes only where a name holds U+FFFD, which nearly none do.
 * Two names differing only in invalid bytes decode alike: both are named, as one.
 */
function undecodableNames(root: string, rel: string, names: Dirent[]): Map<string, string> | undefined {
  if (!names.some((d) => d.name.includes('\uFFFD'))) return undefined;
  let raws: Buffer[];
  try {
    raws = readdirSync(rel ? join(root, rel) : root, { encoding: 'buffer' });
  } catch {
    return undefined; // gone since the first listing: its names are judged as they were read
  }
  const holds = also(names);
  const found = new Map<string, string>();
  for (const raw of raws) {
    if (isUtf8(raw)) continue;
    const name = raw.toString('utf8');
    found.set(name, `its name is not valid UTF-8 (on disk: ${spelledBytes(raw)}); rename it to sync it${holds(name)}`);
  }
  return found;
}

/**
 * The names another name of the folder equals in NFC, each but the one kept. Only names that are
 * not NFC themselves can have such a twin.
 */
function normalizationTwins(names: Dirent[]): Map<string, string> | undefined {
  const forms = names.map((d) => ({ name: d.name, form: nfc(d.name) }));
  const unnormalized = forms.filter((f) => f.form !== f.name).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (unnormalized.length === 0) return undefined;
  const holds = also(names);
  const keeper = new Map(forms.filter((f) => f.form === f.name).map((f) => [f.form, f.name])); // NFC form → the spelling kept
  const found = new Map<string, string>();
  for (const { name, form } of unnormalized) {
    const kept = keeper.get(form);
    if (kept === undefined) keeper.set(form, name);
    else found.set(name, `another name in its folder, ${kept}, is the same once Unicode-normalized (NFC), as every other machine sees it: rename one of them to sync this one${holds(name)}`);
  }
  return found.size > 0 ? found : undefined;
}
