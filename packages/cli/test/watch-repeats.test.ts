// A watch says what still holds (a disk away, deletions held back) once an hour, not every round.
import { describe, expect, it } from 'vitest';
import { SAY_AGAIN_AFTER_MS, stillLine, WatchRepeats } from '../src/watch-repeats.js';

const disk = [{ path: 'scans', reason: 'a mount point that is not there' }];
const heldNote = 'their deletions were not published';

describe('what a watch says again', () => {
  it('the same paths and notes are said in full once, then in one line, and again after an hour', () => {
    let now = 1_000_000;
    const repeats = new WatchRepeats(() => now);
    const first = repeats.round({ skipped: disk, notices: [heldNote] });
    expect(first).toEqual({ skippedInFull: true, notices: [heldNote], noticesRepeated: 0 });
    expect(stillLine(first, 1, String)).toBeUndefined();

    now += 60_000;
    const again = repeats.round({ skipped: disk, notices: [heldNote] });
    expect(again).toEqual({ skippedInFull: false, sameAsAt: 1_000_000, notices: [], noticesRepeated: 1 });
    expect(stillLine(again, 1, (ms) => `t${ms}`)).toBe('still: 1 path(s) not synced, for the reasons said at t1000000; 1 note(s) said before (said again each hour; -v says all of it every round)');

    now += SAY_AGAIN_AFTER_MS;
    expect(repeats.round({ skipped: disk, notices: [heldNote] })).toEqual({ skippedInFull: true, notices: [heldNote], noticesRepeated: 0 });
  });

  it('a change is said at once: another path, another reason, a new note, or a note that went and came back', () => {
    let now = 0;
    const repeats = new WatchRepeats(() => now);
    repeats.round({ skipped: disk, notices: [heldNote] });
    now += 1000;
    expect(repeats.round({ skipped: [...disk, { path: 'b.txt', reason: 'a symbolic link' }], notices: [heldNote, 'new'] })).toMatchObject({
      skippedInFull: true,
      notices: ['new'],
      noticesRepeated: 1,
    });
    now += 1000;
    expect(repeats.round({ skipped: [], notices: [] })).toEqual({ skippedInFull: true, notices: [], noticesRepeated: 0 });
    now += 1000;
    expect(repeats.round({ skipped: disk, notices: [heldNote] })).toEqual({ skippedInFull: true, notices: [heldNote], noticesRepeated: 0 });
  });

  it('a round with nothing to say prints no "still" line', () => {
    const repeats = new WatchRepeats(() => 0);
    expect(stillLine(repeats.round({ skipped: [], notices: [] }), 0, String)).toBeUndefined();
    expect(stillLine(repeats.round({ skipped: [], notices: [] }), 0, String)).toBeUndefined();
  });
});
