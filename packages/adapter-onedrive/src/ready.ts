/**
 * ready: resolves the drive and folder and, with atomicCreate 'auto', checks once that the
 * server honors conflictBehavior=fail before the storage claims atomic creates.
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from '@syncacross/sync-core';
import { where, type OneDriveContext } from './context.js';
import { folderName } from './names.js';

export async function ready(ctx: OneDriveContext, storage: Storage): Promise<void> {
  const { config, t } = ctx;
  await where(ctx);
  if (config.atomicCreate !== 'auto' || ctx.probeNote !== undefined) return;
  // Field reports say conflictBehavior=fail is not always honored: check before claiming it.
  const key = `.syncacross-probe/${randomUUID()}`;
  await storage.putIfAbsent(key, Buffer.from('first'));
  const second = await storage.putIfAbsent(key, Buffer.from('second'));
  const kept = Buffer.from(await storage.get(key)).toString();
  const honored = second === 'exists' && kept === 'first';
  await storage.delete!(key);
  const { basePath } = await where(ctx);
  await t.run('remove probe folder', (c) => c.api(`${basePath}:/${encodeURIComponent(folderName('.syncacross-probe'))}`).delete()).catch(() => undefined);
  if (!honored) {
    ctx.capabilities.atomicCreate = false;
    ctx.probeNote = `${config.name}: the server ignored conflictBehavior=fail (a second create replaced the file): atomic create is off, creates check first`;
    config.log?.(ctx.probeNote);
  } else ctx.probeNote = `${config.name}: conflictBehavior=fail is honored`;
}
