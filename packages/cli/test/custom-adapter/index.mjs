/**
 * A custom syncacross adapter, written from packages/cli/README.md ("Writing your own adapter")
 * alone, with no import from syncacross: the CLI checks errors by their `code`, and the options
 * schema only needs `safeParse`. Every object is one file in `<dir>/objects/`, named by the
 * URL-encoded key; a create is a hard link, so two racing creates cannot both win.
 *
 * Test knobs (real adapters have their own reasons for these errors):
 *  - token (secret): must equal the content of `<dir>/token` when that file exists → AuthFailed
 *  - quotaBytes: total bytes the folder may hold → NoSpace
 *  - delayMs: every request waits this long (a slow network)
 *  - holdFile: while this file exists, every request waits, and says so by creating
 *    `<holdFile>.waiting` (a test holds a sync mid-round, acts, then deletes the file: events, not
 *    sleeps)
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const storageError = (code, message) => Object.assign(new Error(message), { name: 'StorageError', code });

const FIELDS = { dir: 'string', token: 'string', quotaBytes: 'number', delayMs: 'number', holdFile: 'string', createDir: 'boolean' };

/** Anything with safeParse works as a schema; this one is hand-rolled to need no dependency. */
const optionsSchema = {
  safeParse(input) {
    const issues = [];
    if (typeof input !== 'object' || input === null) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    for (const [key, value] of Object.entries(input)) {
      if (!(key in FIELDS)) issues.push({ path: [key], message: 'unknown option' });
      else if (typeof value !== FIELDS[key]) issues.push({ path: [key], message: `expected a ${FIELDS[key]}, got ${typeof value}` });
    }
    if (typeof input.dir !== 'string') issues.push({ path: ['dir'], message: 'required' });
    return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data: { delayMs: 0, createDir: false, ...input } };
  },
};

async function createStorage(options) {
  const root = resolve(options.dir);
  const objects = join(root, 'objects');
  if (options.createDir) await mkdir(objects, { recursive: true });
  const pause = () => new Promise((r) => setTimeout(r, options.delayMs));

  async function hold() {
    if (options.holdFile === undefined || !existsSync(options.holdFile)) return;
    await writeFile(`${options.holdFile}.waiting`, '');
    while (existsSync(options.holdFile)) await new Promise((r) => setTimeout(r, 20));
  }

  async function check() {
    await hold();
    if (options.delayMs > 0) await pause();
    try {
      await stat(objects);
    } catch {
      throw storageError('Unavailable', `flatdir: ${root} is not reachable`);
    }
    const expected = await readFile(join(root, 'token'), 'utf8').catch(() => undefined);
    if (expected !== undefined && expected.trim() !== options.token) throw storageError('AuthFailed', 'flatdir: the token was refused');
  }
  const fileOf = (key) => join(objects, encodeURIComponent(key).replace(/\./g, '%2E').replace(/\*/g, '%2A'));

  async function usedBytes() {
    let total = 0;
    for (const name of await readdir(objects)) if (!name.startsWith('tmp-')) total += (await stat(join(objects, name))).size;
    return total;
  }

  return {
    name: `flatdir:${root}`,
    capabilities: { atomicCreate: true, compareAndSwap: false, rangedGet: false, consistentListing: true, delete: true, maxObjectSize: 1 << 30, caseInsensitiveNames: false, sortedListing: true },
    async putIfAbsent(key, bytes) {
      await check();
      if (options.quotaBytes !== undefined && (await usedBytes()) + bytes.byteLength > options.quotaBytes) {
        throw storageError('NoSpace', `flatdir: quota of ${options.quotaBytes} bytes reached`);
      }
      const tmp = join(objects, `tmp-${randomBytes(8).toString('hex')}`);
      await writeFile(tmp, bytes);
      try {
        await link(tmp, fileOf(key));
        return 'created';
      } catch (e) {
        if (e.code === 'EEXIST') return 'exists';
        throw storageError('Unavailable', `flatdir: ${e.message}`);
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
    },
    async get(key, opts) {
      await check();
      let bytes;
      try {
        bytes = new Uint8Array(await readFile(fileOf(key)));
      } catch (e) {
        throw e.code === 'ENOENT' ? storageError('NotFound', `flatdir: no ${key}`) : storageError('Unavailable', e.message);
      }
      return opts?.range ? bytes.slice(opts.range.offset, opts.range.offset + opts.range.length) : bytes;
    },
    async list(prefix, opts = {}) {
      await check();
      const after = opts.cursor ?? opts.startAfter ?? '';
      const keys = (await readdir(objects))
        .filter((n) => !n.startsWith('tmp-'))
        .map((n) => decodeURIComponent(n))
        .filter((k) => k.startsWith(prefix) && k > after)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const page = keys.slice(0, opts.pageSize ?? 1000);
      const infos = await Promise.all(page.map(async (key) => ({ key, size: (await stat(fileOf(key))).size })));
      return page.length < keys.length ? { objects: infos, cursor: page[page.length - 1] } : { objects: infos };
    },
    async delete(key) {
      await check();
      await unlink(fileOf(key)).catch((e) => (e.code === 'ENOENT' ? undefined : Promise.reject(storageError('Unavailable', e.message))));
    },
  };
}

export default {
  name: 'flatdir',
  description: 'one file per object in a flat folder (a test adapter written from the README)',
  optionsSchema,
  secretOptions: ['token'],
  parseLocation: (location) => ({ dir: resolve(location) }),
  create: (options) => createStorage(options),
};
