import { concatMap, type OperatorFunction } from 'rxjs';
import type { PartitionStep } from '../domain/offsets.js';
import { WindowAggregator, type WindowOptions, type WindowSnapshot } from '../domain/window-aggregator.js';
import type { TrafficReport } from '../domain/wire-records.js';

export type ObserverEvent =
  | { readonly kind: 'steps'; readonly at: number; readonly steps: readonly PartitionStep[] }
  | { readonly kind: 'report'; readonly at: number; readonly report: TrafficReport };

/**
 * Offset steps and traffic reports -> one WindowSnapshot per elapsed step, closed on the offset
 * ticks' own timestamps, never the wall clock.
 */
export function windowSummaries(opts: WindowOptions): OperatorFunction<ObserverEvent, WindowSnapshot> {
  return (source) => {
    const agg = new WindowAggregator(opts);
    let nextClose: number | undefined;
    return source.pipe(
      concatMap((e) => {
        if (e.kind === 'report') {
          agg.addReport(e.report, e.at);
          return [];
        }
        agg.addSteps(e.steps);
        nextClose ??= e.at + opts.stepMs;
        if (e.at < nextClose) return [];
        // A late tick (or a clock jump ahead) closes one window covering what it spans, not many.
        nextClose = e.at + opts.stepMs;
        return [agg.close(e.at)];
      }),
    );
  };
}
