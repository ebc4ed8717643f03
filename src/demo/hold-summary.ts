import type { OrderedConsumerStats } from '../adapters/kafka/ordered-consumer/index.js';
import { percentile } from '../domain/percentile.js';

/** How long moves held records: in the producers (until the fence), and in the gated consumers. */
export interface HoldSummary {
  /** producer side, per move: draining seen -> settled route seen */
  readonly producer: HoldStats;
  /** consumer side, per hold (a tenant on a partition until the group passed its fence) */
  readonly consumer: HoldStats & { readonly pauses: number; readonly released: number };
}

export interface HoldStats {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const stats = (xs: readonly number[]): HoldStats => ({
  count: xs.length,
  p50: xs.length === 0 ? NaN : percentile(xs, 50),
  p99: xs.length === 0 ? NaN : percentile(xs, 99),
  max: xs.length === 0 ? NaN : Math.max(...xs),
});

export function holdSummary(
  producerHoldsMs: readonly number[],
  members: readonly OrderedConsumerStats[],
): HoldSummary {
  return {
    producer: stats(producerHoldsMs),
    consumer: {
      ...stats(members.flatMap((m) => m.holdEpisodesMs)),
      pauses: members.reduce((n, m) => n + m.pauses, 0),
      released: members.reduce((n, m) => n + m.released, 0),
    },
  };
}

const ms = (n: number) => (Number.isNaN(n) ? '-' : `${n.toFixed(0)} ms`);

export const formatHolds = (h: HoldSummary): string[] => [
  `producer holds:       ${h.producer.count} moves, p50 ${ms(h.producer.p50)}, p99 ${ms(h.producer.p99)}, max ${ms(h.producer.max)} (draining seen -> settled route seen)`,
  `consumer holds:       ${h.consumer.count} holds (0 with --no-gated-consumers), p50 ${ms(h.consumer.p50)}, max ${ms(h.consumer.max)}; ${h.consumer.released} records kept aside and released, ${h.consumer.pauses} partition pauses`,
];
