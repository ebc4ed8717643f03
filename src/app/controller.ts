// Over 300 lines, knowingly: this is one of the two hubs issue #14 splits next (the draining
// protocol into invoked steps under src/app/draining/, the rest into a ~250-line supervisor).
// Until then, new logic goes into small files it calls (policy/, domain/), not into this one.
import type { Observable, Subscription } from 'rxjs';
import { createActor, type Actor, type InspectionEvent, type Snapshot } from 'xstate';
import { tenantMachine, type TenantContext, type TenantEvent } from '../../machines/tenant.machine.js';
import { ErrorCode, isTenantBalancerError, TenantBalancerError } from '../domain/errors.js';
import { tenantId } from '../domain/ids.js';
import { defaultPartitionOf } from '../domain/partition-choice.js';
import { MAX_EPOCH, routeKey, type RouteState, type TenantRoute } from '../domain/route-record.js';
import type { WindowSnapshot } from '../domain/window-aggregator.js';
import type { DrainAck } from '../domain/wire-records.js';
import { place } from '../policy/placement.js';
import { claimExcess, plausibleRate } from '../policy/plausible-rate.js';
import { isHot } from '../policy/tenant-assessment.js';
import type { TenantWindow } from '../policy/window-summary.js';
import type { ControllerPorts, ControllerTelemetry } from '../ports/controller-ports.js';
import { drainWatch } from '../streams/drain-watch.js';
import type { ControllerConfig } from './controller-config.js';
import { stateName } from './state-name.js';

type TenantActor = Actor<typeof tenantMachine>;
export type FaultHold = 'after-announce' | 'after-fence' | 'before-commit';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Migrations in progress during one window's feeding: counted lazily, then kept current. */
interface MigrationCount {
  counted: number | undefined;
  readonly handles: ReadonlyMap<string, Handle>;
}
const migrationsInProgress = (m: MigrationCount): number => {
  if (m.counted !== undefined) return m.counted;
  let n = 0;
  for (const h of m.handles.values()) if (!STABLE.has(stateName(h.actor.getSnapshot().value))) n++;
  return (m.counted = n);
};

interface Handle {
  readonly key: string;
  readonly topic: string;
  readonly tenant: string;
  actor: TenantActor;
  queue: Promise<void>;
  fence?: Map<number, number> | undefined;
  drainSub?: Subscription | undefined;
  drainTimer?: NodeJS.Timeout | undefined;
  drainRemaining?: number | undefined;
  drainStartedAt?: number | undefined;
  announcedAt?: number | undefined;
  /** routing-topic offset of the draining record: a producer that applied it has seen the drain */
  announceOffset?: number | undefined;
  expectedProducers?: Set<string> | undefined;
  ackTimer?: NodeJS.Timeout | undefined;
  lastWindow?: TenantWindow | undefined;
  /** lastWindow went into an actor event: it must not be updated in place any more */
  lastWindowSent?: boolean;
  idleWindows: number;
  /** the window (its sequence number here) that last fed this tenant a rate */
  fedIn?: number | undefined;
  lastState: string;
  lastDecision?: TenantContext['decision'] | undefined;
}

export interface TenantStatus {
  readonly topic: string;
  readonly tenant: string;
  readonly state: string;
  readonly partitions: readonly number[];
  readonly epoch: number;
  readonly ordering: string;
  readonly manual: boolean;
  readonly rates: { readonly recordsPerSec: number; readonly share: number; readonly lag: number } | null;
  readonly decision: TenantContext['decision'] | null;
  readonly drain: {
    readonly target: readonly number[];
    readonly from: readonly number[];
    readonly remaining: number | null;
    readonly alert: boolean;
    readonly startedAt: number | null;
  } | null;
}

export type OperatorCommand =
  | { readonly op: 'pin'; readonly topic: string; readonly tenant: string; readonly shards?: number }
  | { readonly op: 'unpin'; readonly topic: string; readonly tenant: string }
  | { readonly op: 'move'; readonly topic: string; readonly tenant: string; readonly partitions: number[] };

const STABLE = new Set(['shared', 'dedicated', 'sharded']);
const stateOfRoute = (partitions: readonly number[]): RouteState =>
  partitions.length === 0 ? 'shared' : partitions.length === 1 ? 'dedicated' : 'sharded';

/**
 * The control plane: one XState actor per tenant that matters, driven by the observer's windows,
 * with the machine's named effects carried out here (docs/design.md, "The draining protocol"). Each effect
 * persists its route record (with the machine snapshot) before acting, so a restarted controller
 * resumes where it stopped. Effects of one tenant run one at a time, in order.
 */
