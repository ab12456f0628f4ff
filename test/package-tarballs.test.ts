/**
 * What `npm pack` would publish for each package: the license (the repository's, word for word),
 * the README, and the built entry points, with the license declared in package.json. Uses npm's
 * own file selection (`npm pack --dry-run --json`), so a `files` list that drops something fails here.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
const packages = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('package tarballs', () => {
  it('there are packages to check', () => expect(packages.length).toBeGreaterThanOrEqual(8));

  for (const name of packages) {
    it(`${name}: LICENSE (the repository's), README.md and dist are in the tarball; package.json says MIT and has keywords`, () => {
      const dir = join(ROOT, 'packages', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { license?: string; keywords?: string[] };
      expect(pkg.license).toBe('MIT');
      expect(pkg.keywords, 'keywords, so npm search finds it').toContain('syncacross');
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(LICENSE);
      const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' })) as { files: { path: string }[] }[];
      const files = packed!.files.map((f) => f.path);
      expect(files).toContain('LICENSE');
      expect(files).toContain('README.md');
      expect(files).toContain('package.json');
      expect(files.some((f) => f.startsWith('dist/'))).toBe(true);
    }, 60_000);
  }
});
