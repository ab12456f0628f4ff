/** Conformance fixtures: each check gets a fresh root folder on a shared server. */
import { randomBytes } from 'node:crypto';
import type { ConformanceFixture } from '@syncacross/sync-core/testing';
import { createWebDavStorage, type WebDavOptions } from '@syncacross/adapter-webdav';

/** An address where nothing listens (port 1 is never served here): answers must be Unavailable. */
export const unreachable = () => createWebDavStorage({ url: 'http://127.0.0.1:1/dav', probe: false, timeoutMs: 5_000 });

export function freshRoot(): string {
  return `t-${randomBytes(5).toString('hex')}`;
}

export function fixtureFor(server: () => { url: string }, extra: Partial<WebDavOptions> = {}): () => Promise<ConformanceFixture> {
  return async () => {
    const storage = await createWebDavStorage({ url: server().url, root: freshRoot(), ...extra });
    return { storage, unreachable, teardown: () => storage.close!() };
  };
}