export class Controller {
  private readonly handles = new Map<string, Handle>();
  /** the same handles by topic, then tenant: a window's tenants are looked up without building keys */
  private readonly handlesByTopic = new Map<string, Map<string, Handle>>();
  private readonly reservations = new Map<string, number[]>();
  private readonly acks = new Map<string, Map<number, Set<string>>>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly growing = new Map<string, Promise<void>>();
  /** traffic claims above partition truth (reports are untrusted), capped before any decision */
  implausibleClaims = 0;
  private readonly load = new Map<string, Map<number, number>>();
  private readonly lag = new Map<string, Map<number, number>>();
  private alive = new Set<string>();
  /** each producer's last report: when it arrived and how fresh its routing view was */
  private readonly producerViews = new Map<string, { reportAt: number; routesApplied: number | undefined }>();
  private subs: Subscription[] = [];
  /** informational (shown in route records and logs); fencing is the broker's, see RouteWriter */
  writerEpoch = 0;
  /** a newer controller took over the routing topic: this one stopped acting */
  fenced = false;
  private running = false;
  private readonly machine;
  /** Telemetry hooks, guarded: a throwing hook is logged, never breaks the control plane. */
  private readonly telemetry: Required<Pick<ControllerTelemetry, 'transition' | 'migrationStep'>>;
  private windowSeq = 0;
  lastWindowAt: number | undefined;
  migrationsDone = 0;

  constructor(
    private readonly config: ControllerConfig,
    private readonly ports: ControllerPorts,
    private readonly inspect?: (e: InspectionEvent) => void,
    /** Fault-injection for kill tests: stop (forever) at this point of a drain. Never set in production. */
    private readonly faultHold?: FaultHold,
  ) {
    const hooks = ports.telemetry;
    const guard =
      <E>(fn: ((e: E) => void) | undefined) =>
      (e: E) => {
        try {
          fn?.(e);
        } catch (err) {
          ports.log.warn({ err: String(err) }, 'telemetry hook failed');
        }
      };
    this.telemetry = {
      transition: guard(hooks?.transition?.bind(hooks)),
      migrationStep: guard(hooks?.migrationStep?.bind(hooks)),
    };
    const job = (context: TenantContext, name: string, fn: (h: Handle) => Promise<void>) =>
      this.enqueue(routeKey(context.topic, context.tenant), name, fn);
    this.machine = tenantMachine.provide({
      actions: {
        reserveCapacity: ({ context }) => job(context, 'reserveCapacity', (h) => this.reserveCapacity(h)),
        announceDraining: ({ context }) => job(context, 'announceDraining', (h) => this.announceDraining(h)),
        takeFence: ({ context }) => job(context, 'takeFence', (h) => this.takeFence(h)),
        awaitConsumers: ({ context }) => job(context, 'awaitConsumers', (h) => this.awaitConsumers(h)),
        commitRoute: ({ context }) => job(context, 'commitRoute', (h) => this.commitRoute(h)),
        raiseDrainAlert: ({ context }) =>
          this.ports.log.warn(
            { code: 'KTB_DRAIN_STUCK', topic: context.topic, tenant: context.tenant, epoch: context.epoch },
            'drain timed out; keeping the tenant held (policy: wait)',
          ),
        recordDecision: ({ context }) => {
          if (context.decision)
            this.ports.log.info(
              { topic: context.topic, tenant: context.tenant, ...context.decision },
              `decision: ${context.decision.reason}`,
            );
        },
      },
    });
  }

  get ready(): boolean {
    return this.running && !this.fenced;
  }

  get managedTopics(): readonly string[] {
    return this.config.topics;
  }

  /** Rebuilds actors from the routing table (resuming mid-migration ones), then follows the signals. */
  async start(windows$: Observable<WindowSnapshot>): Promise<void> {
    const { table } = this.ports.routes;
    for (const topic of this.config.topics) {
      if (table.pools(topic) === undefined) {
        throw new TenantBalancerError(
          ErrorCode.TopicNotManaged,
          `topic "${topic}" has no pool layout in "${this.config.routingTopic}"; create it with \`tenant-balancer topics create --topic ${topic} ...\``,
        );
      }
      this.partitionCounts.set(topic, await this.ports.topics.partitionCount(topic));
    }
    this.writerEpoch = Math.min(MAX_EPOCH, table.writerEpoch + 1);
    this.subs.push(this.ports.signals.acks$.subscribe((a) => this.onAck(a)));
    this.subs.push(
      this.ports.signals.reports$.subscribe(({ report, at }) => {
        this.producerViews.set(report.producerId, { reportAt: at, routesApplied: report.routesApplied });
        if (this.producerViews.size > 100_000) this.producerViews.clear();
      }),
    );
    for (const topic of this.config.topics) {
      for (const route of table.routes(topic)) {
        if (route.partitions.length === 0 && route.machine === undefined && route.state === 'shared')
          continue;
        this.ensureHandle(topic, route.tenant, route);
      }
    }
    this.running = true;
    this.subs.push(windows$.subscribe((w) => this.onWindow(w)));
    this.ports.log.info(
      { writerEpoch: this.writerEpoch, actors: this.handles.size, topics: this.config.topics },
      'controller started',
    );
  }

