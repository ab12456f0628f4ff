/**
 * Format 2 (docs/PROTOCOL.md §3.5-3.6): compressed, and when asked encrypted end to end. The remote
 * learns no name, path or content; whatever was altered, truncated, moved or replayed is refused
 * with nothing of it applied; a wrong passphrase writes nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSyncError, openLibrary, restoreFromRemote, type LibraryOptions } from '@syncacross/sync-core';
import { createMemoryStorage, type MemoryStorage } from '@syncacross/sync-core/testing';
import { cleanup, makeNode, snapshot, syncAll, tempDir, type TestNode } from './helpers.js';

afterEach(cleanup);

/** Cheap scrypt for tests (the default costs 64 MiB and a quarter of a second per try). */
const kdf = { N: 2 ** 10, r: 8, p: 1 };
const PASS = 'correct horse battery staple';
const encrypted = (passphrase = PASS): Partial<LibraryOptions> => ({ newRepository: { format: 2, encrypt: true, kdf }, secret: { passphrase } });

async function write(node: TestNode, files: Record<string, string | Uint8Array>) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(node.dir, path, '..'), { recursive: true });
    await writeFile(join(node.dir, path), content);
  }
}

/** Every stored object's key and bytes. */
const everything = (storage: MemoryStorage) => storage.debug.keys().map((key) => ({ key, bytes: Buffer.from(storage.debug.raw(key)!) }));

/** Whether any object's key or bytes hold `needle` (a name, or 64 bytes of some content). */
function leaks(storage: MemoryStorage, needle: Buffer): string | undefined {
  for (const o of everything(storage)) if (o.key.includes(needle.toString('latin1')) || o.bytes.includes(needle)) return o.key;
  return undefined;
}

/** The hash part of a segment key for these bytes: altered objects get valid names, as an attacker would give them. */
const sha16 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

const onlySegment = (storage: MemoryStorage, writer: string) => storage.debug.keys().filter((k) => k.startsWith(`log/${writer}/`));

