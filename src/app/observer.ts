import { filter, map, merge, share, tap, type Observable } from 'rxjs';
import type { ReportGaps } from '../domain/report-gaps.js';
import type { WindowOptions, WindowSnapshot } from '../domain/window-aggregator.js';
import type { OffsetsPort, SignalsPort } from '../ports/controller-ports.js';
import { dedupeReports } from '../streams/dedupe-reports.js';
import { offsetSteps } from '../streams/offset-steps.js';
import { windowSummaries, type ObserverEvent } from '../streams/window-summaries.js';

/**
 * The controller's eyes: offsets (partition truth) + traffic reports (tenant attribution) -> windows.
 * `gaps` counts the report intervals that did not arrive (ktb_traffic_reports_missed_total).
 */
export function observeWindows(
  offsets: OffsetsPort,
  signals: SignalsPort,
  opts: WindowOptions,
  gaps?: ReportGaps,
): Observable<WindowSnapshot> {
  const steps$: Observable<ObserverEvent> = offsets.samples$.pipe(
    offsetSteps(),
    filter((steps) => steps.length > 0),
    map((steps) => ({ kind: 'steps' as const, at: steps[0]!.at, steps })),
  );
  const reports$: Observable<ObserverEvent> = signals.reports$.pipe(
    dedupeReports((r) => r.report),
    tap((r) => gaps?.add(r.report)),
    map((r) => ({ kind: 'report' as const, at: r.at, report: r.report })),
  );
  return merge(steps$, reports$).pipe(windowSummaries(opts), share());
}
