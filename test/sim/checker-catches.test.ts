/** The checker must be able to fail: each deliberately broken engine is caught within a bounded number of seeds. */
import { describe, expect, it } from 'vitest';
import type { BrokenVariant } from './broken-variants.js';
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
