/**
 * Google's device flow (RFC 8628) against the emulator, on a fake clock: the client waits what the
 * server asks between polls (never less), adds 5 s after `slow_down`, and ends clearly on
 * `access_denied`, on expiry and on a scope the flow cannot grant; Ctrl-C (the signal) stops it.
 * The CLI test (packages/cli/test/auth-signin.test.ts) runs the same flow through the binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError } from '@syncacross/sync-core';
import { runDeviceFlow } from '@syncacross/adapter-gdrive';
import type { DriveEmulator } from '@syncacross/adapter-gdrive/emulator';
import { CLIENT_ID, CLIENT_SECRET, manualClock, mswServer, newEmulator } from './support/emulator.js';

beforeAll(() => mswServer.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => mswServer.close());

const FILE_SCOPE = 'https://www.googleapis.com/auth/drive.file';

/**
 * A device flow whose waits move the emulator's clock. `onWait(n)` runs at the n-th wait (the
 * person acting on their phone); `shortBy` makes the first wait end early, as if the server had
 * seen the poll too soon.
 */
function flow(options: { onWait?: (n: number, emulator: DriveEmulator, userCode: string) => void; shortBy?: number; scope?: string; signal?: AbortSignal } = {}) {
  const clock = manualClock();
  const { emulator, rootUrl } = newEmulator({ now: clock.now, deviceIntervalSeconds: 5, deviceCodeSeconds: 60 });
  const waits: number[] = [];
  const logs: string[] = [];
  let userCode = '';
  const result = runDeviceFlow({
    deviceCodeUrl: `${rootUrl}device/code`,
    tokenUrl: `${rootUrl}token`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scope: options.scope ?? FILE_SCOPE,
    signal: options.signal,
    log: (m) => {
      logs.push(m);
      userCode = /enter the code (\S+)/.exec(m)?.[1] ?? userCode;
    },
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(waits.length === 1 && options.shortBy ? ms - options.shortBy : ms);
      options.onWait?.(waits.length, emulator, userCode);
    },
  });
  return { result, waits, logs, emulator };
}

describe('gdrive device flow', () => {
  it('shows the address and code, polls at the interval the server asks, and returns the tokens once approved', async () => {
    const f = flow({ onWait: (n, emu, code) => n === 3 && expect(emu.oauth.devices.answer(code, 'approve')).toBe(true) });
    const tokens = await f.result;
    expect(f.logs[0]).toMatch(/^To sign in to Google Drive, open https:\/\/\S+\/device and enter the code [A-Z]{4}-[A-Z]{4} \(valid 1 minutes\)\.$/);
    expect(f.waits).toEqual([5000, 5000, 5000]);
    expect(f.emulator.oauth.devices.stats).toMatchObject({ polls: 3, slowDowns: 0 });
    expect(tokens.refreshToken).toMatch(/^1\/\/emu-/);
    expect(tokens.scope).toBe(FILE_SCOPE);
  });

  it('after slow_down it waits 5 s longer from then on', async () => {
    const f = flow({ shortBy: 1000, onWait: (n, emu, code) => n === 3 && emu.oauth.devices.answer(code, 'approve') });
    await f.result;
    expect(f.emulator.oauth.devices.stats.slowDowns).toBe(1);
    expect(f.waits).toEqual([5000, 10_000, 10_000]);
  });

  it('a denied request fails with AuthFailed saying so', async () => {
    const f = flow({ onWait: (n, emu, code) => n === 2 && emu.oauth.devices.answer(code, 'deny') });
    const e = await f.result.catch((x: unknown) => x);
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect((e as Error).message).toMatch(/access was denied/);
  });

  it('a code nobody enters expires: AuthFailed, after no more waiting than its lifetime', async () => {
    const f = flow();
    const e = await f.result.catch((x: unknown) => x);
    expect(isStorageError(e, 'AuthFailed')).toBe(true);
    expect((e as Error).message).toMatch(/device code expired/);
    expect(f.waits.reduce((a, b) => a + b, 0)).toBe(60_000);
  });

  it('the full drive scope is refused by Google for this flow: InvalidConfig naming the scopes it grants', async () => {
    const e = await flow({ scope: 'https://www.googleapis.com/auth/drive' }).result.catch((x: unknown) => x);
    expect(isStorageError(e, 'InvalidConfig')).toBe(true);
    expect((e as Error).message).toMatch(/only drive.file and drive.appdata/);
  });

  it('stops when the signal fires (Ctrl-C)', async () => {
    const abort = new AbortController();
    const f = flow({ signal: abort.signal, onWait: (n) => n === 2 && abort.abort(new Error('interrupted')) });
    await expect(f.result).rejects.toThrow('interrupted');
    expect(f.waits).toHaveLength(2);
  });
});
