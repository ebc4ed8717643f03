// The OpenTelemetry entry point, loaded before anything else:
//   node --import kafka-tenant-balancer/otel dist/src/main.js controller ...
// (ESM needs the SDK registered before kafkajs is loaded, hence --import.) Configured by the
// standard OTEL_* variables. With no OTLP endpoint nothing is exported and nothing complains;
// the Prometheus reader behind the controller's /metrics is always on.
import { register } from 'node:module';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { metrics, NodeSDK } from '@opentelemetry/sdk-node';
import { Headers } from '../../domain/record-headers.js';
import { subscribeHoldSpans } from './hold-spans.js';
import { Attr } from './semconv.js';
import { setPrometheusReader } from './prometheus-reader.js';

// ESM imports of kafkajs bypass require hooks: the loader hook (import-in-the-middle) lets the
// kafkajs instrumentation patch it however it is loaded.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const env = process.env;
const otlpAny = Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']);
if (!otlpAny && !env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] && env['OTEL_TRACES_EXPORTER'] === undefined)
  env['OTEL_TRACES_EXPORTER'] = 'none';
env['OTEL_LOGS_EXPORTER'] ??= 'none';
const metricsOtlp =
  (otlpAny || Boolean(env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'])) && env['OTEL_METRICS_EXPORTER'] !== 'none';

const header = (h: Record<string, unknown> | undefined, k: string): string | undefined => {
  const v = h?.[k];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : String(one);
};

const prometheus = new PrometheusExporter({ preventServerStart: true });
setPrometheusReader(prometheus);

const sdk = new NodeSDK({
  serviceName: env['OTEL_SERVICE_NAME'] ?? 'tenant-balancer',
  metricReaders: [
    prometheus,
    ...(metricsOtlp
      ? [
          new metrics.PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter(),
            exportIntervalMillis: 5000,
          }),
        ]
      : []),
  ],
  instrumentations: [
    new KafkaJsInstrumentation({
      // Hooks must never break the host: attribute setting only, guarded.
      producerHook: (span, { message }) => {
        try {
          const tenant = header(message.headers, Headers.tenantId);
          if (tenant !== undefined) {
            span.setAttribute(Attr.tenantId, tenant);
            // No route-epoch header means the default route (epoch 0); see RouteStep.place.
            span.setAttribute(Attr.routeEpoch, Number(header(message.headers, Headers.routeEpoch) ?? 0));
          }
          if (typeof message.partition === 'number')
            span.setAttribute(Attr.partitionChosen, message.partition);
        } catch {
          /* never break a send */
        }
      },
      consumerHook: (span, { message }) => {
        try {
          const tenant = header(message.headers, Headers.tenantId);
          if (tenant !== undefined) span.setAttribute(Attr.tenantId, tenant);
        } catch {
          /* never break processing */
        }
      },
    }),
  ],
});
sdk.start();
// The SmartProducer publishes its holds on diagnostics channels; they become `tenant.hold` spans.
subscribeHoldSpans();

let shuttingDown = false;
const shutdown = () => {
  if (shuttingDown) return;
  shuttingDown = true;
  void sdk.shutdown().catch(() => undefined);
};
process.once('beforeExit', shutdown);
