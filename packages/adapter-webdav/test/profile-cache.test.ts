import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedProfile, rememberProfile } from '../src/profile-cache.js';

let dir = '';
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the server profile is measured once per server, not per command', () => {
  it('remembers a measured profile and hands it back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'webdav-cache-'));
    const profile = { ifNoneMatch: true, moveNoOverwrite: true, strongEtags: true, moveIfMatch: true, atomicPut: true, measured: true };
    expect(await cachedProfile(dir, 'http://a|lib')).toBeUndefined();
    await rememberProfile(dir, 'http://a|lib', profile);
    expect(await cachedProfile(dir, 'http://a|lib')).toEqual(profile);
    expect(await cachedProfile(dir, 'http://b|lib')).toBeUndefined();
    expect(JSON.parse(await readFile(join(dir, 'webdav-servers.json'), 'utf8'))['http://a|lib'].profile).toEqual(profile);
  });

  it('never caches an assumed (unmeasured) profile', async () => {
    dir = await mkdtemp(join(tmpdir(), 'webdav-cache-'));
    await rememberProfile(dir, 's', { ifNoneMatch: false, moveNoOverwrite: false, strongEtags: false, moveIfMatch: false, atomicPut: false, measured: false });
    expect(await cachedProfile(dir, 's')).toBeUndefined();
  });

  it('measures again a profile cached by an earlier release, which lacks what the probe now measures', async () => {
    dir = await mkdtemp(join(tmpdir(), 'webdav-cache-'));
    const before = { ifNoneMatch: true, moveNoOverwrite: true, strongEtags: true, moveIfMatch: true, measured: true };
    await writeFile(join(dir, 'webdav-servers.json'), JSON.stringify({ s: { profile: before, measuredAt: new Date().toISOString() } }));
    expect(await cachedProfile(dir, 's')).toBeUndefined();
  });
});
