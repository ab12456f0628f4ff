/** Two machines on one folder remote, each with a few syncs of history (gc and upgrade tests). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FAST, run, tempDir, writeFiles } from './helpers.js';

/** Files under `prefix` of a folder remote. */
export const objects = (remote: string, prefix: string) => {
  try {
    return readdirSync(join(remote, prefix), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
};

export async function twoMachines(format?: string) {
  const base = await tempDir();
  const a = join(base, 'a');
  const b = join(base, 'b');
  const remote = join(base, 'remote');
  await writeFiles(a, { 'paper.pdf': 'p'.repeat(20_000), 'notes/a.md': 'a\n' });
  expect((await run(['init', a, '--remote', `fs:${remote}`, '-o', 'createRoot=true', ...(format ? ['--format', format] : [])])).code).toBe(0);
  expect((await run(['sync', a, ...FAST])).code).toBe(0);
  expect((await run(['init', b, '--remote', `fs:${remote}`])).code).toBe(0);
  for (let i = 0; i < 3; i++) {
    await writeFiles(a, { 'notes/a.md': `a ${i}\n` });
    expect((await run(['sync', a, ...FAST])).code).toBe(0);
    await writeFiles(b, { [`b-${i}.md`]: `b ${i}\n` });
    expect((await run(['sync', b, ...FAST])).code).toBe(0);
  }
  expect((await run(['sync', a, ...FAST])).code).toBe(0);
  return { base, a, b, remote };
}
