import type { Observable } from 'rxjs';
import type { InspectionEvent } from 'xstate';
import { Controller } from '../app/controller.js';
import type { ControllerConfig } from '../app/controller-config.js';
import { observeWindows } from '../app/observer.js';
import { ReportGaps } from '../domain/report-gaps.js';
import { dashboardDeps } from './dashboard-wiring.js';
import { createKafka } from '../adapters/kafka/client.js';
import { ensureInternalTopics, partitionCount, partitionLeaders } from '../adapters/kafka/internal-topics.js';
import { OffsetSource } from '../adapters/kafka/offset-source.js';
import { controllerTransactionalId, RouteWriter } from '../adapters/kafka/route-writer.js';
import { RoutingReader } from '../adapters/kafka/routing-reader.js';
import { SignalConsumer } from '../adapters/kafka/signal-consumer.js';
import { GatedGroups } from '../adapters/kafka/gated-groups.js';
import type { GatesPort } from '../ports/controller-ports.js';
import type { Logger } from '../adapters/logger.js';
import { createControllerTelemetry } from '../adapters/otel/controller-telemetry.js';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';
import type { WindowSnapshot } from '../domain/window-aggregator.js';
import type { ControllerTelemetry } from '../ports/controller-ports.js';
import { advertisedUrlFor, listenControllerHttp } from './controller-http.js';
import { joinElection } from './election-wiring.js';
import { LiveConfig, type ReloadResult } from './live-config.js';
import { combineTelemetry, faultHoldFromEnv } from './service-parts.js';

export type { ReloadResult } from './live-config.js';

const STOP_BUDGET_MS = 4_000;

export interface RunningController {
  /** the active controller; throws KTB_NOT_LEADER on a standby */
  readonly controller: Controller;
  readonly reader: RoutingReader;
  /** which consumer groups are consumer-gated (ordered consumers) */
  readonly gates: GatesPort;
  /** traffic report intervals that did not arrive from producers (ktb_traffic_reports_missed_total) */
  readonly reportGaps: ReportGaps;
  readonly url: string;
  /** where the other instances are told this one is (config http.advertisedUrl, or the default) */
  readonly advertisedUrl: string | undefined;
  readonly isLeader: () => boolean;
  /** the config in force (reloads replace its thresholds, mode and tenants) */
  readonly config: () => ControllerConfig;
  /**
   * Re-reads the config (deps.reloadConfig) and applies its thresholds, mode and tenant overrides to
   * the current Controller and to any later one (a standby's next leadership). Refuses, keeping the
   * config in force, an invalid config (KTB_CONFIG_INVALID) or a change only a restart applies
   * (KTB_CONFIG_RESTART_REQUIRED); the refusal is logged at error with its code.
   */
  reload(): ReloadResult;
  stop(): Promise<void>;
}

interface Deps {
  logger: Logger;
  inspect?: (e: InspectionEvent) => void;
  telemetry?: ControllerTelemetry;
  /** reads and validates the config again, as at start (the CLI: file < env < flags) */
  reloadConfig?: () => ControllerConfig;
}

/**
 * Composition root of the controller service: builds every adapter, wires them, serves HTTP.
 * With `ha`, several instances run; each keeps a warm routing table, and only the elected leader
 * runs the control plane (a fresh Controller per leadership, writing with a new writer epoch).
 */
