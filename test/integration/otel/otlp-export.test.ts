import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokers } from '../helpers/kafka.js';
import { runCli } from '../helpers/processes.js';

interface OtlpAttr {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: OtlpAttr[];
  events?: { name: string }[];
}
interface Received {
  service: string | undefined;
  span: OtlpSpan;
}

const attr = (s: OtlpSpan, k: string) => {
  const v = s.attributes?.find((a) => a.key === k)?.value;
  return v?.stringValue ?? v?.intValue ?? v?.doubleValue ?? v?.boolValue;
};

/**
 * The real runtime (`node --import .../otel/register.js`), not vitest: the demo exports over
 * OTLP/HTTP (JSON) to a receiver inside this test.
 */
describe('OpenTelemetry end to end (real runtime, OTLP/HTTP over the wire)', () => {
  let server: Server;
  const spans: Received[] = [];
  let demoOutput: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const parsed = JSON.parse(body) as {
            resourceSpans: { resource: { attributes: OtlpAttr[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
          };
          for (const rs of parsed.resourceSpans) {
            const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
            for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ service, span });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const demo = runCli(
      ['demo', '--duration', '24', '--tenants', '3', '--whale-rate', '2000', '--no-ui', '--json'],
      {
        KAFKA_BROKERS: brokers().join(','),
        OTEL_SERVICE_NAME: 'ktb-otel-test',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        LOG_LEVEL: 'warn',
      },
      ['--import', './dist/src/adapters/otel/register.js'],
    );
    const code = await demo.exited;
    if (code !== 0)
      console.error(
        demo.output
          .filter((l) => !l.startsWith('{"level"'))
          .slice(-40)
          .join('\n'),
      );
    expect(code).toBe(0);
    demoOutput = demo.output;
  }, 120_000);
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('exports with the configured resource, and a record send and its processing share one trace', () => {
    expect(spans.length).toBeGreaterThan(0);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['ktb-otel-test']));
    const sends = spans.filter(
      (s) => /send/.test(s.span.name) && attr(s.span, 'ktb.tenant.id') !== undefined,
    );
    const processes = spans.filter((s) => /process/.test(s.span.name));
    expect(sends.length).toBeGreaterThan(0);
    expect(processes.length).toBeGreaterThan(0);
    const sendTraces = new Set(sends.map((s) => s.span.traceId));
    expect(processes.some((p) => sendTraces.has(p.span.traceId))).toBe(true);
    const s = sends[0]!.span;
    expect(attr(s, 'ktb.route.epoch')).toBeDefined();
    expect(attr(s, 'ktb.partition.chosen')).toBeDefined();
  });

  it('gives each migration one trace with acks, fence, drain (with progress) and commit children', () => {
    const roots = spans.filter((s) => s.span.name === 'tenant.migration');
    expect(roots.length).toBeGreaterThan(0);
    const root = roots[0]!.span;
    expect(attr(root, 'ktb.tenant.id')).toBe('whale');
    const children = spans
      .filter((s) => s.span.traceId === root.traceId && s.span.parentSpanId === root.spanId)
      .map((s) => s.span);
    expect(new Set(children.map((c) => c.name))).toEqual(
      new Set([
        'migration.acks',
        'migration.fence',
        'migration.drain',
        'migration.commit',
        'tenant.transition',
        // the route writes, made inside the migration's trace so the records carry it: each is a
        // Kafka transaction (kafkajs instrumentation: a `transaction` span around `send ktb.routes`)
        'transaction',
      ]),
    );
    expect(
      children.find((c) => c.name === 'migration.drain')?.events?.some((e) => e.name === 'drain.progress'),
    ).toBe(true);
    const transitions = spans.filter(
      (s) => s.span.name === 'tenant.transition' && attr(s.span, 'ktb.tenant.id') === 'whale',
    );
    expect(
      transitions.some(
        (t) =>
          attr(t.span, 'ktb.state.from') === 'shared' &&
          attr(t.span, 'ktb.state.to') === 'isolating' &&
          String(attr(t.span, 'ktb.decision.reason')).includes('rate'),
      ),
    ).toBe(true);
  });

  it("carries the migration's trace to the producer: its hold is a span of the same trace", () => {
    const roots = new Map(
      spans.filter((s) => s.span.name === 'tenant.migration').map((s) => [s.span.traceId, s.span]),
    );
    const holds = spans.filter((s) => s.span.name === 'tenant.hold').map((s) => s.span);
    expect(holds.length).toBeGreaterThan(0);
    const hold = holds.find((h) => roots.has(h.traceId));
    expect(hold, 'a tenant.hold span inside a migration trace').toBeDefined();
    expect(attr(hold!, 'ktb.tenant.id')).toBe(attr(roots.get(hold!.traceId)!, 'ktb.tenant.id'));
    expect(attr(hold!, 'ktb.hold.records')).toBeDefined();
    // Its parent is the route write that announced the drain, in its transaction (a child of the
    // migration root).
    const parent = spans.find((s) => s.span.spanId === hold!.parentSpanId)?.span;
    expect(parent?.name).toBe('send ktb.routes');
    const tx = spans.find((s) => s.span.spanId === parent!.parentSpanId)?.span;
    expect(tx?.name).toBe('transaction');
    expect(tx?.parentSpanId).toBe(roots.get(hold!.traceId)!.spanId);
  });

  it("carries the migration's trace to the ordered consumer: its hold is a tenant.gate span of the same trace", () => {
    const roots = new Map(
      spans.filter((s) => s.span.name === 'tenant.migration').map((s) => [s.span.traceId, s.span]),
    );
    const gates = spans.filter((s) => s.span.name === 'tenant.gate').map((s) => s.span);
    expect(gates.length, 'the demo group consumes through the ordered consumer').toBeGreaterThan(0);
    const gate = gates.find((g) => roots.has(g.traceId));
    expect(gate, 'a tenant.gate span inside a migration trace').toBeDefined();
    expect(attr(gate!, 'ktb.tenant.id')).toBe(attr(roots.get(gate!.traceId)!, 'ktb.tenant.id'));
    expect(attr(gate!, 'ktb.consumer.group')).toMatch(/\S/);
    expect(Number(attr(gate!, 'ktb.route.epoch'))).toBeGreaterThan(0);
    expect(attr(gate!, 'ktb.gate.reason')).toMatch(/\S/);
    // ended by a release (records counted) or by a rebalance that handed the partition over
    expect(attr(gate!, 'ktb.gate.records') ?? attr(gate!, 'ktb.gate.dropped')).toBeDefined();
  });

  it('puts no message values on spans', () => {
    // Demo values are "<tenant>:<seq>"; none may appear as an attribute value.
    const leaked = spans.flatMap((s) =>
      (s.span.attributes ?? []).filter((a) => /^[\w-]+:\d+$/.test(a.value.stringValue ?? '')),
    );
    expect(leaked).toEqual([]);
    expect(demoOutput.join('\n')).toContain('"violations": 0');
  });
});
