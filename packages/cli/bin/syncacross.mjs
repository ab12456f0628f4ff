#!/usr/bin/env node
// The `syncacross` command. npm links a package's bin only if the file exists when it installs,
// and dist/ is built after that in a checkout (by the root `prepare` script), so the link points
// at this file, which is always there, and this file runs the build.
import { existsSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { relaunchWithHugePages } from './huge-pages.mjs';
import { tuneHeapForPeakMemory } from './v8-heap.mjs';

// Before anything else: a relaunch starts the command over (huge-pages.mjs says when, and why).
relaunchWithHugePages();
// Before the command allocates: peak memory (v8-heap.mjs says why).
tuneHeapForPeakMemory();

// Node 22.1 and later keep the code they compile for the next start (Node 20 has no such cache):
// a no-op sync of the benchmark library, Node 22, 238 ms against 256 ms (session 45, means of
// 10). In the user's own cache folder, made private, not in the shared temporary folder where
// another account could plant code. NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE still rule.
if (module.enableCompileCache && !process.env.NODE_COMPILE_CACHE) {
  try {
    const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'syncacross', 'node-compile-cache');
    mkdirSync(cache, { recursive: true, mode: 0o700 });
    module.enableCompileCache(cache);
  } catch {
    // No home, a read-only disk: the command starts as without a cache.
  }
}

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('syncacross: packages/cli/dist is not built; run `npm run build` in the repository\n');
  process.exit(1);
}
await import(built.href);
