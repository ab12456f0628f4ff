/**
 * The packages as a user gets them: every package under packages/ packed with `npm pack`, then
 * installed together into an empty ESM project (their dependencies from the npm registry, as a
 * user's install would fetch them). There, `npx syncacross --help` runs, the README's embedding
 * example syncs a file between two libraries, and a TypeScript consumer compiles against every
 * package's public declarations with the settings `tsc --init` gives a new user plus
 * `skipLibCheck: false` (so a declaration that imports an undeclared module, TS7016, fails here).
 *
 * Needs `npm run build` first (`npm test` does it) and the npm registry (it fails, saying so,
 * when the registry cannot be reached). Bounded: install scripts are skipped and better-sqlite3's
 * native module is taken from the workspace when the versions match (compiling it again costs
 * about three minutes on a 2-core machine and tests better-sqlite3, not us); otherwise it is rebuilt.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'package-install');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const MINUTE = 60_000;
const packages = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

let work: string;
let project: string;

/** Runs a command in the project; on failure the error carries its output, so the test says why. */
async function inProject(file: string, args: string[], timeout: number): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, { cwd: project, timeout, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`.slice(0, 20_000), { cause: e });
  }
}

async function packAll(): Promise<string[]> {
  const destination = join(work, 'tarballs');
  mkdirSync(destination);
  for (const name of packages) {
    const dir = join(ROOT, 'packages', name);
    if (!existsSync(join(dir, 'dist', 'index.d.ts'))) throw new Error(`packages/${name}/dist has no declarations: run \`npm run build\` first`);
    await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', destination], { cwd: dir });
  }
  return readdirSync(destination).map((f) => join(destination, f));
}

async function registryReachable(): Promise<void> {
  try {
    await run('npm', ['ping'], { cwd: project, timeout: MINUTE });
  } catch (e) {
    throw new Error(`the npm registry cannot be reached (npm ping failed); this test installs the packed packages' dependencies from it:\n${(e as Error).message}`, { cause: e });
  }
}

/** better-sqlite3's compiled module: the workspace's when it is the same version, else a rebuild. */
async function provideSqliteBinary(): Promise<void> {
  const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const ours = join(ROOT, 'node_modules', 'better-sqlite3');
  const theirs = join(project, 'node_modules', 'better-sqlite3');
  const binary = join('build', 'Release', 'better_sqlite3.node');
  if (version(ours) === version(theirs) && existsSync(join(ours, binary))) {
    mkdirSync(join(theirs, 'build', 'Release'), { recursive: true });
    copyFileSync(join(ours, binary), join(theirs, binary));
  } else {
    await inProject('npm', ['rebuild', 'better-sqlite3'], 8 * MINUTE);
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'syncacross-package-install-'));
  project = join(work, 'project');
  mkdirSync(project);
  const tarballs = await packAll();
  expect(tarballs).toHaveLength(packages.length);
  await inProject('npm', ['init', '-y'], MINUTE);
  await inProject('npm', ['pkg', 'set', 'type=module'], MINUTE);
  await registryReachable();
  await inProject('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', ...tarballs], 5 * MINUTE);
  await provideSqliteBinary();
}, 10 * MINUTE);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed into an empty project', () => {
  it(
    '`npx syncacross --help` prints the usage',
    async () => {
      const { stdout } = await inProject('npx', ['--no-install', 'syncacross', '--help'], MINUTE);
      expect(stdout).toMatch(/^Usage: syncacross /m);
      expect(stdout).toContain('sync');
    },
    2 * MINUTE,
  );

  it(
    'the library API syncs a file from one library to another through a folder remote',
    async () => {
      copyFileSync(join(FIXTURES, 'use-library.mjs'), join(project, 'use-library.mjs'));
      const { stdout } = await inProject(process.execPath, ['use-library.mjs'], 2 * MINUTE);
      const result = JSON.parse(stdout) as { text: string };
      expect(result.text).toBe('written by alice\n');
    },
    3 * MINUTE,
  );

  it(
    'a TypeScript consumer compiles against every public declaration (tsc --init defaults, skipLibCheck off)',
    async () => {
      await inProject(process.execPath, [TSC, '--init'], MINUTE);
      const tsconfigFile = join(project, 'tsconfig.json');
      const defaults = readFileSync(tsconfigFile, 'utf8');
      expect(defaults).toContain('"strict": true');
      expect(defaults).toContain('"module": "nodenext"');
      expect(defaults, 'tsc --init still writes skipLibCheck: true, which this test turns off').toContain('"skipLibCheck": true');
      writeFileSync(tsconfigFile, defaults.replace('"skipLibCheck": true', '"skipLibCheck": false'));
      mkdirSync(join(project, 'src'));
      copyFileSync(join(FIXTURES, 'consumer.ts'), join(project, 'src', 'consumer.ts'));
      await inProject(process.execPath, [TSC, '-p', '.', '--noEmit'], 4 * MINUTE);
    },
    5 * MINUTE,
  );
});
