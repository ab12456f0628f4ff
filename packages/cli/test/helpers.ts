/**
 * Black-box helpers: run the BUILT `syncacross` binary as a child process (build first:
 * `npm test` at the root does; by hand, `npx tsup` in sync-core, adapter-fs and cli).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const CUSTOM_ADAPTER = fileURLToPath(new URL('./custom-adapter', import.meta.url));

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (cd packages/sync-core && npx tsup && cd ../adapter-fs && npx tsup && cd ../cli && npx tsup)`);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Options for node itself, before the command (e.g. `--stack-size=150`). */
  nodeArgs?: string[];
}

const dirs: string[] = [];
let configDir: string | undefined;

/** A clean environment: no SYNCACROSS_* from the developer's shell, credentials in a temp folder. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SYNCACROSS_')) env[k] = v;
  return { ...env, SYNCACROSS_CONFIG_DIR: configDir ?? tmpdir(), ...extra };
}

export function start(args: string[], o: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(o.nodeArgs ?? []), CLI, ...args], { cwd: o.cwd ?? tmpdir(), env: childEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function finish(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

export const run = (args: string[], o: RunOptions = {}) => finish(start(args, o));

/** Runs with --json and parses the single object it must print. */
export async function runJson(args: string[], o: RunOptions = {}): Promise<RunResult & { json: any }> {
  const r = await run(['--json', ...args], o);
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got ${lines.length}:\n${r.stdout}\nstderr: ${r.stderr}`);
  return { ...r, json: JSON.parse(lines[0]!) };
}

export async function tempDir(prefix = 'syncacross-cli-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  configDir ??= d;
  return d;
}

export async function cleanup(): Promise<void> {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  configDir = undefined;
}

/** Writes files with an mtime in the past, so they count as stable at once. */
export async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  const past = new Date(Date.now() - 60_000);
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    await utimes(file, past, past);
  }
}

/** The folder's files as {path: text}, without our state folder. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p).split('\\').join('/');
      if (rel === '.syncacross') continue;
      if (e.isDirectory()) await walk(p);
      else out[rel] = await readFile(p, 'utf8');
    }
  }
  await walk(dir);
  return out;
}

/** Sync flags for tests: files written by the test are stable at once, and failures fail fast. */
export const FAST = ['--stable-after', '0', '--retries', '0'];

/** Waits until `condition` holds, looking every `everyMs`; fails naming `what` after `ms`. */
/**
 * A `watch` of `dir` (a fast one: 1 s interval, 200 ms settle), started and seen to start: `output()`
 * is everything it printed so far, both streams; `stop()` sends Ctrl-C and answers how it ended.
 */
export async function watching(dir: string): Promise<{ output: () => string; stop: () => Promise<RunResult> }> {
  const watcher = start(['watch', dir, '--interval', '1', '--settle', '200']);
  const done = finish(watcher);
  let out = '';
  watcher.stdout!.on('data', (d) => (out += d));
  watcher.stderr!.on('data', (d) => (out += d));
  const stop = () => (watcher.kill('SIGINT'), done);
  await until(() => out.includes('watching '), 'the watch').catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { output: () => out, stop };
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
