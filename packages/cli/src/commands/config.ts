/**
 * `syncacross config get|set|unset user [NAME]`: settings of this machine, for all its libraries
 * (machine-settings.ts). The name reaches other nodes with this node's next segment.
 */
import { usageError } from '../cli-error.js';
import { didYouMean } from '../did-you-mean.js';
import { readMachineSettings, SETTING_KEYS, writeMachineSetting, type SettingKey } from '../machine-settings.js';
import type { Output } from '../output.js';

function settingKey(key: string): SettingKey {
  if (!(SETTING_KEYS as readonly string[]).includes(key))
    throw usageError('InvalidArgument', `unknown setting ${JSON.stringify(key)}${didYouMean(key, SETTING_KEYS)} (settings: ${SETTING_KEYS.join(', ')})`);
  return key as SettingKey;
}

export async function configCommand(action: 'get' | 'set' | 'unset', keyArg: string, value: string | undefined, out: Output): Promise<number> {
  const key = settingKey(keyArg);
  if (action === 'set' && value === undefined) throw usageError('InvalidArgument', `config set ${key} needs a value, e.g. syncacross config set user "Ana Lima"`);
  if (action !== 'get') await writeMachineSetting(key, action === 'set' ? value : undefined);
  const now = (await readMachineSettings())[key] ?? null;
  if (action === 'get') out.info(now ?? `(not set: the log shows this machine's account name)`);
  else if (now === null) out.info(`${key} unset: versions made from now on show this machine's account name.`);
  else out.info(`${key} set to "${now}": versions made from now on show it in every node's log (earlier ones keep the name they were made under).`);
  out.result({ command: 'config', action, key, value: now });
  return 0;
}
