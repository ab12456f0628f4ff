/**
 * Every command the READMEs show works as shown: each `syncacross …` line of every ```sh block of
 * README.md and packages/*\/README.md runs, through bash, against the built CLI on a temp machine,
 * with local folders and the packages' emulators standing for the NAS, buckets and cloud accounts
 * (readme/mapping.ts lists the substitutions). A command may fail only for a reason listed in
 * EXPECTED_FAILURES. The root README's library example runs too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_IGNORES } from '@syncacross/sync-core';
import { startBackends, type Backends } from './readme/backends.js';
import { fencedBlocks, isSyncacrossCommand, readmeCommands, readmes } from './readme/extract.js';
import { EXPECTED_FAILURES, mapCommand } from './readme/mapping.js';
import { CLI, cleanup, CUSTOM_ADAPTER, tempDir } from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DEADLINE_MS = 90_000;

let base = '';
let backends: Backends;

beforeAll(async () => {
  base = await tempDir('syncacross-readme-');
  backends = await startBackends(base);
  mkdirSync(join(base, 'bin'));
  writeFileSync(join(base, 'bin', 'syncacross'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(base, 'bin', 'syncacross'), 0o755);
  mkdirSync(join(base, 'credentials'), { mode: 0o700 });
});
afterAll(async () => {
  await backends?.stop();
  await cleanup();
});

/** A fresh machine: a HOME with a few files in the folders the READMEs use as libraries. */
let machines = 0;
function newHome(): string {
  const home = join(base, `home-${++machines}`);
  const past = new Date(Date.now() - 60_000);
  for (const [path, text] of Object.entries({ 'Library/notes/todo.md': '- try syncacross\n', 'Notes/notes/todo.md': '- a note\n', 'Photos/2026/beach.txt': 'not really a photo\n' })) {
    mkdirSync(dirname(join(home, path)), { recursive: true });
    writeFileSync(join(home, path), text);
    utimesSync(join(home, path), past, past);
  }
  return home;
}

function childEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SYNCACROSS_') && !k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    HOME: home,
    PATH: `${join(base, 'bin')}:${process.env.PATH}`,
    SYNCACROSS_CONFIG_DIR: join(base, 'credentials'),
    // "Credentials from the AWS chain": the emulator takes any.
    AWS_ACCESS_KEY_ID: 'readme-key',
    AWS_SECRET_ACCESS_KEY: 'readme-secret',
  };
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** What a browser does with a consent page that approves at once: follow redirects, submit a form_post answer. */
async function browse(url: string): Promise<void> {
  const page = await fetch(url, { redirect: 'follow' });
  const html = await page.text();
  const form = /<form method="post" action="([^"]+)">(.*)<\/form>/s.exec(html);
  if (!form) return;
  const fields = new URLSearchParams();
  for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields.append(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  await fetch(unescapeHtml(form[1]!), { method: 'POST', body: fields, redirect: 'follow' });
}

/**
 * Runs one bash line; plays the browser for `auth`: opens the address the CLI prints (the
 * emulators' consent pages approve at once), or approves the device code it prints.
 */
function runLine(script: string, home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', script], { cwd: home, env: childEnv(home), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  let browsed = false;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (browsed) return;
    const device = /open (http\S+) and enter the code (\S+)/.exec(stderr);
    const address = /Open this address in a browser to authorize syncacross:\s*\n\s*(\S+)/.exec(stderr);
    if (device) {
      browsed = true;
      void fetch(`${device[1]}?user_code=${encodeURIComponent(device[2]!)}`).catch(() => undefined);
    } else if (address) {
      browsed = true;
      void browse(address[1]!).catch(() => undefined);
    }
  });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), DEADLINE_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

const files = readmes(REPO);

describe('README commands', () => {
  it('every fenced block that shows a syncacross command is an sh block (so it is run here)', () => {
    const untagged = files.flatMap((f) =>
      fencedBlocks(readFileSync(f, 'utf8'))
        .filter((b) => b.lang !== 'sh' && b.lines.some((l) => isSyncacrossCommand(l.trim())))
        .map((b) => `${f}:${b.line}`),
    );
    expect(untagged).toEqual([]);
    expect(files.flatMap((f) => readmeCommands(REPO, f)).length).toBeGreaterThanOrEqual(25);
  });

  // A README that shows no command (sync-core's, say) has nothing to run: no test, rather than a skipped one.
  const withCommands = files.filter((f) => readmeCommands(REPO, f).length > 0);
  describe.each(withCommands.map((f) => [f.slice(REPO.length), f] as const))('%s', (_, file) => {
    const commands = readmeCommands(REPO, file);
    it(`runs its ${commands.length} commands as shown`, async () => {
      let home = newHome();
      const initialized = new Set<string>();
      const failures: string[] = [];
      for (const c of commands) {
        // A second `init` of the same folder in one README is another machine, or another choice.
        const target = /\binit\s+(\S+)/.exec(c.text)?.[1];
        if (target && initialized.has(target)) {
          home = newHome();
          initialized.clear();
        }
        if (target) initialized.add(target);
        const mapped = mapCommand(c.text, c.pkg, base, join(CUSTOM_ADAPTER, 'index.mjs'), backends);
        for (const folder of mapped.davFolders) mkdirSync(join(backends.davRoot, folder), { recursive: true });
        const r = await runLine([...c.exports.map((e) => mapCommand(e, c.pkg, base, '', backends).line), mapped.line].join('\n'), home);
        const expected = EXPECTED_FAILURES.find((e) => e.match.test(c.text));
        const ok = expected ? r.code === expected.exitCode && expected.stderr.test(r.stderr) : r.code === 0;
        if (!ok)
          failures.push(
            `${c.where}: ${c.text}\n  ran: ${mapped.line}\n  exit ${r.code}${expected ? ` (expected ${expected.exitCode}: ${expected.why})` : ''}\n  stderr: ${r.stderr.trim().slice(-800)}`,
          );
      }
      expect(failures.join('\n\n')).toBe('');
    }, 600_000);
  });

  it('the CLI README documents every built-in ignore pattern of .syncacrossignore', () => {
    const cliReadme = readFileSync(join(REPO, 'packages/cli/README.md'), 'utf8');
    expect(cliReadme).toContain('.syncacrossignore');
    expect(BUILTIN_IGNORES.filter((p) => !cliReadme.includes(`\`${p}\``))).toEqual([]);
  });

  it("the root README's library example runs as shown", async () => {
    const ts_ = fencedBlocks(readFileSync(join(REPO, 'README.md'), 'utf8')).find((b) => b.lang === 'ts' && b.lines.some((l) => l.includes('openLibrary')));
    expect(ts_).toBeDefined();
    const dir = join(base, 'ts-example');
    mkdirSync(join(dir, 'Library', 'notes'), { recursive: true });
    writeFileSync(join(dir, 'Library', 'notes', 'todo.md'), 'hello\n');
    utimesSync(join(dir, 'Library', 'notes', 'todo.md'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const source = ts_!.lines
      .join('\n')
      .replaceAll('/home/me/Library', join(dir, 'Library'))
      .replaceAll('/mnt/nas/library', join(dir, 'nas', 'library'));
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(dir, 'example.mjs'), js);
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', timeout: DEADLINE_MS });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('undefined');
  });
});
