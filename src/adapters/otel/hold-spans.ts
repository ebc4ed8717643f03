import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ROOT_CONTEXT, propagation, trace, type Attributes, type Span } from '@opentelemetry/api';
import {
  ProducerChannel,
  type HoldEnded,
  type HoldStarted,
  type ProducerClosed,
  type ProducerHooks,
} from '../kafka/smart-producer/producer-hooks.js';
import { Attr, SpanName, instrumentationScope } from './semconv.js';

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

/** SmartProducer hooks that turn its holds into `tenant.hold` spans (one HoldSpans per producer). */
export function holdSpanHooks(): Required<ProducerHooks> {
  const byProducer = new Map<string, HoldSpans>();
  const spansOf = (producerId: string): HoldSpans => {
    let spans = byProducer.get(producerId);
    if (spans === undefined) byProducer.set(producerId, (spans = new HoldSpans()));
    return spans;
  };
  return {
    holdStarted: (e) =>
      spansOf(e.producerId).start(
        `${e.topic}/${e.tenant}`,
        {
          [Attr.topic]: e.topic,
          [Attr.tenantId]: e.tenant,
          [Attr.routeEpoch]: e.epoch,
          [Attr.producerId]: e.producerId,
        },
        e.traceContext,
      ),
    holdEnded: (e) =>
      byProducer.get(e.producerId)?.end(`${e.topic}/${e.tenant}`, { [Attr.heldRecords]: e.heldRecords }),
    closed: (e) => {
      byProducer.get(e.producerId)?.endAll();
      byProducer.delete(e.producerId);
    },
  };
}

/**
 * Subscribes hold spans to every SmartProducer of the process (their node:diagnostics_channel
 * events); returns the unsubscribe. A subscriber that throws would surface as an uncaught
 * exception in the producer's process, so each handler is guarded.
 */
export function subscribeHoldSpans(): () => void {
  const hooks = holdSpanHooks();
  const guard =
    <E>(fn: (e: E) => void) =>
    (message: unknown): void => {
      try {
        fn(message as E);
      } catch {
        // telemetry never breaks the host
      }
    };
  const handlers = [
    [ProducerChannel.holdStarted, guard<HoldStarted>(hooks.holdStarted)],
    [ProducerChannel.holdEnded, guard<HoldEnded>(hooks.holdEnded)],
    [ProducerChannel.closed, guard<ProducerClosed>(hooks.closed)],
  ] as const;
  for (const [name, handler] of handlers) subscribe(name, handler);
  return () => {
    for (const [name, handler] of handlers) unsubscribe(name, handler);
  };
}
