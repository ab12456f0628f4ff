/**
 * `syncacross gc [DIR] [--dry-run] [--margin SPAN]`: garbage collection (docs/PROTOCOL.md §3.10).
 * Deletes the segments a checkpoint older than the margin bundles, checkpoints and parts nothing
 * needs any more, and (format 5 or later) packs no kept version needs, in two phases (§3.12); first writes
 * a checkpoint when this node knows more than any listed one covers, so the next run has one to
 * rely on. Refuses (exit 2, nothing changed) on a repository
 * made before format 3, a storage that cannot delete, or clocks that disagree by minutes.
 */
import { DEFAULT_COLLECTION_MARGIN_MS, isSyncError, parseSpanMs, SyncError, type CollectOutcome } from '@syncacross/sync-core';
import { usageError } from '../cli-error.js';
import { withInterrupt } from '../interrupt.js';
import { withLibrary } from '../library-session.js';
import { formatBytes, plural, type Output } from '../output.js';
import { passphraseOptions, type PassphraseOptions } from '../passphrase.js';

export interface GcCliOptions extends PassphraseOptions {
  dryRun?: boolean;
  /** How old a checkpoint must be before the segments it bundles go (`24h`, `30m`, `0s`). */
  margin?: string;
  retries?: number;
}

function marginOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_COLLECTION_MARGIN_MS;
  const ms = parseSpanMs(text);
  if (ms === undefined) throw usageError('BadOption', `--margin takes a span such as 24h, 30m or 0s, got ${JSON.stringify(text)}`);
  return ms;
}

const age = (ms: number) => (ms >= 172_800_000 ? `${Math.floor(ms / 86_400_000)} days` : ms >= 7_200_000 ? `${Math.floor(ms / 3_600_000)} hours` : `${Math.max(0, Math.floor(ms / 60_000))} minutes`);

function describe(r: CollectOutcome, storage: string, out: Output): void {
  const { plan } = r;
  if (r.wrote) {
    const pruned = r.wrote.pruned ? `, leaving out ${plural(r.wrote.pruned, 'older version')} the retention policy prunes` : '';
    out.info(`Wrote checkpoint ${r.wrote.key} (${plural(r.wrote.covered, 'segment')}${pruned}): a later gc can rely on it once it is older than the margin.`);
  }
  const packsGoing = plan.packCollection?.delete ?? [];
  const objects = `${plural(plan.segments.length, 'segment')}, ${plural(plan.checkpoints.length, 'older checkpoint')} and ${plural(plan.parts.length, 'checkpoint part')}`;
  const what = packsGoing.length > 0 ? `${objects}, and ${plural(packsGoing.length, 'pack')} nothing needs any more` : objects;
  const bytes = [...plan.segments, ...plan.checkpoints, ...plan.parts, ...packsGoing].reduce((n, o) => n + o.size, 0);
  if (plan.checkpoint) out.info(`Relying on checkpoint ${plan.checkpoint.key} (${plural(plan.checkpoint.covered, 'segment')}, ${age(plan.checkpoint.ageMs)} old on ${storage}'s clock).`);
  out.info(r.dryRun ? `Would delete ${what} (${formatBytes(bytes)}). Nothing was changed (--dry-run).` : `Deleted ${what} (${formatBytes(r.bytes)}).`);
  for (const n of plan.notices) out.info(`  ${n}`);
  out.info(plan.checkpoint?.pruned ? 'Every current file, and every version the retention policy keeps, is kept.' : 'Every version is kept: nothing any file needs was deleted.');
  describePacks(plan, r.dryRun, out);
}

