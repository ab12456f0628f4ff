/**
 * `syncacross verify [DIR] [--read-data[=PERCENT]] [--seed N] [--repair]`: checks that the
 * remote holds everything this library knows; exit 8 when anything is wrong, each problem named
 * with the remote object and the paths it affects. Only `--repair` changes anything.
 */
import { passphraseOptions, type PassphraseOptions } from '../passphrase.js';
import type { VerifyOutcome } from '@syncacross/sync-core';
import { usageError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { withLibrary } from '../library-session.js';
import { plural, type Output } from '../output.js';
import { createProgress } from '../progress.js';
import { withInterrupt } from '../interrupt.js';

export interface VerifyCliOptions extends PassphraseOptions {
  /** `--read-data` alone is true (every pack); `--read-data=25` a share. */
  readData?: string | boolean;
  seed?: number;
  repair?: boolean;
  retries?: number;
}

function percentOf(value: string | boolean | undefined): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return 100;
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw usageError('BadOption', `--read-data takes a percentage above 0 and up to 100, got ${JSON.stringify(value)}`);
  return n;
}

function describe(r: VerifyOutcome, root: string, storage: string, out: Output): void {
  out.info(`Verified ${root} against ${storage}`);
  out.info(`  segments: ${r.segments.verified} of ${r.segments.listed} read and checked`);
  out.info(`  packs:    ${r.packs.inUse} in use of ${r.packs.listed} listed, ${r.packs.read} downloaded and checked`);
  out.info(`  content:  ${plural(r.chunks, 'chunk')} of ${plural(r.versions, 'file version')} located`);
  if (r.sample) out.info(`  read ${r.sample.percent}% of the packs, chosen with --seed ${r.sample.seed} (give it again to check the same ones)`);
  if (r.repair) out.info(`  repaired: ${plural(r.repair.found.length, 'problem')} found; ${plural(r.repair.packs.length, 'pack')} given up and uploaded again from this machine`);
  for (const p of r.problems) {
    const paths = p.paths.length > 5 ? `${p.paths.slice(0, 5).join(', ')} and ${p.paths.length - 5} more` : p.paths.join(', ');
    out.warn(`syncacross: ${p.kind}: ${p.message}${paths ? `; affects ${paths}` : ''}`);
  }
  if (r.problems.length === 0) out.info('No problems found.');
  else if (!r.repair) out.warn('syncacross: `syncacross verify --repair` uploads again what this machine still holds of what is lost');
}

export async function verifyCommand(dir: string | undefined, opts: VerifyCliOptions, out: Output): Promise<number> {
  const readData = percentOf(opts.readData);
  return withInterrupt('verify', (signal) => {
    // Checking only reads: no lock, so it runs beside a sync; a repair syncs, and takes it.
    const session = { online: true, readOnly: opts.repair !== true, signal, passphrase: passphraseOptions(opts), ...(opts.retries !== undefined ? { retries: opts.retries } : {}) };
    return withLibrary(dir, out, session, async ({ root, library }) => {
      const progress = createProgress(out, () => library.storage.stats.bytesDown + library.storage.stats.bytesUp);
      let report: VerifyOutcome;
      try {
        report = await library.verify({ readData, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), repair: opts.repair === true, signal, onProgress: (p) => progress.update(p) });
      } finally {
        progress.stop();
      }
      const exitCode = report.problems.length > 0 ? EXIT.completedWithErrors : EXIT.ok;
      describe(report, root, library.storage.name, out);
      out.result({ command: 'verify', library: root, storage: library.storage.name, exitCode, ...report });
      return exitCode;
    });
  });
}
