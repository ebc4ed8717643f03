import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';

const KEY = Symbol.for('kafka-tenant-balancer.otel.prometheus');
type Holder = { [KEY]?: PrometheusExporter };

export const setPrometheusReader = (r: PrometheusExporter): void => {
  (globalThis as Holder)[KEY] = r;
};

/** OTel metrics as Prometheus text, or '' when the SDK was not loaded with --import. */
export async function otelPrometheusText(): Promise<string> {
  const r = (globalThis as Holder)[KEY];
  if (r === undefined) return '';
  const { resourceMetrics } = await r.collect();
  return new PrometheusSerializer().serialize(resourceMetrics);
}
