// A deterministic library: small text/JSON notes, incompressible attachments, and a SQLite
// database with an index on a random UUID column; plus the standard mutation.
import { createCipheriv } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A seeded stream of incompressible bytes (AES-CTR over zeros). */
export function seededBytes(seed, label) {
  const key = Buffer.alloc(16);
  key.write(`${seed}:${label}`.slice(0, 16));
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

export function seededInt(seed, label) {
  const bytes = seededBytes(seed, `int:${label}`);
  return (n) => bytes(4).readUInt32LE(0) % n;
}

const WORDS = 'library note reference paper sync merge conflict version chunk pack segment writer node remote local folder database page index query author year journal title abstract'.split(' ');

function text(int, size) {
  const parts = [];
  let len = 0;
  while (len < size) {
    const w = WORDS[int(WORDS.length)];
    parts.push(w);
    len += w.length + 1;
  }
  return parts.join(' ').slice(0, size);
}

export function generateLibrary(dir, { scale = 1, seed = 1, smallFiles = 5000, attachments = 300, rows = 300_000 } = {}) {
  const int = seededInt(seed, 'lib');
  const rnd = seededBytes(seed, 'attachments');
  mkdirSync(dir, { recursive: true });
  const nSmall = Math.round(smallFiles * scale);
  for (let i = 0; i < nSmall; i++) {
    const folder = join(dir, 'notes', String(Math.floor(i / 100)).padStart(3, '0'));
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    const size = 1024 + int(49 * 1024);
    const body = i % 2 ? JSON.stringify({ id: i, title: text(int, 40), body: text(int, size) }) : text(int, size);
    writeFileSync(join(folder, `n${String(i).padStart(6, '0')}.${i % 2 ? 'json' : 'md'}`), body);
  }
  mkdirSync(join(dir, 'attachments'), { recursive: true });
  for (let i = 0; i < Math.round(attachments * scale); i++) {
    const size = 200 * 1024 + int(4800 * 1024);
    writeFileSync(join(dir, 'attachments', `a${String(i).padStart(4, '0')}.bin`), rnd(size));
  }
  const db = new Database(join(dir, 'library.sqlite'));
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, title TEXT, body TEXT); CREATE INDEX items_uuid ON items(uuid);');
  const ins = db.prepare('INSERT INTO items (uuid, title, body) VALUES (?, ?, ?)');
  const uuid = seededBytes(seed, 'uuid');
  db.transaction(() => {
    for (let i = 0; i < Math.round(rows * scale); i++) ins.run(uuid(16).toString('hex'), text(int, 30), text(int, 120));
  })();
  db.close();
  ageFiles(dir);
  return { smallFiles: nSmall };
}

/** Change 1 small file, add 10, delete 5, rename 3, insert 1,000 rows into the database. */
export function mutateLibrary(dir, { seed = 1 } = {}) {
  const int = seededInt(seed, 'mutation');
  const note = (i) => join(dir, 'notes', String(Math.floor(i / 100)).padStart(3, '0'), `n${String(i).padStart(6, '0')}.${i % 2 ? 'json' : 'md'}`);
  appendFileSync(note(0), ' edited');
  mkdirSync(join(dir, 'notes', 'new'), { recursive: true });
  for (let i = 0; i < 10; i++) writeFileSync(join(dir, 'notes', 'new', `added-${i}.md`), text(int, 2048 + int(8192)));
  for (let i = 1; i <= 5; i++) rmSync(note(i));
  for (let i = 6; i <= 8; i++) renameSync(note(i), `${note(i)}.renamed`);
  const db = new Database(join(dir, 'library.sqlite'));
  const ins = db.prepare('INSERT INTO items (uuid, title, body) VALUES (?, ?, ?)');
  const uuid = seededBytes(seed, 'uuid-mutation');
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) ins.run(uuid(16).toString('hex'), text(int, 30), text(int, 120));
  })();
  db.close();
}

/** Many tiny files, for the scaling run. */
export function generateSmallFiles(dir, count, seed = 1) {
  const int = seededInt(seed, `small-${count}`);
  for (let i = 0; i < count; i++) {
    const folder = join(dir, String(Math.floor(i / 500)).padStart(4, '0'));
    if (i % 500 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${i}.txt`), text(int, 200 + int(1800)));
  }
  ageFiles(dir);
}

/** Dates every file an hour back, as a library that was not just written (copies keep the dates). */
export function ageFiles(dir) {
  const then = new Date(Date.now() - 3600_000);
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) utimesSync(join(e.parentPath ?? e.path, e.name), then, then);
}
