import { describe, expect, it } from 'vitest';
import {
  FirstMoveTimeline,
  formatTimeline,
  movesByPhase,
  startsMove,
} from '../../../src/demo/moves-by-phase.js';

describe('moves by phase (demo summary, noisy-neighbour benchmark)', () => {
  it('counts a move when a tenant leaves a stable state, not on the steps of a move', () => {
    expect(startsMove('shared', 'isolating')).toBe(true);
    expect(startsMove('sharded', 'isolating')).toBe(true);
    expect(startsMove('dedicated', 'draining.announcing')).toBe(true);
    expect(startsMove('isolating', 'draining.announcing')).toBe(false);
    expect(startsMove('committing', 'sharded')).toBe(false);
    expect(startsMove('shared', 'dedicated')).toBe(false);
  });

  it('puts each start in the phase whose [from, to) holds it, and counts the whale apart', () => {
    const phases = [
      { name: 'before', from: 0, to: 10 },
      { name: 'spike', from: 10, to: 20 },
      { name: 'peak', from: 20, to: 30 },
    ];
    const starts = [
      { at: 9, tenant: 'a' },
      { at: 10, tenant: 'whale' },
      { at: 25, tenant: 'whale' },
      { at: 29, tenant: 'whale' },
      { at: 30, tenant: 'whale' },
    ];
    expect(movesByPhase(starts, phases, 'whale')).toEqual([
      { phase: 'before', moves: 1, whaleMoves: 0 },
      { phase: 'spike', moves: 1, whaleMoves: 1 },
      { phase: 'peak', moves: 2, whaleMoves: 2 },
    ]);
  });

  it("records one tenant's first move, its steps without progress, and stops at the settled state", () => {
    const t = new FirstMoveTimeline('whale');
    t.step('whale', 'acks', 'start', 50); // before any move: ignored
    t.transition('whale', 'shared', 'isolating', 1465);
    t.transition('other', 'shared', 'isolating', 1466);
    t.transition('whale', 'isolating', 'draining.announcing', 1584);
    t.step('whale', 'acks', 'start', 1622);
    t.step('whale', 'drain', 'progress', 1700);
    t.step('whale', 'commit', 'end', 1881);
    t.transition('whale', 'committing', 'dedicated', 1884);
    t.transition('whale', 'dedicated', 'isolating', 9000); // a later move: not the first
    expect(formatTimeline(t.relativeTo(1000))).toBe(
      '465 shared -> isolating, 584 isolating -> draining.announcing, 622 acks start, 881 commit end, 884 committing -> dedicated',
    );
    expect(formatTimeline(new FirstMoveTimeline('whale').relativeTo(0))).toBe('-');
  });
});
