/**
 * The outbox: packs written while the remote cannot be reached, kept in the library's state
 * folder (`.syncacross/outbox/packs/<name>`) under the very names they will have on the remote,
 * so the chunk locations recorded for them stay true once they are uploaded (outbox.ts). It is
 * a storage (the same contract the pack writer already writes to), holding pack objects only.
 *
 * Each pack is written to a temporary file, fsynced and renamed, then the folder fsynced: a
 * version recorded after its pack was written here survives a crash or a power cut, as one
 * recorded after its pack reached the remote does. Staging costs one copy of what changed.
 */
import { closeSync, fsyncSync, openSync, readdirSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteRange, ListPage, PutResult, Storage, StorageCapabilities } from '../../storage/contract.js';
import { StorageError } from '../../storage/errors.js';

const PACK_KEY = /^packs\/([0-9a-f]{64})$/;
const PACK_DIR = 'packs';

const OUTBOX_CAPABILITIES: StorageCapabilities = {
  atomicCreate: false, // one process owns the library's state folder (the library lock)
  compareAndSwap: false,
  rangedGet: true,
  consistentListing: true,
  delete: true,
  maxObjectSize: Number.MAX_SAFE_INTEGER,
  caseInsensitiveNames: false,
  sortedListing: true,
};

/** What the outbox holds: packs, and their bytes in total. */
export interface OutboxContents {
  packs: { key: string; size: number }[];
  bytes: number;
}

export class OutboxStorage implements Storage {
  readonly name = 'outbox';
  readonly capabilities = OUTBOX_CAPABILITIES;

  /** `limitBytes`: a pack that would take the outbox past this is refused (NoSpace). */
  constructor(
    readonly dir: string,
    private readonly limitBytes = Number.POSITIVE_INFINITY,
  ) {}

  private file(key: string): string {
    const m = PACK_KEY.exec(key);
    if (!m) throw new StorageError('InvalidKey', `the outbox holds packs only, not ${JSON.stringify(key)}`);
    return join(this.dir, PACK_DIR, m[1]!);
  }

  contents(): OutboxContents {
    let names: string[];
    try {
      names = readdirSync(join(this.dir, PACK_DIR)).filter((n) => /^[0-9a-f]{64}$/.test(n));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { packs: [], bytes: 0 };
      throw e;
    }
    // A pack sent and removed by the process that drains it, between the listing and its stat, is gone: not an error.
    const packs = names.sort().flatMap((n) => {
      const st = statSync(join(this.dir, PACK_DIR, n), { throwIfNoEntry: false });
      return st ? [{ key: `${PACK_DIR}/${n}`, size: st.size }] : [];
    });
    return { packs, bytes: packs.reduce((sum, p) => sum + p.size, 0) };
  }

  /** What this instance knows the outbox holds: listed once, then kept up to date by its own writes. */
  private held: { keys: Set<string>; bytes: number } | undefined;

  /** Packs this instance created through `putIfAbsent` (a capture's own), with their bytes. */
  readonly written = new Map<string, number>();

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutResult> {
    const result = await this.write(key, bytes);
    if (result === 'created') this.written.set(key, bytes.byteLength);
    return result;
  }

  /**
   * A pack rewritten with fewer chunks (outbox-compaction.ts), not a capture's own. Not refused at
   * the limit: the larger pack it replaces is removed right after, so it only ever frees room.
   */
  putCompacted(key: string, bytes: Uint8Array): Promise<PutResult> {
    return this.write(key, bytes, Number.POSITIVE_INFINITY);
  }

  private async write(key: string, bytes: Uint8Array, limitBytes = this.limitBytes): Promise<PutResult> {
    const target = this.file(key);
    // One listing per capture, not one per pack: a burst of thousands of packs stays linear.
    if (!this.held) {
      const { packs, bytes: total } = this.contents();
      this.held = { keys: new Set(packs.map((p) => p.key)), bytes: total };
    }
    const held = this.held;
    const used = held.bytes;
    if (held.keys.has(key)) return 'exists'; // the name is the content's hash
    if (used + bytes.byteLength > limitBytes) {
      throw new StorageError('NoSpace', `the local outbox is full: ${used + bytes.byteLength} bytes would pass its limit of ${limitBytes} (--staging-limit)`, { permanent: true });
    }
    const folder = join(this.dir, PACK_DIR);
    await mkdir(folder, { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    const handle = await open(tmp, 'w');
    try {
      await handle.write(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
    syncFolder(folder);
    held.keys.add(key);
    held.bytes += bytes.byteLength;
    return 'created';
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<Uint8Array> {
    let whole: Buffer;
    try {
      whole = await readFile(this.file(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageError('NotFound', `${key} is not in the outbox`);
      throw e;
    }
    const r = options.range;
    return r ? whole.subarray(r.offset, r.offset + r.length) : whole;
  }

  async list(prefix: string): Promise<ListPage> {
    return { objects: this.contents().packs.filter((p) => p.key.startsWith(prefix)) };
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
    this.held = undefined; // listed again on the next write
    syncFolder(join(this.dir, PACK_DIR));
  }
}

/** A rename or unlink is durable once its folder is fsynced (POSIX); where folders cannot be opened, it is the OS's. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot fsync a folder: NTFS journals renames itself.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
