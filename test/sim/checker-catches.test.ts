/** The checker must be able to fail: each deliberately broken engine is caught within a bounded number of seeds. */
import { afterAll, describe, expect, it } from 'vitest';
import type { BrokenVariant } from './broken-variants.js';
import { releaseCaseInsensitiveDisk, whyNoCaseInsensitiveDisk } from './case-insensitive-disk.js';
import { runSchedule } from './schedule.js';
import type { Mode } from './storage-modes.js';

/** Variant, mode, seeds within which it must be caught, focus, whether schedules make local edges (links), whether nodes checkpoint, and whether they collect. */
const cases: [BrokenVariant, Mode, number, 'restore' | 'rollback' | undefined, boolean?, boolean?, boolean?][] = [
  ['last-writer-wins-by-clock', 'atomic', 20, undefined],
  ['delete-on-missing-listing', 'lossy-listing', 20, undefined],
  ['skip-restored-node-check', 'atomic', 40, 'restore'],
  ['ignore-lost-packs', 'atomic', 40, 'rollback'],
  ['delete-all-heads', 'atomic', 30, undefined],
  ['delete-behind-links', 'atomic', 20, undefined, true],
  ['follow-links', 'atomic', 20, undefined, true],
  ['silent-unwritable-names', 'atomic', 20, undefined, true],
  ['checkpoint-heads-only-unchecked', 'atomic', 20, undefined, false, true],
  ['gc-uncovered', 'atomic', 20, undefined, false, true, true],
  ['gc-local-clock', 'atomic', 20, undefined, false, true, true],
  ['gc-no-margin', 'atomic', 20, undefined, false, true, true],
  // Pack collection (§3.12): both are caught at quiescence, where a machine reverts a file to content only condemned packs hold.
  ['pack-no-margin', 'atomic', 20, undefined, false, true, true],
  // Rarer: about 2 schedules in 80 catch it (seeds 11 and 46 of the first 80 before format 6; 58
  // and 65 since format 6, under which every schedule runs differently), 2 in 200 with format 7
  // at first (seeds 98 and 115), seed 47 once a node of a format-7 repository says only that it
  // reads 7: each change to the objects a node writes makes every schedule run differently.
  ['pack-ignores-condemnations', 'atomic', 120, undefined, false, true, true],
  // Repacking (§3.12) without publishing the copies: first caught at seed 12.
  ['repack-unpublished-copies', 'atomic', 30, undefined, false, true, true],
  ['prune-heads', 'atomic', 30, undefined, false, true, true],
  // Since GC schedules revert files and collect packs at quiescence (issue 18), first caught at seed 52;
  // with format 7 at first, at 105 (then 107, 116, 137, 141 of the first 200); now at 47.
  ['merge-ignores-superseded', 'atomic', 120, undefined, false, true, true],
];

describe('the simulation catches broken engines', () => {
  for (const [variant, mode, bound, focus, localEdges, checkpoints, gc] of cases) {
    it(`catches ${variant} within ${bound} seeds (${mode})`, async () => {
      let caught: { seed: number; violations: string[] } | undefined;
      for (let seed = 1; seed <= bound && !caught; seed++) {
        const r = await runSchedule({ seed, mode, nodes: 3, steps: 40, brokenVariant: variant, focus, localEdges, checkpoints, gc });
        if (!r.ok) caught = { seed, violations: r.violations };
      }
      expect(caught, `${variant} went unnoticed for ${bound} seeds`).toBeDefined();
      console.log(`${variant}: caught at seed ${caught!.seed}: ${caught!.violations[0]}`);
    }, 600_000);
  }
});

// A real case-insensitive disk (an exFAT mount) needs root: elsewhere this is skipped, saying why.
const noDisk = whyNoCaseInsensitiveDisk();
afterAll(releaseCaseInsensitiveDisk);

describe.skipIf(noDisk)(`the simulation catches a broken engine on a case-insensitive disk${noDisk ? `: skipped, ${noDisk}` : ''}`, () => {
  it('catches case-twins-in-one-file within 10 seeds (atomic)', async () => {
    let caught: { seed: number; violations: string[] } | undefined;
    for (let seed = 1; seed <= 10 && !caught; seed++) {
      const r = await runSchedule({ seed, mode: 'atomic', nodes: 3, steps: 40, brokenVariant: 'case-twins-in-one-file', caseInsensitive: true });
      if (!r.ok) caught = { seed, violations: r.violations };
    }
    expect(caught, 'case-twins-in-one-file went unnoticed for 10 seeds').toBeDefined();
    console.log(`case-twins-in-one-file: caught at seed ${caught!.seed}: ${caught!.violations[0]}`);
  }, 600_000);
});
