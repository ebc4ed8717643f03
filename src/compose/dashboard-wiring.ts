import { tenantMachine } from '../../machines/tenant.machine.js';
import { DashboardFeed } from '../adapters/http/dashboard-feed.js';
import type { DashboardDeps } from '../adapters/http/dashboard-routes.js';
import type { RoutingReader } from '../adapters/kafka/routing-reader.js';
import type { Controller } from '../app/controller.js';
import { machineGraph } from '../app/dashboard/machine-graph.js';
import { MovesLog } from '../app/dashboard/moves-log.js';
import { buildSnapshot } from '../app/dashboard/snapshot.js';
import type { Observable, Subscription } from 'rxjs';
import type { WindowSnapshot } from '../domain/window-aggregator.js';
import type { ControllerTelemetry } from '../ports/controller-ports.js';

/** How often the dashboard's event stream sends what changed. */
export const DASHBOARD_TICK_MS = 500;

/**
 * The dashboard's read side: a moves log fed by the controller's telemetry hooks (one per service,
 * so it outlives a leadership change), and the snapshot each tick builds from whichever Controller
 * leads now (none on a standby: the page then says "standby" and where the leader is).
 */
export function dashboardDeps(o: {
  readonly current: () => Controller | undefined;
  /** where the leader's dashboard is (this one's while it leads); undefined: unknown */
  readonly leaderUrl: () => string | undefined;
  readonly mode: () => 'act' | 'observe';
  readonly topics: readonly string[];
  readonly reader: RoutingReader;
  readonly windows$: Observable<WindowSnapshot>;
}): { telemetry: ControllerTelemetry; http: DashboardDeps } {
  const moves = new MovesLog(Date.now);
  // Every tenant's rate (those without an actor too) from the observer's windows. Followed only while
  // this instance leads and a page is open (snapshots are built only then): windows$ is shared, so
  // this adds no polling to the leader's; a standby's page only reads where the leader is (one
  // DescribeGroups per 10 s at most while a page is open: election-wiring.ts).
  let latest: WindowSnapshot | undefined;
  let sub: Subscription | undefined;
  const unfollow = () => {
    sub?.unsubscribe();
    sub = latest = undefined;
  };
  const traffic = () => {
    if (o.current() === undefined) unfollow();
    else sub ??= o.windows$.subscribe((w) => (latest = w));
    return latest?.tenants ?? [];
  };
  const feed = new DashboardFeed(
    () =>
      buildSnapshot({
        now: Date.now,
        role: () => {
          const leader = o.leaderUrl();
          return {
            role: o.current()?.ready ? 'leader' : 'standby',
            mode: o.mode(),
            ...(leader !== undefined ? { leader } : {}),
          };
        },
        topics: () => o.topics,
        pools: (t) => o.reader.table.pools(t),
        tenants: () => o.current()?.tenants() ?? [],
        partitions: () => o.current()?.partitionStats() ?? [],
        moves,
        traffic,
        route: (t, tenant) => o.reader.table.route(t, tenant),
      }),
    DASHBOARD_TICK_MS,
    unfollow,
  );
  return { telemetry: moves.telemetry, http: { feed, machine: machineGraph(tenantMachine) } };
}
