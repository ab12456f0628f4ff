/**
 * Settings of this machine, for every library on it: `settings.json` in the config folder
 * (beside the credentials). Today one: `user`, the name `log` shows on every node for the
 * versions made here (`syncacross config set user "Name"`, or `init --user`). Unset, the OS
 * account name stands in, so every version has a name; SYNCACROSS_USER overrides both (scripts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { checkAuthorName, type Author } from '@syncacross/sync-core';
import { usageError } from './cli-error.js';
import { credentialsDir } from './remote.js';

export interface MachineSettings {
  user?: string;
}

export const SETTING_KEYS = ['user'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

const settingsFile = (env: NodeJS.ProcessEnv = process.env) => join(credentialsDir(env), 'settings.json');

export async function readMachineSettings(env: NodeJS.ProcessEnv = process.env): Promise<MachineSettings> {
  let text: string;
  try {
    text = await readFile(settingsFile(env), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    const user = (parsed as { user?: unknown } | null)?.user;
    return typeof user === 'string' && !checkAuthorName(user) ? { user } : {};
  } catch {
    throw usageError('BadSettings', `${settingsFile(env)} is not valid JSON: fix or delete it (it holds only this machine's user name)`);
  }
}

export async function writeMachineSetting(key: SettingKey, value: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (value !== undefined) {
    const problem = checkAuthorName(value);
    if (problem) throw usageError('InvalidArgument', `${key} must be ${problem}`);
  }
  const settings = await readMachineSettings(env);
  if (value === undefined) delete settings[key];
  else settings[key] = value;
  await mkdir(credentialsDir(env), { recursive: true, mode: 0o700 });
  await writeFile(settingsFile(env), `${JSON.stringify(settings, null, 2)}\n`);
}

/** The OS account name, if it is one an author can carry. */
function accountName(): string | undefined {
  try {
    const name = userInfo().username;
    return checkAuthorName(name) ? undefined : name;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}

/** Who the versions made on this machine are from: the set user (or the account), on `machine`. */
export async function authorHere(machine: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Author | undefined> {
  const fromEnv = env.SYNCACROSS_USER;
  if (fromEnv !== undefined && checkAuthorName(fromEnv)) throw usageError('InvalidArgument', `SYNCACROSS_USER must be ${checkAuthorName(fromEnv)}`);
  const user = fromEnv ?? (await readMachineSettings(env)).user ?? accountName();
  // A host name is whatever the system says: keep it printable and within what readers accept.
  const host = (machine ?? hostname()).replace(/\p{Cc}/gu, '').slice(0, 200) || 'machine';
  return user ? { user, machine: host } : undefined;
}
