/**
 * The retry wrapper retries what can recover (timeouts, resets, refused connections, 5xx, 429)
 * and gives up at once on what cannot (a missing folder, a host name that does not resolve, a
 * 4xx): eight retries of those only delay the message that says what to do.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '@syncacross/sync-core/testing';
import { isPermanentHttpStatus, isTransient, StorageError, withRetry, type Storage } from '../src/index.js';

/** A storage whose list() fails with `error` every time, counting the calls. */
function failing(error: unknown): { storage: Storage; calls: () => number } {
  const inner = createMemoryStorage();
  let calls = 0;
  return {
    storage: {
      ...inner,
      list: async () => {
        calls++;
        throw error;
      },
    },
    calls: () => calls,
  };
}

const fetchFailed = (code: string) =>
  new StorageError('Unavailable', `network: ${code}`, {
    cause: Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`getaddrinfo ${code} x.invalid`), { code, syscall: 'getaddrinfo' }) }),
  });

async function attempts(error: unknown): Promise<number> {
  const { storage, calls } = failing(error);
  const retrying = withRetry(storage, { retries: 3, sleep: async () => undefined });
  await expect(retrying.list('log/')).rejects.toBe(error);
  return calls();
}

describe('what the retry wrapper retries', () => {
  it('retries what may recover: an unknown outcome, a reset or refused connection, throttling', async () => {
    expect(await attempts(new StorageError('Unavailable', 'HTTP 503'))).toBe(4);
    expect(await attempts(new StorageError('Unavailable', 'reset', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }))).toBe(4);
    expect(await attempts(fetchFailed('EAI_AGAIN'))).toBe(4); // a resolver that timed out may answer next time
    expect(await attempts(new StorageError('RateLimited', 'HTTP 429', { retryAfterMs: 1 }))).toBe(4);
  });

  it('does not retry what cannot recover: a permanent answer, or a host name that does not resolve', async () => {
    expect(await attempts(new StorageError('Unavailable', 'the folder /missing is not reachable', { permanent: true }))).toBe(1);
    expect(await attempts(fetchFailed('ENOTFOUND'))).toBe(1);
    expect(await attempts(new StorageError('AuthFailed', 'HTTP 401'))).toBe(1);
    expect(isTransient(fetchFailed('ENOTFOUND'))).toBe(false);
  });

  it('a 4xx is permanent, except a timeout and throttling', () => {
    for (const s of [400, 404, 405, 409, 410, 422]) expect(isPermanentHttpStatus(s), String(s)).toBe(true);
    for (const s of [408, 425, 429, 500, 502, 503, 504, 200]) expect(isPermanentHttpStatus(s), String(s)).toBe(false);
  });
});
