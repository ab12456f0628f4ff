/** The package as npm would install it: the bin has its shebang, every export points at a built file. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import './helpers.js'; // fails clearly when the package is not built

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

it('bin starts with a node shebang', () => {
  expect(readFileSync(`${root}${pkg.bin.syncacross}`, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
});

it('every exports entry exists', () => {
  const targets: string[] = [];
  for (const value of Object.values(pkg.exports) as (string | Record<string, string>)[]) targets.push(...(typeof value === 'string' ? [value] : Object.values(value)));
  for (const t of targets) expect(existsSync(`${root}${t}`), t).toBe(true);
});

it("zod is loaded once, from sync-core's build: the CLI and the fs adapter do not import it themselves", () => {
  // Loaded as its own package, zod's hundred files cost every command 130-170 ms before it does
  // anything; sync-core bundles it and re-exports `z` (session 42).
  const builds = ['', '../sync-core/', '../adapter-fs/'].map((p) => `${root}${p}dist/`);
  for (const dir of builds) {
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files.length, dir).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(`${dir}${f}`, 'utf8'), `${dir}${f}`).not.toMatch(/from ["']zod(\/[^"']*)?["']|import\(["']zod/);
  }
});

it("sync-core's build holds zod's English messages only, and they still read", async () => {
  // zod's other locales were a third of sync-core's build, compiled by every command (tsup.config.ts).
  const dir = `${root}../sync-core/dist/`;
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
  for (const f of files) expect(readFileSync(`${dir}${f}`, 'utf8'), `${dir}${f}`).not.toMatch(/erwartet|attendu|esperado/);
  // The build itself (the tests' `@syncacross/sync-core` is its source, with zod as installed).
  const { z } = (await import(`${dir}index.js`)) as typeof import('@syncacross/sync-core');
  expect(Object.keys(z.locales)).toEqual(['en']);
  expect(z.string().safeParse(1).error?.issues[0]?.message).toBe('Invalid input: expected string, received number');
});

it('an ES module of the command imports no CommonJS package but better-sqlite3 as it starts', () => {
  // Node 20 runs its CommonJS lexer over a whole package before an ES module may import it: with
  // ignore and commander imported that way, a no-op sync took 544 ms against 475 (the builds bundle
  // them: tsup.config.ts). better-sqlite3 stays apart: its native addon is found from its own folder.
  const hook = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  const loaded = await next(url, context);
  if (loaded.format === 'commonjs') appendFileSync(process.env.COMMONJS_LOG, url + '\\n');
  return loaded;
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const dir = mkdtempSync(join(tmpdir(), 'syncacross-commonjs-'));
  try {
    const log = join(dir, 'commonjs.log');
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, `${root}${pkg.bin.syncacross}`, '--version'], {
      env: { ...process.env, COMMONJS_LOG: log },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const packages = readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? url);
    expect(packages).toContain('better-sqlite3'); // the hook sees what it should
    expect([...new Set(packages)]).toEqual(['better-sqlite3']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("every build that carries another package's code carries its licence too", () => {
  // What a build bundles is read from its source maps, not from the tsup configs that choose it,
  // so a package bundled through another (a dependency of a bundled package) is found as well.
  const packages = `${root}..`;
  const bundledSomewhere: string[] = [];
  for (const name of readdirSync(packages)) {
    const dist = join(packages, name, 'dist');
    if (!existsSync(dist)) continue;
    const bundled = new Set<string>();
    for (const f of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js.map'))) {
      for (const source of (JSON.parse(readFileSync(join(dist, f), 'utf8')) as { sources: string[] }).sources) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
        if (m) bundled.add(m[1]!);
      }
    }
    if (bundled.size === 0) continue;
    const notices = readFileSync(join(dist, 'THIRD_PARTY_LICENSES.md'), 'utf8');
    for (const dep of bundled) {
      bundledSomewhere.push(dep);
      const dir = installedAt(dep, join(packages, name));
      const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
      expect(notices, `${name}: ${dep}`).toContain(`## ${dep} ${version} `);
      for (const licence of readdirSync(dir).filter((f) => /^licen[cs]e/i.test(f))) expect(notices, `${name}: ${dep}'s ${licence}`).toContain(readFileSync(join(dir, licence), 'utf8').trim());
    }
  }
  expect(bundledSomewhere).toEqual(expect.arrayContaining(['zod', 'ignore', 'commander'])); // the source maps are read as they should be
});

/** Where Node finds package `name` from `dir`: the nearest node_modules up the tree. */
function installedAt(name: string, dir: string): string {
  const candidate = join(dir, 'node_modules', name);
  if (existsSync(join(candidate, 'package.json'))) return candidate;
  if (join(dir, '..') === dir) throw new Error(`${name} is not installed`);
  return installedAt(name, join(dir, '..'));
}

it("the command keeps compiled code in the user's own cache folder where Node can (22.1 and later), and nowhere on Node 20", () => {
  // A no-op sync on Node 22: 238 ms with the cache against 256 ms (bin/syncacross.mjs).
  const xdg = mkdtempSync(join(tmpdir(), 'syncacross-cache-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: xdg };
    delete env.NODE_COMPILE_CACHE;
    const r = spawnSync(process.execPath, [`${root}${pkg.bin.syncacross}`, '--version'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const cache = join(xdg, 'syncacross', 'node-compile-cache');
    if (!(module as { enableCompileCache?: unknown }).enableCompileCache) {
      expect(existsSync(cache)).toBe(false);
      return;
    }
    expect(statSync(cache).mode & 0o777).toBe(0o700); // private: no other account may plant code in it
    expect(readdirSync(cache, { recursive: true }).length).toBeGreaterThan(0);
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});
