/**
 * What the CLI prints about a file is safe to print to a terminal, whatever the file's name: a name
 * holding escape sequences (ESC ] 0 ; … BEL retitles a terminal, ESC [ 31 m recolours it) is named
 * with its control characters as `\xNN`, and one that is not valid UTF-8 with its bytes; both are
 * left alone (exit 8) while the rest syncs. Through the built binary, as a user meets it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { terminalSafe } from '../src/terminal-text.js';
import { cleanup, FAST, run, runJson, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);

const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[31mred\rover\u009bsix';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

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
    expect(r.stderr).toContain('not synced: evil\\x1b]0;pwned\\x07\\x1b[31mred\\x0dover\\x9bsix: contains a control character');
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
});
