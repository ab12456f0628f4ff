/**
 * A version that cannot be written here fails alone: it is reported by path, the rest of the
 * round completes, this node's own edits still go out, and the next round tries it again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Storage } from '@syncacross/sync-core';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { encodeSegment } from '../../src/engine/segment.js';
import { withHash, type Version } from '../../src/model/version.js';
import { cleanup, makeNode, snapshot, type TestNode } from './helpers.js';

afterEach(cleanup);

/**
 * Publishes, as another machine would, a version of `path` holding the same content as `like`
 * (a file some node already synced): a name this machine's file system may not be able to hold.
 */
async function publishFromElsewhere(remote: Storage, node: TestNode, like: string, path: string): Promise<void> {
  const known = node.lib.state.allVersions().find((v) => v.path === like && !v.deleted)!;
  const { hash: _hash, ...rest } = known;
  const v: Version = { ...rest, path, parents: [], writer: 'mac-0001.0badc0de', hlc: known.hlc + 1 };
  const { key, bytes } = encodeSegment({ format: 1, repo: node.lib.repository, writer: v.writer, seq: 1, prev: null, versions: [withHash(v)].map(({ hash: _h, ...x }) => x), chunks: [] });
  await remote.putIfAbsent(key, bytes);
}

/** An immutable folder (chattr +i) refuses writes even to root, as tests run here: a permission error. */
function canMakeImmutable(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'syncacross-chattr-'));
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describe('per-path failures', () => {
  it('a name too long for this file system (100 CJK characters, 300 bytes) is reported; everything else syncs, and own edits go out', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'ok.txt'), 'fine');
    await a.sync();
    const long = '長'.repeat(100) + '.txt'; // fine on macOS (255 UTF-16 units), not on Linux (255 bytes)
    await publishFromElsewhere(remote, a, 'ok.txt', `docs/${long}`);
    await writeFile(join(a.dir, 'after.txt'), 'after');
    await a.sync();

    const b = await makeNode(remote, 'b');
    await writeFile(join(b.dir, 'mine.txt'), 'from b');
    const s = await b.sync();
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toContain(`docs/${long}`);
    expect(s.errors[0]).toContain('too long');
    expect(await snapshot(b.dir)).toEqual({ 'ok.txt': 'fine', 'after.txt': 'after', 'mine.txt': 'from b' });
    expect(s.uploaded.versions).toBe(1);

    // Own edits keep flowing; the path is tried (and reported) again each round.
    await writeFile(join(b.dir, 'mine2.txt'), 'again');
    const again = await b.sync();
    expect(again.uploaded.versions).toBe(1);
    expect(again.errors.join('\n')).toContain(`docs/${long}`);
    await a.sync();
    expect(await readFile(join(a.dir, 'mine2.txt'), 'utf8')).toBe('again');
    await a.lib.close();
    await b.lib.close();
  });

  it('a local file where a folder must go (kept out of sync by .syncacrossignore) fails that path only, and the next round retries', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'top.txt'), 'top');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(a.dir, 'docs'));
    await writeFile(join(a.dir, 'docs/x.txt'), 'x');
    await a.sync();

    const b = await makeNode(remote, 'b');
    await writeFile(join(b.dir, '.syncacrossignore'), 'docs\n');
    await writeFile(join(b.dir, 'docs'), 'a local file, never synced');
    const s = await b.sync();
    expect(s.errors.join('\n')).toContain('docs/x.txt');
    expect(await readFile(join(b.dir, 'top.txt'), 'utf8')).toBe('top');
    expect(await readFile(join(b.dir, 'docs'), 'utf8')).toBe('a local file, never synced');

    // Nothing new on the remote, but the path is still owed: the next round writes it.
    await rm(join(b.dir, 'docs'));
    const next = await b.sync();
    expect(next.errors).toEqual([]);
    expect(existsSync(join(b.dir, 'docs/x.txt'))).toBe(true);
    await a.lib.close();
    await b.lib.close();
  });

  it('a local folder where a file must go (kept out of sync) fails that path only, and is left as it was', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    await writeFile(join(a.dir, 'report'), 'a file on a');
    await writeFile(join(a.dir, 'top.txt'), 'top');
    await a.sync();

    const b = await makeNode(remote, 'b');
    const { mkdir } = await import('node:fs/promises');
    await writeFile(join(b.dir, '.syncacrossignore'), 'report/\n');
    await mkdir(join(b.dir, 'report'));
    await writeFile(join(b.dir, 'report/private.txt'), 'mine');
    const s = await b.sync();
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toContain('could not write report:');
    expect(s.errors[0]).toContain('is a folder on this machine');
    expect(await readFile(join(b.dir, 'top.txt'), 'utf8')).toBe('top');
    expect(await readFile(join(b.dir, 'report/private.txt'), 'utf8')).toBe('mine');
    await a.lib.close();
    await b.lib.close();
  });

  it.skipIf(!canMakeImmutable())('a folder this node may not write to (permission denied) fails its paths only, and the next round retries', async () => {
    const remote = createMemoryStorage();
    const a = await makeNode(remote, 'a');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(a.dir, 'locked'));
    await writeFile(join(a.dir, 'locked/old.txt'), 'old');
    await a.sync();
    const b = await makeNode(remote, 'b');
    await b.sync();
    const locked = join(b.dir, 'locked');
    execFileSync('chattr', ['+i', locked]);
    try {
      await writeFile(join(a.dir, 'locked/new.txt'), 'new');
      await writeFile(join(a.dir, 'other.txt'), 'other');
      await a.sync();
      const s = await b.sync();
      expect(s.errors).toHaveLength(1);
      expect(s.errors[0]).toContain('locked/new.txt');
      expect(s.errors[0]).toContain('permission denied');
      expect(await readFile(join(b.dir, 'other.txt'), 'utf8')).toBe('other');
    } finally {
      execFileSync('chattr', ['-i', locked]);
    }
    const next = await b.sync();
    expect(next.errors).toEqual([]);
    expect(await readFile(join(b.dir, 'locked/new.txt'), 'utf8')).toBe('new');
    await a.lib.close();
    await b.lib.close();
  });
});
