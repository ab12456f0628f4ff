/**
 * Restore's fallback to this library's files (engine/restore-local-copies.ts): content is lent
 * only from a file that still holds it, checked, and one file at a time, since each is read whole
 * and held until written.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { localContentOf } from '../../src/engine/restore-local-copies.js';
import { DEFAULT_CHUNKING } from '../../src/model/chunker.js';
import { cleanup, makeNode } from './helpers.js';

afterEach(cleanup);

async function library() {
  const node = await makeNode(createMemoryStorage(), 'a');
  await writeFile(join(node.dir, 'a.txt'), 'a'.repeat(1000));
  await writeFile(join(node.dir, 'b.txt'), 'b'.repeat(1000));
  await node.sync();
  const { state } = node.lib;
  const versions = state.allVersions();
  const versionOf = (path: string) => versions.find((v) => v.path === path && !v.deleted)!;
  return { node, versionOf, local: localContentOf(node.dir, () => state.localRecords().values(), versions, DEFAULT_CHUNKING) };
}

describe('content lent by the library for a restore', () => {
  it('one file at a time: the next is not read before the last was used', async () => {
    const { versionOf, local } = await library();
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = local(versionOf('a.txt'), async () => {
      events.push('a lent');
      await held;
      events.push('a written');
    });
    const second = local(versionOf('b.txt'), async (content) => {
      events.push('b lent');
      return new TextDecoder().decode(await content.get(versionOf('b.txt').chunks[0]!));
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(['a lent']);
    release();
    await first;
    expect(await second).toBe('b'.repeat(1000));
    expect(events).toEqual(['a lent', 'a written', 'b lent']);
  });

  it('not from a file edited since, even of the same size', async () => {
    const { node, versionOf, local } = await library();
    await writeFile(join(node.dir, 'a.txt'), 'A'.repeat(1000));
    expect(await local(versionOf('a.txt'), async () => 'lent')).toBeUndefined();
    expect(await local(versionOf('b.txt'), async () => 'lent')).toBe('lent'); // and the next still gets its turn
  });
});
