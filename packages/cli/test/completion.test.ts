/**
 * `syncacross completion <shell>`: the scripts work in the real shells. bash: the script is
 * sourced (with the bash-completion package it relies on) and Tab is simulated by setting
 * COMP_WORDS/COMP_LINE and calling the function `complete -p` names, which runs the built binary
 * (`syncacross` on PATH) for the words. zsh and fish: the scripts parse and name the program.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanup, run, tempDir } from './helpers.js';

const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';
const have = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

let bin: string;
beforeAll(async () => {
  bin = await tempDir();
  await writeFile(join(bin, 'syncacross'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  await chmod(join(bin, 'syncacross'), 0o755);
});
afterAll(cleanup);

/** `syncacross` on PATH, and the temp config folder (its named remotes), never the developer's. */
const shellEnv = () => ({ ...process.env, PATH: `${bin}:${process.env.PATH}`, SYNCACROSS_CONFIG_DIR: bin });

/** What bash offers for `line` (the cursor at its end), as Tab would. */
function bashOffers(line: string): string[] {
  const script = `
    source ${BASH_COMPLETION}
    source <(syncacross completion bash)
    fn=$(complete -p syncacross | sed -E 's/.*-F ([^ ]+).*/\\1/')
    COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}
    read -ra COMP_WORDS <<< "$COMP_LINE"
    [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
    "$fn" syncacross "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync('bash', ['-c', script], { env: shellEnv(), encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

describe('completion scripts', () => {
  it('an unknown shell is a usage error naming the shells', async () => {
    const r = await run(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('zsh, bash, fish');
    expect(r.stdout).toBe('');
  });

  describe.skipIf(!have('bash') || !existsSync(BASH_COMPLETION))('bash (needs the bash-completion package)', () => {
    it('registers a completion function for syncacross', () => {
      const out = execFileSync('bash', ['-c', 'source <(syncacross completion bash); complete -p syncacross'], { env: shellEnv(), encoding: 'utf8' });
      expect(out).toMatch(/^complete -F \S+ syncacross$/m);
    });

    it('completes commands, subcommands, options, adapters and named remotes', async () => {
      expect((await run(['remote', 'add', 'my-nas', `fs:${bin}/remote`])).code).toBe(0);
      expect(bashOffers('syncacross init --remote my')).toEqual(['my-nas']);
      expect(bashOffers('syncacross remote show ')).toEqual(['my-nas']);
      expect(bashOffers('syncacross sy')).toEqual(['sync']);
      expect(bashOffers('syncacross sync --')).toContain('--retries');
      expect(bashOffers('syncacross key ')).toEqual(expect.arrayContaining(['list', 'add', 'remove']));
      expect(bashOffers('syncacross init --remote ')).toEqual(expect.arrayContaining(['fs:', 's3:', 'webdav:']));
      expect(bashOffers('syncacross adapters w')).toEqual(['webdav']);
      // And nothing for what no command starts with: the offers come from the program.
      expect(bashOffers('syncacross zzz')).toEqual([]);
    });
  });

  describe.skipIf(!have('zsh'))('zsh', () => {
    it('parses and names the commands', async () => {
      const script = (await run(['completion', 'zsh'])).stdout;
      expect(script).toContain('compdef');
      expect(script).toContain('syncacross complete --');
      expect(spawnSync('zsh', ['-n'], { input: script }).status).toBe(0);
      expect(spawnSync('zsh', ['-n'], { input: `${script}\nif then fi {` }).status).not.toBe(0); // the check can fail
    });
  });

  describe.skipIf(!have('fish'))('fish', () => {
    it('parses, and completes commands and options', async () => {
      const script = (await run(['completion', 'fish'])).stdout;
      expect(script).toContain('complete -c syncacross');
      const parses = async (text: string) => {
        await writeFile(join(bin, 'check.fish'), text);
        return spawnSync('fish', ['--no-execute', join(bin, 'check.fish')]).status === 0;
      };
      expect(await parses(script)).toBe(true);
      expect(await parses(`${script}\nend end`)).toBe(false); // the check can fail
      const offers = (line: string) =>
        execFileSync('fish', ['-c', `syncacross completion fish | source; complete -C ${JSON.stringify(line)}`], { env: shellEnv(), encoding: 'utf8' })
          .split('\n')
          .map((l) => l.split('\t')[0]);
      expect(offers('syncacross sy')).toContain('sync');
      expect(offers('syncacross sync --re')).toContain('--retries');
    });
  });
});
