/**
 * The passphrase prompt on a real terminal: `script` (util-linux) runs the CLI on a pseudo
 * terminal, and the test types into it. A new repository asks twice and refuses two different
 * entries; joining asks once; nothing typed is echoed back.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cleanup, FAST, run, tempDir } from './helpers.js';

afterAll(cleanup);

const PASS = 'typed at the prompt';
/** The prompts passphrase.ts shows (not other lines that mention a passphrase). */
const PROMPT = /(?:new repository passphrase|passphrase of repository [0-9a-f]{8})(?: again)?: /g;

/** Runs the CLI on a terminal; answers each prompt (`…passphrase…: `) with the next line of `answers`. */
function onTerminal(args: string[], configDir: string, answers: string[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SYNCACROSS_')) env[k] = v;
  env.SYNCACROSS_CONFIG_DIR = configDir;
  const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let prompts = 0;
  const onData = (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    const seen = screen.match(PROMPT)?.length ?? 0;
    while (prompts < seen) {
      const answer = answers[prompts++];
      if (answer !== undefined) child.stdin.write(`${answer}\r`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit; screen so far:\n${screen}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe('the passphrase prompt', () => {
  it('asks twice for a new repository, once to join, echoes nothing, and refuses two different entries', async () => {
    const base = await tempDir();
    const remote = `fs:${join(base, 'remote')}`;
    const [one, two] = [await tempDir('syncacross-machine-'), await tempDir('syncacross-machine-')];

    const typo = await onTerminal(['init', join(base, 'x'), '--remote', remote, '-o', 'createRoot=true', '--encrypt'], one, [PASS, `${PASS}!`]);
    expect(typo.code, typo.screen).toBe(2);
    expect(typo.screen).toMatch(/the two passphrases differ/);

    const created = await onTerminal(['init', join(base, 'a'), '--remote', remote, '-o', 'createRoot=true', '--encrypt'], one, [PASS, PASS]);
    expect(created.code, created.screen).toBe(0);
    expect(created.screen.match(PROMPT)).toHaveLength(2);
    expect(created.screen).not.toContain(PASS);
    expect((await run(['sync', join(base, 'a'), ...FAST], { env: { SYNCACROSS_CONFIG_DIR: one } })).code).toBe(0);

    const joined = await onTerminal(['init', join(base, 'b'), '--remote', remote], two, [PASS]);
    expect(joined.code, joined.screen).toBe(0);
    expect(joined.screen.match(PROMPT)).toHaveLength(1);
    expect(joined.screen).not.toContain(PASS);

    const wrong = await onTerminal(['init', join(base, 'c'), '--remote', remote], await tempDir('syncacross-machine-'), ['not it']);
    expect(wrong.code, wrong.screen).toBe(4);
    expect(wrong.screen).not.toContain('not it');
  });
});
