/**
 * `<library>/.syncacross/config.json`: which adapter, with which options. Secrets are never
 * stored here: a secret option holds a `${env:NAME}` reference or is read from the environment
 * (see secrets.ts). The engine keeps its own state next to it (state.db, lock).
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { mountPointProblem, z } from '@syncacross/sync-core';
import { usageError } from './cli-error.js';

export const STATE_FOLDER = '.syncacross';

/** The shape of config.json, validated when read (unknown fields are refused). */
export const configSchema = z
  .object({
    /** The config format: 1. */
    version: z.literal(1),
    /** What the user typed after --remote, for messages. */
    remote: z.string(),
    /** A built-in name (`fs`), an npm package name, or an absolute module path. */
    adapter: z.string().min(1),
    /** Adapter options: the parsed location plus `-o` values (strings may hold `${env:NAME}`). */
    options: z.record(z.string(), z.unknown()),
    /** The machine name given by `init --name` (`LibraryOptions.nodeName`; default the host name). */
    node: z.string().optional(),
    /** This node's exclude patterns (gitignore syntax; `syncacross exclude add`, `init --exclude`). */
    exclude: z.array(z.string()).optional(),
    /** Folders of the library that are other disks or shares (`syncacross mount-point add`; `LibraryOptions.mountPoints`). */
    mountPoints: z.array(z.string().refine((p) => !mountPointProblem(p), { error: (issue) => mountPointProblem(issue.input as string) })).optional(),
    /** Set by `init --remote NAME`: adapter and options come from that named remote (named-remotes.ts); `options` here stays {}. */
    namedRemote: z.string().optional(),
  })
  .strict();

/** A library's config.json. */
export type LibraryConfig = z.infer<typeof configSchema>;

export const configPath = (libraryDir: string) => join(libraryDir, STATE_FOLDER, 'config.json');

/** The library containing `start`: the nearest folder upward that has a config.json. */
export function findLibraryRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(configPath(dir))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw usageError('NotInitialized', `${resolve(start)} is not inside a syncacross library: run \`syncacross init ${start === '.' ? '' : start + ' '}--remote <adapter>:<location>\` first`);
    }
    dir = parent;
  }
}

/**
 * The libraries `dirs` name (default: the one containing the current directory), each once however
 * it is named (a folder inside it, a link to it), as spelled first. `watch ~/Lib ~/Lib/papers`
 * watched one library twice, and the second watcher stopped both with "the library is being synced
 * by another process", the pid its own (exit 6).
 */
export function distinctLibraryRoots(dirs: string[]): string[] {
  const byRealRoot = new Map<string, string>();
  for (const dir of dirs.length > 0 ? dirs : ['.']) {
    const root = findLibraryRoot(dir);
    const real = realpathSync(root);
    if (!byRealRoot.has(real)) byRealRoot.set(real, root);
  }
  return [...byRealRoot.values()];
}

/** Reads and validates the library's config.json; a missing or invalid one is a usage error (`BadConfig`). */
export async function readConfig(libraryDir: string): Promise<LibraryConfig> {
  const file = configPath(libraryDir);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw usageError('BadConfig', `cannot read ${file}: ${(e as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usageError('BadConfig', `${file}: ${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Written to a temporary file then renamed, so a crash never leaves half a config. */
export async function writeConfig(libraryDir: string, config: LibraryConfig): Promise<void> {
  const file = configPath(libraryDir);
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.syncacross-tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

/**
 * The library's config.json as it is whenever asked: what a running `watch` reads at each round
 * for this node's exclude patterns and mount points (`LibraryOptions.exclude` and `.mountPoints`
 * may be functions), so `exclude add` and `mount-point add` reach it without a restart. A config
 * that cannot be read at that moment (an editor halfway through saving it) gives the last one
 * read: a mount point or a pattern is never dropped by accident.
 */
export function liveConfig(libraryDir: string, atStart: LibraryConfig): () => LibraryConfig {
  let last = atStart;
  // Read again only when the file changed: a round asks twice (patterns, mount points) and the
  // watch's filter every few seconds. Written by rename (writeConfig), a new file is a new inode;
  // an edit in place moves the mtime (nanoseconds) or the size.
  let seen = '';
  return () => {
    try {
      const st = statSync(configPath(libraryDir), { bigint: true });
      const now = `${st.ino}:${st.size}:${st.mtimeNs}`;
      if (now === seen) return last;
      const parsed = configSchema.safeParse(JSON.parse(readFileSync(configPath(libraryDir), 'utf8')));
      if (parsed.success) [last, seen] = [parsed.data, now];
    } catch {
      // kept: the last config read
    }
    return last;
  };
}
