import { createActor, type Actor, type InspectionEvent, type Snapshot } from 'xstate';
import type { tenantMachine, TenantContext } from '../../machines/tenant.machine.js';
import { defaultPartitionOf } from '../domain/partition-choice.js';
import { routeKey, type TenantRoute } from '../domain/route-record.js';
import type { RoutingTable } from '../domain/routing-table.js';
import type { TenantWindow } from '../policy/window-summary.js';
import type { ControllerTelemetry, LogPort } from '../ports/controller-ports.js';
import { stateName } from './state-name.js';
import type { TenantSettings } from './tenant-overrides.js';

type TenantMachine = typeof tenantMachine;
export type TenantActor = Actor<TenantMachine>;
type Transition = Parameters<NonNullable<ControllerTelemetry['transition']>>[0];

/** One tenant the controller follows: its actor, and what window feeding remembers about it. */
export interface Handle {
  readonly key: string;
  readonly topic: string;
  readonly tenant: string;
  readonly actor: TenantActor;
  lastWindow?: TenantWindow | undefined;
  /** lastWindow went into an actor event: it must not be updated in place any more */
  lastWindowSent?: boolean;
  idleWindows: number;
  /** the window (its sequence number) that last fed this tenant a rate */
  fedIn?: number | undefined;
  lastState: string;
  lastDecision?: TenantContext['decision'] | undefined;
}

export interface RegistryDeps {
  /** a tenant's effective settings under the config in force (global merged with its override) */
  readonly settings: (topic: string, tenant: string) => TenantSettings;
  readonly table: RoutingTable;
  readonly log: LogPort;
  /** guarded transition telemetry */
  readonly transition: (e: Transition) => void;
  readonly inspect?: ((e: InspectionEvent) => void) | undefined;
}

/**
 * The tenant actors, by key and by topic then tenant. An actor is created from the tenant's committed
 * route, or restored from the machine snapshot persisted with it.
 *
 * Restoring re-enters the step: a persisted snapshot is stored without its invoked steps, and a
 * restored actor gets `controller.resumed`, on which every state that runs a step re-enters itself
 * (the drain timeout is re-armed with it). The step runs again from the start; steps are idempotent
 * (they re-persist the same route and re-read offsets), which is what the kill tests prove.
 */
export class TenantRegistry {
  private readonly handles = new Map<string, Handle>();
  private readonly byTopic = new Map<string, Map<string, Handle>>();

  constructor(
    private readonly machine: TenantMachine,
    private readonly deps: RegistryDeps,
  ) {}

  get size(): number {
    return this.handles.size;
  }

  values(): IterableIterator<Handle> {
    return this.handles.values();
  }

  get(topic: string, tenant: string): Handle | undefined {
    return this.byTopic.get(topic)?.get(tenant);
  }

  actorOf(key: string): TenantActor | undefined {
    return this.handles.get(key)?.actor;
  }

  *contexts(): IterableIterator<readonly [string, TenantContext]> {
    for (const h of this.handles.values()) yield [h.key, h.actor.getSnapshot().context] as const;
  }

  ensure(topic: string, tenant: string, route?: TenantRoute): Handle {
    const existing = this.get(topic, tenant);
    if (existing) return existing;
    const key = routeKey(topic, tenant);
    const pools = this.deps.table.pools(topic)!;
    route ??= this.deps.table.route(topic, tenant);
    const settings = this.deps.settings(topic, tenant);
    // An ordering override wins over the route's for a settled tenant (as a reload would change it);
    // the next route write carries it. A restored move keeps the ordering it started with.
    const input = {
      topic,
      tenant,
      ordering: settings.ordering ?? route?.ordering ?? 'strict',
      thresholds: settings.thresholds,
      mode: settings.mode,
      neverMove: settings.neverMove,
      hashPartition: defaultPartitionOf(tenant, pools.shared),
      partitions: route?.state === 'dedicated' || route?.state === 'sharded' ? route.partitions : [],
      epoch: route?.epoch ?? 0,
      fences: route?.fences ?? [],
    } as const;
    const snapshot = this.restorable(route?.machine, settings, input.fences);
    const actor = createActor(this.machine, {
      input,
      id: key,
      ...(snapshot !== undefined ? { snapshot } : {}),
      ...(this.deps.inspect ? { inspect: this.deps.inspect } : {}),
    });
    const h: Handle = { key, topic, tenant, actor, idleWindows: 0, lastState: '' };
    this.handles.set(key, h);
    let byTenant = this.byTopic.get(topic);
    if (byTenant === undefined) this.byTopic.set(topic, (byTenant = new Map()));
    byTenant.set(tenant, h);
    actor.subscribe((s) => this.onSnapshot(h, stateName(s.value), s.context.decision));
    actor.start();
    if (snapshot !== undefined) {
      this.deps.log.info(
        { topic, tenant, state: stateName(actor.getSnapshot().value) },
        'resuming tenant from its persisted snapshot',
      );
      actor.send({ type: 'controller.resumed' });
      // a restored stable tenant takes an ordering override as a reload would give it
      if (settings.ordering !== undefined && settings.ordering !== actor.getSnapshot().context.ordering)
        this.send(h, settings);
    }
    return h;
  }

  /** Idle shared tenants cost no actor: memory follows the tenants that matter. */
  retire(h: Handle): void {
    h.actor.stop();
    this.handles.delete(h.key);
    this.byTopic.get(h.topic)?.delete(h.tenant);
  }

  /**
   * A reloaded config reaches every actor as `config.changed` with the tenant's effective settings
   * (the machine applies thresholds, mode and never-move at once, ordering only while stable). A
   * tenant with no ordering override keeps its own ordering.
   */
  reconfigure(): void {
    for (const h of this.handles.values()) this.send(h, this.deps.settings(h.topic, h.tenant));
  }

  private send(h: Handle, s: TenantSettings): void {
    h.actor.send({
      type: 'config.changed',
      thresholds: s.thresholds,
      ordering: s.ordering ?? h.actor.getSnapshot().context.ordering,
      mode: s.mode,
      neverMove: s.neverMove,
    });
  }

  stopAll(): void {
    for (const h of this.handles.values()) h.actor.stop();
  }

  /** Persisted snapshots carry the settings of their time, and maybe steps: the config wins, steps re-run. */
  private restorable(
    machine: unknown,
    settings: TenantSettings,
    fences: TenantContext['fences'],
  ): Snapshot<unknown> | undefined {
    const restored = machine as { context?: TenantContext; children?: unknown } | undefined;
    if (restored?.context === undefined) return undefined;
    return {
      ...restored,
      children: {},
      context: {
        ...restored.context,
        // snapshots written before fences existed take the route's history
        fences: restored.context.fences ?? fences,
        thresholds: settings.thresholds,
        mode: settings.mode,
        neverMove: settings.neverMove,
      },
    } as unknown as Snapshot<unknown>;
  }

  /** A decision's reason is reported once, on the transition it caused. */
  private onSnapshot(h: Handle, to: string, d: TenantContext['decision']): void {
    if (to !== h.lastState && h.lastState !== '') {
      const fresh = d !== undefined && (d.at !== h.lastDecision?.at || d.reason !== h.lastDecision.reason);
      h.lastDecision = d;
      this.deps.transition({
        topic: h.topic,
        tenant: h.tenant,
        from: h.lastState,
        to,
        reason: fresh ? d.reason : '',
        numbers: fresh ? d.numbers : {},
      });
    }
    h.lastState = to;
  }
}
