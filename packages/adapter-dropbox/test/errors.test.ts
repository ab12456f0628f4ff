/** Dropbox answers → contract errors, driven by the emulator's injected faults (behind msw). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDropboxStorage } from '@syncacross/adapter-dropbox';
import type { Storage } from '@syncacross/sync-core';
import { Dropbox } from 'dropbox';
import { mswEmulator } from './support/emulator.js';

const env = mswEmulator();
beforeAll(() => env.server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => env.server.close());

const bytes = (s: string) => new TextEncoder().encode(s);
let storage: Storage;
beforeEach(async () => {
  env.reset();
  storage = await createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library' });
});

describe('creating an object that exists', () => {
  it('answers exists for identical bytes, because strict_conflict makes Dropbox report the conflict', async () => {
    expect(await storage.putIfAbsent('k', bytes('same'))).toBe('created');
    expect(await storage.putIfAbsent('k', bytes('same'))).toBe('exists');
  });

  it('would be fooled without strict_conflict: Dropbox then answers 200 with the existing file', async () => {
    await storage.putIfAbsent('k', bytes('same'));
    const dbx = new Dropbox({ accessToken: env.emulator.issueAccessToken() });
    const before = env.emulator.home.get('/library/k');
    const lax = await dbx.filesUpload({ path: '/library/k', mode: { '.tag': 'add' }, autorename: false, contents: Buffer.from('same') });
    expect(lax.status).toBe(200);
    expect(lax.result.rev).toBe(before?.kind === 'file' ? before.rev : 'missing');
    const strict = dbx.filesUpload({ path: '/library/k', mode: { '.tag': 'add' }, autorename: false, strict_conflict: true, contents: Buffer.from('same') });
    await expect(strict).rejects.toMatchObject({
      status: 409,
      error: { error_summary: 'path/conflict/file/..', error: { '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file' } } } },
    });
  });
});

describe('throttling', () => {
  it('maps 429 too_many_requests with Retry-After to RateLimited with the delay', async () => {
    env.emulator.faults.inject({ routes: /files\/download/, kind: 'too_many_requests', retryAfterSeconds: 7 });
    await storage.putIfAbsent('k', bytes('x'));
    await expect(storage.get('k')).rejects.toMatchObject({ code: 'RateLimited', retryAfterMs: 7000 });
  });

  it('maps 429 too_many_write_operations to RateLimited', async () => {
    env.emulator.faults.inject({ routes: /files\/upload/, kind: 'too_many_write_operations', retryAfterSeconds: 2 });
    await expect(storage.putIfAbsent('k', bytes('x'))).rejects.toMatchObject({ code: 'RateLimited', retryAfterMs: 2000 });
    expect(await storage.putIfAbsent('k', bytes('x'))).toBe('created');
  });

  it('maps write contention nested inside an upload error (409 path/too_many_write_operations) to RateLimited, not exists', async () => {
    env.emulator.faults.inject({ routes: /^files\/upload$/, kind: 'nested_too_many_write_operations' });
    await expect(storage.putIfAbsent('k', bytes('x'))).rejects.toMatchObject({ code: 'RateLimited' });
    env.emulator.faults.inject({ routes: /delete_v2/, kind: 'nested_too_many_write_operations' });
    await expect(storage.delete!('k')).rejects.toMatchObject({ code: 'RateLimited' });
  });

  it('maps a 429 without Retry-After to RateLimited with no delay, leaving the back-off to the caller', async () => {
    env.emulator.faults.inject({ routes: /list_folder/, kind: 'too_many_requests' });
    const e = await storage.list('a/').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'RateLimited' });
    expect((e as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
  });
});

describe('server and client failures', () => {
  it('maps 500 and 503 to Unavailable, and a failed listing never reads as empty', async () => {
    await storage.putIfAbsent('a/1', bytes('x'));
    env.emulator.faults.inject({ routes: /list_folder/, kind: 'server_error' });
    await expect(storage.list('a/')).rejects.toMatchObject({ code: 'Unavailable' });
    env.emulator.faults.inject({ routes: /files\/upload/, kind: 'service_unavailable' });
    await expect(storage.putIfAbsent('a/2', bytes('x'))).rejects.toMatchObject({ code: 'Unavailable' });
    expect((await storage.list('a/')).objects.map((o) => o.key)).toEqual(['a/1']);
  });

  it("maps a 503 that names its wait to RateLimited, as every adapter does (the adapter kit's table)", async () => {
    env.emulator.faults.inject({ routes: /list_folder/, kind: 'service_unavailable', retryAfterSeconds: 2 });
    await expect(storage.list('a/')).rejects.toMatchObject({ code: 'RateLimited', retryAfterMs: 2000 });
  });

  it('a listing that fails on a later page throws instead of returning the first page', async () => {
    for (let i = 0; i < 5; i++) await storage.putIfAbsent(`many/${i}`, bytes('x'));
    const limited = await createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library' });
    env.emulator.faults.inject({ routes: /list_folder\/continue/, kind: 'server_error' });
    // The first page holds everything here, so force paging by listing through a tiny page limit on the server side.
    const original = env.emulator.listings.listFolder.bind(env.emulator.listings);
    env.emulator.listings.listFolder = (view, arg) => original(view, { ...arg, limit: 2 });
    await expect(limited.list('many/')).rejects.toMatchObject({ code: 'Unavailable' });
    expect((await limited.list('many/')).objects).toHaveLength(5);
  });

  it('maps an insufficient_space write error to NoSpace', async () => {
    env.reset({ quotaBytes: 10 });
    const small = await createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/library' });
    await expect(small.putIfAbsent('big', bytes('more than ten bytes'))).rejects.toMatchObject({ code: 'NoSpace' });
  });

  it('refuses a key whose name is taken by a folder, or whose parent is a file, with InvalidKey', async () => {
    await storage.putIfAbsent('dir/child', bytes('x'));
    await expect(storage.putIfAbsent('dir', bytes('x'))).rejects.toMatchObject({ code: 'InvalidKey' });
    await expect(storage.putIfAbsent('dir/child/grandchild', bytes('x'))).rejects.toMatchObject({ code: 'InvalidKey' });
  });

  it('answers PreconditionFailed for a stale rev, a missing file and a malformed etag', async () => {
    await storage.putIfAbsent('cas', bytes('v1'));
    const rev = (await storage.list('cas')).objects[0]!.etag!;
    await storage.putIfMatch!('cas', bytes('v2'), rev);
    await expect(storage.putIfMatch!('cas', bytes('v3'), rev)).rejects.toMatchObject({ code: 'PreconditionFailed' });
    await storage.delete!('cas');
    const latest = rev; // a deleted file: strict_conflict refuses to revive it
    await expect(storage.putIfMatch!('cas', bytes('v4'), latest)).rejects.toMatchObject({ code: 'PreconditionFailed' });
    await expect(storage.putIfMatch!('cas', bytes('v4'), 'not-a-rev')).rejects.toMatchObject({ code: 'PreconditionFailed' });
  });

  it('maps a rejected access token to AuthFailed that tells the user what to run', async () => {
    const bad = await createDropboxStorage({ accessToken: 'not-a-token', root: '/library' });
    const e = await bad.list('x/').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'AuthFailed' });
    expect((e as Error).message).toContain('syncacross auth dropbox');
  });

  it('maps a bad team path root (422) to InvalidConfig', async () => {
    const wrongRoot = await createDropboxStorage({ accessToken: env.emulator.issueAccessToken(), root: '/x', pathRoot: 'root:999' });
    await expect(wrongRoot.list('a/')).rejects.toMatchObject({ code: 'InvalidConfig' });
  });

  it('catches a download whose bytes do not match the content_hash Dropbox reports', async () => {
    await storage.putIfAbsent('h', bytes('original'));
    const node = env.emulator.home.get('/library/h');
    if (node?.kind !== 'file') throw new Error('no file');
    node.bytes = bytes('tampered'); // bit rot behind the API's back
    await expect(storage.get('h')).rejects.toMatchObject({ code: 'Corrupt' });
  });
});
