import { filter, type OperatorFunction } from 'rxjs';
import type { TrafficReport } from '../domain/wire-records.js';

/**
 * Counts each (producer, seq) report once: redelivered or duplicated reports are dropped. Late
 * reports pass (they count in the window they arrive in). A producer whose seq restarts below what
 * we saw (a restarted process reusing its id) is accepted from its new sequence.
 */
export function dedupeReports<T = TrafficReport>(
  reportOf: (t: T) => TrafficReport = (t) => t as unknown as TrafficReport,
  maxProducers = 100_000,
): OperatorFunction<T, T> {
  return (source) => {
    const seen = new Map<string, { last: number; recent: Set<number> }>();
    return source.pipe(
      filter((item) => {
        const r = reportOf(item);
        let s = seen.get(r.producerId);
        if (s === undefined) {
          if (seen.size >= maxProducers) seen.clear();
          s = { last: r.seq, recent: new Set([r.seq]) };
          seen.set(r.producerId, s);
          return true;
        }
        if (s.recent.has(r.seq)) return false;
        if (r.seq < s.last - 1000) s.recent.clear();
        s.recent.add(r.seq);
        if (s.recent.size > 2000) s.recent = new Set([...s.recent].slice(-1000));
        s.last = Math.max(s.last, r.seq);
        return true;
      }),
    );
  };
}
