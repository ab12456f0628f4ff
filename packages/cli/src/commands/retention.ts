/**
 * `syncacross retention [DIR] [--keep-last N] [--keep-within SPAN] [--keep-hourly N] … [--keep-all]`
 * (docs/PROTOCOL.md §3.11): with no flag, shows the repository's retention policy; with flags, sets
 * it for every machine (the flags given make the whole policy; restic's `forget` conventions, per
 * file). Current versions, deletes and conflict copies are always kept. The policy applies from the
 * next checkpoint (`gc` writes one at once), and what it prunes leaves the remote once that
 * checkpoint is a margin old. Needs format 4 or later (`syncacross upgrade`).
 */
import { parseSpanMs, type RetentionOutcome, type RetentionPolicy } from '@syncacross/sync-core';
import { usageError } from '../cli-error.js';
import { withInterrupt } from '../interrupt.js';
import { withLibrary } from '../library-session.js';
import type { Output } from '../output.js';
import { passphraseOptions, type PassphraseOptions } from '../passphrase.js';

export interface RetentionCliOptions extends PassphraseOptions {
  keepLast?: string;
  keepWithin?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
  keepYearly?: string;
  /** Set a policy that keeps every version (pruning stops). */
  keepAll?: boolean;
  retries?: number;
}

const COUNTS = [
  ['keepLast', '--keep-last'],
  ['keepHourly', '--keep-hourly'],
  ['keepDaily', '--keep-daily'],
  ['keepWeekly', '--keep-weekly'],
  ['keepMonthly', '--keep-monthly'],
  ['keepYearly', '--keep-yearly'],
] as const;

/** The policy the flags ask for; undefined: no flag, show only. */
function policyFromFlags(opts: RetentionCliOptions): RetentionPolicy | undefined {
  const given = COUNTS.filter(([f]) => opts[f] !== undefined).length + (opts.keepWithin !== undefined ? 1 : 0);
  if (opts.keepAll) {
    if (given > 0) throw usageError('BadOption', '--keep-all keeps every version: give it alone');
    return {};
  }
  if (given === 0) return undefined;
  const policy: RetentionPolicy = {};
  for (const [field, flag] of COUNTS) {
    const text = opts[field];
    if (text === undefined) continue;
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw usageError('BadOption', `${flag} takes a whole number, got ${JSON.stringify(text)}`);
    policy[field] = n;
  }
  if (opts.keepWithin !== undefined) {
    const ms = parseSpanMs(opts.keepWithin);
    if (ms === undefined) throw usageError('BadOption', `--keep-within takes a span such as 30d, 12h or 90m, got ${JSON.stringify(opts.keepWithin)}`);
    policy.keepWithinMs = ms;
  }
  if (Object.values(policy).every((n) => n === 0)) throw usageError('BadOption', 'a policy of zeros would keep only current versions by accident; to keep every version, give --keep-all');
  return policy;
}

function describe(r: RetentionOutcome, asked: boolean, storage: string, out: Output): void {
  const by = r.setAt ? ` (set ${r.setAt.slice(0, 16).replace('T', ' ')} UTC by ${r.setBy})` : '';
  if (asked && r.changed) out.info(`Set the retention policy of the repository on ${storage}: ${r.described}.`);
  else if (asked) out.info(`The retention policy of the repository on ${storage} is already: ${r.described}${by}. Nothing was changed.`);
  else out.info(`Retention policy of the repository on ${storage}: ${r.described}${by}.`);
  if (r.notice) out.info(`  ${r.notice}`);
  if (asked && r.changed && r.policy)
    out.info('It applies from the next checkpoint (run `syncacross gc` to write one now); what it prunes leaves the remote once that checkpoint is older than the gc margin (24h by default).');
}

export function retentionCommand(dir: string | undefined, opts: RetentionCliOptions, out: Output): Promise<number> {
  const set = policyFromFlags(opts);
  const session = { online: true, passphrase: passphraseOptions(opts), ...(opts.retries !== undefined ? { retries: opts.retries } : {}) };
  return withInterrupt('retention', (signal) =>
    withLibrary(dir, out, { ...session, signal }, async ({ root, library }) => {
      const r = await library.retention(set);
      describe(r, set !== undefined, library.storage.name, out);
      out.result({
        command: 'retention',
        library: root,
        storage: library.storage.name,
        policy: r.policy ?? null,
        described: r.described,
        setAt: r.setAt ?? null,
        setBy: r.setBy ?? null,
        changed: r.changed,
        notice: r.notice ?? null,
      });
      return 0;
    }),
  );
}
