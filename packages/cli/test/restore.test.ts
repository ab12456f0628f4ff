/**
 * `syncacross ls` and `syncacross restore` as a user runs them: real CLI processes over a folder
 * remote. Past states come back byte for byte, into another folder or in place (then synced to
 * the other node, the replaced version kept in history), and a fresh machine rebuilds the
 * library from the remote alone, then joins it without sending its content again.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

async function library(files: Record<string, string>) {
  const base = await tempDir();
  const dir = join(base, 'lib');
  const remote = join(base, 'remote');
  await writeFiles(dir, files);
  expect((await run(['init', dir, '--remote', `fs:${remote}`, '-o', 'createRoot=true'])).code).toBe(0);
  expect((await run(['sync', dir, ...FAST])).code).toBe(0);
  return { base, dir, remote };
}

async function sync(dir: string) {
  const r = await run(['sync', dir, ...FAST]);
  expect(r.code, r.stderr).toBe(0);
}

describe('restore and ls from the command line', () => {
  it('each of three edits comes back by its time and by its version id; --json matches the schema', async () => {
    const { base, dir } = await library({ 'notes.md': 'one\n' });
    for (const text of ['two, longer\n', 'three\n']) {
      await writeFile(join(dir, 'notes.md'), text);
      await sync(dir);
    }
    const log = (await runJson(['log', '-d', dir, 'notes.md'])).json as { entries: { hash: string; time: string }[] };
    expect(log.entries).toHaveLength(3);
    for (const [i, text] of ['one\n', 'two, longer\n', 'three\n'].entries()) {
      const byTime = join(base, `at-${i}`);
      const r = await runJson(['restore', 'notes.md', '--at', log.entries[i]!.time, '--to', byTime, '-d', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(checkJsonSchema(schema.$defs.restore!, r.json)).toEqual([]);
      expect(await readFile(join(byTime, 'notes.md'), 'utf8')).toBe(text);
      const byId = join(base, `id-${i}`);
      expect((await run(['restore', 'notes.md', '--at', log.entries[i]!.hash.slice(0, 12), '--to', byId, '-d', dir])).code).toBe(0);
      expect(await readFile(join(byId, 'notes.md'), 'utf8')).toBe(text);
    }
    const ls = await runJson(['ls', '-d', dir, '--at', log.entries[0]!.hash.slice(0, 12)]);
    expect(checkJsonSchema(schema.$defs.ls!, ls.json)).toEqual([]);
    expect(ls.json.entries.map((e: { path: string; size: number }) => [e.path, e.size])).toEqual([['notes.md', 4]]);
  });

  // Each refusal named its file in its reason, so none shared one: a folder restored over 30 edits printed 30 lines.
  it('in place over many edits: the first ten refused are named, the rest counted (-v names them all)', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`notes/${String(i).padStart(2, '0')}.md`] = `note ${i}\n`;
    const { dir } = await library(files);
    for (const path of Object.keys(files)) await writeFile(join(dir, path), 'edited, not synced yet\n');
    for (const dry of [['--dry-run'], []]) {
      // the dry run first: the restore syncs the edits after
      const r = await run(['restore', 'notes', '--in-place', '-d', dir, ...dry]);
      expect(r.code, r.stderr).toBe(8);
      const said = dry.length > 0 ? 'would not restore' : 'not restored';
      expect(r.stderr.match(new RegExp(`${said}: notes/\\d+\\.md: changed since the last sync: sync first, then restore`, 'g'))).toHaveLength(10);
      expect(r.stderr).toContain(`${said}: 20 more paths (-v names them): changed since the last sync: sync first, then restore`);
    }
    for (const path of Object.keys(files)) await writeFile(join(dir, path), 'edited again\n');
    expect((await run(['restore', 'notes', '--in-place', '-v', '-d', dir])).stderr.match(/not restored: notes\/\d+\.md/g)).toHaveLength(30);
  });

  it("content the remote lost: taken from this library's files and said; with no file holding it, named a few and counted with what to do, which works", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`notes/${String(i).padStart(2, '0')}.md`] = `note ${i}\n`;
    const { base, dir, remote } = await library(files);
    const loseEveryPack = async () => {
      for (const pack of await readdir(join(remote, 'packs'))) await rm(join(remote, 'packs', pack));
    };
    await loseEveryPack();
    // This library's files hold the content: the restore is whole, but the remote's loss is said (exit 8).
    const fromHere = await runJson(['restore', '--to', join(base, 'here'), '-d', dir]);
    expect(fromHere.code, fromHere.stderr).toBe(8);
    expect(fromHere.json).toMatchObject({ exitCode: 8, failed: [], fromThisMachine: Object.keys(files) });
    expect(checkJsonSchema(schema.$defs.restore!, fromHere.json)).toEqual([]);
    expect(await readFile(join(base, 'here', 'notes/11.md'), 'utf8')).toBe('note 11\n');
    const said = await run(['restore', '--to', join(base, 'here2'), '-d', dir]);
    expect(said.code).toBe(8);
    expect(said.stderr).toContain('the remote could not give the content of 12 files (notes/00.md, notes/01.md, notes/02.md and 9 more): a lost or damaged pack');
    expect(said.stderr).toContain('`syncacross verify --repair` uploads it again');
    // No file here holds it (the folder moved aside, not synced): nothing of it is restored.
    await rename(join(dir, 'notes'), join(base, 'aside'));
    const lost = await run(['restore', '--to', join(base, 'out'), '-d', dir]);
    expect(lost.code, lost.stderr).toBe(8);
    expect(lost.stderr.match(/not restored: notes\/\d+\.md: could not read its content from the remote: a chunk of it in packs\/\S+ is missing from the remote/g)).toHaveLength(10);
    expect(lost.stderr).toMatch(/not restored: 2 more paths \(-v names them\): could not read its content from the remote/);
    expect(lost.stderr).toContain('`syncacross verify --repair` there uploads it again');
    // The advice: on a machine whose files hold it (here, once they are back), verify --repair; then restore from the remote alone.
    await rename(join(base, 'aside'), join(dir, 'notes'));
    expect((await run(['verify', '--repair', dir])).code).toBe(0);
    const again = await runJson(['restore', '--to', join(base, 'again'), '-d', dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).not.toHaveProperty('fromThisMachine');
    expect(await readFile(join(base, 'again', 'notes/11.md'), 'utf8')).toBe('note 11\n');
  });

  // The restore in place found the remote without that content: its sync looks, finds the pack
  // lost, and uploads again what this machine holds, so a restore drill from the remote alone passes.
  it('in place, content the remote lost comes from this library and its sync puts it back on the remote', async () => {
    const { base, dir, remote } = await library({ 'notes/a.md': 'same\n', 'notes/b.md': 'same\n', 'c.md': 'c\n' });
    for (const pack of await readdir(join(remote, 'packs'))) await rm(join(remote, 'packs', pack));
    await rm(join(dir, 'notes/a.md'));
    const restored = await runJson(['restore', 'notes/a.md', '--in-place', '-d', dir, '--retries', '0']);
    expect(restored.code, restored.stderr).toBe(8);
    expect(restored.json).toMatchObject({ failed: [], fromThisMachine: ['notes/a.md'] });
    expect(checkJsonSchema(schema.$defs.restore!, restored.json)).toEqual([]);
    const said = restored.stderr;
    expect(said).toContain("this library's syncs now look for what the remote lost and upload it again from here");
    expect(said).toMatch(/the remote lost \d+ pack\(s\).*re-uploading what this node still has of them/);
    const drill = await runJson(['restore', '--remote', `fs:${remote}`, '--to', join(base, 'drill')]);
    expect(drill.code, drill.stderr).toBe(0);
    expect(await readFile(join(base, 'drill', 'notes/a.md'), 'utf8')).toBe('same\n');
    expect(await readFile(join(base, 'drill', 'c.md'), 'utf8')).toBe('c\n');
  });

  it('a deleted folder is listed with --deleted and restored in place; the other node gets it, history keeps the delete', async () => {
    const { base, dir, remote } = await library({ 'Photos/a.jpg': 'A', 'Photos/trip/b.jpg': 'B', 'keep.txt': 'k' });
    const other = join(base, 'other');
    expect((await run(['init', other, '--remote', `fs:${remote}`])).code).toBe(0);
    await sync(other);
    await rm(join(dir, 'Photos'), { recursive: true });
    await sync(dir);
    await sync(other);
    const listed = await run(['ls', '--deleted', '-d', dir]);
    expect(listed.stdout).toMatch(/Photos\/trip\/b\.jpg {2}\(deleted .* by /);
    const restored = await runJson(['restore', 'Photos', '--in-place', '-d', dir, '--retries', '0']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json).toMatchObject({ inPlace: true, undeleted: ['Photos'], failed: [] });
    expect(checkJsonSchema(schema.$defs.restore!, restored.json)).toEqual([]);
    await sync(other);
    expect(await readFile(join(other, 'Photos/trip/b.jpg'), 'utf8')).toBe('B');
    const history = (await runJson(['log', '-d', other, 'Photos/a.jpg'])).json.entries as { deleted: boolean; head: boolean }[];
    // The delete stays in history; the restored content is current (a new file beside a delete: add wins).
    expect(history.map((h) => h.deleted)).toEqual([false, true, false]);
    expect(history.at(-1)!.head).toBe(true);
  });

  it('usage errors: neither or both of --to and --in-place, a non-empty target, a time that cannot be read', async () => {
    const { base, dir } = await library({ 'a.md': 'a' });
    expect((await run(['restore', '-d', dir])).code).toBe(2);
    expect((await run(['restore', '-d', dir, '--to', join(base, 'x'), '--in-place'])).code).toBe(2);
    await writeFiles(join(base, 'full'), { 'mine.md': 'mine' });
    const full = await run(['restore', '-d', dir, '--to', join(base, 'full')]);
    expect([full.code, full.stderr]).toEqual([2, expect.stringMatching(/not empty.*\(--overwrite; a restore that was interrupted finishes so\)/)]);
    expect(await readFile(join(base, 'full', 'mine.md'), 'utf8')).toBe('mine');
    const bad = await run(['restore', '-d', dir, '--at', 'the day before', '--to', join(base, 'y')]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/cannot read "the day before" as a time/)]);
  });

  it('a moment before anything was synced restores nothing and says so, exit 8 (before: "Restored 0 entries", exit 0); ls says when history starts', async () => {
    const { base, dir, remote } = await library({ 'a.md': 'a' });
    for (const source of [
      ['-d', dir],
      ['--remote', `fs:${remote}`],
    ]) {
      const r = await run(['restore', ...source, '--at', '1 year ago', '--to', join(base, `early-${source[0]}`)]);
      expect(r.code, r.stderr).toBe(8);
      expect(r.stderr).toMatch(/syncacross: not restored: nothing was in the library at \S+: its history starts at \S+\n/);
    }
    const j = await runJson(['restore', '-d', dir, '--at', '1 year ago', '--to', join(base, 'early-json')]);
    expect(j.json).toMatchObject({ exitCode: 8, restored: [], failed: [{ path: '', code: 'NothingThen', reason: expect.stringMatching(/^nothing was in the library at /) }] });
    expect(checkJsonSchema(schema.$defs.restore!, j.json)).toEqual([]);
    // ls of that moment says the same; of a path never synced, that nothing of it is known.
    const ls = await run(['ls', '-d', dir, '--at', '1 year ago']);
    expect([ls.code, ls.stdout]).toEqual([0, expect.stringMatching(/^nothing at \S+ \(its history starts at \S+\)\n$/)]);
    expect((await run(['ls', 'never.md', '-d', dir])).stdout).toMatch(/^nothing at never\.md at \S+ \(no version of it is known\)\n$/);
  });
});

describe('restore on a machine with no library', () => {
  it('rebuilds the library from the remote, SQLite included; init then adopts it without sending its content again', async () => {
    const { base, dir, remote } = await library({ 'notes/a.md': 'a\n', 'b.md': 'b\n' });
    const db = new Database(join(dir, 'refs.sqlite'));
    db.exec('CREATE TABLE refs (id INTEGER PRIMARY KEY, title TEXT)');
    for (let i = 0; i < 500; i++) db.prepare('INSERT INTO refs (title) VALUES (?)').run(`paper ${i}`);
    db.close();
    await sync(dir);
    const fresh = join(base, 'fresh-machine', 'library');
    const r = await runJson(['restore', '--remote', `fs:${remote}`, '--to', fresh]);
    expect(r.code, r.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.restore!, r.json)).toEqual([]);
    for (const f of ['notes/a.md', 'b.md']) expect(await readFile(join(fresh, f), 'utf8')).toBe(await readFile(join(dir, f), 'utf8'));
    const check = new Database(join(fresh, 'refs.sqlite'), { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.prepare('SELECT count(*) AS n FROM refs').get()).toEqual({ n: 500 });
    check.close();
    expect((await run(['init', fresh, '--remote', `fs:${remote}`])).code).toBe(0);
    const joined = await runJson(['sync', fresh, ...FAST]);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.json).toMatchObject({ uploaded: { packs: 0, bytes: 0 }, downloaded: { bytes: 0 }, conflicts: [] });
  });

  it('one that was interrupted (some files written) is refused as not empty, naming --overwrite, which finishes it', async () => {
    const { base, dir, remote } = await library({ 'notes/a.md': 'a\n', 'b.md': 'b\n', 'c.md': 'c\n' });
    const target = join(base, 'fresh');
    await writeFiles(target, { 'notes/a.md': 'a\n' }); // what a restore stopped by Ctrl-C left: whole files, not all
    const again = await run(['restore', '--remote', `fs:${remote}`, '--to', target]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--overwrite; a restore that was interrupted finishes so');
    const finished = await run(['restore', '--remote', `fs:${remote}`, '--to', target, '--overwrite']);
    expect(finished.code, finished.stderr).toBe(0);
    for (const f of ['notes/a.md', 'b.md', 'c.md']) expect(await readFile(join(target, f), 'utf8')).toBe(await readFile(join(dir, f), 'utf8'));
  });

  it('refuses a remote that is not a syncacross repository', async () => {
    const base = await tempDir();
    await writeFiles(join(base, 'not-ours'), { 'x.txt': 'x' });
    const r = await run(['restore', '--remote', `fs:${join(base, 'not-ours')}`, '--to', join(base, 'out')]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/no syncacross repository/);
  });
});
