import { map, pairwise, startWith, type OperatorFunction } from 'rxjs';
import { lagOf, type OffsetSample, type PartitionStep } from '../domain/offsets.js';

/**
 * Offsets -> per-partition steps (records appended, lag per group). Offsets that go backwards
 * (topic recreated, truncation) restart the baseline with 0 records; a new partition starts at 0;
 * a poll whose timestamp is not after the previous one (clock jump) yields dtMs 0, which rate
 * operators skip rather than divide by.
 */
export function offsetSteps(): OperatorFunction<OffsetSample, PartitionStep[]> {
  return (source) =>
    source.pipe(
      startWith(undefined),
      pairwise(),
      map(([prev, cur]) => {
        const s = cur!;
        const out: PartitionStep[] = [];
        const dtMs = prev === undefined ? 0 : Math.max(0, s.at - prev.at);
        for (const [topic, ends] of s.ends) {
          for (const [partition, end] of ends) {
            const before = prev?.ends.get(topic)?.get(partition);
            const records = before === undefined || end < before ? 0 : end - before;
            const lag = new Map<string, number | null>();
            for (const [group, byTopic] of s.committed) {
              const c = byTopic.get(topic);
              if (c !== undefined) lag.set(group, lagOf(end, c.get(partition)));
            }
            out.push({ topic, partition, at: s.at, dtMs, records, end, lag });
          }
        }
        return out;
      }),
    );
}
