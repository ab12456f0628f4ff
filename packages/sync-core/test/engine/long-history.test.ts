/**
 * A long history under a 7-day retention (issue 18's "done when", at a scale a test can afford;
 * `npm run bench` reports 2,000 rounds): a library edited every hour for weeks, two machines
 * syncing, a daily `gc`. Once the first week has passed, what the remote holds, what the state
 * database holds and what a new machine reads to join stop growing with the number of rounds,
 * and every file's current content is on every machine. The state database's versions,
 * locations and condemned packs stop growing too; its tables of names still grow by a few rows a round.
 */
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { cleanup, type TestNode } from './helpers.js';
import { clockedWorld } from './clocked-world.js';

afterEach(cleanup);

/** Rows of a table of a library's state database. */
const count = (n: TestNode, table: string) => (n.lib as unknown as { state: { db: Database.Database } }).state.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };

const HOUR = 3_600_000;
const FILES = 30;
/** An edit every three hours: 56 rounds a week. */
const STEP_HOURS = 3;
const WEEK = (7 * 24) / STEP_HOURS;

describe('a long history under a 7-day retention', () => {
  it('holds as many objects, state and join reads after seven weeks as after three; every head is everywhere', { timeout: 240_000 }, async () => {
    const { clock, remote, node } = clockedWorld(5);
    const a = await node('a');
    const b = await node('b');
    await a.lib.retention({ keepWithinMs: 7 * 24 * HOUR });
    const measure = async (label: string) => {
      const joiner = await node(`join-${label}`);
      const joined = await joiner.sync();
      expect(joined.errors).toEqual([]);
      await joiner.lib.close();
      return {
        objects: remote.debug.keys().length,
        packs: remote.debug.keys().filter((k) => k.startsWith('packs/')).length,
        stateBytes: statSync(join(a.dir, '.syncacross', 'state.db')).size,
        versions: a.lib.history().length,
        locations: count(a, 'chunk_locations').n,
        condemned: count(a, 'condemned_packs').n,
        joinRequests: joined.totalRequests,
      };
    };
    const at = new Map<number, Awaited<ReturnType<typeof measure>>>();
    for (let round = 1; round <= 7 * WEEK; round++) {
      clock.t += STEP_HOURS * HOUR;
      const writer = round % 5 === 0 ? b : a;
      await writeFile(join(writer.dir, `note-${round % FILES}.md`), `note ${round % FILES}, round ${round}\n`);
      await writer.sync();
      if (round % 8 === 0) {
        await b.sync();
        await a.sync();
        await a.lib.collect({ marginMs: HOUR }); // daily: what a day-old checkpoint holds, and packs condemned a day ago
      }
      if (round === 3 * WEEK || round === 7 * WEEK) at.set(round, await measure(String(round)));
    }
    const three = at.get(3 * WEEK)!;
    const seven = at.get(7 * WEEK)!;
    // 392 rounds and as many packs made; a week of versions (and their packs) kept, and each file's head.
    expect(seven.versions).toBeLessThan(WEEK + 2 * FILES);
    // Each round's small pack waits for 15 more, then they are merged (repack-plan.ts): 19 here, not the ~90 a week's versions would keep.
    expect(seven.packs).toBeLessThan(2 * 16);
    expect(seven.objects).toBeLessThanOrEqual(three.objects * 1.1);
    expect(seven.joinRequests).toBeLessThanOrEqual(three.joinRequests * 1.1);
    // The state's versions and locations stay as they were; what still grows is names, a few rows a
    // round (segments known and collected, checkpoints learned, names of pruned versions for their
    // 400-day horizon): under 512 bytes a round here (about 390).
    expect(seven.locations).toBeLessThanOrEqual(three.locations * 1.1);
    // The names of condemned packs go once the packs are gone and their announcements collected
    // (forget-condemnations.ts): 17 here after three weeks and after seven, not one a round.
    expect(seven.condemned).toBeLessThanOrEqual(2 * 16);
    expect(seven.stateBytes - three.stateBytes).toBeLessThan(512 * 4 * WEEK);
    await b.sync();
    for (let i = 0; i < FILES; i++) {
      const path = `note-${i}.md`;
      expect(await readFile(join(b.dir, path), 'utf8')).toBe(await readFile(join(a.dir, path), 'utf8'));
    }
    expect((await b.sync()).errors).toEqual([]);
    await a.lib.close();
    await b.lib.close();
  });
});
