import { ErrorCode } from '../domain/errors.js';
import { defaultPartitionOf } from '../domain/partition-choice.js';
import type { RoutingTable } from '../domain/routing-table.js';
import type { WindowSnapshot } from '../domain/window-aggregator.js';
import { plausibleRate } from '../policy/plausible-rate.js';
import { MINUTE_MS, movesWithin } from '../policy/shard-policy.js';
import { isHot } from '../policy/tenant-assessment.js';
import { tenantShare, type PartitionFigures } from '../policy/tenant-window.js';
import type { TenantWindow } from '../policy/window-summary.js';
import type { LogPort } from '../ports/controller-ports.js';
import type { ControllerConfig } from './controller-config.js';
import type { PartitionLoad } from './partition-load.js';
import { isStable, stateName } from './state-name.js';
import type { Handle, TenantRegistry } from './tenant-registry.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Turns each closed window into tenant events: every followed tenant gets its rate, its share of its
 * partitions and their lag; a tenant without an actor gets one only for a plausible rate at or above
 * the actor floor; idle shared tenants are retired.
 */
export class WindowFeeder {
  private seq = 0;
  /** scratch objects for the per-tenant join: reused, since most ticks feed most actors no event */
  private readonly reported = { recordsPerSec: 0, bytesPerSec: 0 };
  private readonly share = {
    recordsPerSec: 0,
    bytesPerSec: 0,
    share: 0,
    lag: 0,
    partitionRate: 0,
    capped: false,
  };
  private figures = new Map<string, PartitionFigures>();
  /** traffic claims above partition truth (reports are untrusted), capped before any decision */
  implausibleClaims = 0;

  constructor(
    private readonly registry: TenantRegistry,
    private readonly load: PartitionLoad,
    private readonly table: RoutingTable,
    private readonly config: ControllerConfig,
    private readonly log: LogPort,
  ) {}

  feed(w: WindowSnapshot): void {
    const seq = ++this.seq;
    this.figures = new Map(this.config.topics.map((t) => [t, this.load.figures(t)]));
    // Counted only if some actor gets an event this tick (most ticks, most actors get none), then
    // kept current as this tick's events start migrations: tenants that turn hot in the same window
    // must see each other, or maxConcurrentMigrations is not a cap.
    const migrations = {
      counted: undefined as number | undefined,
      /** moves started per topic in the last minute (maxMovesPerTopicPerMinute), counted like the above */
      topicMoves: undefined as Map<string, number> | undefined,
    };
    const inProgress = () => (migrations.counted ??= this.migrationsInProgress());
    const topicMoves = (topic: string) =>
      (migrations.topicMoves ??= this.movesStartedRecently(w.at)).get(topic) ?? 0;
    for (const t of w.tenants) {
      if (!this.config.topics.includes(t.topic)) continue;
      let h = this.registry.get(t.topic, t.tenant);
      if (
        h === undefined &&
        this.plausibleNewRate(t.topic, t.tenant, t.recordsPerSec) >= this.config.thresholds.actorFloorRate
      ) {
        try {
          h = this.registry.ensure(t.topic, t.tenant);
        } catch (e) {
          this.log.warn({ tenant: t.tenant, err: (e as Error).message }, 'tenant skipped');
          continue;
        }
      }
      if (h === undefined) continue;
      h.fedIn = seq;
      this.feedOne(h, t.recordsPerSec, t.bytesPerSec, t.trend, w.at, inProgress, topicMoves, migrations);
    }
    // Deleting the current entry while iterating a Map is safe: the retirement may remove h.
    for (const h of this.registry.values()) {
      if (h.fedIn !== seq) this.feedOne(h, 0, 0, 0, w.at, inProgress, topicMoves, migrations);
      this.maybeRetire(h);
    }
  }

  private migrationsInProgress(): number {
    let n = 0;
    for (const h of this.registry.values()) if (!isStable(stateName(h.actor.getSnapshot().value))) n++;
    return n;
  }

