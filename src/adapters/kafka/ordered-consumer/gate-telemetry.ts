import { ROOT_CONTEXT, SpanStatusCode, metrics, propagation, trace, type Span } from '@opentelemetry/api';
import { Attr, SpanName, instrumentationScope } from '../../otel/semconv.js';

/**
 * OTel for the ordered consumer through the API only (no-ops without an SDK): a `tenant.gate` span per
 * hold (tenant, partition), parented in the move's trace when the route record carried its context,
 * and gauges of the records held and the holds open.
 */
export class GateTelemetry {
  private readonly tracer = trace.getTracer(instrumentationScope);
  private readonly open = new Map<string, Span>();
  private readonly routeHeaders = new Map<string, Readonly<Record<string, string>>>();

  constructor(
    private readonly groupId: string,
    heldRecords: () => number,
  ) {
    const meter = metrics.getMeter(instrumentationScope);
    meter
      .createObservableGauge('ktb_consumer_held_records', {
        description: 'records an ordered consumer holds aside until its group passes a fence',
      })
      .addCallback((o) => o.observe(heldRecords(), { group: groupId }));
    meter
      .createObservableGauge('ktb_consumer_holds', { description: 'tenants an ordered consumer holds now' })
      .addCallback((o) => o.observe(this.open.size, { group: groupId }));
  }

  /** the trace context a route record carried (its move's trace) */
  noteRoute(topic: string, tenant: string, headers: Readonly<Record<string, string>>): void {
    if (Object.keys(headers).length > 0) this.routeHeaders.set(`${topic}/${tenant}`, headers);
  }

  held(topic: string, partition: number, tenant: string, epoch: number | undefined, reason: string): void {
    const key = `${topic}/${partition}/${tenant}`;
    if (this.open.has(key)) return;
    const parent = propagation.extract(ROOT_CONTEXT, this.routeHeaders.get(`${topic}/${tenant}`) ?? {});
    const span = this.tracer.startSpan(
      SpanName.gate,
      {
        attributes: {
          [Attr.topic]: topic,
          [Attr.tenantId]: tenant,
          [Attr.partition]: partition,
          [Attr.group]: this.groupId,
          [Attr.gateReason]: reason,
          ...(epoch !== undefined ? { [Attr.routeEpoch]: epoch } : {}),
        },
      },
      parent,
    );
    this.open.set(key, span);
  }

  released(topic: string, partition: number, tenant: string, records: number): void {
    const key = `${topic}/${partition}/${tenant}`;
    const span = this.open.get(key);
    if (span === undefined) return;
    span.setAttribute(Attr.gateRecords, records);
    span.setStatus({ code: SpanStatusCode.OK });
    span.end();
    this.open.delete(key);
  }

  /** holds dropped by a rebalance (another member takes them over) */
  dropped(reason: string): void {
    for (const span of this.open.values()) {
      span.setAttribute(Attr.gateDropped, reason);
      span.end();
    }
    this.open.clear();
  }
}
