/** A few hundred seeded schedules across every storage mode (npm test); long campaigns: npm run sim. */
import { describe, expect, it } from 'vitest';
import { runSchedule } from './schedule.js';
import { MODES } from './storage-modes.js';

const SEEDS_PER_MODE = Number(process.env.SIM_SEEDS_PER_MODE ?? 25);

describe('simulation: seeded schedules keep every invariant', () => {
  for (const mode of MODES) {
    it(`${mode}: ${SEEDS_PER_MODE} schedules of 2-4 nodes`, async () => {
      for (let seed = 1; seed <= SEEDS_PER_MODE; seed++) {
        const nodes = 2 + (seed % 3);
        const r = await runSchedule({ seed, mode, nodes });
        if (!r.ok) {
          const replay = `npm run sim -- --seed ${seed} --mode ${mode} --nodes ${nodes}`;
          expect.fail(`seed ${seed} violated:\n  ${r.violations.join('\n  ')}\nreplay: ${replay}\nlast events:\n  ${r.trace.slice(-25).join('\n  ')}`);
        }
      }
    }, 600_000);
  }
});