  /**
   * Moves started in the last minute, per topic, from the actors' own records of when their moves
   * started (operator moves included). A retired actor takes its starts along; only idle shared
   * tenants retire, so that can only undercount a release older than the retirement.
   */
  private movesStartedRecently(now: number): Map<string, number> {
    const byTopic = new Map<string, number>();
    for (const h of this.registry.values()) {
      const starts = h.actor.getSnapshot().context.moveStarts;
      if (starts === undefined || starts.length === 0) continue;
      const n = movesWithin(starts, now, MINUTE_MS);
      if (n > 0) byTopic.set(h.topic, (byTopic.get(h.topic) ?? 0) + n);
    }
    return byTopic;
  }

  private feedOne(
    h: Handle,
    rate: number,
    bytesRate: number,
    trend: number,
    at: number,
    inProgress: () => number,
    topicMoves: (topic: string) => number,
    migrations: { counted: number | undefined; topicMoves: Map<string, number> | undefined },
  ): void {
    const snap = h.actor.getSnapshot();
    const c = snap.context;
    this.reported.recordsPerSec = rate;
    this.reported.bytesPerSec = bytesRate;
    const s = tenantShare(
      c.partitions,
      c.hashPartition,
      this.figures.get(h.topic) ?? this.load.figures(h.topic),
      this.reported,
      this.config.trafficClaimTolerance,
      this.share,
    );
    if (s.capped) {
      this.implausibleClaims++;
      this.log.debug(
        {
          code: ErrorCode.TrafficImplausible,
          topic: h.topic,
          tenant: h.tenant,
          claimed: rate,
          partitionRate: s.partitionRate,
        },
        'traffic claim above partition growth; capped',
      );
    }
    // Most ticks most actors get no event: their window object is updated in place, not reallocated
    // (100k actors, 100k objects a tick). One that went into an event stays as the actor saw it.
    let window: Mutable<TenantWindow>;
    if (h.lastWindow !== undefined && !h.lastWindowSent) {
      window = h.lastWindow as Mutable<TenantWindow>;
      window.at = at;
      window.recordsPerSec = s.recordsPerSec;
      window.bytesPerSec = s.bytesPerSec;
      window.share = s.share;
      window.lag = s.lag;
      window.trend = trend;
    } else {
      window = {
        topic: h.topic,
        tenant: h.tenant,
        at,
        recordsPerSec: s.recordsPerSec,
        bytesPerSec: s.bytesPerSec,
        share: s.share,
        lag: s.lag,
        trend,
      };
      h.lastWindow = window;
      h.lastWindowSent = false;
    }
    h.idleWindows = s.recordsPerSec < this.config.thresholds.actorFloorRate ? h.idleWindows + 1 : 0;
    // A shared tenant with no hot streak and a window that is not hot cannot change state or
    // counters: skip the event (an XState event costs ~6 us; most actors are in this case).
    if (snap.value === 'shared' && c.hot === 0 && !isHot(window, this.config.thresholds)) return;
    h.lastWindowSent = true;
    const n = inProgress();
    const recent = topicMoves(h.topic);
    h.actor.send({
      type: 'window.closed',
      window,
      now: at,
      migrationsInProgress: n,
      topicMovesRecently: recent,
    });
    if (!isStable(stateName(h.actor.getSnapshot().value)) && isStable(stateName(snap.value))) {
      migrations.counted = n + 1;
      migrations.topicMoves?.set(h.topic, recent + 1);
    }
  }

  /**
   * A tenant without an actor gets one only for a rate its partitions could carry: forged reports
   * naming many tenants must not fill the controller with actors.
   */
  private plausibleNewRate(topic: string, tenant: string, claimed: number): number {
    const pools = this.table.pools(topic);
    if (pools === undefined) return 0;
    const route = this.table.route(topic, tenant);
    const rates = this.load.rates(topic);
    const partitions =
      route !== undefined && route.partitions.length > 0
        ? route.partitions
        : [defaultPartitionOf(tenant, pools.shared)];
    let partRate = 0;
    for (const p of partitions) partRate += rates.get(p) ?? 0;
    return plausibleRate(claimed, partRate, this.config.trafficClaimTolerance);
  }

  private maybeRetire(h: Handle): void {
    if (h.idleWindows < this.config.retireAfterWindows) return;
    const s = h.actor.getSnapshot();
    if (stateName(s.value) !== 'shared' || s.context.manual) return;
    this.registry.retire(h);
  }
}
