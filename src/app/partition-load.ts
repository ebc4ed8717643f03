import type { WindowSnapshot } from '../domain/window-aggregator.js';
import type { PartitionFigures } from '../policy/tenant-window.js';

/** The latest window's records/s and largest lag (over groups) per partition of each managed topic. */
export class PartitionLoad {
  private readonly rate = new Map<string, Map<number, number>>();
  private readonly lag = new Map<string, Map<number, number>>();

  constructor(private readonly topics: readonly string[]) {}

  update(w: WindowSnapshot): void {
    for (const topic of this.topics) {
      this.rate.set(topic, new Map());
      this.lag.set(topic, new Map());
    }
    for (const p of w.partitions) {
      this.rate.get(p.topic)?.set(p.partition, p.recordsPerSec);
      const lags = Object.values(p.lag).filter((l): l is number => l !== null);
      this.lag.get(p.topic)?.set(p.partition, lags.length ? Math.max(...lags) : 0);
    }
  }

  figures(topic: string): PartitionFigures {
    return { rate: this.rate.get(topic), lag: this.lag.get(topic) };
  }

  rates(topic: string): ReadonlyMap<number, number> {
    return this.rate.get(topic) ?? new Map();
  }

  stats(): { topic: string; partition: number; recordsPerSec: number; lag: number }[] {
    const out: { topic: string; partition: number; recordsPerSec: number; lag: number }[] = [];
    for (const [topic, byP] of this.rate)
      for (const [partition, recordsPerSec] of byP)
        out.push({ topic, partition, recordsPerSec, lag: this.lag.get(topic)?.get(partition) ?? 0 });
    return out;
  }
}
