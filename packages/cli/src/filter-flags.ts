/**
 * The rclone- and restic-style flags of the commands that move files: `--exclude`, `--include`,
 * `--exclude-from` (sync, watch) and `--bwlimit` (sync, watch, restore). Bad values stop the
 * command before it starts (exit 2).
 */
import { CommanderError, Option, type Command } from 'commander';
import { parseBandwidthLimit } from './bandwidth-limit.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--exclude P`, `--include P`, `--exclude-from FILE`, each repeatable; see exclude-patterns.ts for the order. */
export const patternFlags = (command: Command): Command =>
  command
    .addOption(new Option('--exclude <pattern>', 'leave out what matches this gitignore pattern, this run only (repeatable; both directions, never a delete)').argParser(collect))
    .addOption(new Option('--include <pattern>', 'bring back what an exclude left out (added as !pattern, after every exclude; repeatable)').argParser(collect))
    .addOption(new Option('--exclude-from <file>', 'read exclude patterns from this file, gitignore syntax (repeatable)').argParser(collect));

/** `--bwlimit RATE`: parsed here, so `--bwlimit fast` is a usage error before anything runs. */
export const bwlimitFlag = () =>
  new Option('--bwlimit <rate>', 'limit the bandwidth: 1M both ways, 512K:4M up:down, or off (binary bytes per second; default SYNCACROSS_BWLIMIT)').argParser((value: string) => {
    try {
      return parseBandwidthLimit(value);
    } catch (e) {
      throw new CommanderError(EXIT.usage, 'commander.invalidArgument', e instanceof CliError ? e.message : String(e));
    }
  });
