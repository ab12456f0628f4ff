/** The shared HTTP status table: every HTTP adapter answers the same status the same way. */
import { describe, expect, it } from 'vitest';
import { isTransient } from '@syncacross/sync-core';
import { errorFromHttpStatus } from '@syncacross/sync-core/adapter-kit';

describe('errorFromHttpStatus', () => {
  const cases: [number, string | null, string, boolean][] = [
    [401, null, 'AuthFailed', false],
    [403, null, 'AuthFailed', false],
    [404, null, 'NotFound', false],
    [408, null, 'Unavailable', true],
    [409, null, 'Unavailable', false],
    [400, null, 'Unavailable', false],
    [412, null, 'PreconditionFailed', false],
    [413, null, 'TooLarge', false],
    [418, null, 'Unavailable', false],
    [429, null, 'RateLimited', true],
    [500, null, 'Unavailable', true],
    [501, null, 'NotSupported', false],
    [502, null, 'Unavailable', true],
    [503, null, 'Unavailable', true],
    [503, '3', 'RateLimited', true],
    [507, null, 'NoSpace', false],
    [302, null, 'Unavailable', true],
  ];
  it.each(cases)('HTTP %i (Retry-After %s) → %s, retried: %s', (status, retryAfter, code, retried) => {
    const error = errorFromHttpStatus(status, `get a: HTTP ${status}`, { retryAfter });
    expect(error).toMatchObject({ code, message: `get a: HTTP ${status}` });
    expect(isTransient(error)).toBe(retried);
  });

  it('passes the wait the server asked for, from the header or from the body', () => {
    expect(errorFromHttpStatus(429, 'x', { retryAfter: '7' }).retryAfterMs).toBe(7000);
    expect(errorFromHttpStatus(429, 'x', { retryAfter: new Date(10_000).toUTCString(), now: 4_000 }).retryAfterMs).toBe(6000);
    expect(errorFromHttpStatus(429, 'x', { retryAfterMs: 1500 }).retryAfterMs).toBe(1500);
    expect(errorFromHttpStatus(503, 'x', { retryAfterMs: 1500 })).toMatchObject({ code: 'RateLimited', retryAfterMs: 1500 });
    expect(errorFromHttpStatus(429, 'x').retryAfterMs).toBeUndefined();
  });

  it('lets an adapter override a status, with its own hint and retry decision', () => {
    const overrides = { 400: { code: 'InvalidConfig' as const, suffix: ': check the folder option' }, 423: { code: 'Unavailable' as const, permanent: false } };
    expect(errorFromHttpStatus(400, 'list', { overrides })).toMatchObject({ code: 'InvalidConfig', message: 'list: check the folder option' });
    expect(isTransient(errorFromHttpStatus(423, 'put', { overrides }))).toBe(true);
    expect(errorFromHttpStatus(404, 'get', { overrides }).code).toBe('NotFound');
  });

  it('keeps the cause', () => {
    const cause = new Error('socket');
    expect(errorFromHttpStatus(500, 'x', { cause }).cause).toBe(cause);
  });
});
