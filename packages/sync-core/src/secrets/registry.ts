/**
 * One process-wide list of secret values, so that whoever prints (the CLI, an embedding app) can
 * mask every secret any adapter holds: options, tokens read from a credentials file, and tokens
 * obtained by refresh while running. Adapters call `registerSecret` as soon as they hold a value;
 * printers pass every line through `redactSecrets` (registry.ts) and `scrubSecretPatterns`
 * (patterns.ts: what was never registered but looks like a secret in a URL, body or header).
 *
 * The list lives on `globalThis` under a `Symbol.for` key, not in this module, so an adapter that
 * bundles its own copy of sync-core still registers into the CLI's list.
 */
import { scrubSecretPatterns } from './patterns.js';

const KEY = Symbol.for('syncacross.secrets.v1');
type Holder = { [KEY]?: Set<string> };

function registry(): Set<string> {
  const g = globalThis as Holder;
  return (g[KEY] ??= new Set<string>());
}

/** Values shorter than this are not masked: they would mangle ordinary text and protect nothing. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Marks a value as secret for the rest of the process. Non-strings, empty and very short values
 * are ignored, so `registerSecret(options.password)` is safe when the option is absent. The
 * forms a secret takes inside a URL or a JSON string are masked too.
 */
export function registerSecret(value: unknown): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  const set = registry();
  set.add(value);
  for (const form of [encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), JSON.stringify(value).slice(1, -1)]) {
    if (form !== value) set.add(form);
  }
}

/** Registers every string value of an object (e.g. the `headers` option, whose values carry credentials). */
export function registerSecretValues(value: unknown): void {
  if (typeof value === 'string') registerSecret(value);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) registerSecretValues(v);
}

/** Replaces every registered secret in `text` by `***`, then scrubs what looks like one. */
export function redactSecrets(text: string): string {
  let out = text;
  // Longest first, so a secret containing another is masked whole.
  for (const s of [...registry()].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join('***');
  return scrubSecretPatterns(out);
}

/** For tests: forget every registered secret. */
export function clearRegisteredSecrets(): void {
  registry().clear();
}
