import { describe, expect, it } from 'vitest';
import { Accumulator } from '../../../src/domain/accumulator.js';

describe('Accumulator (batch.size, linger.ms)', () => {
  it('hands back a batch as soon as it reaches batch.size', () => {
    const a = new Accumulator<string>(100, 50);
    expect(a.add('t', 'a', 60, 0)).toBeUndefined();
    const full = a.add('t', 'b', 60, 1);
    expect(full?.records).toEqual(['a', 'b']);
    expect(a.size).toBe(0);
  });

  it('releases a batch when its oldest record has lingered, per topic', () => {
    const a = new Accumulator<string>(1000, 50);
    a.add('t1', 'a', 1, 0);
    a.add('t2', 'b', 1, 30);
    expect(a.nextDueAt()).toBe(50);
    expect(a.due(49)).toEqual([]);
    expect(a.due(50).map((b) => b.topic)).toEqual(['t1']);
    expect(a.due(60, true).map((b) => b.records)).toEqual([['b']]);
    expect(a.nextDueAt()).toBeUndefined();
  });
});
