/** `upgrade`, registered on the program (its own file: program.ts is near its size limit). */
import { Option, type Command } from 'commander';
import { upgradeCommand, type UpgradeCliOptions } from './commands/upgrade.js';
import type { Output } from './output.js';

// As in program.ts: commander hands each command its own arguments, typed by the handler.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Run = (handler: (out: Output, ...args: any[]) => Promise<number>) => (...args: unknown[]) => Promise<void>;

export function addUpgradeCommand(program: Command, run: Run, withPassword: (c: Command) => Command, retries: () => Option): void {
  const upgrade = program
    .command('upgrade [dir]')
    .description('upgrade the repository to the newest format (2 to 3: its history can then be collected by gc), once every machine that writes to it runs this release and has synced once')
    .option('-n, --dry-run', 'say which machines the upgrade waits for, and write nothing')
    .addOption(retries());
  withPassword(upgrade).action(run((out: Output, dir: string | undefined, opts: UpgradeCliOptions) => upgradeCommand(dir, opts, out)));
}
