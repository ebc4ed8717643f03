import { tenantMachine } from '../../machines/tenant.machine.js';
import { DashboardFeed } from '../adapters/http/dashboard-feed.js';
import type { DashboardDeps } from '../adapters/http/dashboard-routes.js';
import type { RoutingReader } from '../adapters/kafka/routing-reader.js';
import type { Controller } from '../app/controller.js';
import { machineGraph } from '../app/dashboard/machine-graph.js';
import { MovesLog } from '../app/dashboard/moves-log.js';
import { buildSnapshot } from '../app/dashboard/snapshot.js';
import type { ControllerTelemetry } from '../ports/controller-ports.js';

/** How often the dashboard's event stream sends what changed. */
export const DASHBOARD_TICK_MS = 500;

/**
 * The dashboard's read side: a moves log fed by the controller's telemetry hooks (one per service,
 * so it outlives a leadership change), and the snapshot each tick builds from whichever Controller
 * leads now (none on a standby: the page then says "standby").
 */
export function dashboardDeps(o: {
  readonly current: () => Controller | undefined;
  readonly mode: () => 'act' | 'observe';
  readonly topics: readonly string[];
  readonly reader: RoutingReader;
}): { telemetry: ControllerTelemetry; http: DashboardDeps } {
  const moves = new MovesLog(Date.now);
  const feed = new DashboardFeed(
    () =>
      buildSnapshot({
        now: Date.now,
        role: () => ({ role: o.current()?.ready ? 'leader' : 'standby', mode: o.mode() }),
        topics: () => o.topics,
        pools: (t) => o.reader.table.pools(t),
        tenants: () => o.current()?.tenants() ?? [],
        partitions: () => o.current()?.partitionStats() ?? [],
        moves,
      }),
    DASHBOARD_TICK_MS,
  );
  return { telemetry: moves.telemetry, http: { feed, machine: machineGraph(tenantMachine) } };
}
