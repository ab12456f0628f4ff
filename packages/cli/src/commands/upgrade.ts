/**
 * `syncacross upgrade [DIR] [--dry-run]`: turns a format-2, 3, 4, 5 or 6 repository into format 7,
 * whose history `gc` can collect, a `retention` policy prune, whose unneeded packs go, whose metadata is brotli, and whose small chunks share their pack’s dictionary (docs/PROTOCOL.md §3.7). A machine
 * running an earlier release would take every collected segment for a lost one and upload it
 * again, or stop at a format it does not read, so the upgrade waits until every machine
 * that wrote in the last 30 days runs this release and has synced once; until then it names them
 * and exits 2 (`CannotUpgrade`), changing nothing. The other machines follow within the hour; `gc` starts a margin
 * (a day) after the upgrade.
 */
import type { UpgradeOutcome, UpgradeWriter } from '@syncacross/sync-core';
import { withInterrupt } from '../interrupt.js';
import { withLibrary } from '../library-session.js';
import type { Output } from '../output.js';
import { passphraseOptions, type PassphraseOptions } from '../passphrase.js';

export interface UpgradeCliOptions extends PassphraseOptions {
  dryRun?: boolean;
  retries?: number;
}

const ago = (d: Date | undefined, now: number) => {
  if (!d) return 'at a time the storage does not show';
  const days = Math.floor((now - d.getTime()) / 86_400_000);
  return days >= 2 ? `${days} days ago` : days === 1 ? 'yesterday' : 'today';
};
const who = (w: UpgradeWriter) => (w.author ? `${w.author.user} on ${w.author.machine} (${w.writer})` : w.writer);

function describe(r: UpgradeOutcome, dryRun: boolean, storage: string, out: Output): void {
  const now = Date.now();
  if (r.already) {
    out.info(`The repository on ${storage} is format ${r.to}, the newest this release knows: nothing to upgrade.`);
    return;
  }
  for (const w of r.writers.filter((x) => x.blocking)) out.info(`  waits for ${who(w)}: last wrote ${ago(w.lastWrote, now)} and has not synced with this release yet`);
  for (const w of r.writers.filter((x) => !x.ready && !x.blocking))
    out.info(`  not waiting for ${who(w)}: idle since ${ago(w.lastWrote, now)}; if it syncs again with an earlier release, gc stops and names it`);
  if (!dryRun)
    out.info(`Upgraded the repository on ${storage} from format ${r.from} to ${r.to}. The other machines follow within the hour; gc (and sync, on its own) starts collecting history a day from now.`);
  else if (r.writers.some((w) => w.blocking)) out.info(`Would not upgrade yet: the machines above still write with an earlier syncacross. Nothing was changed (--dry-run).`);
  else out.info(`Would upgrade the repository on ${storage} from format ${r.from} to ${r.to}: every machine that writes reads it. Nothing was changed (--dry-run).`);
}

export function upgradeCommand(dir: string | undefined, opts: UpgradeCliOptions, out: Output): Promise<number> {
  const session = { online: true, passphrase: passphraseOptions(opts), ...(opts.retries !== undefined ? { retries: opts.retries } : {}) };
  return withInterrupt('upgrade', (signal) =>
    withLibrary(dir, out, { ...session, signal }, async ({ root, library }) => {
      const dryRun = opts.dryRun === true;
      const r = await library.upgrade({ dryRun });
      describe(r, dryRun, library.storage.name, out);
      out.result({
        command: 'upgrade',
        library: root,
        storage: library.storage.name,
        dryRun,
        from: r.from,
        to: r.to,
        already: r.already,
        upgraded: r.upgraded,
        writers: r.writers.map((w) => ({
          writer: w.writer,
          user: w.author?.user ?? null,
          machine: w.author?.machine ?? null,
          lastWrote: w.lastWrote?.toISOString() ?? null,
          ready: w.ready,
          blocking: w.blocking,
        })),
      });
      return 0;
    }),
  );
}
