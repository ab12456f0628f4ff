/**
 * What the CLI prints about a file is safe to print to a terminal, whatever the file's name: a name
 * holding escape sequences (ESC ] 0 ; … BEL retitles a terminal, ESC [ 31 m recolours it) is named
 * with its control characters as `\xNN`, and one that is not valid UTF-8 with its bytes; both are
 * left alone (exit 8) while the rest syncs. An argument that is not valid UTF-8 is refused rather
 * than taken for the other path Node decodes it to. Through the built binary, as a user meets it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { undecodableArgument } from '../src/argument-encoding.js';
import { terminalSafe } from '../src/terminal-text.js';
import { CLI, cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[31mred\rover\u009bsix\u202efdp.exe';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

describe('file names printed to a terminal', () => {
  it('a control character is shown as \\xNN, never sent raw; a name that is not UTF-8 as its bytes', async () => {
    const base = await tempDir();
    const lib = join(base, 'lib');
    await writeFiles(lib, { 'notes.txt': 'synced\n' });
    writeFileSync(join(lib, HOSTILE), 'left alone\n');
    let undecodable = true;
    try {
      writeFileSync(Buffer.from(`${lib}/caf\xe9.txt`, 'latin1'), 'latin-1 name\n');
    } catch {
      undecodable = false; // a file system that refuses such names (APFS): the control characters are still checked
    }
    expect((await run(['init', lib, '--remote', `fs:${join(base, 'remote')}`, '-o', 'createRoot=true'])).code).toBe(0);

    const r = await run(['sync', lib, ...FAST]);
    expect(r.code, r.stderr).toBe(8);
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('not synced: evil\\x1b]0;pwned\\x07\\x1b[31mred\\x0dover\\x9bsix\\u202efdp.exe: contains a control character');
    if (undecodable) expect(r.stderr).toContain('not synced: caf\uFFFD.txt: its name is not valid UTF-8 (on disk: caf\\xe9.txt); rename it to sync it');

    // --json keeps the name as it is (JSON escapes it; a program reads it, not a terminal).
    const j = await runJson(['sync', lib, ...FAST]);
    expect(j.json.skipped).toContainEqual({ path: HOSTILE, reason: 'contains a control character' });
    expect(j.json.local).toMatchObject({ added: 0 });
  });

  it('keeps the newline and the tab the CLI writes itself', () => {
    expect(terminalSafe('a\tb\nc')).toBe('a\tb\nc');
    expect(terminalSafe('\u0000\u007f\u0085')).toBe('\\x00\\x7f\\x85');
  });

  it('shows the bidirectional controls as \\uNNNN, so a name reads as it is spelled (before: invoice\\u202Efdp.exe was drawn as invoiceexe.pdf)', () => {
    expect(terminalSafe('invoice\u202efdp.exe')).toBe('invoice\\u202efdp.exe');
    const every = '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029';
    expect(terminalSafe(every)).toBe('\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u2028\\u2029');
    // Right-to-left text itself is left as it is: only the invisible controls are shown.
    expect(terminalSafe('שלום.txt مرحبا')).toBe('שלום.txt مرحبا');
  });
});

describe('an argument that is not valid UTF-8', () => {
  it.skipIf(process.platform !== 'linux')('is refused, naming its bytes, and nothing is made (before: init made an empty twin folder and synced it)', async () => {
    const base = await tempDir();
    const latin1 = Buffer.from(`${base}/lib\xe9`, 'latin1');
    mkdirSync(latin1);
    writeFileSync(Buffer.concat([latin1, Buffer.from('/notes.txt')]), "the user's notes\n");
    // Node passes a child only strings: the shell's printf puts the byte on the command line.
    const init = (json: string) =>
      spawnSync('sh', ['-c', `"$0" "$1" ${json} init "$(printf '%s/lib\\351' "$2")" --remote "fs:$2/remote" -o createRoot=true`, process.execPath, CLI, base], {
        encoding: 'utf8',
        env: { ...process.env, SYNCACROSS_CONFIG_DIR: join(base, 'config') },
      });
    const r = init('');
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`an argument is not valid UTF-8 (its bytes: ${base}/lib\\xe9)`);
    const j = init('--json');
    expect(j.status).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'ArgumentNotUtf8', exitCode: 2 } });
    expect(readdirSync(base, { encoding: 'buffer' })).toEqual([latin1.subarray(base.length + 1)]);
    expect(existsSync(join(base, 'remote'))).toBe(false);
  });

  it("is found among the command's own arguments, after node's options and the script", () => {
    const line =
      (...args: (string | Buffer)[]) =>
      () =>
        Buffer.concat(args.flatMap((a) => [Buffer.from(a as never), Buffer.from([0])]));
    const argv = ['node', '/bin/syncacross', 'sync', 'lib\uFFFD'];
    expect(undecodableArgument(argv, line('node', '--max-old-space-size=100', '/bin/syncacross', 'sync', Buffer.from('lib\xe9', 'latin1')))).toBe('lib\\xe9');
    // An option's value may be a secret: only its name is shown.
    const option = ['node', '/bin/syncacross', 'init', 'lib', '-o', 'password=\uFFFD'];
    expect(undecodableArgument(option, line('node', '/bin/syncacross', 'init', 'lib', '-o', Buffer.from('password=s\xe9cret', 'latin1')))).toBe('password=…');
    // A U+FFFD typed on purpose is UTF-8 (EF BF BD): let through.
    expect(undecodableArgument(argv, line('node', '/bin/syncacross', 'sync', 'lib\uFFFD'))).toBeUndefined();
    // Nothing is read where no argument holds U+FFFD.
    expect(undecodableArgument(['node', 's', 'sync', 'lib'], () => expect.unreachable())).toBeUndefined();
  });
});