/** Pack collection (format 5 or later: condemned now, deleted a margin later), or what waits for it. */
function describePacks(plan: CollectOutcome['plan'], dryRun: boolean, out: Output): void {
  const packs = plan.packs;
  const p = plan.packCollection;
  if (packs && 'unknown' in packs) out.info(`  Packs that nothing kept needs could not be counted: ${packs.unknown}.`);
  else if (!p) {
    if (packs?.count)
      out.info(`  ${plural(packs.count, 'pack')} (${formatBytes(packs.bytes)}) hold nothing a kept version needs; a repository of format 5 or later deletes such packs (\`syncacross upgrade\`).`);
    return;
  }
  if (p?.condemn.length) {
    const size = formatBytes(p.condemn.reduce((n, o) => n + o.size, 0));
    out.info(
      `  ${dryRun ? 'Would condemn' : 'Condemned'} ${plural(p.condemn.length, 'pack')} (${size}) no kept version needs: no machine puts anything new in them from now on, and a gc here deletes them once that has been announced for the margin, if they are still unneeded.`,
    );
  }
  if (p?.repack.packs.length) {
    const size = formatBytes(p.repack.packs.reduce((n, o) => n + o.size, 0));
    out.info(
      `  ${dryRun ? 'Would repack' : 'Repacked'} ${plural(p.repack.packs.length, 'pack')} (${size}) that are mostly unused, or small: the ${formatBytes(p.repack.bytes)} in them that kept versions need ${dryRun ? 'would be' : 'was'} copied into new packs, and they are condemned with the others.`,
    );
  }
  if (p?.withdrawn.length)
    out.info(`  ${plural(p.withdrawn.length, 'pack')} condemned here before ${p.withdrawn.length === 1 ? 'is' : 'are'} needed again, or already gone: kept, and no longer counted as condemned here.`);
  if (p?.waiting) out.info(`  ${plural(p.waiting, 'pack')} condemned here wait out the margin before they go.`);
}

/** `packs` of the JSON result: what pack collection will free, or null when it could not be counted. */
const packsResult = (p: CollectOutcome['plan']['packs']) => (p && !('unknown' in p) ? p : null);

export async function gcCommand(dir: string | undefined, opts: GcCliOptions, out: Output): Promise<number> {
  const marginMs = marginOf(opts.margin);
  return withInterrupt('gc', (signal) => collectHere(dir, opts, marginMs, signal, out)).catch((e: unknown) => {
    // A running `watch` owns the library; it collects on its own, so say that rather than only "busy".
    if (!isSyncError(e, 'LibraryBusy')) throw e;
    throw new SyncError(
      'LibraryBusy',
      `${e.message}. If it is \`syncacross watch\` (or the service), it collects on its own once 1,000 history segments are listed; to collect now, stop it and run gc again`,
    );
  });
}

function collectHere(dir: string | undefined, opts: GcCliOptions, marginMs: number, signal: AbortSignal, out: Output): Promise<number> {
  const session = { online: true, signal, passphrase: passphraseOptions(opts), ...(opts.retries !== undefined ? { retries: opts.retries } : {}) };
  return withLibrary(dir, out, session, async ({ root, library }) => {
    const r = await library.collect({ marginMs, dryRun: opts.dryRun === true, signal });
    describe(r, library.storage.name, out);
    const { plan } = r;
    out.result({
      command: 'gc',
      library: root,
      storage: library.storage.name,
      dryRun: r.dryRun,
      marginMs: plan.marginMs,
      clockSkewMs: plan.clock.skewMs,
      wrote: r.wrote ? { key: r.wrote.key, covered: r.wrote.covered, pruned: r.wrote.pruned ?? 0 } : null,
      checkpoint: plan.checkpoint ?? null,
      segments: plan.segments.map((o) => o.key),
      checkpoints: plan.checkpoints.map((o) => o.key),
      parts: plan.parts.map((o) => o.key),
      deleted: r.deleted,
      bytes: r.bytes,
      unneededPacks: packsResult(plan.packs),
      packs: plan.packCollection
        ? {
            condemned: plan.packCollection.condemn.map((o) => o.key),
            repacked: plan.packCollection.repack.packs.map((o) => o.key),
            copiedBytes: plan.packCollection.repack.bytes,
            deleted: plan.packCollection.delete.map((o) => o.key),
            withdrawn: plan.packCollection.withdrawn,
            waiting: plan.packCollection.waiting,
          }
        : null,
      notices: plan.notices,
    });
    return 0;
  });
}
