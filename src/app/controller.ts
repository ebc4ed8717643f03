import type { Observable, Subscription } from 'rxjs';
import type { InspectionEvent } from 'xstate';
import { tenantMachine } from '../../machines/tenant.machine.js';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import { MAX_EPOCH, routeKey } from '../domain/route-record.js';
import type { WindowSnapshot } from '../domain/window-aggregator.js';
import type { ControllerPorts } from '../ports/controller-ports.js';
import { Capacity } from './capacity.js';
import type { ControllerMode } from '../../machines/tenant.types.js';
import { reloadChanges } from './config-reload.js';
import type { ControllerConfig } from './controller-config.js';
import { decisionReporter, reportDrainStuck } from './decision-report.js';
import { drainingSteps, type FaultHold } from './draining/index.js';
import { ProducerAcks } from './draining/producer-acks.js';
import { RouteJournal } from './draining/route-journal.js';
import { guardTelemetry } from './guarded-telemetry.js';
import { observeModeRefusal, operatorEvent, stateRefusal, type OperatorCommand } from './operator-command.js';
import { PartitionLoad } from './partition-load.js';
import { stateName } from './state-name.js';
import { TenantSettingsBook } from './tenant-overrides.js';
import { TenantRegistry } from './tenant-registry.js';
import { tenantStatus, type TenantStatus } from './tenant-status.js';
import { WindowFeeder } from './window-feeder.js';

export type { FaultHold } from './draining/index.js';
export type { OperatorCommand } from './operator-command.js';
export type { TenantStatus } from './tenant-status.js';

/**
 * The control plane's supervisor (docs/architecture.md, "Controller"): one XState actor per tenant
 * that matters (TenantRegistry), fed by the observer's windows (WindowFeeder), moved by the draining
 * protocol's steps the machine invokes (src/app/draining/), and by operator commands. Everything a
 * move does lives in those steps; this class wires them and answers status questions.
 */
export class Controller {
  private readonly registry: TenantRegistry;
  private readonly feeder: WindowFeeder;
  private readonly acks = new ProducerAcks();
  private observingSince = 0;
  private readonly load: PartitionLoad;
  private readonly capacity: Capacity;
  private readonly inFlight = new Set<Promise<void>>();
  /** the config in force: its reloadable fields (thresholds, mode, tenants) change on reconfigure */
  private readonly config: ControllerConfig;
  /** what the window feeder sees: the config with the loosest thresholds of any tenant */
  private readonly feederConfig: ControllerConfig;
  private settings: TenantSettingsBook;
  /** shadow decisions reported, by topic (ktb_shadow_decisions_total) */
  readonly shadowDecisions = new Map<string, number>();
  private subs: Subscription[] = [];
  private running = false;
  /** informational (shown in route records and logs); fencing is the broker's, see RouteWriter */
  writerEpoch = 0;
  /** a newer controller took over the routing topic: this one stopped acting */
  fenced = false;
  lastWindowAt: number | undefined;
  migrationsDone = 0;

  constructor(
    config: ControllerConfig,
    private readonly ports: ControllerPorts,
    inspect?: (e: InspectionEvent) => void,
    /** Fault-injection for kill tests: stop (until stopped) at this point of a drain. Never set in production. */
    faultHold?: FaultHold,
  ) {
    this.config = { ...config };
    this.settings = new TenantSettingsBook(config);
    this.feederConfig = { ...config, thresholds: this.settings.loosest() };
    const telemetry = guardTelemetry(ports);
    const reportDecision = decisionReporter(ports.log, telemetry, this.shadowDecisions);
    const table = ports.routes.table;
    this.load = new PartitionLoad(config.topics);
    this.capacity = new Capacity(ports.topics, () => this.registry.contexts());
    const journal = new RouteJournal(
      ports,
      () => this.writerEpoch,
      (key) => this.registry.actorOf(key),
      telemetry.inMigration,
    );
    const steps = drainingSteps({
      ports,
      config: this.config,
      table,
      faultHold,
      acks: this.acks,
      capacity: this.capacity,
      load: this.load,
      running: () => this.running,
      persist: (key, state, partitions, from, fence) => journal.persist(key, state, partitions, from, fence),
      migrationStep: telemetry.migrationStep,
      onFenced: (e) => this.onFenced(e),
      track: (p) => {
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
      },
      committed: () => void this.migrationsDone++,
    });
    const machine = tenantMachine.provide({
      actors: steps,
      actions: {
        raiseDrainAlert: ({ context }) => reportDrainStuck(ports.log, context),
        recordDecision: ({ context }) => reportDecision(context),
      },
    });
    this.registry = new TenantRegistry(machine, {
      settings: (topic, tenant) => this.settings.of(topic, tenant),
      table,
      log: ports.log,
      transition: telemetry.transition,
      inspect,
    });
    this.feeder = new WindowFeeder(this.registry, this.load, table, this.feederConfig, ports.log);
  }

  get ready(): boolean {
    return this.running && !this.fenced;
  }

  get managedTopics(): readonly string[] {
    return this.config.topics;
  }

  /** act, or observe (shadow mode: decisions are reported, no tenant is moved) */
  get mode(): ControllerMode {
    return this.config.mode;
  }

