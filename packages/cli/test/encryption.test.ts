/**
 * Encrypted repositories from the command line, as users run them (real CLI processes over a
 * folder remote, each "machine" with its own credentials folder): the passphrase from
 * SYNCACROSS_PASSWORD, --password-file or --password-command; a wrong one exits 4 and writes
 * nothing; the key is remembered (0600) so later commands need no passphrase; `key add|list|remove`.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJsonSchema } from './json-schema-check.js';
import { cleanup, FAST, run, runJson, snapshot, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/json-output.schema.json', import.meta.url)), 'utf8')) as { $defs: Record<string, object> };

const PASS = 'a long team passphrase';

/** Every file under `dir`, recursively: what the remote holds. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** A machine: its own credentials folder (remembered keys live there). */
async function machine() {
  const config = await tempDir('syncacross-machine-');
  return (extra: Record<string, string> = {}) => ({ env: { SYNCACROSS_CONFIG_DIR: config, ...extra } });
}

describe('an encrypted repository from the command line', () => {
  it('init --encrypt, then sync on two machines; the remote holds no name or content; the key is remembered 0600', async () => {
    const base = await tempDir();
    const remote = join(base, 'remote');
    const [one, two] = [await machine(), await machine()];
    // A scan of some megabytes: chunks of the sizes a download opens by the hundred.
    const scan = randomBytes(3 * 1024 * 1024);
    await writeFiles(join(base, 'a'), { 'Clinic/patient-records.txt': 'confidential diagnosis text '.repeat(50), 'Clinic/scan.bin': scan });
    const init = await runJson(['init', join(base, 'a'), '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--encrypt'], one({ SYNCACROSS_PASSWORD: PASS }));
    expect(init.code, init.stderr).toBe(0);
    expect(init.json).toMatchObject({ format: 7, encrypted: true, joined: false });
    expect(checkJsonSchema(schema.$defs.init!, init.json)).toEqual([]);
    // No passphrase needed from now on on this machine: the key is remembered, readable by its owner only.
    const s1 = await run(['sync', join(base, 'a'), ...FAST], one());
    expect(s1.code, s1.stderr).toBe(0);
    const keyFiles = filesUnder(join(one().env.SYNCACROSS_CONFIG_DIR)).filter((f) => f.includes('repository-'));
    expect(keyFiles).toHaveLength(1);
    expect(statSync(keyFiles[0]!).mode & 0o777).toBe(0o600);
    for (const f of filesUnder(remote)) {
      const bytes = readFileSync(f);
      for (const needle of ['Clinic', 'patient-records', 'confidential diagnosis']) expect(bytes.includes(needle) || f.includes(needle), `${needle} in ${f}`).toBe(false);
    }
    // The second machine joins with the passphrase from a file.
    const passFile = join(base, 'pass.txt');
    await writeFile(passFile, `${PASS}\n`, { mode: 0o600 });
    const join2 = await run(['init', join(base, 'b'), '--remote', `fs:${remote}`, '--password-file', passFile], two());
    expect(join2.code, join2.stderr).toBe(0);
    expect((await run(['sync', join(base, 'b'), ...FAST], two())).code).toBe(0);
    expect(await readFile(join(base, 'b', 'Clinic/patient-records.txt'), 'utf8')).toContain('confidential diagnosis');
    expect(Buffer.compare(await readFile(join(base, 'b', 'Clinic/scan.bin')), scan)).toBe(0);
    for (const r of [init, s1, join2]) expect(r.stdout + r.stderr).not.toContain(PASS);
  });

  it('a wrong passphrase exits 4, prints no secret and leaves nothing behind; none at all says how to give one', async () => {
    const base = await tempDir();
    const remote = join(base, 'remote');
    const one = await machine();
    await writeFiles(join(base, 'a'), { 'f.txt': 'x' });
    expect((await run(['init', join(base, 'a'), '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--encrypt'], one({ SYNCACROSS_PASSWORD: PASS }))).code).toBe(0);
    expect((await run(['sync', join(base, 'a'), ...FAST], one())).code).toBe(0);
    const before = filesUnder(remote).sort();
    const other = await machine();
    const wrong = await runJson(['init', join(base, 'b'), '--remote', `fs:${remote}`], other({ SYNCACROSS_PASSWORD: 'not the passphrase' }));
    expect(wrong.code).toBe(4);
    expect(wrong.json.error.code).toBe('KeyRejected');
    expect(wrong.stdout + wrong.stderr).not.toContain('not the passphrase');
    expect(filesUnder(remote).sort()).toEqual(before);
    expect(() => statSync(join(base, 'b'))).toThrow(); // not even the folder init would have made
    const none = await run(['init', join(base, 'c', 'deeper'), '--remote', `fs:${remote}`], other());
    expect(none.code).toBe(4);
    expect(() => statSync(join(base, 'c'))).toThrow(); // nor the folders on the way to it
    // A folder that was there stays, as it was.
    await writeFiles(join(base, 'e'), { 'mine.txt': 'mine' });
    expect((await run(['init', join(base, 'e'), '--remote', `fs:${remote}`], other({ SYNCACROSS_PASSWORD: 'not it' }))).code).toBe(4);
    expect(await snapshot(join(base, 'e'))).toEqual({ 'mine.txt': 'mine' });
    expect(() => statSync(join(base, 'e', '.syncacross'))).toThrow();
    expect(none.stderr).toMatch(/SYNCACROSS_PASSWORD, --password-file FILE or --password-command CMD/);
    // A library that does not keep its key is asked every time.
    expect((await run(['init', join(base, 'd'), '--remote', `fs:${remote}`, '--no-remember-key'], other({ SYNCACROSS_PASSWORD: PASS }))).code).toBe(0);
    const unasked = await run(['sync', join(base, 'd'), ...FAST, '--no-remember-key'], other());
    expect(unasked.code).toBe(4);
    // status reads local state only: it works without the passphrase.
    const status = await runJson(['status', join(base, 'd')], other());
    expect(status.code).toBe(0);
    expect(status.json).toMatchObject({ format: 7, encrypted: true });
    expect(checkJsonSchema(schema.$defs.status!, status.json)).toEqual([]);
  });

  it('a second library on the same machine joins with the passphrase; a stale remembered key falls back to it', async () => {
    const base = await tempDir();
    const remote = join(base, 'remote');
    const one = await machine();
    await writeFiles(join(base, 'a'), { 'notes.txt': 'kept on one machine' });
    expect((await run(['init', join(base, 'a'), '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--encrypt'], one({ SYNCACROSS_PASSWORD: PASS }))).code).toBe(0);
    expect((await run(['sync', join(base, 'a'), ...FAST], one())).code).toBe(0);
    // The remembered key of this repository is on the machine, but joining checks the passphrase
    // against the keyring: SYNCACROSS_PASSWORD must be used, not refused for the remembered key.
    const second = await run(['init', join(base, 'b'), '--remote', `fs:${remote}`], one({ SYNCACROSS_PASSWORD: PASS }));
    expect(second.code, second.stderr).toBe(0);
    expect((await run(['sync', join(base, 'b'), ...FAST], one())).code).toBe(0);
    expect(await readFile(join(base, 'b', 'notes.txt'), 'utf8')).toBe('kept on one machine');
    // A remembered key that is not this repository's (a damaged or copied-over file).
    const keyFile = filesUnder(one().env.SYNCACROSS_CONFIG_DIR).find((f) => f.includes('repository-'))!;
    const stored = JSON.parse(await readFile(keyFile, 'utf8')) as { masterKey: string };
    await writeFile(keyFile, JSON.stringify({ ...stored, masterKey: Buffer.alloc(32, 7).toString('base64') }), { mode: 0o600 });
    const refused = await runJson(['sync', join(base, 'a'), ...FAST], one());
    expect(refused.code).toBe(4);
    expect(refused.json.error.code).toBe('KeyRejected');
    const healed = await run(['sync', join(base, 'a'), ...FAST], one({ SYNCACROSS_PASSWORD: PASS }));
    expect(healed.code, healed.stderr).toBe(0);
    // The passphrase's key replaced the stale one: no passphrase needed again.
    expect(JSON.parse(await readFile(keyFile, 'utf8')).masterKey).toBe(stored.masterKey);
    expect((await run(['sync', join(base, 'a'), ...FAST], one())).code).toBe(0);
  });

  it('key add | list | remove: another passphrase opens it, removing the first leaves the second working', async () => {
    const base = await tempDir();
    const remote = join(base, 'remote');
    const [one, three] = [await machine(), await machine()];
    await writeFiles(join(base, 'a'), { 'shared.txt': 'team notes' });
    expect((await run(['init', join(base, 'a'), '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--encrypt'], one({ SYNCACROSS_PASSWORD: PASS }))).code).toBe(0);
    expect((await run(['sync', join(base, 'a'), ...FAST], one())).code).toBe(0);
    const added = await runJson(['key', 'add', '-d', join(base, 'a')], one({ SYNCACROSS_NEW_PASSWORD: 'second member' }));
    expect(added.code, added.stderr).toBe(0);
    expect(checkJsonSchema(schema.$defs.key!, added.json)).toEqual([]);
    expect(added.json.keys).toHaveLength(2);
    const first = added.json.keys.find((k: { current: boolean }) => k.current).id as string;
    // The new member joins with a password command.
    const joined = await run(['init', join(base, 'c'), '--remote', `fs:${remote}`, '--password-command', "printf '%s' 'second member'"], three());
    expect(joined.code, joined.stderr).toBe(0);
    expect((await run(['sync', join(base, 'c'), ...FAST], three())).code).toBe(0);
    expect(await readFile(join(base, 'c', 'shared.txt'), 'utf8')).toBe('team notes');
    const removed = await runJson(['key', 'remove', first, '-d', join(base, 'c')], three());
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.json.keys.map((k: { id: string }) => k.id)).not.toContain(first);
    const list = await runJson(['key', 'list', '-d', join(base, 'c')], three());
    expect(list.json.keys).toHaveLength(1);
    // The first passphrase no longer opens the repository on a new machine.
    const refused = await run(['init', join(base, 'e'), '--remote', `fs:${remote}`], (await machine())({ SYNCACROSS_PASSWORD: PASS }));
    expect(refused.code).toBe(4);
  });

  it('restore --remote on a bare machine asks for the passphrase; a new repository is format 7 unless --format 6, 5, 4, 3, 2 or 1', async () => {
    const base = await tempDir();
    const remote = join(base, 'remote');
    const one = await machine();
    await writeFiles(join(base, 'a'), { 'doc.txt': 'bring me back' });
    expect((await run(['init', join(base, 'a'), '--remote', `fs:${remote}`, '-o', 'createRoot=true', '--encrypt'], one({ SYNCACROSS_PASSWORD: PASS }))).code).toBe(0);
    expect((await run(['sync', join(base, 'a'), ...FAST], one())).code).toBe(0);
    const bare = await machine();
    const without = await run(['restore', '--remote', `fs:${remote}`, '--to', join(base, 'r1')], bare());
    expect(without.code).toBe(4);
    const restored = await run(['restore', '--remote', `fs:${remote}`, '--to', join(base, 'r2')], bare({ SYNCACROSS_PASSWORD: PASS }));
    expect(restored.code, restored.stderr).toBe(0);
    expect(await readFile(join(base, 'r2', 'doc.txt'), 'utf8')).toBe('bring me back');
    const plain = await runJson(['init', join(base, 'p'), '--remote', `fs:${join(base, 'remote2')}`, '-o', 'createRoot=true'], one());
    expect(plain.json).toMatchObject({ format: 7, encrypted: false });
    const five = await runJson(['init', join(base, 'f'), '--remote', `fs:${join(base, 'remote6')}`, '-o', 'createRoot=true', '--format', '5'], one());
    expect(five.json).toMatchObject({ format: 5, encrypted: false });
    const three = await runJson(['init', join(base, 'h'), '--remote', `fs:${join(base, 'remote5')}`, '-o', 'createRoot=true', '--format', '3'], one());
    expect(three.json).toMatchObject({ format: 3, encrypted: false });
    const two = await runJson(['init', join(base, 't'), '--remote', `fs:${join(base, 'remote4')}`, '-o', 'createRoot=true', '--format', '2'], one());
    expect(two.json).toMatchObject({ format: 2, encrypted: false });
    const old = await runJson(['init', join(base, 'o'), '--remote', `fs:${join(base, 'remote3')}`, '-o', 'createRoot=true', '--format', '1'], one());
    expect(old.json).toMatchObject({ format: 1, encrypted: false });
  });
});
