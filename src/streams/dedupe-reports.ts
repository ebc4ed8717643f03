import { filter, type OperatorFunction } from 'rxjs';
import { MAX_REPORT_PARTS } from '../domain/traffic-report-v2.js';
import type { TrafficReport } from '../domain/wire-records.js';

/**
 * Counts each (producer, seq, part) report once: redelivered or duplicated reports (or parts) are
 * dropped. Late reports pass (they count in the window they arrive in). A producer whose seq
 * restarts below what we saw (a restarted process reusing its id) is accepted from its new sequence.
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
        // v1 reports have no parts: part 0 of their seq
        const key = r.seq * MAX_REPORT_PARTS + (r.part ?? 0);
        let s = seen.get(r.producerId);
        if (s === undefined) {
          if (seen.size >= maxProducers) seen.clear();
          s = { last: r.seq, recent: new Set([key]) };
          seen.set(r.producerId, s);
          return true;
        }
        if (s.recent.has(key)) return false;
        if (r.seq < s.last - 1000) s.recent.clear();
        s.recent.add(key);
        if (s.recent.size > 2000) s.recent = new Set([...s.recent].slice(-1000));
        s.last = Math.max(s.last, r.seq);
        return true;
      }),
    );
  };
}
