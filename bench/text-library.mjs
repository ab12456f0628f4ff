// A library of large text files (`npm run bench -- --library text`): CSV logs of 2-5 MiB that
// compress about fourfold, the ground where restic's compression pays and where chunks are
// compressed and decompressed on the thread pool. The default library is mostly the opposite:
// incompressible attachments, small notes and database pages.
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ageFiles, seededInt } from './library.mjs';

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');
const FILES = 120;

/**
 * A seeded generator of integers below n, fast enough for millions of lines (a 32-bit linear
 * congruential one; library.mjs's `seededInt` runs a cipher per number).
 */
function fastInt(seed) {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

/** `size` bytes or a little more of CSV lines: an id, a line number, a reading, two words, a time. */
function csv(int, file, size) {
  const lines = [];
  for (let n = 0, i = 0; n < size; i++) {
    const line = `${file},${i},${int(1_000_000)}.${int(1000)},${WORDS[int(WORDS.length)]} ${WORDS[int(WORDS.length)]},${new Date(1.7e12 + i * 1000).toISOString()}\n`;
    lines.push(line);
    n += line.length;
  }
  return lines.join('');
}

const path = (dir, i) => join(dir, `d${i % 6}`, `log-${i}.csv`);

/**
 * 120 × scale CSV files of 2-5 MiB in six folders (424.5 MiB at scale 1); at least three, the
 * files the mutation edits, deletes and renames.
 */
export function generateTextLibrary(dir, { scale = 1, seed = 1 } = {}) {
  const int = fastInt(seededInt(seed, 'text')(2 ** 31));
  for (let i = 0; i < Math.max(3, Math.round(FILES * scale)); i++) {
    mkdirSync(join(dir, `d${i % 6}`), { recursive: true });
    writeFileSync(path(dir, i), csv(int, i, (2 + int(3000) / 1000) * 1024 * 1024));
  }
  ageFiles(dir);
  return { smallFiles: 0 };
}

/** Lines appended to one file, one file added, one deleted, one renamed. */
export function mutateTextLibrary(dir, { seed = 1 } = {}) {
  const int = fastInt(seededInt(seed, 'text-mutation')(2 ** 31));
  appendFileSync(path(dir, 0), csv(int, 0, 64 * 1024));
  writeFileSync(join(dir, 'd0', 'log-new.csv'), csv(int, 999, 1024 * 1024));
  rmSync(path(dir, 1));
  renameSync(path(dir, 2), `${path(dir, 2)}.old`);
}
