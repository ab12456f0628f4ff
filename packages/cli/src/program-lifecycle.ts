/** The repository's lifecycle commands, `gc`, `upgrade` and `retention`, registered on the program (their own file: program.ts is near its size limit). */
import { Option, type Command } from 'commander';
import { gcCommand, type GcCliOptions } from './commands/gc.js';
import { upgradeCommand, type UpgradeCliOptions } from './commands/upgrade.js';
import { retentionCommand, type RetentionCliOptions } from './commands/retention.js';
import type { Output } from './output.js';
import type { Run } from './program-run.js';
import { dirOption, oneDir } from './program-dir.js';

export function addLifecycleCommands(program: Command, run: Run, withPassword: (c: Command) => Command, retries: () => Option): void {
  const gc = program
    .command('gc [dir]')
    .description(
      'garbage collection: delete the history segments an old-enough checkpoint holds, checkpoints nothing needs, and (format 5 or later) packs no kept version needs, condemned first and deleted a margin later (a pack mostly unused, or one of many small ones, is repacked first) (format 3 or later; every file is kept, and every version a retention policy keeps)',
    )
    .option('-n, --dry-run', 'say what would be deleted, and delete nothing')
    .option(
      '--margin <span>',
      'how old a checkpoint must be, on the storage clock, before what it holds goes, and how long a condemned pack waits (default 24h; 0s only where no other node is syncing)',
    )
    .addOption(retries());
  withPassword(gc.addOption(dirOption())).action(run((out: Output, dir: string | undefined, opts: GcCliOptions & { dir?: string }) => gcCommand(oneDir(dir, opts), opts, out)));
  const upgrade = program
    .command('upgrade [dir]')
    .description(
      'upgrade the repository to the newest format (5: its history and unneeded packs can be collected by gc, and pruned by a retention policy), once every machine that writes to it runs this release and has synced once',
    )
    .option('-n, --dry-run', 'say which machines the upgrade waits for, and write nothing')
    .addOption(retries());
  withPassword(upgrade.addOption(dirOption())).action(run((out: Output, dir: string | undefined, opts: UpgradeCliOptions & { dir?: string }) => upgradeCommand(oneDir(dir, opts), opts, out)));
  const retention = program
    .command('retention [dir]')
    .description(
      "show the repository's retention policy, or set it for every machine with the flags below (per file; current versions, deletes and conflict copies are always kept; format 4 or later)",
    )
    .option('--keep-last <n>', 'keep the n newest versions of each file')
    .option('--keep-within <span>', 'keep every version made within this span before a checkpoint (e.g. 30d, 12h)')
    .option('--keep-hourly <n>', 'keep the newest version of each of the last n hours that have one')
    .option('--keep-daily <n>', 'likewise for days (UTC)')
    .option('--keep-weekly <n>', 'likewise for ISO weeks')
    .option('--keep-monthly <n>', 'likewise for months')
    .option('--keep-yearly <n>', 'likewise for years')
    .option('--keep-all', 'keep every version: stop pruning')
    .addOption(retries());
  withPassword(retention.addOption(dirOption())).action(run((out: Output, dir: string | undefined, opts: RetentionCliOptions & { dir?: string }) => retentionCommand(oneDir(dir, opts), opts, out)));
}
