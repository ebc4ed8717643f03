import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { createControllerTelemetry } from '../../../../src/adapters/otel/controller-telemetry.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});

describe('controller telemetry: shadow decisions', () => {
  it('ends a tenant.shadow_decision span per shadow decision, with the reason and the numbers', () => {
    const t = createControllerTelemetry({
      tenantsByState: () => new Map(),
      tenantRates: () => [],
      partitions: () => [],
      malformedRouteRecords: () => 0,
      rejectedRouteRecords: () => 0,
    });
    t.shadowDecision?.({
      topic: 'orders',
      tenant: 'acme',
      from: 'shared',
      to: 'isolating',
      reason: 'would isolate acme on 2 partitions: 1200 rec/s',
      numbers: { rate: 1200 },
    });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['tenant.shadow_decision']);
    expect(spans[0]!.attributes).toEqual({
      'ktb.topic': 'orders',
      'ktb.tenant.id': 'acme',
      'ktb.state.from': 'shared',
      'ktb.state.to': 'isolating',
      'ktb.decision.reason': 'would isolate acme on 2 partitions: 1200 rec/s',
      'ktb.decision.shadow': true,
      'ktb.decision.rate': 1200,
    });
  });
});
