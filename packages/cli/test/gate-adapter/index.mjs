/**
 * A test adapter that holds a real sync mid-round, deterministically: the fs adapter, except
 * that while `<root>.hold` exists, uploading a segment (a `log/` key) waits, after creating
 * `<root>.held` to say so. The sync then owns the library and has journaled its segment; remove
 * the hold file and it finishes. An abort (Ctrl-C) ends the wait with the error an HTTP adapter
 * gives for a request cut short: Unavailable, not the engine's own "aborted".
 */
import { existsSync, writeFileSync } from 'node:fs';
import fs from '@syncacross/adapter-fs';

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

export default {
  ...fs,
  name: 'gate',
  description: 'the fs adapter, holding segment uploads while <root>.hold exists (tests only)',
  async create(options, context) {
    const inner = await fs.create(options, context);
    return {
      ...inner,
      name: `gate:${options.root}`,
      async putIfAbsent(key, bytes) {
        if (key.startsWith('log/') && existsSync(`${options.root}.hold`)) {
          writeFileSync(`${options.root}.held`, String(process.pid));
          while (existsSync(`${options.root}.hold`)) {
            if (context.signal?.aborted) throw Object.assign(new Error('gate: request aborted'), { name: 'StorageError', code: 'Unavailable' });
            await pause(50);
          }
        }
        return inner.putIfAbsent(key, bytes);
      },
    };
  },
};
