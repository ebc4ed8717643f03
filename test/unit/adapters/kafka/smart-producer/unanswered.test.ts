import { describe, expect, it } from 'vitest';
import { splitByAnswer } from '../../../../../src/adapters/kafka/smart-producer/unanswered.js';

const rec = (id: string, routedPartition: number) => ({ id, routedPartition });

describe('splitByAnswer: records of partitions kafkajs returned no result for', () => {
  const batch = [rec('a1', 0), rec('b1', 1), rec('a2', 0), rec('c1', 2), rec('b2', 1)];

  it('keeps every record written when each partition has a result', () => {
    const r = splitByAnswer(batch, [2, 0, 1], -1);
    expect(r.written).toBe(batch);
    expect(r.unanswered).toEqual([]);
  });

  it('returns the unanswered partitions’ records in their original order', () => {
    const r = splitByAnswer(batch, [1], -1);
    expect(r.written.map((x) => x.id)).toEqual(['b1', 'b2']);
    expect(r.unanswered.map((x) => x.id)).toEqual(['a1', 'a2', 'c1']);
  });

  it('treats a record without a routed partition as unanswered', () => {
    const r = splitByAnswer([{ id: 'x', routedPartition: undefined }, rec('y', 0)], [0], 1);
    expect(r.unanswered.map((x) => x.id)).toEqual(['x']);
  });

  it('counts everything as written with acks=0 (Kafka answers nothing)', () => {
    const r = splitByAnswer(batch, [], 0);
    expect(r.written).toHaveLength(5);
    expect(r.unanswered).toEqual([]);
  });
});
