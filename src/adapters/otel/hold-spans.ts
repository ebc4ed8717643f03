import { ROOT_CONTEXT, propagation, trace, type Attributes, type Span } from '@opentelemetry/api';
import { SpanName, instrumentationScope } from './semconv.js';

/**
 * The producer's side of a migration as spans (no-ops until the OTel SDK is registered): one
 * `tenant.hold` span per tenant from the draining route record to the settled one. Its parent is
 * the trace context the routing record carried (the controller writes it inside the migration's
 * trace), so the hold shows up in the migration trace, though it ran in another process.
 */
export class HoldSpans {
  private readonly tracer = trace.getTracer(instrumentationScope);
  private readonly open = new Map<string, Span>();

  start(key: string, attributes: Attributes, carrier: Readonly<Record<string, string>>): void {
    if (this.open.has(key)) return;
    const parent = propagation.extract(ROOT_CONTEXT, carrier);
    this.open.set(key, this.tracer.startSpan(SpanName.hold, { attributes }, parent));
  }

  end(key: string, attributes: Attributes): void {
    const span = this.open.get(key);
    if (span === undefined) return;
    this.open.delete(key);
    span.setAttributes(attributes);
    span.end();
  }

  endAll(): void {
    for (const span of this.open.values()) span.end();
    this.open.clear();
  }
}
