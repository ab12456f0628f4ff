/**
 * Finds an installed package's ESM entry point the way Node would from a given folder: the
 * nearest `node_modules/<name>` upward, then its `exports` (import/node/default), `module` or
 * `main`. We do it ourselves because `require.resolve` ignores `import`-only exports and
 * `import.meta.resolve(spec, parent)` needs a flag on Node 20.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

type ExportsField = string | { [condition: string]: ExportsField } | null | undefined;

function pickEntry(exp: ExportsField): string | undefined {
  if (typeof exp === 'string') return exp;
  if (!exp || typeof exp !== 'object') return undefined;
  if ('.' in exp) return pickEntry(exp['.']);
  for (const condition of ['import', 'node', 'default']) {
    const hit = pickEntry(exp[condition]);
    if (hit) return hit;
  }
  return undefined;
}

/** The entry file of the package in `packageDir`, or undefined when it has none we can load. */
export function packageEntry(packageDir: string): string | undefined {
  const manifest = join(packageDir, 'package.json');
  if (!existsSync(manifest)) return existsSync(join(packageDir, 'index.js')) ? join(packageDir, 'index.js') : undefined;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: ExportsField; module?: string; main?: string };
  const entry = pickEntry(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js';
  const file = resolve(packageDir, entry);
  return existsSync(file) ? file : undefined;
}

/** Looks for `node_modules/<name>` in `from` and each folder above it. */
export function findPackage(name: string, from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return packageEntry(candidate);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
