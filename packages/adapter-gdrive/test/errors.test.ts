/**
 * Drive's 403s that are neither throttling nor bad credentials (src/errors.ts, and the
 * emulator's real-world modes in src/emulator/real-world.ts): full folders and daily quotas are
 * clear errors that are not retried and not "sign in again"; a file this account may not delete
 * is trashed, or is a permission refusal on that file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError, listAll, withRetry, type StorageError } from '@syncacross/sync-core';
import { toStorageError } from '../src/errors.js';
import { manualClock, mswServer, newEmulator, storageOn } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const text = (s: string) => new TextEncoder().encode(s);
const DAY_MS = 24 * 3600 * 1000;
const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as StorageError,
  );
/** A googleapis error as gaxios throws it for a Drive 403. */
const forbidden = (reason: string, message = 'x') => ({ message, response: { status: 403, data: { error: { code: 403, message, errors: [{ domain: 'global', reason, message }] } } } });

describe('gdrive 403s that are not about the sign-in', () => {
  it.each([
    ['storageQuotaExceeded', undefined, 'NoSpace', false],
    ['numChildrenInNonRootLimitExceeded', undefined, 'NoSpace', false],
    ['teamDriveFileLimitExceeded', undefined, 'NoSpace', false],
    ['activeItemCreationLimitExceeded', undefined, 'NoSpace', false],
    ['userRateLimitExceeded', 'User rate limit exceeded.', 'NoSpace', false], // the 750 GB/day upload cap
    ['userRateLimitExceeded', 'User Rate Limit Exceeded. Rate of requests for user exceed configured project quota.', 'RateLimited', false],
    ['downloadQuotaExceeded', undefined, 'Unavailable', true],
    ['dailyLimitExceeded', undefined, 'Unavailable', true],
    ['insufficientFilePermissions', undefined, 'Unavailable', true],
    ['insufficientPermissions', undefined, 'AuthFailed', false], // the token lacks the scope: sign in again
  ] as const)('403 %s (%s) is %s', (reason, message, code, permanent) => {
    const e = toStorageError(forbidden(reason, message), 'op');
    expect(e.code).toBe(code);
    expect(e.permanent === true).toBe(permanent);
  });

  it('the daily upload cap fails at once with NoSpace (not retried, not AuthFailed), and uploads resume the next day', async () => {
    const clock = manualClock();
    const { emulator, rootUrl } = newEmulator({ dailyUploadBytes: 100, now: clock.now });
    let retries = 0;
    const s = withRetry(await storageOn(emulator, rootUrl), { baseDelayMs: 1, maxDelayMs: 5, onRetry: () => retries++ });
    expect(await s.putIfAbsent('packs/a', new Uint8Array(60))).toBe('created');
    const e = await fail(s.putIfAbsent('packs/b', new Uint8Array(60)));
    expect(e.code, e.message).toBe('NoSpace');
    expect(e.message).toMatch(/upload limit .*24 hours/);
    expect(retries).toBe(0);
    clock.advance(DAY_MS);
    expect(await s.putIfAbsent('packs/b', new Uint8Array(60))).toBe('created');
    expect((await listAll(s, 'packs/')).map((o) => o.key)).toEqual(['packs/a', 'packs/b']); // nothing half-done left behind
  });

  it('the daily upload cap met by a resumable upload is NoSpace too', async () => {
    const { emulator, rootUrl } = newEmulator({ dailyUploadBytes: 100 });
    const s = await storageOn(emulator, rootUrl, { resumableThresholdBytes: 0 }); // every upload resumable
    expect(await s.putIfAbsent('packs/a', new Uint8Array(60))).toBe('created');
    const e = await fail(s.putIfAbsent('packs/b', new Uint8Array(60)));
    expect(e.code, e.message).toBe('NoSpace');
  });

  it("a file's download quota fails that file's reads at once (Unavailable, permanent), other files still read, and it lifts the next day", async () => {
    const clock = manualClock();
    const { emulator, rootUrl } = newEmulator({ downloadsPerFilePerDay: 2, now: clock.now });
    let retries = 0;
    const s = withRetry(await storageOn(emulator, rootUrl), { baseDelayMs: 1, maxDelayMs: 5, onRetry: () => retries++ });
    await s.putIfAbsent('packs/popular', text('p'));
    await s.putIfAbsent('packs/other', text('o'));
    await s.get('packs/popular');
    await s.get('packs/popular');
    const e = await fail(s.get('packs/popular'));
    expect(e.code, e.message).toBe('Unavailable');
    expect(e.permanent).toBe(true);
    expect(e.message).toMatch(/downloadQuotaExceeded.*within 24 hours/);
    expect(retries).toBe(0);
    expect(Buffer.from(await s.get('packs/other')).toString()).toBe('o');
    clock.advance(DAY_MS);
    expect(Buffer.from(await s.get('packs/popular')).toString()).toBe('p');
  });

  it('a shared-drive content manager deletes by trashing (permanent deletion is refused)', async () => {
    const { emulator, rootUrl } = newEmulator({ contentManager: true });
    const s = await storageOn(emulator, rootUrl);
    await s.putIfAbsent('heads/x', text('x'));
    await s.delete!('heads/x');
    expect(emulator.files().find((f) => f.name === 'x')?.trashed).toBe(true);
    expect(isStorageError(await fail(s.get('heads/x')), 'NotFound')).toBe(true);
    expect(await listAll(await storageOn(emulator, rootUrl), 'heads/')).toEqual([]);
    expect(await s.putIfAbsent('heads/x', text('again'))).toBe('created');
  });

  it("another account's copy of a key cannot be deleted: a permission refusal on that file, not AuthFailed", async () => {
    const { emulator, rootUrl } = newEmulator();
    const s = await storageOn(emulator, rootUrl);
    await s.putIfAbsent('heads/x', text('x'));
    const folder = emulator.files().find((f) => f.name === 'heads')!;
    emulator.store.create({ name: 'x', parents: [folder.id], bytes: Buffer.from('x'), ownedByOther: true }); // a duplicate another account created
    const e = await fail(s.delete!('heads/x'));
    expect(e.code, e.message).toBe('Unavailable');
    expect(e.permanent).toBe(true);
    expect(e.message).toMatch(/insufficientFilePermissions.*another account/);
    expect(await s.list('heads/')).toMatchObject({ objects: [{ key: 'heads/x' }] }); // still there, and said so
  });

  it('a full library folder (500,000 items on Drive; 3 here) is NoSpace naming the cap, not AuthFailed', async () => {
    const { emulator, rootUrl } = newEmulator({ maxChildrenPerFolder: 3 });
    const s = await storageOn(emulator, rootUrl);
    for (const k of ['a', 'b', 'c']) expect(await s.putIfAbsent(k, text(k))).toBe('created'); // keys without a slash live in the library folder itself
    for (const k of ['d', 'packs/1']) {
      const e = await fail(s.putIfAbsent(k, text(k)));
      expect(e.code, e.message).toBe('NoSpace');
      expect(e.message).toMatch(/500,000 items/);
    }
  });
});
