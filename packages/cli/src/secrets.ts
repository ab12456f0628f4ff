/**
 * Secret options (passwords, keys, tokens) come from the environment: either a `${env:NAME}`
 * reference in config.json, or, when the option is absent, `SYNCACROSS_<ADAPTER>_<OPTION>`
 * (e.g. SYNCACROSS_WEBDAV_PASSWORD, SYNCACROSS_S3_SECRET_ACCESS_KEY). Literal secrets are never
 * written to config.json.
 */
import type { AdapterModule } from '@syncacross/sync-core';
import { usageError } from './cli-error.js';
import { addSecret } from './redact.js';

const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

const isReference = (value: unknown) => typeof value === 'string' && /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(value);

/** `secretAccessKey` of adapter `s3` → `SYNCACROSS_S3_SECRET_ACCESS_KEY`. */
export function envNameFor(adapterName: string, option: string): string {
  const snake = option.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  return `SYNCACROSS_${adapterName}_${snake}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** Refuses a literal secret on the command line: it would end up in config.json and shell history. */
export function rejectLiteralSecrets(module: AdapterModule<unknown>, given: Record<string, unknown>): void {
  for (const name of module.secretOptions) {
    if (name in given && !isReference(given[name])) {
      throw usageError(
        'SecretInConfig',
        `option ${name} is a secret and is never stored in config.json: set ${envNameFor(module.name, name)} in the environment, or pass -o ${name}='\${env:YOUR_VARIABLE}'`,
      );
    }
  }
}

/** Replaces `${env:NAME}` references and fills absent secrets from the environment. */
export function resolveSecrets(module: AdapterModule<unknown>, options: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const secret = new Set(module.secretOptions);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'string') {
      out[key] = value;
      continue;
    }
    out[key] = value.replace(REFERENCE, (_, name: string) => {
      const found = env[name];
      if (found === undefined) throw usageError('MissingSecret', `option ${key} refers to the environment variable ${name}, which is not set`);
      return found;
    });
  }
  for (const name of secret) {
    const fromEnv = env[envNameFor(module.name, name)];
    if (out[name] === undefined && fromEnv !== undefined) out[name] = fromEnv;
    addSecret(out[name]);
  }
  return out;
}

/** Options fit for display: secrets show their reference, or `***`. */
export function maskOptions(module: Pick<AdapterModule<unknown>, 'secretOptions'>, options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) out[key] = module.secretOptions.includes(key) && !isReference(value) ? '***' : value;
  return out;
}
