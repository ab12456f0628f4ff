/**
 * Turns an adapter name into its AdapterModule. Built-in names map to our packages; any other
 * name is an installed npm package (`name`, then `syncacross-adapter-<name>`) found from the
 * library's folder or the current directory, or a module path. Each adapter is imported lazily,
 * so one broken adapter never breaks the others.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AdapterModule } from '@syncacross/sync-core';
import { CliError, usageError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { didYouMean } from './did-you-mean.js';
import { findPackage, packageEntry } from './module-resolver.js';

/** The built-in adapters: the name `--remote name:…` takes, and the package that provides it. */
export const BUILTIN_ADAPTERS: Readonly<Record<string, string>> = {
  fs: '@syncacross/adapter-fs',
  s3: '@syncacross/adapter-s3',
  webdav: '@syncacross/adapter-webdav',
  gdrive: '@syncacross/adapter-gdrive',
  onedrive: '@syncacross/adapter-onedrive',
  dropbox: '@syncacross/adapter-dropbox',
};

/** An adapter found by `loadAdapter`. */
export interface LoadedAdapter {
  /** The adapter package's default export. */
  module: AdapterModule<unknown>;
  /** What to store in config.json to find it again: a built-in name, a package name or an absolute path. */
  specifier: string;
  /** Where it came from, for `syncacross adapters`. */
  source: string;
}

const looksLikePath = (s: string) => s.startsWith('.') || s.startsWith('/') || s.startsWith('file:') || isAbsolute(s) || /\.(m?js|cjs)$/.test(s);

function checkShape(mod: unknown, source: string): AdapterModule<unknown> {
  const m = (mod as { default?: unknown })?.default ?? mod;
  const a = m as Partial<AdapterModule<unknown>>;
  const problems: string[] = [];
  if (typeof a?.name !== 'string') problems.push('name');
  if (typeof a?.optionsSchema?.safeParse !== 'function') problems.push('optionsSchema.safeParse');
  if (!Array.isArray(a?.secretOptions)) problems.push('secretOptions');
  if (typeof a?.parseLocation !== 'function') problems.push('parseLocation');
  if (typeof a?.create !== 'function') problems.push('create');
  if (problems.length > 0) {
    throw usageError('BadAdapter', `${source} is not a syncacross adapter: its default export lacks ${problems.join(', ')} (see "Writing your own adapter" in the README)`);
  }
  return a as AdapterModule<unknown>;
}

async function importFrom(url: string, source: string): Promise<AdapterModule<unknown>> {
  let mod: unknown;
  try {
    mod = await import(url);
  } catch (e) {
    throw new CliError(EXIT.unexpected, `the adapter ${source} could not be loaded: ${(e as Error).message}`, 'AdapterLoadFailed', { cause: e });
  }
  return checkShape(mod, source);
}

/** `searchFrom`: folders whose node_modules may hold the package (the library's, the cwd). */
export async function loadAdapter(name: string, searchFrom: readonly string[] = [process.cwd()]): Promise<LoadedAdapter> {
  const builtin = BUILTIN_ADAPTERS[name];
  if (builtin) return { module: await importFrom(builtin, builtin), specifier: name, source: builtin };

  if (looksLikePath(name)) {
    const path = name.startsWith('file:') ? fileURLToPath(name) : resolve(name);
    const file = existsSync(path) && statSync(path).isDirectory() ? packageEntry(path) : path;
    if (!file || !existsSync(file)) throw usageError('UnknownAdapter', `unknown adapter ${name}: no module at ${path}`);
    return { module: await importFrom(pathToFileURL(file).href, path), specifier: path, source: path };
  }

  for (const pkg of [name, `syncacross-adapter-${name}`]) {
    for (const dir of searchFrom) {
      const entry = findPackage(pkg, dir);
      if (entry) return { module: await importFrom(pathToFileURL(entry).href, pkg), specifier: pkg, source: entry };
    }
  }
  throw usageError(
    'UnknownAdapter',
    `unknown adapter "${name}"${didYouMean(name, Object.keys(BUILTIN_ADAPTERS))}: not a built-in (${Object.keys(BUILTIN_ADAPTERS).join(', ')}), and no package "${name}" or "syncacross-adapter-${name}" is installed in node_modules above ${[...new Set(searchFrom)].join(' or ')}. Install it, or give a module path (./my-adapter.mjs:<location>).`,
  );
}
