/**
 * ready: resolves the drive and folder and, with atomicCreate 'auto', checks once that the
 * server honors conflictBehavior=fail before the storage claims atomic creates: on simple PUTs
 * (small objects) AND on the path large objects take, so the capability the engine uses is the
 * one it will meet. OneDrive for Business has honored it on simple PUTs and ignored it in upload
 * sessions (https://github.com/microsoftgraph/microsoft-graph-docs/issues/3276): then large
 * creates are staged and renamed (put.ts), if renames are seen to honor it; else atomic create is off.
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from '@syncacross/sync-core';
import { itemPath, where, type OneDriveContext } from './context.js';
import { createSimple, createStaged, createWithSession, type CreateVia } from './put.js';

const PROBE_DIR = '.syncacross-probe';

/** Creates one probe key twice through `via` (in folder `dir`): honored when the second is refused and the first kept. */
async function honors(ctx: OneDriveContext, storage: Storage, via: CreateVia, dir: string): Promise<boolean> {
  const key = `${dir}/${randomUUID()}`;
  const p = await itemPath(ctx, key);
  await via(ctx, p, Buffer.from('first'));
  const second = await via(ctx, p, Buffer.from('second'));
  const kept = Buffer.from(await storage.get(key)).toString();
  await storage.delete!(key);
  return second === 'exists' && kept === 'first';
}

export async function ready(ctx: OneDriveContext, storage: Storage): Promise<void> {
  const { config, t } = ctx;
  await where(ctx);
  if (config.atomicCreate !== 'auto' || ctx.probeNote !== undefined) return;
  // Each probe in a folder of its own, removed after: with one shared folder, two machines
  // starting at once each removed it with the other's probe objects in it (a 404, and a failed
  // start, seen with two `watch` processes on the emulator).
  const dir = `${PROBE_DIR}-${randomUUID()}`;
  const simple = await honors(ctx, storage, createSimple, dir);
  const session = simple && (await honors(ctx, storage, createWithSession, dir));
  const staged = simple && !session && (await honors(ctx, storage, createStaged, dir));
  const { basePath, names } = await where(ctx);
  await t.run('remove probe folder', (c) => c.api(`${basePath}:/${encodeURIComponent(names.folderName(dir))}`).delete()).catch(() => undefined);
  if (!simple || (!session && !staged)) {
    ctx.capabilities.atomicCreate = false;
    const how = simple ? 'in upload sessions and renames' : '(a second create replaced the file)';
    ctx.probeNote = `${config.name}: the server ignored conflictBehavior=fail ${how}: atomic create is off, creates check first`;
    config.log?.(ctx.probeNote);
  } else if (staged) {
    ctx.largeCreates = 'staged';
    ctx.probeNote = `${config.name}: conflictBehavior=fail is honored on simple PUTs and renames but ignored in upload sessions: large objects are uploaded under a staging name, then renamed`;
    config.log?.(ctx.probeNote);
  } else ctx.probeNote = `${config.name}: conflictBehavior=fail is honored on simple PUTs and upload sessions`;
}
