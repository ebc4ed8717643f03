import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import {
  ProducerChannel,
  producerHooks,
  type HoldEnded,
} from '../../../../../src/adapters/kafka/smart-producer/producer-hooks.js';

const ended: HoldEnded = { producerId: 'p1', topic: 'orders', tenant: 'acme', heldRecords: 3 };

describe('producerHooks (the telemetry side channel)', () => {
  it("calls the application's hooks and publishes the same event on the diagnostics channel", () => {
    const own: HoldEnded[] = [];
    const published: unknown[] = [];
    const onMessage = (m: unknown): void => void published.push(m);
    subscribe(ProducerChannel.holdEnded, onMessage);
    try {
      producerHooks({ holdEnded: (e) => own.push(e) }).holdEnded(ended);
    } finally {
      unsubscribe(ProducerChannel.holdEnded, onMessage);
    }
    expect(own).toEqual([ended]);
    expect(published).toEqual([ended]);
  });

  it('never lets a failing hook reach the producer, and still calls the others', () => {
    const seen: string[] = [];
    const hooks = producerHooks({
      holdEnded: () => {
        seen.push('own');
        throw new TypeError('broken exporter');
      },
    });
    expect(() => hooks.holdEnded(ended)).not.toThrow();
    expect(seen).toEqual(['own']);
  });
});
