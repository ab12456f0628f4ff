/**
 * Keys and Drive names. Drive's `name = '…'` ignores case (src/emulator/real-world.ts,
 * caseInsensitiveNameQueries): the adapter re-checks the exact name, so keys that differ only in
 * case stay distinct objects, in file names and in top-level folder names alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll } from '@syncacross/sync-core';
import { mswServer, newEmulator, storageOn } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('gdrive names under case-insensitive searches', () => {
  it('keys differing only in case are distinct, for files and for top-level folders, in every process', async () => {
    const { emulator, rootUrl } = newEmulator({ caseInsensitiveNameQueries: true });
    const writer = await storageOn(emulator, rootUrl);
    const keys = ['log/w/a', 'log/w/A', 'Log/w/a', 'LOG/w/a'];
    for (const k of keys) expect(await writer.putIfAbsent(k, text(`bytes of ${k}`)), k).toBe('created');
    const reader = await storageOn(emulator, rootUrl); // learns everything from searches, nothing cached
    for (const k of keys) expect(str(await reader.get(k)), k).toBe(`bytes of ${k}`);
    expect((await listAll(reader, '')).map((o) => o.key)).toEqual([...keys].sort());
    expect(await reader.putIfAbsent('log/w/a', text('other'))).toBe('exists');
    const folders = emulator.files().filter((f) => f.mimeType === 'application/vnd.google-apps.folder' && f.name.toLowerCase() === 'log');
    expect(folders.map((f) => f.name).sort()).toEqual(['LOG', 'Log', 'log']);
  });
});
