/**
 * The scan asks the built-in patterns only about paths that hold one of their marks
 * (`MAY_MATCH_BUILTIN`). That is safe only if the marks are a superset of what the patterns match:
 * checked here on paths made from every pattern, in every case of letters, at every depth, and
 * shown to catch a prefilter with any one mark missing. The rules built on it answer as the plain
 * gitignore engine does, with and without a library's own patterns.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ignore from 'ignore';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_IGNORES, loadPathRules, MAY_MATCH_BUILTIN } from '../../src/local/ignore-rules.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Names each built-in pattern matches (its `*` filled in), in three cases of letters, and plain names. */
function sampleNames(): string[] {
  const fill = (p: string) => p.replace(/\/$/, '').replaceAll('*', 'x');
  const matching = BUILTIN_IGNORES.flatMap((p) => [fill(p), fill(p).toUpperCase(), fill(p).replace(/[a-z]/, (c) => c.toUpperCase())]);
  const near = ['wal', 'x-wa', 'x.sw', 'x.swpp', 'journal.txt', '_x', 'x._y', 'trash-1', 'x.partial', 'lock#', 'syncacross', 'x.db'];
  return [...matching, ...near, 'notes.txt', 'a', 'Photos', 'ß.md'];
}

/** Paths of one to three names (built-in matches anywhere in them), as files and as folders. */
function samplePaths(): string[] {
  const names = sampleNames();
  const out: string[] = [];
  for (const a of names) {
    out.push(a, `${a}/`);
    for (const b of ['plain', names[(a.length * 7) % names.length]!]) out.push(`${a}/${b}`, `${b}/${a}`, `d/${b}/${a}/`, `${a}/${b}/f.txt`);
  }
  return out;
}

/** The paths the built-in patterns leave out that `prefilter` would let through unasked. */
function missedBy(prefilter: RegExp): string[] {
  const builtins = ignore().add(BUILTIN_IGNORES);
  return samplePaths().filter((p) => builtins.ignores(p) && !prefilter.test(p));
}

/** The prefilter's alternatives (split at `|` outside groups). */
function marks(re: RegExp): string[] {
  const out = [''];
  let depth = 0;
  for (const c of re.source) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === '|' && depth === 0) out.push('');
    else out[out.length - 1] += c;
  }
  return out;
}

describe('the built-in patterns prefilter', () => {
  it('lets through every path a built-in pattern leaves out', () => {
    const builtins = ignore().add(BUILTIN_IGNORES);
    expect(samplePaths().filter((p) => builtins.ignores(p)).length).toBeGreaterThan(500); // the check is not vacuous
    expect(missedBy(MAY_MATCH_BUILTIN)).toEqual([]);
  });

  it('catches a prefilter with any one of its marks missing', () => {
    const all = marks(MAY_MATCH_BUILTIN);
    expect(all.length).toBeGreaterThan(10);
    for (const dropped of all) {
      const broken = new RegExp(all.filter((m) => m !== dropped).join('|'), 'i');
      expect(missedBy(broken).length, `without ${dropped}`).toBeGreaterThan(0);
    }
  });

  it('the rules answer as the plain gitignore engine does, with and without the library own patterns', async () => {
    const shared = ['', '*.bak\n!keep.bak\n', '!*.part\nbuild/*\n!build/keep.txt\n# comment\n', '/notes.txt\nPhotos/\n!x.swp\n'];
    const excludes = [[], ['*.tmp', '!*-wal', 'a/']];
    for (const text of shared) {
      const dir = await mkdtemp(join(tmpdir(), 'prefilter-'));
      dirs.push(dir);
      if (text !== '') await writeFile(join(dir, '.syncacrossignore'), text);
      for (const exclude of excludes) {
        const rules = loadPathRules(dir, exclude);
        const always = ignore().add(['.syncacross/', '*.syncacross-tmp-*']);
        const all = ignore().add(BUILTIN_IGNORES).add(text).add(exclude);
        const sharedOnly = ignore().add(BUILTIN_IGNORES).add(text);
        for (const p of [...samplePaths(), 'keep.bak', 'a.bak', 'build/x', 'build/keep.txt', 'd/notes.txt', 'a/b.txt', 'x.tmp']) {
          expect(rules.ignores(p), `${JSON.stringify(text)} ${exclude.join(' ')}: ${p}`).toBe(always.ignores(p) || all.ignores(p));
          const excluded = exclude.length > 0 && !always.ignores(p) && all.ignores(p) && !sharedOnly.ignores(p);
          expect(rules.excludes(p), `excludes ${p}`).toBe(excluded);
        }
      }
    }
  });
});
