/**
 * `syncacross key list|add|remove [DIR]`: the passphrases that open an encrypted repository
 * (docs/PROTOCOL.md §3.6), e.g. one per team member. Removing one leaves the others working; the
 * last key and the one this node used cannot be removed.
 */
import { usageError } from '../cli-error.js';
import { withLibrary } from '../library-session.js';
import type { Output } from '../output.js';
import { passphraseOptions, readPassphrase, type PassphraseOptions } from '../passphrase.js';

export interface KeyCliOptions extends PassphraseOptions {
  dir?: string;
  newPasswordFile?: string;
}

const session = (opts: KeyCliOptions) => ({ online: true, passphrase: passphraseOptions(opts) });

export async function keyListCommand(opts: KeyCliOptions, out: Output): Promise<number> {
  return withLibrary(opts.dir, out, session(opts), async ({ root, library }) => {
    const keys = await library.keys();
    for (const k of keys) out.info(`${k.id}  created ${k.created}${k.current ? '  (this node)' : ''}`);
    out.result({ command: 'key', action: 'list', library: root, repository: library.repository, keys });
    return 0;
  });
}

export async function keyAddCommand(opts: KeyCliOptions, out: Output): Promise<number> {
  return withLibrary(opts.dir, out, session(opts), async ({ root, library }) => {
    await library.keys(); // refuses an unencrypted repository before asking for anything
    // The new passphrase: --new-password-file, SYNCACROSS_NEW_PASSWORD, or asked twice.
    const fresh = await readPassphrase(opts.newPasswordFile !== undefined ? { passwordFile: opts.newPasswordFile } : {}, 'new passphrase', true, {
      SYNCACROSS_PASSWORD: process.env.SYNCACROSS_NEW_PASSWORD,
    });
    if (fresh === undefined) throw usageError('MissingPassword', 'give the new passphrase with --new-password-file FILE or SYNCACROSS_NEW_PASSWORD (or run on a terminal to be asked)');
    const id = await library.addKey(fresh);
    out.info(`Added key ${id} to repository ${library.repository}.`);
    out.result({ command: 'key', action: 'add', library: root, repository: library.repository, keys: await library.keys(), added: id });
    return 0;
  });
}

export async function keyRemoveCommand(id: string, opts: KeyCliOptions, out: Output): Promise<number> {
  return withLibrary(opts.dir, out, session(opts), async ({ root, library }) => {
    await library.removeKey(id);
    out.info(`Removed key ${id}: its passphrase no longer opens repository ${library.repository}. (Whoever opened it before may still hold the repository's key.)`);
    out.result({ command: 'key', action: 'remove', library: root, repository: library.repository, keys: await library.keys(), removed: id });
    return 0;
  });
}
