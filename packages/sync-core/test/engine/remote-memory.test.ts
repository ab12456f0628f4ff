/**
 * Peak memory while decoding a remote segment stays under 200 MB whatever the bytes: a gzip bomb,
 * valid JSON padded to hundreds of MB, millions of versions, or millions of tiny JSON values are
 * refused cheaply. Each decode runs in its own process (the engine's source, bundled), whose
 * peak resident memory the OS reports.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, tempDir } from './helpers.js';

afterEach(cleanup);
const run = promisify(execFile);
const MB = 1024 * 1024;
const REPO = 'ab'.repeat(16);
const HEAD = `{"format":1,"repo":"${REPO}","writer":"evil.00000001","seq":1,"prev":null,"chunks":[],"versions":[`;
let child: string;
let childDir: string;

beforeAll(async () => {
  const dir = (childDir = await mkdtemp(join(tmpdir(), 'syncacross-decode-')));
  child = join(dir, 'decode-child.mjs');
  const segment = fileURLToPath(new URL('../../src/engine/segment.ts', import.meta.url));
  const contents = `
    import { readFileSync } from 'node:fs';
    import { createHash } from 'node:crypto';
    import { decodeSegment, parseSegmentKey } from ${JSON.stringify(segment)};
    const bytes = readFileSync(process.argv[2]);
    const key = parseSegmentKey('log/evil.00000001/0000000001-' + createHash('sha256').update(bytes).digest('hex').slice(0, 16));
    let outcome;
    try { outcome = { versions: decodeSegment(key, bytes, () => true).versions.length }; } catch (e) { outcome = { error: e.message }; }
    process.stdout.write(JSON.stringify({ ...outcome, peakMB: process.resourceUsage().maxRSS / 1024 }));`;
  await build({ stdin: { contents, resolveDir: dir, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile: child, logLevel: 'error' });
});

afterAll(async () => {
  if (childDir) await rm(childDir, { recursive: true, force: true });
});

/** gzip members concatenated decompress as one stream: a huge input costs little to make. */
function members(parts: (string | { repeat: string; times: number })[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    if (typeof p === 'string') out.push(gzipSync(p));
    else {
      const one = gzipSync(p.repeat, { level: 9 });
      for (let i = 0; i < p.times; i++) out.push(one);
    }
  }
  return Buffer.concat(out);
}

async function decodeInChild(bytes: Buffer): Promise<{ error?: string; versions?: number; peakMB: number }> {
  const file = join(await tempDir('syncacross-decode-in-'), 'segment.gz');
  await writeFile(file, bytes);
  const { stdout } = await run(process.execPath, [child, file], { maxBuffer: MB });
  const r = JSON.parse(stdout);
  console.log(`decoded: ${JSON.stringify(r)}`);
  return r;
}

const dirVersion = (i: number) => `{"path":"d${i}","parents":[],"hlc":1,"writer":"evil.00000001","kind":"dir","size":0,"mtime":0,"chunks":[]}`;

describe('decoding a segment costs bounded memory', () => {
  it('a 1.5 GB gzip bomb is refused at the decompression cap', async () => {
    const r = await decodeInChild(members([{ repeat: ' '.repeat(64 * MB), times: 24 }]));
    expect(r.error).toMatch(/decompresses to more than 25165824 bytes/);
    expect(r.peakMB).toBeLessThan(200);
  });

  it('valid JSON padded to 450 MB is refused at the decompression cap', async () => {
    const r = await decodeInChild(members([HEAD, { repeat: ' '.repeat(50 * MB), times: 9 }, ']}']));
    expect(r.error).toMatch(/decompresses to more than/);
    expect(r.peakMB).toBeLessThan(200);
  });

  it('2 million folder versions are refused', async () => {
    const block = Array.from({ length: 10_000 }, (_, i) => dirVersion(i)).join(',');
    const r = await decodeInChild(members([HEAD, block, { repeat: `,${block}`, times: 199 }, ']}']));
    expect(r.error).toMatch(/decompresses to more than|more than 20000 versions/);
    expect(r.peakMB).toBeLessThan(200);
  });

  it('20 MB of tiny JSON values is refused before parsing', async () => {
    const r = await decodeInChild(members([HEAD, '[]', { repeat: ',[]'.repeat(1024 * 1024), times: 7 }, ']}']));
    expect(r.error).toMatch(/more than 1000000 JSON values/);
    expect(r.peakMB).toBeLessThan(200);
  });

  it('the most objects the limits let through, each with a string, stays under the bound', async () => {
    // Two counted values per object: 499,001 objects, ~20 MB: just inside both caps.
    const r = await decodeInChild(members([HEAD, '{"a":"0123456789abcdef0123456789"}', { repeat: ',{"a":"0123456789abcdef0123456789"}'.repeat(1000), times: 499 }, ']}']));
    expect(r.error).toMatch(/versions/);
    expect(r.peakMB).toBeLessThan(200);
  });

  it('an honest segment at the version limit is accepted, within the same bound', async () => {
    const versions = Array.from({ length: 20_000 }, (_, i) => dirVersion(i)).join(',');
    const r = await decodeInChild(gzipSync(`${HEAD}${versions}]}`));
    expect(r).toMatchObject({ versions: 20_000 });
    expect(r.peakMB).toBeLessThan(200);
  });
});