export async function startControllerService(
  config: ControllerConfig,
  deps: Deps,
): Promise<RunningController> {
  const log = deps.logger;
  const kafka = createKafka(
    {
      brokers: config.brokers,
      clientId: 'tenant-balancer-controller',
      ...(config.sasl ? { sasl: config.sasl } : {}),
      ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
    },
    log,
  );
  const admin = kafka.admin();
  const cleanups: (() => Promise<unknown>)[] = [];
  // Stopping never waits on Kafka for long: with the broker down, kafkajs's disconnects retry for
  // minutes. Each step gets a bounded share; what is left is abandoned (drains stay persisted).
  const stopAll = async () => {
    const deadline = Date.now() + STOP_BUDGET_MS;
    for (const c of cleanups.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const left = Math.max(100, deadline - Date.now());
      await Promise.race([
        c().catch(() => undefined),
        new Promise((r) => (timer = setTimeout(r, left))),
      ]).finally(() => clearTimeout(timer));
    }
    cleanups.length = 0;
  };
  try {
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await ensureInternalTopics(admin, config);
    const reader = new RoutingReader(kafka, {
      routingTopic: config.routingTopic,
      logger: log,
      freshnessCheckMs: Math.min(1000, config.tickMs),
    });
    cleanups.push(() => reader.stop());
    await reader.start(30_000);
    const signals = new SignalConsumer(kafka, config, log, 'ktb-controller-signals');
    cleanups.push(() => signals.stop());
    await signals.start();
    const offsets = new OffsetSource(admin, {
      tickMs: config.tickMs,
      topics: () => config.topics,
      groups: config.groups,
      ignoreGroupPrefix: 'ktb-',
      logger: log,
    });
    const reportGaps = new ReportGaps();
    const windows$: Observable<WindowSnapshot> = observeWindows(
      offsets,
      signals,
      { windowMs: config.windowMs, stepMs: config.tickMs, ewmaAlpha: 0.5, silentIntervals: 3 },
      reportGaps,
    );
    // Windows run for the service's whole life: a Controller built when this instance leads (again)
    // reads one that heard every live producer, not one that saw them all go silent while unwatched.
    const observingSince = Date.now();
    const warm = windows$.subscribe({
      error: (e: unknown) => log.error({ err: String(e) }, 'observer stopped'),
    });
    cleanups.push(async () => warm.unsubscribe());

    let current: Controller | undefined;
    const isLeader = () => current !== undefined && current.ready;
    // where this instance is reached, known once HTTP listens (before the election's first join)
    const self: { advertisedUrl: string | undefined } = { advertisedUrl: undefined };
    const dashboard = dashboardDeps({
      current: () => current,
      leaderUrl: () => leaderUrl(),
      mode: () => live.value.mode,
      topics: config.topics,
      reader,
      windows$,
    });
    // The config in force: each Controller is built from it, and a reload replaces it.
    const live = new LiveConfig(config, log, deps.reloadConfig);
    const telemetry = combineTelemetry(
      createControllerTelemetry({
        tenantsByState: () => {
          const m = new Map<string, number>();
          for (const t of current?.tenants() ?? []) m.set(t.state, (m.get(t.state) ?? 0) + 1);
          return m;
        },
        tenantRates: () =>
          (current?.tenants() ?? []).flatMap((t) =>
            t.rates ? [{ topic: t.topic, tenant: t.tenant, recordsPerSec: t.rates.recordsPerSec }] : [],
          ),
        partitions: () => current?.partitionStats() ?? [],
        malformedRouteRecords: () => reader.malformed,
        rejectedRouteRecords: () => reader.rejected,
      }),
      deps.telemetry,
      dashboard.telemetry,
    );
    const gates = new GatedGroups(admin, signals.gates$);
    cleanups.push(async () => gates.stop());
    const makeController = (writer: RouteWriter) =>
      new Controller(
        live.value,
        {
          routes: { table: reader.table, changes: reader.changes, write: (r) => writer.write(r) },
          offsets,
          signals,
          topics: {
            partitionCount: (t) => partitionCount(admin, t),
            grow: async (t, total) => {
              await admin.createPartitions({ topicPartitions: [{ topic: t, count: total }] });
            },
            leaders: (t) => partitionLeaders(admin, t),
          },
          gates,
          log,
          clock: { now: Date.now },
          telemetry,
        },
        deps.inspect,
        faultHoldFromEnv(),
      );

    // Every instance joins the election, with or without --ha: that is how a second controller
    // started by mistake learns that another one owns the routing topic (and refuses to act).
    const { election, leaderUrl, stopLocating } = await joinElection({
      kafka,
      admin,
      config,
      log,
      advertisedUrl: () => self.advertisedUrl,
    });
    cleanups.push(async () => stopLocating());
    let writer: RouteWriter | undefined;
    // Leadership changes are applied one at a time, in order.
    let chain = Promise.resolve();
    const lead = async (): Promise<void> => {
      // The transactional id fences the previous leader at the broker: once this writer is
      // registered, nothing it had not committed can be committed. Then read everything it did.
      const w = new RouteWriter(kafka, config.routingTopic, controllerTransactionalId(config.routingTopic));
      await w.connect();
      writer = w;
      const since = Date.now();
      while (!reader.caughtUpSince(since) && election.isLeader) await new Promise((r) => setTimeout(r, 50));
      if (!election.isLeader) return;
      current = makeController(w);
      await current.start(windows$, { observingSince });
      log.info({ writerEpoch: current.writerEpoch }, 'leading: control plane started');
    };
    const standDown = async (): Promise<void> => {
      const c = current;
      current = undefined;
      await c?.stop();
      await writer?.disconnect().catch(() => undefined);
      writer = undefined;
    };
    const sub = election.leader$.subscribe((leads) => {
      chain = chain
        .then(async () => {
          if (leads && current === undefined) await lead();
          else if (!leads && current !== undefined) {
            await standDown();
            log.warn({}, 'lost leadership: control plane stopped, standing by');
          }
        })
        .catch((e: unknown) => log.error({ err: String(e) }, 'leadership change failed'));
    });
    cleanups.push(async () => {
      sub.unsubscribe();
      await chain;
      await standDown();
    });
    cleanups.push(() => election.stop());
    const reload = (): ReloadResult => live.reload(current);
    const active = (): Controller => {
      if (current === undefined)
        throw new TenantBalancerError(
          ErrorCode.NotLeader,
          'this controller is a standby; send the request to the leader',
        );
      return current;
    };
    const serveHttp = () =>
      listenControllerHttp(
        {
          config,
          current: () => current,
          isLeader,
          leaderUrl,
          command: (c) => active().command(c),
          reload,
          mode: () => live.value.mode,
          reader,
          signals,
          reportGaps,
          dashboard: dashboard.http,
        },
        log,
      );
    // The URL told to the other members at each join. A free port (0: tests) is known only once
    // bound, so HTTP then listens before the first join; a fixed one listens after it, as always, so a
    // second controller on the same host and port refuses with KTB_CONTROLLER_CONFLICT, not EADDRINUSE.
    let http = config.http.port === 0 ? await serveHttp() : undefined;
    cleanups.push(() => http?.close() ?? Promise.resolve());
    self.advertisedUrl = http?.advertisedUrl ?? advertisedUrlFor(config.http, config.http.port);
    await election.start();
    if (!config.ha && !(await election.firstAssignment(config.leaderSessionMs * 3 + 10_000))) {
      throw new TenantBalancerError(
        ErrorCode.ControllerConflict,
        `another controller owns routing topic "${config.routingTopic}" (group "ktb-leader-${config.routingTopic}"); stop it first, or run every instance with --ha so one leads and the others stand by`,
      );
    }
    await chain;
    http ??= await serveHttp();

    return {
      get controller() {
        return active();
      },
      reader,
      gates,
      reportGaps,
      url: http.url,
      advertisedUrl: http.advertisedUrl,
      isLeader,
      config: () => live.value,
      reload,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
