/**
 * For the tests that SQLite connections keep small page caches (a copy of a large database, the
 * state): a large database, and how far a step raises this process's peak RSS. Linux only
 * (/proc). Each test file runs in a process of its own (vitest's `forks` pool), so one step per
 * file is measured alone.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect } from 'vitest';

export const MB = 1024 * 1024;
export const ROWS = 12_000;
const dirs: string[] = [];

export async function cleanupDatabases(): Promise<void> {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
}

/**
 * A folder holding `library.sqlite`, 48 MB (ROWS rows of 4,000 random bytes). Written by another
 * process: written here, this one's malloc would keep the writer's page cache, which the step
 * measured would then reuse unseen.
 */
export async function folderWithLargeDatabase(): Promise<{ dir: string; database: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'syncacross-sqlite-copy-'));
  dirs.push(dir);
  const database = join(dir, 'library.sqlite');
  const write = `const db = new (require('better-sqlite3'))(${JSON.stringify(database)});
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB)');
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    db.transaction(() => { for (let i = 0; i < ${ROWS}; i++) insert.run(require('node:crypto').randomBytes(4000)); })();
    db.close();`;
  const made = spawnSync(process.execPath, ['-e', write], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  return { dir, database };
}

/** How far `step` raises this process's peak RSS above its RSS before it (writing 5 to clear_refs resets VmHWM). */
export async function peakRise(step: () => Promise<void>): Promise<number> {
  writeFileSync('/proc/self/clear_refs', '5');
  const before = memory('VmRSS');
  await step();
  return memory('VmHWM') - before;
}

function memory(field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
}

export function rowsIn(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