  /** Stops taking decisions; in-progress drains are already persisted and resume on restart. */
  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    await Promise.allSettled([...this.handles.values()].map((h) => h.queue));
    for (const h of this.handles.values()) {
      this.clearDrain(h);
      h.actor.stop();
    }
  }

  tenants(): TenantStatus[] {
    return [...this.handles.values()].map((h) => {
      const s = h.actor.getSnapshot();
      const c = s.context;
      const state = stateName(s.value);
      return {
        topic: h.topic,
        tenant: h.tenant,
        state,
        partitions: c.partitions.length === 0 ? [c.hashPartition] : c.partitions,
        epoch: c.epoch,
        ordering: c.ordering,
        manual: c.manual,
        rates: h.lastWindow
          ? { recordsPerSec: h.lastWindow.recordsPerSec, share: h.lastWindow.share, lag: h.lastWindow.lag }
          : null,
        decision: c.decision ?? null,
        drain:
          c.target !== undefined
            ? {
                target: c.target.length === 0 ? [c.hashPartition] : c.target,
                from: c.from ?? [],
                remaining: h.drainRemaining ?? null,
                alert: c.drainAlert,
                startedAt: h.drainStartedAt ?? null,
              }
            : null,
      };
    });
  }

  /** Latest window's partition rates and max lag (for metrics). */
  partitionStats(): { topic: string; partition: number; recordsPerSec: number; lag: number }[] {
    const out: { topic: string; partition: number; recordsPerSec: number; lag: number }[] = [];
    for (const [topic, byP] of this.load)
      for (const [partition, recordsPerSec] of byP)
        out.push({ topic, partition, recordsPerSec, lag: this.lag.get(topic)?.get(partition) ?? 0 });
    return out;
  }

  /** Producers that reported traffic recently (the ones a drain waits for). */
  liveProducers(): string[] {
    return [...this.alive];
  }

  get actorCount(): number {
    return this.handles.size;
  }

  /** pin / unpin / move from an operator; goes through the same states with reason "manual". */
  command(cmd: OperatorCommand): TenantStatus {
    if (!this.config.topics.includes(cmd.topic)) {
      throw new TenantBalancerError(
        ErrorCode.TopicNotManaged,
        `topic "${cmd.topic}" is not managed by this controller (managed: ${this.config.topics.join(', ')})`,
      );
    }
    tenantId(cmd.tenant);
    const now = this.ports.clock.now();
    let event: TenantEvent;
    if (cmd.op === 'pin') {
      const shards = cmd.shards ?? 1;
      if (!Number.isInteger(shards) || shards < 1 || shards > this.config.thresholds.maxShards) {
        throw new TenantBalancerError(
          ErrorCode.RequestInvalid,
          `partitions must be an integer in 1..${this.config.thresholds.maxShards} (got ${shards})`,
        );
      }
      event = { type: 'operator.pinned', shards, now };
    } else if (cmd.op === 'unpin') {
      event = { type: 'operator.unpinned', now };
    } else {
      this.checkMove(cmd);
      event = { type: 'operator.moved', partitions: [...cmd.partitions].sort((a, b) => a - b), now };
    }
    const h = this.ensureHandle(cmd.topic, cmd.tenant);
    const snap = h.actor.getSnapshot();
    if (!snap.can(event)) {
      const state = stateName(snap.value);
      if (STABLE.has(state))
        throw new TenantBalancerError(
          ErrorCode.RequestInvalid,
          `tenant "${cmd.tenant}" is ${state}; ${cmd.op === 'unpin' ? 'unpin applies to a pinned tenant (pin it first)' : `${cmd.op} does not apply to it`}`,
        );
      throw new TenantBalancerError(
        ErrorCode.TenantBusy,
        `tenant "${cmd.tenant}" is ${state}; ${cmd.op} applies to a stable tenant, retry when the migration ends`,
      );
    }
    h.actor.send(event);
    return this.tenants().find((t) => t.tenant === cmd.tenant && t.topic === cmd.topic)!;
  }

  /** A move names distinct dedicated partitions that exist and that no other tenant holds. */
  private checkMove(cmd: Extract<OperatorCommand, { op: 'move' }>): void {
    const pools = this.ports.routes.table.pools(cmd.topic)!;
    const total = this.partitionCounts.get(cmd.topic) ?? pools.total;
    const bad = cmd.partitions.filter((p) => !Number.isInteger(p) || p < pools.shared || p >= total);
    if (
      cmd.partitions.length === 0 ||
      bad.length > 0 ||
      new Set(cmd.partitions).size !== cmd.partitions.length
    ) {
      throw new TenantBalancerError(
        ErrorCode.RequestInvalid,
        `move needs distinct dedicated partitions in ${pools.shared}..${total - 1} (got ${cmd.partitions.join(',') || 'none'})`,
      );
    }
    const owners = this.owners(routeKey(cmd.topic, cmd.tenant));
    const taken = cmd.partitions.filter((p) => {
      const other = owners.get(p) ?? this.ports.routes.table.ownerOf(cmd.topic, p);
      return other !== undefined && other !== cmd.tenant && other !== routeKey(cmd.topic, cmd.tenant);
    });
    if (taken.length > 0)
      throw new TenantBalancerError(
        ErrorCode.RequestInvalid,
        `partition(s) ${taken.join(',')} are held by another tenant; move to free dedicated partitions`,
      );
  }

  // ---- actors -------------------------------------------------------------------------------

  private ensureHandle(topic: string, tenant: string, route?: TenantRoute): Handle {
    const key = routeKey(topic, tenant);
    const existing = this.handles.get(key);
    if (existing) return existing;
    const pools = this.ports.routes.table.pools(topic)!;
    route ??= this.ports.routes.table.route(topic, tenant);
    const input = {
      topic,
      tenant,
      ordering: route?.ordering ?? 'strict',
      thresholds: this.config.thresholds,
      hashPartition: defaultPartitionOf(tenant, pools.shared),
      partitions: route?.state === 'dedicated' || route?.state === 'sharded' ? route.partitions : [],
      epoch: route?.epoch ?? 0,
    } as const;
    const restored = route?.machine as { context?: TenantContext } | undefined;
    // Persisted snapshots carry the thresholds of their time; the current config wins.
    const snapshot =
      restored?.context !== undefined
        ? ({
            ...restored,
            context: { ...restored.context, thresholds: this.config.thresholds },
          } as unknown as Snapshot<unknown>)
        : undefined;
    const actor = createActor(this.machine, {
      input,
      id: key,
      ...(snapshot !== undefined ? { snapshot } : {}),
      ...(this.inspect ? { inspect: this.inspect } : {}),
    });
    const h: Handle = { key, topic, tenant, actor, queue: Promise.resolve(), idleWindows: 0, lastState: '' };
    this.handles.set(key, h);
    let byTenant = this.handlesByTopic.get(topic);
    if (byTenant === undefined) this.handlesByTopic.set(topic, (byTenant = new Map()));
    byTenant.set(tenant, h);
    actor.subscribe((s) => {
      const to = stateName(s.value);
      if (to !== h.lastState && h.lastState !== '') {
        // A decision's reason is reported once, on the transition it caused.
        const d = s.context.decision;
        const fresh = d !== undefined && (d.at !== h.lastDecision?.at || d.reason !== h.lastDecision.reason);
        h.lastDecision = d;
        this.telemetry.transition({
          topic,
          tenant,
          from: h.lastState,
          to,
          reason: fresh ? d.reason : '',
          numbers: fresh ? d.numbers : {},
        });
      }
      h.lastState = to;
    });
    actor.start();
    if (snapshot !== undefined) this.resume(h);
    return h;
  }

  /** A restored actor does not re-run entry actions: re-issue the effect of the state it is in. */
  private resume(h: Handle): void {
    const state = stateName(h.actor.getSnapshot().value);
    this.ports.log.info(
      { topic: h.topic, tenant: h.tenant, state },
      'resuming tenant from its persisted snapshot',
    );
    const run = (name: string, fn: (x: Handle) => Promise<void>) => this.enqueue(h.key, name, fn);
    if (state === 'isolating') run('reserveCapacity', (x) => this.reserveCapacity(x));
    else if (state === 'draining.announcing') run('announceDraining', (x) => this.announceDraining(x));
    else if (state === 'draining.fencing') run('takeFence', (x) => this.takeFence(x));
    else if (state === 'draining.waiting') {
      run('takeFence', async (x) => {
        x.fence = await this.ports.offsets.logEnd(x.topic, x.actor.getSnapshot().context.from ?? []);
      });
      run('awaitConsumers', (x) => this.awaitConsumers(x));
    } else if (state === 'committing') run('commitRoute', (x) => this.commitRoute(x));
  }

  private enqueue(key: string, name: string, fn: (h: Handle) => Promise<void>): void {
    const h = this.handles.get(key);
    if (h === undefined) return;
    h.queue = h.queue.then(async () => {
      for (let attempt = 0; ; attempt++) {
        if (!this.running && attempt > 0) return;
        try {
          await fn(h);
          return;
        } catch (e) {
          if (isTenantBalancerError(e, ErrorCode.ControllerFenced)) return this.onFenced(e);
          this.ports.log.warn(
            { topic: h.topic, tenant: h.tenant, effect: name, attempt, err: (e as Error).message },
            'effect failed; retrying',
          );
          await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
        }
      }
    });
  }

  /** Said loudly, once: a fenced controller stops deciding and stops reporting ready. */
  private onFenced(e: Error): void {
    if (this.fenced) return;
    this.fenced = true;
    this.running = false;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.ports.log.error(
      { code: ErrorCode.ControllerFenced, topics: this.config.topics },
      `${e.message}. This controller stopped acting and reports not ready; stop it, or run every instance with --ha.`,
    );
  }

  private send(h: Handle, e: TenantEvent): void {
    if (this.handles.get(h.key) === h) h.actor.send(e);
  }

  // ---- effects ------------------------------------------------------------------------------

  private async persist(
    h: Handle,
    state: RouteState,
    partitions: readonly number[],
    from?: readonly number[],
  ): Promise<number> {
    const c = h.actor.getSnapshot().context;
    return this.inMigration(c.topic, c.tenant, () =>
      this.ports.routes.write({
        v: 1,
        kind: 'route',
        topic: c.topic as TenantRoute['topic'],
        tenant: c.tenant as TenantRoute['tenant'],
        state,
        partitions: [...partitions],
        ...(from !== undefined ? { from: [...from] } : {}),
        epoch: c.epoch,
        ordering: c.ordering,
        reason: c.decision?.reason ?? '',
        updatedAt: this.ports.clock.now(),
        writerEpoch: this.writerEpoch,
        machine: h.actor.getPersistedSnapshot(),
      }),
    );
  }

  /** Telemetry must never break a write: without the hook, or if it throws, fn runs plainly. */
  private inMigration<T>(topic: string, tenant: string, fn: () => T): T {
    const t = this.ports.telemetry;
    if (t?.inMigration === undefined) return fn();
    let ran = false;
    try {
      return t.inMigration(topic, tenant, () => {
        ran = true;
        return fn();
      });
    } catch (err) {
      if (ran) throw err;
      this.ports.log.warn({ err: String(err) }, 'telemetry hook failed');
      return fn();
    }
  }

  private owners(except: string): Map<number, string> {
    const m = new Map<number, string>();
    for (const h of this.handles.values()) {
      if (h.key === except) continue;
      const c = h.actor.getSnapshot().context;
      for (const p of [...c.partitions, ...(c.target ?? []), ...(this.reservations.get(h.key) ?? [])])
        m.set(p, h.key);
    }
    return m;
  }

  private async reserveCapacity(h: Handle): Promise<void> {
    const c = h.actor.getSnapshot().context;
    await this.persist(h, 'isolating', c.partitions);
    const pools = this.ports.routes.table.pools(h.topic)!;
    const total = this.partitionCounts.get(h.topic) ?? pools.total;
    const owners = this.owners(h.key);
    if (c.requested !== undefined) {
      const taken = c.requested.filter((p) => owners.has(p));
      if (taken.length > 0) {
        this.send(h, {
          type: 'capacity.unavailable',
          reason: `partition(s) ${taken.join(',')} belong to another tenant`,
          now: this.ports.clock.now(),
        });
        return;
      }
      this.reservations.set(h.key, c.requested);
      this.send(h, { type: 'capacity.reserved', partitions: c.requested });
      return;
    }
    const placement = place({
      shared: pools.shared,
      total,
      maxPartitions: this.config.maxPartitions,
      owners: new Map([...owners].map(([p, k]) => [p, k])),
      load: this.load.get(h.topic) ?? new Map(),
      tenant: h.key,
      k: c.wantShards,
      maxGrowth: this.config.maxGrowthPerDecision,
    });
    if (placement.kind === 'none') {
      this.send(h, { type: 'capacity.unavailable', reason: placement.reason, now: this.ports.clock.now() });
      return;
    }
    this.reservations.set(h.key, placement.partitions);
    if (placement.kind === 'grow') {
      // Counted now, before the await: a tenant placed in the same tick must not pick the same new
      // partition. Grows of one topic run one at a time (concurrent createPartitions collide).
      this.partitionCounts.set(h.topic, Math.max(total, placement.newTotal));
      await this.growTo(h.topic, placement.newTotal);
      this.ports.log.info({ topic: h.topic, total: placement.newTotal }, placement.reason);
    }
    this.send(h, { type: 'capacity.reserved', partitions: placement.partitions });
  }

  private growTo(topic: string, total: number): Promise<void> {
    const run = (this.growing.get(topic) ?? Promise.resolve()).then(async () => {
      try {
        if ((await this.ports.topics.partitionCount(topic)) < total)
          await this.ports.topics.grow(topic, total);
      } catch (e) {
        // Counted before the grow: on failure, go back to what the broker says.
        this.partitionCounts.set(topic, await this.ports.topics.partitionCount(topic).catch(() => total));
        throw e;
      }
    });
    this.growing.set(
      topic,
      run.catch(() => undefined),
    );
    return run;
  }

  private async announceDraining(h: Handle): Promise<void> {
    const c = h.actor.getSnapshot().context;
    h.announceOffset = await this.persist(h, 'draining', c.target ?? [], c.from ?? []);
    await this.hold('after-announce');
    this.armDrainTimeout(h);
    h.announcedAt = this.ports.clock.now();
    h.drainStartedAt = h.announcedAt;
    h.expectedProducers = new Set(this.alive);
    this.telemetry.migrationStep({
      topic: h.topic,
      tenant: h.tenant,
      epoch: c.epoch,
      step: 'acks',
      phase: 'start',
      detail: { producers: h.expectedProducers.size },
    });
    await new Promise<void>((resolve) => {
      const check = () => {
        // Stop waiting if the tenant left this step (a drain timeout rolled it back) or we stopped.
        if (
          this.handles.get(h.key) !== h ||
          !this.running ||
          stateName(h.actor.getSnapshot().value) !== 'draining.announcing'
        ) {
          clearInterval(h.ackTimer);
          return resolve();
        }
        // An ack counts once the producer's own reports show it applied the draining record: the
        // acks topic is untrusted, and a forged ack for a paused producer must not end its wait.
        const acks = this.acks.get(h.key)?.get(c.epoch);
        const acked = new Set([...(acks ?? [])].filter((p) => this.sawRecord(p, h.announceOffset ?? -1)));
        const pending = [...(h.expectedProducers ?? [])].filter((p) => !acked.has(p));
        // A producer that has not acked is skipped only once its lease is over: it stopped
        // reporting for a whole lease (dead or cut off), or its own reports show a routing view that
        // has not caught up since the announcement and is now older than the lease (it blocks
        // itself). A producer that saw the drain but still waits for Kafka to ack its in-flight
        // records is waited for: skipping it would let those records land behind the fence.
        const now = this.ports.clock.now();
        const announcedAt = h.announcedAt ?? now;
        const expired = pending.filter((p) => this.leaseOver(p, announcedAt, h.announceOffset ?? -1, now));
        const leaseOver = expired.length === pending.length;
        if (pending.length === 0 || leaseOver) {
          clearInterval(h.ackTimer);
          if (pending.length > 0)
            this.ports.log.warn(
              { tenant: h.tenant, epoch: c.epoch, pending },
              "proceeding without acks: those producers' route lease expired",
            );
          this.telemetry.migrationStep({
            topic: h.topic,
            tenant: h.tenant,
            epoch: c.epoch,
            step: 'acks',
            phase: 'end',
            detail: { acked: acked.size, expired: pending.length },
          });
          this.send(h, { type: 'producers.acked' });
          resolve();
        }
      };
      h.ackTimer = setInterval(check, 50);
      check();
    });
  }

  private sawRecord(producerId: string, offset: number): boolean {
    const applied = this.producerViews.get(producerId)?.routesApplied;
    return applied !== undefined && applied > offset;
  }

  private leaseOver(producerId: string, announcedAt: number, announceOffset: number, now: number): boolean {
    const lease = this.config.routeLeaseMs + this.config.tickMs;
    if (now - announcedAt < lease) return false;
    const v = this.producerViews.get(producerId);
    if (v === undefined || now - v.reportAt >= lease) return true;
    const sawIt = v.routesApplied !== undefined && v.routesApplied > announceOffset;
    return !sawIt;
  }

  private async takeFence(h: Handle): Promise<void> {
    const c = h.actor.getSnapshot().context;
    this.telemetry.migrationStep({
      topic: h.topic,
      tenant: h.tenant,
      epoch: c.epoch,
      step: 'fence',
      phase: 'start',
    });
    h.fence = await this.ports.offsets.logEnd(h.topic, c.from ?? []);
    await this.hold('after-fence');
    this.telemetry.migrationStep({
      topic: h.topic,
      tenant: h.tenant,
      epoch: c.epoch,
      step: 'fence',
      phase: 'end',
      detail: Object.fromEntries([...h.fence].map(([p, o]) => [`p${p}`, o])),
    });
    this.send(h, { type: 'fence.taken' });
  }

  private async awaitConsumers(h: Handle): Promise<void> {
    const c = h.actor.getSnapshot().context;
    const fence = h.fence ?? (await this.ports.offsets.logEnd(h.topic, c.from ?? []));
    h.fence = fence;
    const groups = this.ports.offsets.groups();
    this.telemetry.migrationStep({
      topic: h.topic,
      tenant: h.tenant,
      epoch: c.epoch,
      step: 'drain',
      phase: 'start',
      detail: { groups: groups.length },
    });
    if (groups.length === 0) {
      this.ports.log.warn(
        { tenant: h.tenant, topic: h.topic },
        'no consumer group is watched; the drain has nothing to wait for',
      );
      this.send(h, { type: 'drain.completed' });
      return;
    }
    this.armDrainTimeout(h);
    h.drainSub = this.ports.offsets.samples$.pipe(drainWatch(h.topic, fence, groups)).subscribe({
      next: (p) => {
        h.drainRemaining = p.remaining;
        this.telemetry.migrationStep({
          topic: h.topic,
          tenant: h.tenant,
          epoch: c.epoch,
          step: 'drain',
          phase: 'progress',
          detail: { remaining: p.remaining },
        });
      },
      complete: () => {
        if (h.drainRemaining === 0) {
          this.telemetry.migrationStep({
            topic: h.topic,
            tenant: h.tenant,
            epoch: c.epoch,
            step: 'drain',
            phase: 'end',
          });
          this.send(h, { type: 'drain.completed' });
        }
      },
    });
  }

  /** The drain timeout covers the whole drain, from the announcement (a producer that never acks) on. */
  private armDrainTimeout(h: Handle): void {
    if (h.drainTimer !== undefined) return;
    h.drainTimer = setTimeout(() => {
      h.drainTimer = undefined;
      if (!stateName(h.actor.getSnapshot().value).startsWith('draining')) return;
      this.send(h, { type: 'drain.timedOut', now: this.ports.clock.now() });
      if (stateName(h.actor.getSnapshot().value).startsWith('draining')) this.armDrainTimeout(h);
    }, this.config.thresholds.drainTimeoutMs);
  }

  private clearDrain(h: Handle): void {
    h.drainSub?.unsubscribe();
    clearTimeout(h.drainTimer);
    h.drainTimer = undefined;
    clearInterval(h.ackTimer);
    h.drainSub = undefined;
    h.fence = undefined;
    h.drainRemaining = undefined;
  }

  private async commitRoute(h: Handle): Promise<void> {
    await this.hold('before-commit');
    this.clearDrain(h);
    const c = h.actor.getSnapshot().context;
    const target = c.target ?? c.partitions;
    this.telemetry.migrationStep({
      topic: h.topic,
      tenant: h.tenant,
      epoch: c.epoch,
      step: 'commit',
      phase: 'start',
    });
    await this.persist(h, stateOfRoute(target), target);
    this.acks.delete(h.key);
    this.reservations.delete(h.key);
    h.drainStartedAt = undefined;
    this.migrationsDone++;
    this.telemetry.migrationStep({
      topic: h.topic,
      tenant: h.tenant,
      epoch: c.epoch,
      step: 'commit',
      phase: 'end',
      detail: { partitions: target.join(',') },
    });
    this.send(h, { type: 'route.committed', now: this.ports.clock.now() });
  }

  private async hold(point: FaultHold): Promise<void> {
    if (this.faultHold !== point) return;
    this.ports.log.warn({ code: 'KTB_FAULT_HOLD', point }, `fault hold reached: ${point}`);
    await new Promise<never>(() => undefined);
  }

  // ---- signals ------------------------------------------------------------------------------

  private onAck(a: DrainAck): void {
    const key = routeKey(a.topic, a.tenant);
    let byEpoch = this.acks.get(key);
    if (byEpoch === undefined) {
      byEpoch = new Map();
      this.acks.set(key, byEpoch);
    }
    let set = byEpoch.get(a.epoch);
    if (set === undefined) {
      set = new Set();
      byEpoch.set(a.epoch, set);
    }
    set.add(a.producerId);
  }

  private onWindow(w: WindowSnapshot): void {
    if (!this.running) return;
    this.lastWindowAt = w.at;
    const windowSeq = ++this.windowSeq;
    this.alive = new Set(w.producersAlive);
    for (const topic of this.config.topics) {
      this.load.set(topic, new Map());
      this.lag.set(topic, new Map());
    }
    for (const p of w.partitions) {
      this.load.get(p.topic)?.set(p.partition, p.recordsPerSec);
      const lags = Object.values(p.lag).filter((l): l is number => l !== null);
      this.lag.get(p.topic)?.set(p.partition, lags.length ? Math.max(...lags) : 0);
    }
    // Counted only if some actor gets an event this tick (most ticks, most actors get none), then
    // kept current as this tick's events start migrations: tenants that turn hot in the same window
    // must see each other, or maxConcurrentMigrations is not a cap.
    const migrations: MigrationCount = { counted: undefined, handles: this.handles };
    for (const t of w.tenants) {
      if (!this.config.topics.includes(t.topic)) continue;
      let h = this.handlesByTopic.get(t.topic)?.get(t.tenant);
      if (
        h === undefined &&
        this.plausibleNewRate(t.topic, t.tenant, t.recordsPerSec) >= this.config.thresholds.actorFloorRate
      ) {
        try {
          h = this.ensureHandle(t.topic, t.tenant);
        } catch (e) {
          this.ports.log.warn({ tenant: t.tenant, err: (e as Error).message }, 'tenant skipped');
          continue;
        }
      }
      if (h === undefined) continue;
      h.fedIn = windowSeq;
      this.feed(h, t.recordsPerSec, t.bytesPerSec, t.trend, w.at, migrations);
    }
    // Deleting the current entry while iterating a Map is safe: maybeRetire may remove h.
    for (const h of this.handles.values()) {
      if (h.fedIn !== windowSeq) this.feed(h, 0, 0, 0, w.at, migrations);
      this.maybeRetire(h);
    }
  }

  private feed(
    h: Handle,
    rate: number,
    bytesRate: number,
    trend: number,
    at: number,
    migrations: MigrationCount,
  ): void {
    const snap = h.actor.getSnapshot();
    const c = snap.context;
    const load = this.load.get(h.topic);
    const lags = this.lag.get(h.topic);
    let partRate = 0;
    let lag = 0;
    if (c.partitions.length === 0) {
      partRate = load?.get(c.hashPartition) ?? 0;
      lag = lags?.get(c.hashPartition) ?? 0;
    }
    for (const p of c.partitions) {
      partRate += load?.get(p) ?? 0;
      lag += lags?.get(p) ?? 0;
    }
    // Reports are untrusted: no tenant sends more than its partitions grew (offsets are the truth).
    if (claimExcess(rate, partRate) > this.config.trafficClaimTolerance) {
      this.implausibleClaims++;
      this.ports.log.debug(
        {
          code: 'KTB_TRAFFIC_IMPLAUSIBLE',
          topic: h.topic,
          tenant: h.tenant,
          claimed: rate,
          partitionRate: partRate,
        },
        'traffic claim above partition growth; capped',
      );
      bytesRate =
        rate > 0 ? bytesRate * (plausibleRate(rate, partRate, this.config.trafficClaimTolerance) / rate) : 0;
      rate = plausibleRate(rate, partRate, this.config.trafficClaimTolerance);
    }
    const share = partRate > 0 ? Math.min(1, rate / partRate) : rate > 0 ? 1 : 0;
    // Most ticks most actors get no event: their window object is updated in place, not reallocated
    // (100k actors, 100k objects a tick). One that went into an event stays as the actor saw it.
    let window: Mutable<TenantWindow>;
    if (h.lastWindow !== undefined && !h.lastWindowSent) {
      window = h.lastWindow as Mutable<TenantWindow>;
      window.at = at;
      window.recordsPerSec = rate;
      window.bytesPerSec = bytesRate;
      window.share = share;
      window.lag = lag;
      window.trend = trend;
    } else {
      window = {
        topic: h.topic,
        tenant: h.tenant,
        at,
        recordsPerSec: rate,
        bytesPerSec: bytesRate,
        share,
        lag,
        trend,
      };
      h.lastWindow = window;
      h.lastWindowSent = false;
    }
    h.idleWindows = rate < this.config.thresholds.actorFloorRate ? h.idleWindows + 1 : 0;
    // A shared tenant with no hot streak and a window that is not hot cannot change state or
    // counters: skip the event (an XState event costs ~6 us; most actors are in this case).
    if (snap.value === 'shared' && c.hot === 0 && !isHot(window, this.config.thresholds)) return;
    h.lastWindowSent = true;
    const inProgress = migrationsInProgress(migrations);
    this.send(h, { type: 'window.closed', window, now: at, migrationsInProgress: inProgress });
    if (!STABLE.has(stateName(h.actor.getSnapshot().value)) && STABLE.has(stateName(snap.value)))
      migrations.counted = inProgress + 1;
  }

  /**
   * A tenant without an actor gets one only for a rate its partitions could carry: forged reports
   * naming many tenants must not fill the controller with actors.
   */
  private plausibleNewRate(topic: string, tenant: string, claimed: number): number {
    const pools = this.ports.routes.table.pools(topic);
    if (pools === undefined) return 0;
    const route = this.ports.routes.table.route(topic, tenant);
    const load = this.load.get(topic);
    const partitions =
      route !== undefined && route.partitions.length > 0
        ? route.partitions
        : [defaultPartitionOf(tenant, pools.shared)];
    let partRate = 0;
    for (const p of partitions) partRate += load?.get(p) ?? 0;
    return plausibleRate(claimed, partRate, this.config.trafficClaimTolerance);
  }

  /** Idle shared tenants cost no actor: memory follows the tenants that matter. */
  private maybeRetire(h: Handle): void {
    if (h.idleWindows < this.config.retireAfterWindows) return;
    const s = h.actor.getSnapshot();
    if (stateName(s.value) !== 'shared' || s.context.manual) return;
    h.actor.stop();
    this.handles.delete(h.key);
    this.handlesByTopic.get(h.topic)?.delete(h.tenant);
  }
}