  /**
   * Applies a reloaded config without a restart: thresholds, mode and per-tenant overrides (other
   * fields are refused with KTB_CONFIG_RESTART_REQUIRED, nothing applied). Every actor gets
   * `config.changed` with its effective settings; actors created later start with them. Moves in
   * progress finish (observe mode only stops new ones). Returns the fields that changed.
   */
  reconfigure(next: ControllerConfig): string[] {
    const changes = reloadChanges(this.config, next);
    this.config.thresholds = next.thresholds;
    this.config.mode = next.mode;
    this.config.tenants = next.tenants;
    this.settings = new TenantSettingsBook(next);
    this.feederConfig.thresholds = this.settings.loosest();
    this.registry.reconfigure();
    this.ports.log.info({ changes, mode: next.mode, actors: this.registry.size }, 'config reloaded');
    return changes;
  }

  /** traffic claims above partition truth, capped before any decision */
  get implausibleClaims(): number {
    return this.feeder.implausibleClaims;
  }

  /** Rebuilds actors from the routing table (resuming mid-migration ones), then follows the signals. */
  async start(
    windows$: Observable<WindowSnapshot>,
    /**
     * when `windows$` began observing (the service keeps it running across leadership changes): a
     * drain trusts a window's list of live producers once the windows have observed for windowMs
     */
    opts: { readonly observingSince?: number } = {},
  ): Promise<void> {
    this.observingSince = opts.observingSince ?? 0;
    const { table } = this.ports.routes;
    for (const topic of this.config.topics) {
      if (table.pools(topic) === undefined) {
        throw new TenantBalancerError(
          ErrorCode.TopicNotManaged,
          `topic "${topic}" has no pool layout in "${this.config.routingTopic}"; create it with \`tenant-balancer topics create --topic ${topic} ...\``,
        );
      }
      await this.capacity.load(topic);
    }
    this.writerEpoch = Math.min(MAX_EPOCH, table.writerEpoch + 1);
    this.subs.push(this.ports.signals.acks$.subscribe((a) => this.acks.onAck(a)));
    this.subs.push(this.ports.signals.reports$.subscribe((r) => this.acks.onReport(r)));
    // Running before the actors start: a resumed step that fails must be retried.
    this.running = true;
    for (const topic of this.config.topics) {
      for (const route of table.routes(topic)) {
        if (route.partitions.length === 0 && route.machine === undefined && route.state === 'shared')
          continue;
        this.registry.ensure(topic, route.tenant, route);
      }
    }
    this.subs.push(windows$.subscribe((w) => this.onWindow(w)));
    this.ports.log.info(
      { writerEpoch: this.writerEpoch, actors: this.registry.size, topics: this.config.topics },
      'controller started',
    );
  }

  /** Stops taking decisions; in-progress moves are persisted and resume on restart. */
  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.registry.stopAll();
    await Promise.allSettled([...this.inFlight]);
  }

  tenants(): TenantStatus[] {
    return [...this.registry.values()].map(tenantStatus);
  }

  /** Latest window's partition rates and max lag (for metrics). */
  partitionStats(): { topic: string; partition: number; recordsPerSec: number; lag: number }[] {
    return this.load.stats();
  }

  /** Producers that reported traffic recently (the ones a drain waits for). */
  liveProducers(): string[] {
    return this.acks.liveProducers();
  }

  get actorCount(): number {
    return this.registry.size;
  }

  /** pin / unpin / move from an operator; goes through the same states with reason "manual". */
  command(cmd: OperatorCommand): TenantStatus {
    if (this.config.mode === 'observe') throw observeModeRefusal(cmd);
    const { table } = this.ports.routes;
    const event = operatorEvent(cmd, {
      managedTopics: this.config.topics,
      maxShards: this.settings.of(cmd.topic, cmd.tenant).thresholds.maxShards,
      now: this.ports.clock.now(),
      pools: (topic) => table.pools(topic),
      partitionCount: (topic) => this.capacity.partitionCount(topic),
      otherOwner: (topic, tenant, p) => {
        const key = routeKey(topic, tenant);
        const other = this.capacity.owners(key).get(p) ?? table.ownerOf(topic, p);
        return other !== undefined && other !== tenant && other !== key ? other : undefined;
      },
    });
    const h = this.registry.ensure(cmd.topic, cmd.tenant);
    const snap = h.actor.getSnapshot();
    if (!snap.can(event)) throw stateRefusal(cmd, stateName(snap.value));
    h.actor.send(event);
    return tenantStatus(h);
  }

  /** Said loudly, once: a fenced controller stops deciding, stops its steps and reports not ready. */
  private onFenced(e: Error): void {
    if (this.fenced) return;
    this.fenced = true;
    this.running = false;
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.registry.stopAll();
    this.ports.log.error(
      { code: ErrorCode.ControllerFenced, topics: this.config.topics },
      `${e.message}. This controller stopped acting and reports not ready; stop it, or run every instance with --ha.`,
    );
  }

  private onWindow(w: WindowSnapshot): void {
    if (!this.running) return;
    this.lastWindowAt = w.at;
    this.acks.setAlive(w.producersAlive, w.at - this.observingSince >= this.config.windowMs);
    this.load.update(w);
    this.feeder.feed(w);
  }
}
