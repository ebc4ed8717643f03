import { metrics, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader, type GaugeMetricData } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GateTelemetry } from '../../../../../src/adapters/kafka/ordered-consumer/gate-telemetry.js';

/** Collects on demand (no export loop). */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const reader = new OnDemandReader();
const meterProvider = new MeterProvider({ readers: [reader] });
trace.setGlobalTracerProvider(tracerProvider);
metrics.setGlobalMeterProvider(meterProvider);
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
afterAll(async () => {
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  trace.disable();
  metrics.disable();
  propagation.disable();
});

/** gauge name -> the value observed for this group */
async function gauges(group: string): Promise<Map<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, number>();
  for (const sm of resourceMetrics.scopeMetrics)
    for (const m of sm.metrics as GaugeMetricData[])
      for (const p of m.dataPoints) if (p.attributes['group'] === group) out.set(m.descriptor.name, p.value);
  return out;
}

const MOVE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceparent = `00-${MOVE_TRACE}-00f067aa0ba902b7-01`;

describe('ordered consumer telemetry: tenant.gate spans and the hold gauges', () => {
  beforeEach(() => spans.reset());

  it("opens one tenant.gate span per held (tenant, partition) in the move's trace, ends it on release", async () => {
    let heldRecords = 0;
    const t = new GateTelemetry('g-release', () => heldRecords);
    t.noteRoute('orders', 'acme', { traceparent });
    t.held('orders', 3, 'acme', 7, 'fence of epoch 7 not passed');
    t.held('orders', 3, 'acme', 7, 'again'); // the same hold: no second span
    heldRecords = 42;
    expect(await gauges('g-release')).toEqual(
      new Map([
        ['ktb_consumer_held_records', 42],
        ['ktb_consumer_holds', 1],
      ]),
    );
    expect(spans.getFinishedSpans()).toEqual([]);

    heldRecords = 0;
    t.released('orders', 3, 'acme', 42);
    const [span, ...more] = spans.getFinishedSpans();
    expect(more).toEqual([]);
    expect(span!.name).toBe('tenant.gate');
    expect(span!.spanContext().traceId).toBe(MOVE_TRACE);
    expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span!.status.code).toBe(SpanStatusCode.OK);
    expect(span!.attributes).toEqual({
      'ktb.topic': 'orders',
      'ktb.tenant.id': 'acme',
      'ktb.partition': 3,
      'ktb.consumer.group': 'g-release',
      'ktb.gate.reason': 'fence of epoch 7 not passed',
      'ktb.route.epoch': 7,
      'ktb.gate.records': 42,
    });
    expect(await gauges('g-release')).toEqual(
      new Map([
        ['ktb_consumer_held_records', 0],
        ['ktb_consumer_holds', 0],
      ]),
    );
  });

  it('starts a new trace when the route carried none, and a release of nothing held ends nothing', () => {
    const t = new GateTelemetry('g-root', () => 0);
    t.released('orders', 1, 'nobody', 5);
    t.held('orders', 1, 'beta', undefined, 'older fence not passed');
    t.released('orders', 1, 'beta', 0);
    const [span] = spans.getFinishedSpans();
    expect(spans.getFinishedSpans()).toHaveLength(1);
    expect(span!.spanContext().traceId).not.toBe(MOVE_TRACE);
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.attributes['ktb.route.epoch']).toBeUndefined();
    expect(span!.attributes['ktb.tenant.id']).toBe('beta');
  });

  it('a rebalance ends every open hold, marked dropped', async () => {
    const t = new GateTelemetry('g-drop', () => 0);
    t.held('orders', 1, 'a', 2, 'r');
    t.held('orders', 2, 'a', 2, 'r');
    t.held('orders', 1, 'b', 4, 'r');
    expect((await gauges('g-drop')).get('ktb_consumer_holds')).toBe(3);
    t.dropped('partitions revoked');
    const ended = spans.getFinishedSpans();
    expect(ended.map((s) => s.attributes['ktb.gate.dropped'])).toEqual([
      'partitions revoked',
      'partitions revoked',
      'partitions revoked',
    ]);
    expect(ended.every((s) => s.attributes['ktb.gate.records'] === undefined)).toBe(true);
    expect((await gauges('g-drop')).get('ktb_consumer_holds')).toBe(0);
  });
});
