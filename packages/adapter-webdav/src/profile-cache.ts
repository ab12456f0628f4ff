/**
 * The server probe costs about ten requests; a command-line sync runs in a new process each
 * time, so the measured profile is remembered per server (not a secret) in the credentials
 * folder, and a sync with nothing to do stays at two requests. Re-measured after 30 days, and
 * when the cached profile lacks something the probe now measures (a profile from an earlier
 * release has no `atomicPut`).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WEAKEST_PROFILE, type ServerProfile } from './server-profile.js';

const MAX_AGE_MS = 30 * 24 * 3600_000;
const FILE = 'webdav-servers.json';

type Cache = Record<string, { profile: ServerProfile; measuredAt: string }>;

async function load(dir: string): Promise<Cache> {
  try {
    return JSON.parse(await readFile(join(dir, FILE), 'utf8')) as Cache;
  } catch {
    return {};
  }
}

export async function cachedProfile(dir: string, server: string): Promise<ServerProfile | undefined> {
  const hit = (await load(dir))[server];
  if (!hit || Date.now() - Date.parse(hit.measuredAt) > MAX_AGE_MS) return undefined;
  const complete = Object.keys(WEAKEST_PROFILE).every((field) => typeof (hit.profile as unknown as Record<string, unknown>)[field] === 'boolean');
  return complete ? hit.profile : undefined;
}

export async function rememberProfile(dir: string, server: string, profile: ServerProfile): Promise<void> {
  if (!profile.measured) return;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const cache = await load(dir);
    cache[server] = { profile, measuredAt: new Date().toISOString() };
    const temp = join(dir, `${FILE}.${process.pid}.tmp`);
    await writeFile(temp, JSON.stringify(cache, null, 2), { mode: 0o600 });
    await rename(temp, join(dir, FILE));
  } catch {
    // a cache only: failing to write it costs a probe next time, nothing more
  }
}
