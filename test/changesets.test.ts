/**
 * Releases go through changesets (.changeset/config.json, CONTRIBUTING.md "Releasing"): every
 * package moves to one version together, internal dependencies follow, and each package's
 * CHANGELOG.md gets the changeset's words. `changeset version` runs here on a copy of the
 * repository's manifests and pending changesets, with one more changeset that names a single
 * package: the fixed group must still move all of them.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const packages = readdirSync(join(ROOT, 'packages'));
const manifest = (dir: string, name: string) =>
  JSON.parse(readFileSync(join(dir, 'packages', name, 'package.json'), 'utf8')) as { name: string; version: string; dependencies?: Record<string, string> };
const work = mkdtempSync(join(tmpdir(), 'syncacross-changesets-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('changeset version moves every package to one new version, with its changelog', async () => {
  cpSync(join(ROOT, 'package.json'), join(work, 'package.json'));
  cpSync(join(ROOT, '.changeset'), join(work, '.changeset'), { recursive: true });
  for (const p of packages) {
    mkdirSync(join(work, 'packages', p), { recursive: true });
    cpSync(join(ROOT, 'packages', p, 'package.json'), join(work, 'packages', p, 'package.json'));
  }
  const before = manifest(ROOT, 'sync-core').version;
  writeFileSync(join(work, '.changeset', 'one-package-only.md'), "---\n'@syncacross/adapter-webdav': patch\n---\n\nA fix in the WebDAV adapter, released with every package.\n");

  await run(process.execPath, [join(ROOT, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: work, timeout: 60_000 });

  const after = packages.map((p) => manifest(work, p));
  const versions = new Set(after.map((m) => m.version));
  expect(versions.size, JSON.stringify(after.map((m) => [m.name, m.version]))).toBe(1);
  const [version] = versions;
  expect(version).not.toBe(before);
  for (const m of after) {
    const internal = Object.entries(m.dependencies ?? {}).filter(([d]) => d.startsWith('@syncacross/'));
    for (const [dep, range] of internal) expect(range, `${m.name} → ${dep}`).toContain(version);
    const changelog = readFileSync(join(work, 'packages', m.name.replace('@syncacross/', ''), 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`## ${version}`);
  }
  expect(readFileSync(join(work, 'packages/adapter-webdav/CHANGELOG.md'), 'utf8')).toContain('A fix in the WebDAV adapter, released with every package.');
  // Consumed: the pending changesets are gone, the config stays.
  expect(readdirSync(join(work, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')).toEqual([]);
});
