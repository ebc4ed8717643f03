import { describe, expect, it } from 'vitest';
import { MAX_COUNTED_GAP, ReportGaps } from '../../../src/domain/report-gaps.js';

describe('ReportGaps', () => {
  it('counts skipped intervals per producer, and none for a steady sequence', () => {
    const g = new ReportGaps();
    for (const seq of [0, 1, 2, 3]) g.add({ producerId: 'a', seq });
    for (const seq of [10, 11]) g.add({ producerId: 'b', seq });
    expect(g.missed).toBe(0);
    g.add({ producerId: 'a', seq: 6 });
    expect(g.missed).toBe(2);
  });

  it('counts a split report whose parts did not all arrive, once, when the next interval comes', () => {
    const g = new ReportGaps();
    g.add({ producerId: 'a', seq: 0, parts: 3 });
    g.add({ producerId: 'a', seq: 0, parts: 3 });
    expect(g.missed).toBe(0);
    g.add({ producerId: 'a', seq: 1, parts: 2 });
    expect(g.missed).toBe(1);
    g.add({ producerId: 'a', seq: 1, parts: 2 });
    g.add({ producerId: 'a', seq: 2 });
    expect(g.missed).toBe(1);
  });

  it('ignores a late part, and takes a jump back or a huge jump for a restart, not a gap', () => {
    const g = new ReportGaps();
    g.add({ producerId: 'a', seq: 5000 });
    g.add({ producerId: 'a', seq: 4999 });
    g.add({ producerId: 'a', seq: 5001 });
    expect(g.missed).toBe(0);
    g.add({ producerId: 'a', seq: 3 }); // restarted under the same id
    g.add({ producerId: 'a', seq: 4 });
    g.add({ producerId: 'a', seq: 4 + MAX_COUNTED_GAP + 2 }); // a forged or restarted jump
    expect(g.missed).toBe(0);
  });
});
