/**
 * The passphrase of an encrypted repository, from where restic users expect it, in this order:
 * `--password-file`, `--password-command`, `SYNCACROSS_PASSWORD`, then a prompt on a terminal
 * (asked twice when it creates a repository or a key). A node remembers the repository's key in
 * the credentials folder (`repository-<id>.json`, mode 0600) unless `--no-remember-key`, so
 * later commands need no passphrase. Every value read is registered as a secret: it never reaches
 * the terminal, a log or --json.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { credentialsFilePath, readJsonCredentials, writeJsonCredentials } from '@syncacross/sync-core/adapter-kit';
import type { RepositorySecret, SecretSource, UnlockedKey } from '@syncacross/sync-core';
import { usageError } from './cli-error.js';
import { addSecret } from './redact.js';
import { credentialsDir } from './remote.js';

export interface PassphraseOptions {
  passwordFile?: string;
  passwordCommand?: string;
  /** false with --no-remember-key: neither use nor keep a remembered key. */
  rememberKey?: boolean;
}

const stripNewline = (text: string) => text.replace(/\r?\n$/, '');

/** A passphrase given without a prompt, or undefined. */
function givenPassphrase(o: PassphraseOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (o.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.passwordFile, 'utf8');
    } catch (e) {
      throw usageError('PasswordFile', `cannot read the password file ${o.passwordFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return stripNewline(text);
  }
  if (o.passwordCommand !== undefined) {
    try {
      return stripNewline(execFileSync('/bin/sh', ['-c', o.passwordCommand], { encoding: 'utf8', stdio: ['inherit', 'pipe', 'inherit'], timeout: 60_000 }));
    } catch (e) {
      throw usageError(
        'PasswordCommand',
        `the password command failed (${(e as { status?: number }).status !== undefined ? `exit ${(e as { status?: number }).status}` : (e as Error).message.split('\n')[0]})`,
      );
    }
  }
  return env.SYNCACROSS_PASSWORD;
}

/**
 * Reads a line from the terminal without echoing it. Listens for 'data' rather than iterating
 * stdin: leaving a `for await` destroys the stream, and the confirmation prompt that follows
 * then never gets its line.
 */
function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  // Echo off before the question shows: an answer typed (or pasted) the moment it appears must
  // not reach the screen.
  stdin.setRawMode(true);
  stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const done = (error: Error | undefined) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onEnd = () => done(undefined);
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(undefined);
        if (ch === '\u0003') return done(usageError('Interrupted', 'no passphrase given (Ctrl-C)'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}

/**
 * The passphrase, or undefined when none is given and there is no terminal to ask on. `confirm`:
 * a new passphrase (init --encrypt, key add) is typed twice.
 */
export async function readPassphrase(o: PassphraseOptions, what: string, confirm: boolean, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  let value = givenPassphrase(o, env);
  if (value === undefined && process.stdin.isTTY && process.stderr.isTTY) {
    value = await promptHidden(`${what}: `);
    if (confirm && (await promptHidden(`${what} again: `)) !== value) throw usageError('PasswordMismatch', 'the two passphrases differ; nothing was changed');
  }
  if (value !== undefined && value.length === 0) throw usageError('EmptyPassword', 'an empty passphrase cannot protect a repository');
  addSecret(value);
  return value;
}

const keyFile = (repo: string) => credentialsFilePath(credentialsDir(), 'repository', repo);

async function rememberedKey(repo: string): Promise<UnlockedKey | undefined> {
  const stored = (await readJsonCredentials(keyFile(repo)).catch(() => undefined)) as { repo?: unknown; keyId?: unknown; masterKey?: unknown } | undefined;
  if (!stored || stored.repo !== repo || typeof stored.masterKey !== 'string' || typeof stored.keyId !== 'string') return undefined;
  addSecret(stored.masterKey);
  const masterKey = new Uint8Array(Buffer.from(stored.masterKey, 'base64'));
  return masterKey.byteLength === 32 ? { masterKey, keyId: stored.keyId } : undefined;
}

/** Keeps the key that opened `repo` (0600, in the 0700 credentials folder). */
export async function rememberKey(repo: string, key: UnlockedKey, o: PassphraseOptions): Promise<void> {
  if (o.rememberKey === false) return;
  const had = await rememberedKey(repo);
  if (had && Buffer.from(had.masterKey).equals(Buffer.from(key.masterKey))) return;
  const masterKey = Buffer.from(key.masterKey).toString('base64');
  addSecret(masterKey);
  await writeJsonCredentials(keyFile(repo), { repo, keyId: key.keyId, masterKey });
}

/**
 * What opens an encrypted repository: a remembered key first, else the passphrase (asked only
 * when needed, and always when the engine needs a passphrase: to join, or after a remembered key
 * was refused).
 */
export function secretSource(o: PassphraseOptions, confirmNew: boolean): SecretSource {
  return async (repo: string, need?: 'passphrase'): Promise<RepositorySecret | undefined> => {
    if (repo && need !== 'passphrase' && o.rememberKey !== false && o.passwordFile === undefined && o.passwordCommand === undefined) {
      const key = await rememberedKey(repo);
      if (key) return { masterKey: key.masterKey };
    }
    const passphrase = await readPassphrase(o, repo ? `passphrase of repository ${repo.slice(0, 8)}` : 'new repository passphrase', confirmNew && !repo);
    return passphrase === undefined ? undefined : { passphrase };
  };
}

/** The passphrase flags of a command (`--password-file`, `--password-command`, `--no-remember-key`). */
export function passphraseOptions(opts: PassphraseOptions): PassphraseOptions {
  return {
    ...(opts.passwordFile !== undefined ? { passwordFile: opts.passwordFile } : {}),
    ...(opts.passwordCommand !== undefined ? { passwordCommand: opts.passwordCommand } : {}),
    ...(opts.rememberKey === false ? { rememberKey: false } : {}),
  };
}
