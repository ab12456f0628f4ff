/**
 * A library on a disk that does not tell upper and lower case apart (exFAT here; macOS and
 * Windows folders alike), sharing with a Linux node that has `Notes.txt` and `notes.txt`. The two
 * must not be written to one file (each overwriting the other, the survivor then published as an
 * edit of both): one is written, the other reported by name, nothing lost on the Linux node.
 * exFAT keeps no permission bits either: what it shows as executable is no edit.
 *
 * Needs a real case-insensitive mount: an exFAT image on a loop device through fuse-exfat, which
 * needs root (test/support/exfat-mount.ts). Skipped, saying why, otherwise.
 */
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage, withFaults } from '@syncacross/sync-core/testing';
import { tryMountExfat } from '../../../../test/support/exfat-mount.js';
import { cleanup, makeNode, snapshot, syncAll } from './helpers.js';

afterEach(cleanup);

const mounted = tryMountExfat();
const exfat = typeof mounted === 'string' ? undefined : mounted;
afterAll(() => exfat?.unmount());

describe.skipIf(!exfat)(`a library on a case-insensitive disk without permission bits (exFAT)${exfat ? '' : `: skipped, ${String(mounted)}`}`, () => {
  it('files read as executable there (exFAT keeps no modes): no version flips the bit for everyone', async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await writeFile(join(linux.dir, 'plain.txt'), 'text');
    await linux.sync();
    const dir = join(exfat!.dir, 'modes');
    mkdirSync(dir);
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      for (let i = 0; i < 3; i++) {
        const s = await usb.sync();
        expect(s.uploaded.versions).toBe(0);
        // exFAT's mtime is kept to 2 s: a round later the file is re-read, and must still be no edit.
        await new Promise((r) => setTimeout(r, 1100));
      }
      await writeFile(join(usb.dir, 'plain.txt'), 'edited on the drive');
      await usb.sync();
      await linux.sync();
      expect(await readFile(join(linux.dir, 'plain.txt'), 'utf8')).toBe('edited on the drive');
      expect((await stat(join(linux.dir, 'plain.txt'))).mode & 0o111).toBe(0); // still not executable
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it('Notes.txt and notes.txt from a Linux node: one written, the other reported by name, nothing lost, no loop', async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await writeFile(join(linux.dir, 'Notes.txt'), 'upper');
    await writeFile(join(linux.dir, 'notes.txt'), 'lower');
    await linux.sync();

    const dir = join(exfat!.dir, 'lib');
    mkdirSync(dir);
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      const first = await usb.sync();
      expect(await snapshot(usb.dir)).toEqual({ 'Notes.txt': 'upper' }); // the first in code-point order
      expect(first.errors).toEqual([expect.stringContaining('could not write notes.txt: Notes.txt is the same name on this disk')]);

      for (let i = 0; i < 3; i++) {
        const s = await usb.sync();
        expect(s.errors).toEqual([expect.stringContaining('could not write notes.txt')]); // reported every round, never written
        await linux.sync();
      }
      // Nothing lost: the Linux node still has both, as they were.
      expect(await snapshot(linux.dir)).toEqual({ 'Notes.txt': 'upper', 'notes.txt': 'lower' });
      expect(await readFile(join(usb.dir, 'notes.txt'), 'utf8')).toBe('upper'); // the same file, by its other name
      // Quiet: nothing more to publish or fetch.
      const last = await usb.sync();
      expect(last.uploaded.segments + last.downloaded.files + last.local.changed).toBe(0);
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it('d/ on the drive, then D/c.txt and d/c.txt from a Linux node: d/c.txt is written, D/c.txt reported', async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await mkdir(join(linux.dir, 'd'));
    await writeFile(join(linux.dir, 'd/x.txt'), 'x');
    await linux.sync();
    const dir = join(exfat!.dir, 'lib-kept-folder');
    mkdirSync(dir);
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      await usb.sync();
      await mkdir(join(linux.dir, 'D'));
      await writeFile(join(linux.dir, 'D/c.txt'), 'in D');
      await writeFile(join(linux.dir, 'd/c.txt'), 'in d');
      await linux.sync();
      const s = await usb.sync();
      // D/c.txt cannot be written (the folder is d here), so it must not keep d/c.txt out either.
      expect(await snapshot(usb.dir)).toEqual({ 'd/c.txt': 'in d', 'd/x.txt': 'x' });
      expect(s.errors).toEqual([expect.stringContaining('could not write D/c.txt: the folder d is the same name on this disk')]);
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it("the drive's file d/e, displaced to a conflict copy by a Linux folder d/e/, is kept in d/ though D/c.txt comes too", async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await mkdir(join(linux.dir, 'd/e'), { recursive: true });
    await mkdir(join(linux.dir, 'D'));
    await writeFile(join(linux.dir, 'd/e/f.txt'), 'f');
    await writeFile(join(linux.dir, 'D/c.txt'), 'in D');
    await linux.sync();
    const dir = join(exfat!.dir, 'lib-displaced');
    mkdirSync(join(dir, 'd'), { recursive: true });
    writeFileSync(join(dir, 'd/e'), 'mine');
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      const s = await usb.sync();
      // Trashing d/e emptied d/: had D/ then won the name, the copy (its only local source in the
      // trash) would not be written, and the user's file would leave the folder (seed 11746).
      const disk = await snapshot(usb.dir);
      expect(Object.keys(disk).sort()).toEqual([expect.stringMatching(/^d\/e\.sync-conflict-/), 'd/e/f.txt']);
      expect(Object.values(disk).sort()).toEqual(['f', 'mine']);
      expect(s.errors).toEqual([expect.stringContaining('could not write D/c.txt: the folder d is the same name on this disk')]);
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it('Docs/a.txt and docs/b.txt from a Linux node: one folder written, the other path reported, no rename published', async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await mkdir(join(linux.dir, 'Docs'));
    await mkdir(join(linux.dir, 'docs'));
    await writeFile(join(linux.dir, 'Docs/a.txt'), 'in Docs');
    await writeFile(join(linux.dir, 'docs/b.txt'), 'in docs');
    await linux.sync();

    const dir = join(exfat!.dir, 'lib-folders');
    mkdirSync(dir);
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      const first = await usb.sync();
      // Written into one folder, docs/b.txt would be scanned back as Docs/b.txt: a rename of
      // another node's file that nobody made.
      expect(await snapshot(usb.dir)).toEqual({ 'Docs/a.txt': 'in Docs' });
      expect(first.errors).toEqual([expect.stringContaining('could not write docs/b.txt: the folder Docs is the same name on this disk')]);
      for (let i = 0; i < 3; i++) {
        const s = await usb.sync();
        expect(s.uploaded.segments).toBe(0);
        expect(s.errors).toEqual([expect.stringContaining('could not write docs/b.txt')]);
        await linux.sync();
      }
      expect(await snapshot(linux.dir)).toEqual({ 'Docs/a.txt': 'in Docs', 'docs/b.txt': 'in docs' });
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it('a case-only rename from a Linux node is applied, though the new spelling was just looked up (fuse-exfat caches it as the old file)', async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await writeFile(join(linux.dir, 'Notes.txt'), 'text');
    await linux.sync();
    const dir = join(exfat!.dir, 'lib-case-rename');
    mkdirSync(dir);
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      await usb.sync();
      await rename(join(linux.dir, 'Notes.txt'), join(linux.dir, 'notes.txt'));
      await linux.sync();
      // An app on the drive's machine asks for notes.txt: the disk answers with Notes.txt, and the
      // kernel keeps that answer under `notes.txt` for about a second after Notes.txt is trashed.
      statSync(join(usb.dir, 'notes.txt'));
      const s = await usb.sync();
      expect(s.errors).toEqual([]);
      expect(await snapshot(usb.dir)).toEqual({ 'notes.txt': 'text' });
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it("d/E/f.txt from a Linux node is written though d/E was just looked up as the drive's file d/e, then deleted (fuse-exfat caches it)", async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await mkdir(join(linux.dir, 'd/E'), { recursive: true });
    await writeFile(join(linux.dir, 'd/E/f.txt'), 'f');
    await linux.sync();
    const dir = join(exfat!.dir, 'lib-cached-parent');
    mkdirSync(join(dir, 'd'), { recursive: true });
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      // The drive's user had a file d/e; an app asked for d/E (the disk answered with d/e), and the
      // user deleted d/e: for about a second the kernel still has d/E as that file (seed 18488).
      writeFileSync(join(usb.dir, 'd/e'), 'gone');
      statSync(join(usb.dir, 'd/E'));
      rmSync(join(usb.dir, 'd/e'));
      const s = await usb.sync();
      expect(s.errors).toEqual([]);
      expect(await snapshot(usb.dir)).toEqual({ 'd/E/f.txt': 'f' });
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it('d/C.txt arriving where the drive has an unrecorded d/c.txt: that file kept, d/C.txt reported, never skipped in silence', async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await mkdir(join(linux.dir, 'd'));
    await writeFile(join(linux.dir, 'd/C.txt'), 'from linux');
    await linux.sync();
    const dir = join(exfat!.dir, 'lib-unrecorded');
    mkdirSync(dir);
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      // The user saves d/c.txt on the drive after the round's scan, just before d/C.txt is written.
      const s = await usb.lib.sync({
        onProgress: (p) => {
          if (p.phase !== 'materialize' || p.path !== 'd/C.txt') return;
          mkdirSync(join(usb.dir, 'd'), { recursive: true });
          writeFileSync(join(usb.dir, 'd/c.txt'), 'made on the drive');
        },
      });
      expect(await snapshot(usb.dir)).toEqual({ 'd/c.txt': 'made on the drive' });
      expect(s.errors).toEqual([expect.stringContaining('could not write d/C.txt: d/c.txt is the same name on this disk')]);
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it('d/e/f.txt from a Linux node, written while the user makes D/ on the drive, is recorded as the drive spells it: no rename published', async () => {
    const { linux, usb } = await respelledDuringARound('lib-respelled');
    try {
      expect(await snapshot(usb.dir)).toEqual({ 'D/c.txt': 'made on the drive', 'D/e/f.txt': 'f' });
      const s = await usb.sync();
      expect(s.errors).toEqual([]);
      expect(s.local).toEqual({ added: 1, changed: 0, deleted: 0 }); // D/c.txt, and nothing else
      await linux.sync();
      expect(await snapshot(linux.dir)).toEqual({ 'D/c.txt': 'made on the drive', 'd/e/f.txt': 'f' });
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it("a later edit of d/e/f.txt, held in the drive's D/ though the tree spells that folder twice, is written there in place", async () => {
    const { linux, usb } = await respelledDuringARound('lib-respelled-edit');
    try {
      await usb.sync(); // D/c.txt goes out: the tree now spells the folder D and d
      await linux.sync();
      await writeFile(join(linux.dir, 'd/e/f.txt'), 'f, edited on Linux');
      await linux.sync();
      const s = await usb.sync();
      // Before: "could not write d/e/f.txt: the folder D is the same name…" at every round, and
      // the drive kept the old d/e/f.txt for good (seed 83661 of the case-insensitive simulation).
      expect(s.errors).toEqual([]);
      expect(await snapshot(usb.dir)).toEqual({ 'D/c.txt': 'made on the drive', 'D/e/f.txt': 'f, edited on Linux' });
      expect((await usb.sync()).local).toEqual({ added: 0, changed: 0, deleted: 0 });
      await linux.sync();
      expect(await snapshot(linux.dir)).toEqual({ 'D/c.txt': 'made on the drive', 'd/e/f.txt': 'f, edited on Linux' });
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it('a crash before the record of d/e/f.txt, written into the D/ the user made meanwhile: the file is adopted as the planned version, not published', async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    await mkdir(join(linux.dir, 'd/e'), { recursive: true });
    await writeFile(join(linux.dir, 'd/e/f.txt'), 'f');
    await linux.sync();
    const dir = join(exfat!.dir, 'lib-respelled-crash');
    mkdirSync(join(dir, 'D'), { recursive: true });
    writeFileSync(join(dir, 'D/c.txt'), 'made on the drive');
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      await usb.sync(); // D/c.txt published; d/e/f.txt reported (the folder D holds the name)
      rmSync(join(usb.dir, 'D/c.txt'));
      await usb.sync(); // the delete goes out; D/ stays on disk, empty
      // A round writes d/e/f.txt into D/e/ and is killed before the record: as it leaves the state.
      const planned = linux.lib.tree().get('d/e/f.txt')!.version.hash;
      mkdirSync(join(usb.dir, 'D/e'));
      writeFileSync(join(usb.dir, 'D/e/f.txt'), 'f');
      usb.lib.state.planWrites([{ path: 'd/e/f.txt', treePath: 'd/e/f.txt', version: planned }]);
      await usb.sync(); // (the folder D/e, unrecorded, goes out as a folder entry: harmless, as on any disk)
      expect(
        usb.lib.state
          .allVersions()
          .filter((v) => v.path.toLowerCase() === 'd/e/f.txt')
          .map((v) => v.path),
      ).toEqual(['d/e/f.txt']);
      expect([...usb.lib.state.localRecords().values()].find((r) => r.treePath === 'd/e/f.txt')?.path).toBe('D/e/f.txt');
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });

  it('d/C.txt and d/E/f.txt whose content is lost on every side do not keep d/c.txt and d/e off the drive', async () => {
    const remote = createMemoryStorage();
    const linux = await makeNode(remote, 'linux');
    const other = await makeNode(remote, 'other');
    await syncAll([linux, other]);
    const before = remote.debug.snapshot();
    await mkdir(join(linux.dir, 'd/E'), { recursive: true });
    await writeFile(join(linux.dir, 'd/C.txt'), 'upper');
    await writeFile(join(linux.dir, 'd/E/f.txt'), 'in E');
    await linux.sync();
    // The other node learns both versions while their pack is missing; then linux's machine is
    // gone with the only copy, and the storage goes back to a copy from before: the other node
    // publishes the versions again, with no location for their content (seeds 16747, 17659).
    for (const key of remote.debug.keys()) if (key.startsWith('packs/') && !before.has(key)) remote.debug.remove(key);
    await other.sync();
    await linux.lib.close();
    remote.debug.restore(before);
    await other.sync();
    await mkdir(join(other.dir, 'd'), { recursive: true });
    await writeFile(join(other.dir, 'd/c.txt'), 'lower');
    await writeFile(join(other.dir, 'd/e'), 'e');
    await other.sync();
    const dir = join(exfat!.dir, 'lib-lost-twin');
    mkdirSync(dir);
    const usb = await makeNode(remote, 'usb', { dir });
    try {
      const s = await usb.sync();
      // The spellings first in code-point order cannot be written: the others take the names.
      expect(await snapshot(usb.dir)).toEqual({ 'd/c.txt': 'lower', 'd/e': 'e' });
      expect([...s.errors].sort()).toEqual([
        expect.stringContaining('could not write d/C.txt: d/c.txt is the same name on this disk'),
        expect.stringContaining('could not write d/E/f.txt: d/e is the same name on this disk'),
      ]);
      expect((await usb.sync()).errors).toHaveLength(2); // reported every round, the names kept
      expect(await snapshot(usb.dir)).toEqual({ 'd/c.txt': 'lower', 'd/e': 'e' });
    } finally {
      await usb.lib.close();
      await other.lib.close();
    }
  });

  it('a same-size edit within the second of a file a failed round had checked is published, not overwritten by the next download', async () => {
    const remote = withFaults(createMemoryStorage());
    const linux = await makeNode(remote, 'linux');
    const dir = join(exfat!.dir, 'lib-same-second');
    mkdirSync(dir);
    const usb = await makeNode(remote, 'usb', { dir });
    const file = join(usb.dir, 'f.txt');
    // exFAT keeps whole seconds and shows the mtime as the ctime: two same-size writes within one
    // second look alike to a stat. An mtime a minute ahead keeps every write of this test within
    // one second (and within the racy window), however slow the machine.
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
    const save = (content: string) => {
      writeFileSync(file, content);
      utimesSync(file, second, second);
    };
    try {
      save('drive one');
      await usb.sync();
      await linux.sync();
      await writeFile(join(linux.dir, 'f.txt'), 'linux two');
      await linux.sync();
      // The drive's round checks f.txt still holds its version, then loses the network while
      // downloading linux's: f.txt is left as it was.
      const cutOff = usb.lib.sync({ onProgress: (p) => p.phase === 'materialize' && p.path === 'f.txt' && (remote.plan = { down: true }) });
      await expect(cutOff).rejects.toThrow();
      remote.plan = {};
      save('drive two'); // the user, in the same second
      await usb.sync();
      await linux.sync();
      for (const n of [usb, linux]) expect(Object.values(await snapshot(n.dir)).sort()).toEqual(['drive two', 'linux two']);
    } finally {
      await usb.lib.close();
      await linux.lib.close();
    }
  });
});

/**
 * A Linux node's d/e/f.txt, brought to a new library on the exFAT drive by a round during which
 * the user saves D/c.txt: after the round's scan, before the first folder on the way is written,
 * so d/e/f.txt lands in D/e/f.txt (seed 44541 of the case-insensitive simulation).
 */
async function respelledDuringARound(name: string) {
  const remote = createMemoryStorage();
  const linux = await makeNode(remote, 'linux');
  await mkdir(join(linux.dir, 'd/e'), { recursive: true });
  await writeFile(join(linux.dir, 'd/e/f.txt'), 'f');
  await linux.sync();
  const dir = join(exfat!.dir, name);
  mkdirSync(dir);
  const usb = await makeNode(remote, 'usb', { dir });
  let saved = false;
  await usb.lib.sync({
    onProgress: (p) => {
      if (saved || p.phase !== 'materialize') return;
      saved = true;
      mkdirSync(join(usb.dir, 'D'));
      writeFileSync(join(usb.dir, 'D/c.txt'), 'made on the drive');
    },
  });
  return { linux, usb };
}
