/**
 * Drive holds at most 500,000 items in a folder (src/emulator/real-world.ts,
 * maxChildrenPerFolder; a handful here). When a top-level folder is full the adapter adds a
 * same-named sibling and writes there; every reader already reads same-named folders as one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, listAll } from '@syncacross/sync-core';
import { mswServer, newEmulator, storageOn } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const text = (s: string) => new TextEncoder().encode(s);
const FOLDER = 'application/vnd.google-apps.folder';

describe('gdrive folder cap', () => {
  it('a full top-level folder gets a same-named sibling; every key stays readable, listed once, and answers exists', async () => {
    const { emulator, rootUrl } = newEmulator({ maxChildrenPerFolder: 4 });
    const writer = await storageOn(emulator, rootUrl);
    const keys = Array.from({ length: 10 }, (_, i) => `packs/${String(i).padStart(2, '0')}`);
    for (const k of keys) expect(await writer.putIfAbsent(k, text(k)), k).toBe('created');
    const packsFolders = emulator.files().filter((f) => f.mimeType === FOLDER && f.name === 'packs');
    expect(packsFolders).toHaveLength(3);
    for (const other of [await storageOn(emulator, rootUrl), await storageOn(emulator, rootUrl)]) {
      expect((await listAll(other, 'packs/')).map((o) => o.key)).toEqual(keys);
      for (const k of keys) expect(Buffer.from(await other.get(k)).toString(), k).toBe(k);
      expect(await other.putIfAbsent('packs/07', text('other bytes'))).toBe('exists');
    }
    // A second writer that only knows the first (full) folder finds room too.
    const late = await storageOn(emulator, rootUrl);
    expect(await late.putIfAbsent('packs/10', text('packs/10'))).toBe('created');
    await writer.delete!('packs/03');
    expect(isStorageError(await late.get('packs/03').catch((e: unknown) => e), 'NotFound')).toBe(true);
    expect(await listAll(late, 'packs/')).toHaveLength(10);
  });
});
