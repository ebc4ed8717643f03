import type {
  OutgoingBatch,
  ProducerTransport,
  RecordResult,
  TransportError,
  TransportStats,
} from '../../../../../src/adapters/kafka/smart-producer/transport.js';

/** One batch handed to the fake transport, waiting for the test to answer it. */
export interface FakeSend {
  readonly batch: OutgoingBatch;
  /** the values sent, as text (test records are strings) */
  readonly values: string[];
  settled: boolean;
  /** acknowledges `indices` (all not yet settled by default) with offsets from the partition's log end */
  ack(indices?: readonly number[]): void;
  fail(error: TransportError, indices?: readonly number[]): void;
}

/**
 * A ProducerTransport without a broker: every batch waits until the test answers it (or is answered
 * at once with `autoAck`). Offsets count per topic-partition, as a broker's log end would.
 */
export class FakeTransport implements ProducerTransport {
  readonly sends: FakeSend[] = [];
  readonly partitionCounts = new Map<string, number>();
  autoAck = false;
  renewals = 0;
  private readonly logEnd = new Map<string, number>();

  connect(): Promise<void> {
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }

  partitionCount(topic: string): Promise<number> {
    const n = this.partitionCounts.get(topic);
    return n === undefined ? Promise.reject(new Error(`no topic ${topic}`)) : Promise.resolve(n);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  renew(): Promise<void> {
    this.renewals++;
    return Promise.resolve();
  }

  stats(): TransportStats {
    return { resentRecords: 0, renewals: this.renewals };
  }

  /** Unanswered batches, oldest first. */
  get open(): FakeSend[] {
    return this.sends.filter((s) => !s.settled);
  }

  send(batch: OutgoingBatch, settle: (results: readonly RecordResult[]) => void): Promise<void> {
    return new Promise((resolve) => {
      const left = new Set(batch.records.map((_, i) => i));
      const finish = (results: RecordResult[]): void => {
        for (const r of results) left.delete(r.index);
        settle(results);
        if (left.size === 0) {
          entry.settled = true;
          resolve();
        }
      };
      const pick = (indices?: readonly number[]): number[] =>
        (indices ?? [...left]).filter((i) => left.has(i));
      const entry: FakeSend = {
        batch,
        values: batch.records.map((r) => r.value.toString('utf8')),
        settled: false,
        ack: (indices) =>
          finish(
            pick(indices).map((index) => {
              const key = `${batch.topic}/${batch.records[index]!.partition}`;
              const offset = this.logEnd.get(key) ?? 0;
              this.logEnd.set(key, offset + 1);
              return { index, offset: String(offset) };
            }),
          ),
        fail: (error, indices) => finish(pick(indices).map((index) => ({ index, error }))),
      };
      this.sends.push(entry);
      if (this.autoAck) entry.ack();
    });
  }
}
