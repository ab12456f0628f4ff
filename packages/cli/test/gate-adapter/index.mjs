/**
 * A test adapter that holds a real command at a chosen request, deterministically: the fs
 * adapter, except that
 * - while `<root>.hold` exists, uploading a segment (a `log/` key) waits;
 * - while `<root>.hold-manifest` exists, uploading a checkpoint manifest (`checkpoints/`) waits;
 * - while `<root>.hold-delete` exists, holding a number N, the deletes after the first N wait;
 * - while `<root>.strand` exists, uploading a segment returns a promise that never settles and
 *   holds nothing open (an adapter or SDK that drops a callback): the process runs out of work;
 * each wait first creates `<root>.held` to say so. The command then owns the library; remove the hold
 * file and it finishes, or kill it there. An abort (Ctrl-C) ends the wait with the error an HTTP
 * adapter gives for a request cut short: Unavailable, not the engine's own "aborted".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import fs from '@syncacross/adapter-fs';

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

export default {
  ...fs,
  name: 'gate',
  description: 'the fs adapter, holding segment uploads, manifest uploads or deletes while a hold file exists (tests only)',
  async create(options, context) {
    const inner = await fs.create(options, context);
    const hold = async (file) => {
      writeFileSync(`${options.root}.held`, String(process.pid));
      while (existsSync(file)) {
        if (context.signal?.aborted) throw Object.assign(new Error('gate: request aborted'), { name: 'StorageError', code: 'Unavailable' });
        await pause(50);
      }
    };
    let deletes = 0;
    return {
      ...inner,
      name: `gate:${options.root}`,
      async putIfAbsent(key, bytes) {
        if (key.startsWith('log/') && existsSync(`${options.root}.strand`)) await new Promise(() => {});
        if (key.startsWith('log/') && existsSync(`${options.root}.hold`)) await hold(`${options.root}.hold`);
        if (key.startsWith('checkpoints/') && existsSync(`${options.root}.hold-manifest`)) await hold(`${options.root}.hold-manifest`);
        return inner.putIfAbsent(key, bytes);
      },
      async delete(key) {
        const after = `${options.root}.hold-delete`;
        if (!key.startsWith('clock/') && existsSync(after) && deletes++ >= Number(readFileSync(after, 'utf8'))) await hold(after);
        return inner.delete(key);
      },
    };
  },
};
