import { describe, expect, it } from 'vitest';
import { AckMemory } from '../../../src/domain/ack-memory.js';
import type { DrainAck } from '../../../src/domain/wire-records.js';

const ack = (producerId: string, epoch: number, tenant = 'vip'): DrainAck => ({
  v: 1,
  kind: 'drain-ack',
  producerId,
  topic: 'events',
  tenant,
  epoch,
  at: 1,
});

describe('AckMemory', () => {
  it('keeps one ack per topic, tenant, producer and epoch', () => {
    const m = new AckMemory();
    m.remember(ack('p1', 3));
    m.remember(ack('p1', 3));
    m.remember(ack('p2', 3));
    m.remember(ack('p1', 4));
    m.remember(ack('p1', 3, 'other'));
    expect(m.size).toBe(4);
    expect(m.all().map((a) => `${a.tenant}/${a.producerId}/${a.epoch}`)).toEqual([
      'vip/p1/3',
      'vip/p2/3',
      'vip/p1/4',
      'other/p1/3',
    ]);
  });

  it("a forged ack for a far-future epoch does not displace a producer's real one", () => {
    const m = new AckMemory();
    m.remember(ack('p1', 2_000_000_000));
    m.remember(ack('p1', 5));
    expect(m.all().map((a) => a.epoch)).toEqual([2_000_000_000, 5]);
  });

  it('forgets the least recently read ack past its bound', () => {
    const m = new AckMemory(3);
    m.remember(ack('p1', 1));
    m.remember(ack('p2', 1));
    m.remember(ack('p3', 1));
    m.remember(ack('p1', 1)); // read again: now the most recent
    m.remember(ack('p4', 1));
    expect(m.size).toBe(3);
    expect(m.all().map((a) => a.producerId)).toEqual(['p3', 'p1', 'p4']);
  });
});
