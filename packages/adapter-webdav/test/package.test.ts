import { describe, expect, it } from 'vitest';
import adapter, { createWebDavStorage, optionsSchema, parseLocation } from '@syncacross/adapter-webdav';

describe('options', () => {
  it('parses a location into a url', () => {
    expect(parseLocation('https://host/dav/library')).toEqual({ url: 'https://host/dav/library' });
    expect(adapter.parseLocation(' http://nas.local:5005/home ')).toEqual({ url: 'http://nas.local:5005/home' });
  });

  it('documents defaults and marks secrets', () => {
    const parsed = optionsSchema.parse({ url: 'https://host/dav' });
    expect(parsed).toMatchObject({ root: '', rejectUnauthorized: true, concurrency: 8, probe: true, timeoutMs: 300_000 });
    expect(adapter.name).toBe('webdav');
    expect([...adapter.secretOptions].sort()).toEqual(['bearerToken', 'headers', 'password']);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ url: 'https://host/dav', colour: 'red' }, 'unknown option'],
    [{ url: 'ftp://host/dav' }, 'not http(s)'],
    [{ url: 'https://alice:pw@host/dav' }, 'credentials in the URL'],
    [{ url: 'https://host/dav', username: 'a', password: 'b', bearerToken: 't' }, 'two kinds of credentials'],
    [{ url: 'https://host/dav', password: 'b' }, 'a password without a user'],
    [{ url: 'https://host/dav', concurrency: 0 }, 'no concurrency'],
  ])('rejects %o (%s) with InvalidConfig', async (options) => {
    expect(optionsSchema.safeParse(options).success).toBe(false);
    await expect(createWebDavStorage(options as never)).rejects.toMatchObject({ code: 'InvalidConfig' });
  });

  it('creation fails with Unavailable when the server cannot be reached (the probe runs at creation)', async () => {
    await expect(createWebDavStorage({ url: 'http://127.0.0.1:1/dav', timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'Unavailable' });
  });
});
