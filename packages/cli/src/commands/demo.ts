/**
 * `syncacross demo [DIR]`: two nodes, alice and bob, sync a sample library through a local
 * folder remote, edit the same file concurrently, and end up with the same files, the losing
 * edit kept as a conflict copy. Uses the same code paths as init and sync.
 */
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { withLibrary } from '../library-session.js';
import { Output } from '../output.js';
import { initLibrary } from './init.js';

const SAMPLE: Record<string, string> = {
  'README.md': '# Our shared notes\n\nSynced with syncacross.\n',
  'notes/todo.md': '- buy milk\n- fix the bike\n',
  'notes/old-plan.md': 'an outdated plan\n',
  'recipes/pancakes.txt': 'flour, milk, eggs\n',
};

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name === '.syncacross') continue;
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split('\\').join('/'));
    }
  }
  await walk(dir);
  return out.sort();
}

async function write(dir: string, path: string, text: string): Promise<void> {
  await mkdir(join(dir, path, '..'), { recursive: true });
  await writeFile(join(dir, path), text);
}

export async function demoCommand(dirArg: string | undefined, out: Output): Promise<number> {
  const started = Date.now();
  const base = dirArg ? resolve(dirArg) : await mkdtemp(join(tmpdir(), 'syncacross-demo-'));
  const remote = join(base, 'remote');
  const alice = join(base, 'alice');
  const bob = join(base, 'bob');
  for (const d of [remote, alice, bob]) await rm(d, { recursive: true, force: true });
  const quiet = new Output({ quiet: true });
  const sync = async (dir: string, who: string) => {
    const s = await withLibrary(dir, quiet, { online: true, stableAfterMs: 0 }, ({ library }) => library.sync());
    out.info(`  ${who} synced: sent ${s.uploaded.versions} versions, received ${s.downloaded.files} files, ${s.totalRequests} requests`);
    return s;
  };

  out.info(`demo folder: ${base}\n`);
  out.info('1. alice creates a library with a few files and a repository in a local folder remote');
  for (const [path, text] of Object.entries(SAMPLE)) await write(alice, path, text);
  await initLibrary({ dir: alice, remote: `fs:${remote}`, options: ['createRoot=true'], name: 'alice' }, quiet);
  await sync(alice, 'alice');

  out.info('2. bob joins the same remote from an empty folder');
  await initLibrary({ dir: bob, remote: `fs:${remote}`, name: 'bob' }, quiet);
  await sync(bob, 'bob');

  out.info('3. both edit notes/todo.md at the same time; bob adds a file, alice deletes one');
  await write(alice, 'notes/todo.md', '- buy milk\n- fix the bike\n- call grandma (alice)\n');
  await write(bob, 'notes/todo.md', '- buy oat milk (bob)\n- fix the bike\n');
  await write(bob, 'notes/ideas.md', 'a garden on the roof\n');
  await rm(join(alice, 'notes/old-plan.md'));
  await sync(alice, 'alice');
  await sync(bob, 'bob');
  const last = await sync(alice, 'alice');

  out.info('\n4. the result: both folders hold the same files, and neither edit was lost');
  const aliceFiles = await listFiles(alice);
  const bobFiles = await listFiles(bob);
  for (const f of aliceFiles) out.info(`  ${f}`);
  out.info(`  (bob's folder is ${JSON.stringify(aliceFiles) === JSON.stringify(bobFiles) ? 'identical' : 'DIFFERENT: ' + bobFiles.join(', ')})`);
  const copy = last.conflicts[0];
  if (copy) {
    out.info(`\n  notes/todo.md kept one edit; the other is in the conflict copy ${copy}:`);
    out.info(`    notes/todo.md: ${JSON.stringify(await readFile(join(alice, 'notes/todo.md'), 'utf8'))}`);
    out.info(`    ${copy}: ${JSON.stringify(await readFile(join(alice, copy), 'utf8'))}`);
  }
  out.info(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)}s. Try:`);
  out.info(`  syncacross status ${alice}`);
  out.info(`  syncacross conflicts ${alice}`);
  out.info(`  syncacross log -d ${alice} notes/todo.md`);
  out.result({ command: 'demo', folder: base, remote, nodes: [alice, bob], files: aliceFiles, conflicts: last.conflicts, identical: JSON.stringify(aliceFiles) === JSON.stringify(bobFiles) });
  return 0;
}
