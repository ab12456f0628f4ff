/**
 * The spans a download opened chunks in place over (engine/written-spans.ts): merged as they come,
 * in any order, and asked about by binary search, with the same answers as checking every span.
 */
import { describe, expect, it } from 'vitest';
import { WrittenSpans } from '../../src/engine/written-spans.js';

describe('written spans', () => {
  it('say whether a span touches bytes written over, at its edges too', () => {
    const spans = new WrittenSpans();
    spans.add(100, 200);
    spans.add(300, 400);
    expect([spans.overlaps(0, 100), spans.overlaps(0, 101), spans.overlaps(199, 300), spans.overlaps(200, 300), spans.overlaps(400, 500), spans.overlaps(150, 160)]).toEqual([
      false,
      true,
      true,
      false,
      false,
      true,
    ]);
    spans.add(200, 300); // touches both: one span from 100 to 400
    expect([spans.overlaps(250, 251), spans.overlaps(99, 100), spans.overlaps(400, 401)]).toEqual([true, false, false]);
  });

  it('answer as a check against every span would, whatever the order and overlaps of what was added', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 50; round++) {
      const spans = new WrittenSpans();
      const all: [number, number][] = [];
      for (let i = 0; i < 40; i++) {
        const from = random(1000);
        const to = from + random(60);
        spans.add(from, to);
        all.push([from, to]);
        for (let q = 0; q < 20; q++) {
          const a = random(1100);
          const b = a + 1 + random(40);
          expect(spans.overlaps(a, b), `round ${round}: [${a}, ${b})`).toBe(all.some(([s, e]) => s < e && s < b && a < e));
        }
      }
    }
  });
});