describe('an encrypted repository', () => {
  it('converges on two and three nodes and keeps conflicts', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'alice-laptop', encrypted());
    await write(a, { 'notes/plan.md': 'v0', 'refs/paper.pdf': randomBytes(300_000) });
    await a.sync();
    const b = await makeNode(storage, 'bob-desktop', encrypted());
    const c = await makeNode(storage, 'carol', encrypted());
    await syncAll([b, c]);
    expect(await snapshot(b.dir)).toEqual(await snapshot(a.dir));
    await write(a, { 'notes/plan.md': 'from a' });
    await write(b, { 'notes/plan.md': 'from b' });
    await write(c, { 'notes/new.md': 'from c' });
    await syncAll([a, b, c], 3);
    const [sa, sb, sc] = [await snapshot(a.dir), await snapshot(b.dir), await snapshot(c.dir)];
    expect(sb).toEqual(sa);
    expect(sc).toEqual(sa);
    const texts = Object.entries(sa).filter(([p]) => p.startsWith('notes/plan'));
    expect(texts.map(([, t]) => t).sort()).toEqual(['from a', 'from b']);
    expect(texts.some(([p]) => p.includes('.sync-conflict-'))).toBe(true);
    expect(sa['notes/new.md']).toBe('from c');
    expect(a.lib.format).toEqual({ format: 2, encrypted: true });
  });

  it('shows the remote no file name, path, machine name or 64 bytes of any content', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'alice-laptop', encrypted());
    const text = 'Patient record: the quick brown fox jumps over the lazy dog. '.repeat(200);
    const binary = randomBytes(700_000);
    await write(a, { 'clinic/patients/smith-john.txt': text, 'clinic/scans/xray-0042.bin': binary, 'empty-folder-name/.keep': '' });
    await mkdir(join(a.dir, 'secret-empty-dir'));
    await a.sync();
    const b = await makeNode(storage, 'bob-desktop', encrypted());
    await b.sync();
    expect((await readFile(join(b.dir, 'clinic/scans/xray-0042.bin'))).equals(binary)).toBe(true);
    // Whole machine names: in the 800 KB of ciphertext here, a given 3 bytes ('bob') turn up by
    // chance about one run in twenty (it did); 5 bytes or more, about never.
    for (const name of ['clinic', 'patients', 'smith-john', 'xray-0042', 'scans', 'empty-folder-name', 'secret-empty-dir', 'alice-laptop', 'bob-desktop', '.keep']) {
      expect(leaks(storage, Buffer.from(name)), name).toBeUndefined();
    }
    const contents = [Buffer.from(text), binary];
    for (const content of contents) for (let at = 0; at + 64 <= content.length; at += 4096) expect(leaks(storage, content.subarray(at, at + 64)), `content at ${at}`).toBeUndefined();
    // The checker itself finds what is there: an unencrypted repository shows the machine's name
    // and stores incompressible content as it is.
    const plain = createMemoryStorage();
    const p = await makeNode(plain, 'alice-laptop', { newRepository: { format: 2 } });
    await write(p, { 'clinic/scans/xray-0042.bin': binary });
    await p.sync();
    expect(leaks(plain, Buffer.from('alice-laptop'))).toBeDefined();
    expect(leaks(plain, binary.subarray(4096, 4096 + 64))).toBeDefined();
  });

  it('names packs by their stored bytes: the same content uploaded twice gives unrelated objects', async () => {
    const s1 = createMemoryStorage();
    const s2 = createMemoryStorage();
    const content = randomBytes(100_000);
    for (const s of [s1, s2]) {
      const n = await makeNode(s, 'n', encrypted());
      await write(n, { 'same.bin': content });
      await n.sync();
    }
    const packs = (s: MemoryStorage) => s.debug.keys().filter((k) => k.startsWith('packs/'));
    expect(packs(s1)).toHaveLength(1);
    expect(packs(s1)[0]).not.toBe(packs(s2)[0]);
  });

  it('refuses a flipped bit, a truncation, a segment moved to another name or replayed from another repository, and applies nothing of them', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'a', encrypted());
    const b = await makeNode(storage, 'b', encrypted());
    await write(a, { 'one.txt': 'first' });
    await a.sync();
    await write(a, { 'two.txt': 'second' });
    await a.sync();
    const [first, second] = onlySegment(storage, a.lib.writer).sort();
    const firstBytes = Buffer.from(storage.debug.raw(first!)!);
    const secondBytes = Buffer.from(storage.debug.raw(second!)!);
    // A flipped bit keeps the object's own name valid (we recompute it): only authentication can tell.
    const flipped = Buffer.from(secondBytes);
    flipped[flipped.length - 20]! ^= 1;
    storage.debug.remove(second!);
    storage.debug.overwrite(`${second!.slice(0, second!.lastIndexOf('-'))}-${sha16(flipped)}`, flipped);
    // The first segment's bytes put under the name of sequence 3 (a swap or a replay of our own).
    const moved = `log/${a.lib.writer}/0000000003-${sha16(firstBytes)}`;
    storage.debug.overwrite(moved, firstBytes);
    // A segment from another encrypted repository, under this writer-like name.
    const other = createMemoryStorage();
    const x = await makeNode(other, 'x', encrypted());
    await write(x, { 'evil.txt': 'injected' });
    await x.sync();
    const foreign = Buffer.from(other.debug.raw(onlySegment(other, x.lib.writer)[0]!)!);
    storage.debug.overwrite(`log/${x.lib.writer}/0000000001-${sha16(foreign)}`, foreign);
    // And a truncated copy of the first segment, as a fourth.
    const cut = firstBytes.subarray(0, firstBytes.length - 7);
    storage.debug.overwrite(`log/${a.lib.writer}/0000000004-${sha16(cut)}`, cut);

    const s = await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'one.txt': 'first' });
    expect(b.lib.status().corruptSegments.sort()).toHaveLength(4);
    expect(s.errors.join('\n')).toMatch(/does not authenticate/);
    expect(s.errors.join('\n')).not.toMatch(/injected|second/);
  });

  it('refuses a chunk whose pack was altered: the file is not written, nothing wrong lands on disk', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'a', encrypted());
    await write(a, { 'doc.txt': 'precious words '.repeat(1000) });
    await a.sync();
    const pack = storage.debug.keys().find((k) => k.startsWith('packs/'))!;
    const bytes = Buffer.from(storage.debug.raw(pack)!);
    bytes[40]! ^= 0x80;
    storage.debug.overwrite(pack, bytes);
    const b = await makeNode(storage, 'b', encrypted());
    const s = await b.sync();
    expect(await snapshot(b.dir)).toEqual({});
    expect([...s.errors, ...s.retryable].join('\n')).toMatch(/doc\.txt/);
  });

  it('a wrong passphrase stops with KeyRejected and writes nothing, remotely or locally', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'a', encrypted());
    await write(a, { 'f.txt': 'x' });
    await a.sync();
    const before = everything(storage);
    const dir = await tempDir();
    const err = await openLibrary({ dir, storage, ...encrypted('wrong passphrase') }).catch((e: unknown) => e);
    expect(isSyncError(err, 'KeyRejected')).toBe(true);
    expect((err as Error).message).toMatch(/wrong passphrase/);
    expect((err as Error).message).not.toContain('wrong passphrase'.replace('wrong ', 'x'));
    expect(everything(storage)).toEqual(before);
    // No passphrase at all: told that one is needed.
    const none = await openLibrary({ dir: await tempDir(), storage }).catch((e: unknown) => e);
    expect(isSyncError(none, 'KeyRequired')).toBe(true);
    // A node that joined refuses a remembered key that is not this repository's.
    const key = a.lib.unlockedKey()!;
    await a.lib.close();
    const wrongKey = await openLibrary({ dir: a.dir, storage, secret: { masterKey: new Uint8Array(32) } }).catch((e: unknown) => e);
    expect(isSyncError(wrongKey, 'KeyRejected')).toBe(true);
    const again = await openLibrary({ dir: a.dir, storage, secret: { masterKey: key.masterKey } });
    expect((await again.sync()).errors).toEqual([]);
    await again.close();
    // Read-only commands work from local state without the key.
    const ro = await openLibrary({ dir: a.dir, storage, readOnly: true });
    expect(ro.status().files).toBe(1);
    await ro.close();
  });

  it('racing encrypted inits converge on one repository and one keyring; the other passphrase is told so', async () => {
    for (const samePassphrase of [true, false]) {
      // A storage whose clock orders every write (as S3, Drive and a local disk do to the millisecond).
      let tick = Date.UTC(2026, 10, 30);
      const storage = createMemoryStorage({ now: () => ++tick });
      const [d1, d2] = [await tempDir(), await tempDir()];
      const results = await Promise.allSettled([
        openLibrary({ dir: d1, storage, ...encrypted('first passphrase') }),
        openLibrary({ dir: d2, storage, ...encrypted(samePassphrase ? 'first passphrase' : 'second passphrase') }),
      ]);
      const opened = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      expect(opened.length).toBeGreaterThanOrEqual(1);
      expect(new Set(opened.map((l) => l.repository)).size).toBe(1);
      if (samePassphrase) expect(opened).toHaveLength(2);
      else {
        expect(failed).toHaveLength(1);
        expect(isSyncError(failed[0], 'KeyRejected')).toBe(true);
        expect(failed[0]!.message).toMatch(/different passphrase|wrong passphrase/);
      }
      // Everyone who joins later joins the one repository that won, with the winner's passphrase.
      const winner = opened[0]!;
      const late = await openLibrary({ dir: await tempDir(), storage, secret: { passphrase: 'first passphrase' } }).catch(() =>
        tempDir().then((dir) => openLibrary({ dir, storage, secret: { passphrase: 'second passphrase' } })),
      );
      expect(late.repository).toBe(winner.repository);
      for (const l of [late, ...opened]) {
        expect((await l.sync()).errors).toEqual([]);
        await l.close();
      }
    }
  });

  it('a node that lost an init race it did not see is stopped at its first round, before it writes', async () => {
    let tick = Date.UTC(2026, 10, 30);
    const storage = createMemoryStorage({ now: () => (tick += 10) });
    const a = await makeNode(storage, 'a', encrypted('passphrase a'));
    // Another node's marker and key, created "earlier" by the storage's clock: a listing that
    // lagged hid it from a's init.
    const other = createMemoryStorage();
    const x = await makeNode(other, 'x', encrypted('passphrase x'));
    const saved = tick;
    tick = Date.UTC(2026, 10, 29);
    for (const k of other.debug.keys().filter((k) => k.startsWith('repository/') || k.startsWith('keys/'))) storage.debug.overwrite(k, other.debug.raw(k)!);
    tick = saved;
    await write(a, { 'f.txt': 'not yet' });
    const before = storage.debug.keys().length;
    const err = await a.sync().catch((e: unknown) => e);
    expect(isSyncError(err, 'RepositoryMismatch')).toBe(true);
    expect((err as Error).message).toContain(x.lib.repository);
    expect(storage.debug.keys().length).toBe(before);
  });

  it('several passphrases open it; removing one leaves the others working', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'a', encrypted());
    await write(a, { 'f.txt': 'shared' });
    await a.sync();
    const second = await a.lib.addKey('team member two', kdf);
    const keys = await a.lib.keys();
    expect(keys).toHaveLength(2);
    expect(keys.filter((k) => k.current)).toHaveLength(1);
    const b = await makeNode(storage, 'b', { secret: { passphrase: 'team member two' } });
    await b.sync();
    expect(await snapshot(b.dir)).toEqual({ 'f.txt': 'shared' });
    await expect(b.lib.removeKey(second)).rejects.toThrow(/the one this node opened/);
    const first = keys.find((k) => k.current)!.id;
    await b.lib.removeKey(first);
    expect((await b.lib.keys()).map((k) => k.id)).toEqual([second]);
    await expect(b.lib.removeKey(second)).rejects.toThrow(/last key|the one this node opened/);
    const refused = await openLibrary({ dir: await tempDir(), storage, secret: { passphrase: PASS } }).catch((e: unknown) => e);
    expect(isSyncError(refused, 'KeyRejected')).toBe(true);
  });

  it('restores from the remote alone with the passphrase, and refuses without it', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'a', encrypted());
    await write(a, { 'deep/file.txt': 'restore me' });
    await a.sync();
    const to = await tempDir();
    const noKey = await restoreFromRemote({ storage, to }).catch((e: unknown) => e);
    expect(isSyncError(noKey, 'KeyRequired')).toBe(true);
    const r = await restoreFromRemote({ storage, to, passphrase: PASS });
    expect(r.warnings).toEqual([]);
    expect(await readFile(join(to, 'deep/file.txt'), 'utf8')).toBe('restore me');
  });

  it('restoring from the remote lists the segments while the passphrase is still being asked for and stretched', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'a', encrypted());
    await write(a, { 'note.txt': 'restore me' });
    await a.sync();
    const listed: string[] = [];
    const watched = new Proxy(storage, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (key === 'list') return (prefix: string, o?: object) => (listed.push(prefix), target.list(prefix, o));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    let listedBeforeTheKey = false;
    const passphrase = async () => {
      await new Promise((r) => setTimeout(r, 20)); // a person typing, a password manager answering
      listedBeforeTheKey = listed.includes('log/');
      return PASS;
    };
    const to = await tempDir();
    const r = await restoreFromRemote({ storage: watched, to, passphrase });
    expect(r.warnings).toEqual([]);
    expect(await readFile(join(to, 'note.txt'), 'utf8')).toBe('restore me');
    expect(listedBeforeTheKey).toBe(true);
    expect(listed.filter((p) => p === 'log/')).toHaveLength(1); // listed once, not again after
  });
});

