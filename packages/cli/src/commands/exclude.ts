/**
 * `syncacross exclude [list] | add PATTERN… | remove PATTERN… [-d DIR]`: this node's exclude
 * patterns, kept in the library's config.json and applied by every sync and watch here (after the
 * built-in list and `.syncacrossignore`; exclude-patterns.ts). A running watch takes a change at
 * its next round (config.ts, liveConfig). Other nodes are not told: what this node leaves out stays theirs.
 */
import { BUILTIN_IGNORES } from '@syncacross/sync-core';
import { usageError } from '../cli-error.js';
import { editedList } from '../config-list.js';
import { findLibraryRoot, readConfig, writeConfig } from '../config.js';
import { checkPattern, sharedPatterns } from '../exclude-patterns.js';
import type { Output } from '../output.js';

export type ExcludeAction = 'list' | 'add' | 'remove';

const notListed = (unknown: string[]) => usageError('UnknownPattern', `not an exclude pattern of this library: ${unknown.map((p) => JSON.stringify(p)).join(', ')} (see syncacross exclude list)`);

export async function excludeCommand(action: ExcludeAction, patterns: string[], opts: { dir?: string }, out: Output): Promise<number> {
  const root = findLibraryRoot(opts.dir ?? '.');
  const config = await readConfig(root);
  let exclude = config.exclude ?? [];
  if (action !== 'list') {
    if (patterns.length === 0) throw usageError('BadOption', `exclude ${action} needs at least one pattern, e.g. syncacross exclude ${action} '*.tmp'`);
    patterns.forEach((p) => checkPattern(p, `exclude ${action}`));
    exclude = editedList(action, exclude, patterns, notListed);
    const { exclude: _old, ...rest } = config;
    await writeConfig(root, { ...rest, ...(exclude.length > 0 ? { exclude } : {}) });
  }
  const shared = await sharedPatterns(root);
  if (action === 'list') {
    out.info('Left out of the sync, in this order (a later pattern wins; !pattern brings a path back):');
    out.info(`  built in:           ${BUILTIN_IGNORES.join(' ')}`);
    out.info(`  .syncacrossignore:  ${shared.join(' ') || '(none)'}  (shared by every node: what other nodes publish there is still written here)`);
    out.info(`  this node:          ${exclude.join(' ') || '(none)'}  (neither sent nor received here; syncacross exclude add|remove)`);
  } else {
    out.info(`${action === 'add' ? 'Excluded' : 'No longer excluded'} on this node: ${patterns.join(' ')}. Patterns now: ${exclude.join(' ') || '(none)'}.`);
    out.info(
      action === 'add'
        ? 'What they cover is neither sent nor received from the next sync on; copies on other nodes stay.'
        : 'What they covered syncs again from the next sync on: edits made here meanwhile go out, and changes from other nodes come in.',
    );
  }
  out.result({ command: 'exclude', action, library: root, patterns: exclude, shared, builtin: [...BUILTIN_IGNORES] });
  return 0;
}
