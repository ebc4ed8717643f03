import type { InspectionEvent } from 'xstate';
import { Controller, type FaultHold } from '../app/controller.js';
import type { ControllerConfig } from '../app/controller-config.js';
import { observeWindows } from '../app/observer.js';
import { buildHttpServer } from '../adapters/http/server.js';
import { createKafka } from '../adapters/kafka/client.js';
import { ensureInternalTopics, partitionCount } from '../adapters/kafka/internal-topics.js';
import { OffsetSource } from '../adapters/kafka/offset-source.js';
import { RouteWriter } from '../adapters/kafka/route-writer.js';
import { RoutingReader } from '../adapters/kafka/routing-reader.js';
import { SignalConsumer } from '../adapters/kafka/signal-consumer.js';
import type { Logger } from '../adapters/logger.js';
import type { ControllerTelemetry } from '../ports/controller-ports.js';
import { createControllerTelemetry } from '../adapters/otel/controller-telemetry.js';
import { otelPrometheusText } from '../adapters/otel/prometheus-reader.js';
import { prometheusText } from './prometheus-text.js';

const combineTelemetry = (...ts: (ControllerTelemetry | undefined)[]): ControllerTelemetry => ({
  transition: (e) => ts.forEach((t) => t?.transition?.(e)),
  migrationStep: (e) => ts.forEach((t) => t?.migrationStep?.(e)),
});

// Kill tests (test/integration/faults) make a controller stop mid-drain at a known step.
const faultHoldFromEnv = (): FaultHold | undefined => {
  const v = process.env['KTB_FAULT_HOLD'];
  return v === 'after-announce' || v === 'after-fence' || v === 'before-commit' ? v : undefined;
};

export interface RunningController {
  readonly controller: Controller;
  readonly reader: RoutingReader;
  readonly url: string;
  stop(): Promise<void>;
}

/** Composition root of the controller service: builds every adapter, wires them, serves HTTP. */
export async function startControllerService(
  config: ControllerConfig,
  deps: {
    logger: Logger;
    inspect?: (e: InspectionEvent) => void;
    telemetry?: ControllerTelemetry;
  },
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
  await admin.connect();
  const cleanups: (() => Promise<unknown>)[] = [() => admin.disconnect()];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    await ensureInternalTopics(admin, config);
    const reader = new RoutingReader(kafka, {
      routingTopic: config.routingTopic,
      logger: log,
      freshnessCheckMs: Math.min(1000, config.tickMs),
    });
    cleanups.push(() => reader.stop());
    await reader.start(30_000);
    const writer = new RouteWriter(kafka, config.routingTopic);
    cleanups.push(() => writer.disconnect());
    await writer.connect();
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
    const controllerRef: { current?: Controller } = {};
    const windows$ = observeWindows(offsets, signals, {
      windowMs: config.windowMs,
      stepMs: config.tickMs,
      ewmaAlpha: 0.5,
      silentIntervals: 3,
    });
    const controller = new Controller(
      config,
      {
        routes: { table: reader.table, changes: reader.changes, write: (r) => writer.write(r) },
        offsets,
        signals,
        topics: {
          partitionCount: (t) => partitionCount(admin, t),
          grow: async (t, total) => {
            await admin.createPartitions({ topicPartitions: [{ topic: t, count: total }] });
          },
        },
        log,
        clock: { now: Date.now },
        telemetry: combineTelemetry(
          createControllerTelemetry({
            tenantsByState: () => {
              const m = new Map<string, number>();
              for (const t of controllerRef.current?.tenants() ?? [])
                m.set(t.state, (m.get(t.state) ?? 0) + 1);
              return m;
            },
            tenantRates: () =>
              (controllerRef.current?.tenants() ?? []).flatMap((t) =>
                t.rates ? [{ topic: t.topic, tenant: t.tenant, recordsPerSec: t.rates.recordsPerSec }] : [],
              ),
            partitions: () => controllerRef.current?.partitionStats() ?? [],
            malformedRouteRecords: () => reader.malformed,
          }),
          deps.telemetry,
        ),
      },
      deps.inspect,
      faultHoldFromEnv(),
    );
    controllerRef.current = controller;
    await controller.start(windows$);
    cleanups.push(() => controller.stop());
    const http = buildHttpServer({
      ready: () => controller.ready && reader.caughtUp,
      tenants: () => controller.tenants(),
      command: (c) => controller.command(c),
      metrics: async () => prometheusText(controller, reader, signals) + (await otelPrometheusText()),
      authToken: config.authToken,
    });
    const url = await http.listen({ port: config.http.port, host: config.http.host });
    cleanups.push(() => http.close());
    log.info({ url }, 'controller HTTP listening');
    return { controller, reader, url, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