describe('format 2 compression', () => {
  it('stores text compressed and incompressible content as is; both read back exactly', async () => {
    for (const options of [{ newRepository: { format: 2 as const } }, encrypted()]) {
      const storage = createMemoryStorage();
      const a = await makeNode(storage, 'a', options);
      const text = Array.from({ length: 20_000 }, (_, i) => `line ${i}: some ordinary prose about references\n`).join('');
      await write(a, { 'notes.txt': text });
      await a.sync();
      const stored = () =>
        everything(storage)
          .filter((o) => o.key.startsWith('packs/'))
          .reduce((n, o) => n + o.bytes.length, 0);
      expect(stored()).toBeLessThan(text.length / 4);
      const noise = randomBytes(1_000_000);
      await write(a, { 'noise.bin': noise });
      await a.sync();
      expect(stored()).toBeLessThan(text.length / 4 + noise.length + 4096);
      const b = await makeNode(storage, 'b', options.secret ? { secret: options.secret } : {});
      await b.sync();
      expect(await readFile(join(b.dir, 'notes.txt'), 'utf8')).toBe(text);
      expect((await readFile(join(b.dir, 'noise.bin'))).equals(noise)).toBe(true);
    }
  });

  it('a format-1 repository keeps working: its nodes write format 1, whatever the release', async () => {
    const storage = createMemoryStorage();
    const a = await makeNode(storage, 'a', { newRepository: { format: 1 } });
    await write(a, { 'f.txt': 'old style' });
    await a.sync();
    expect(storage.debug.keys().some((k) => k.startsWith('repo/'))).toBe(true);
    // A node asking for format 2 joins the format-1 repository as it is.
    const b = await makeNode(storage, 'b', { newRepository: { format: 2 } });
    await b.sync();
    expect(b.lib.format).toEqual({ format: 1, encrypted: false });
    expect(await snapshot(b.dir)).toEqual({ 'f.txt': 'old style' });
    const refused = await openLibrary({ dir: await tempDir(), storage, ...encrypted() }).catch((e: unknown) => e);
    expect(isSyncError(refused, 'InvalidArgument')).toBe(true);
  });
});
