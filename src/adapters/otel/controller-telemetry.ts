import { isStable } from '../../app/state-name.js';
import { routeKey } from '../../domain/route-record.js';
import { context, metrics, trace, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { ControllerTelemetry } from '../../ports/controller-ports.js';
import { Attr, SpanName, instrumentationScope } from './semconv.js';

export interface TelemetrySources {
  tenantsByState(): ReadonlyMap<string, number>;
  tenantRates(): readonly { topic: string; tenant: string; recordsPerSec: number }[];
  partitions(): readonly { topic: string; partition: number; recordsPerSec: number; lag: number }[];
  malformedRouteRecords(): number;
  /** well-formed routing records refused (not transactional, or against the route rules) */
  rejectedRouteRecords(): number;
}

/**
 * Controller spans and metrics over the OTel API (a no-op until the SDK is registered).
 * One trace per migration: `tenant.migration` with children `migration.acks`, `migration.fence`,
 * `migration.drain` (progress events) and `migration.commit`; every transition is a
 * `tenant.transition` span with from, to, reason and the numbers behind it; every shadow decision
 * (observe mode, a never-move tenant) a `tenant.shadow_decision` span and a `ktb.shadow_decisions` count.
 */
export function createControllerTelemetry(sources: TelemetrySources): ControllerTelemetry {
  const tracer = trace.getTracer(instrumentationScope);
  const meter = metrics.getMeter(instrumentationScope);
  const migrations = meter.createCounter('ktb.migrations', { description: 'migrations committed' });
  const shadowDecisions = meter.createCounter('ktb.shadow_decisions', {
    description: 'decisions reported and not acted on (observe mode, never-move tenants)',
  });
  const drainDuration = meter.createHistogram('ktb.drain.duration', {
    description: 'time from draining announced to route committed',
    unit: 'ms',
  });
  meter
    .createObservableGauge('ktb.tenants', { description: 'tenants with an actor, by state' })
    .addCallback((r) => {
      for (const [state, n] of sources.tenantsByState()) r.observe(n, { [Attr.state]: state });
    });
  meter
    .createObservableGauge('ktb.tenant.rate', {
      description: 'tenant records/s (tenants with an actor)',
      unit: '{record}/s',
    })
    .addCallback((r) => {
      for (const t of sources.tenantRates())
        r.observe(t.recordsPerSec, { [Attr.topic]: t.topic, [Attr.tenantId]: t.tenant });
    });
  meter
    .createObservableGauge('ktb.partition.rate', {
      description: 'partition records/s from log-end offsets',
      unit: '{record}/s',
    })
    .addCallback((r) => {
      for (const p of sources.partitions())
        r.observe(p.recordsPerSec, { [Attr.topic]: p.topic, [Attr.partition]: p.partition });
    });
  meter
    .createObservableGauge('ktb.partition.lag', {
      description: 'max consumer lag over watched groups',
      unit: '{record}',
    })
    .addCallback((r) => {
      for (const p of sources.partitions())
        r.observe(p.lag, { [Attr.topic]: p.topic, [Attr.partition]: p.partition });
    });
  meter
    .createObservableCounter('ktb.route_records.malformed', {
      description: 'routing records skipped as malformed',
    })
    .addCallback((r) => r.observe(sources.malformedRouteRecords()));
  meter
    .createObservableCounter('ktb.route_records.rejected', {
      description: 'routing records refused: not from a controller transaction, or against the route rules',
    })
    .addCallback((r) => r.observe(sources.rejectedRouteRecords()));

  const roots = new Map<string, { span: Span; startedAt: number }>();
  const steps = new Map<string, Span>();
  const key = routeKey;

  const rootFor = (topic: string, tenant: string, epoch: number) => {
    const k = key(topic, tenant);
    let r = roots.get(k);
    if (r === undefined) {
      // A new trace per migration (no parent), even when resumed after a restart.
      r = {
        span: tracer.startSpan(SpanName.migration, {
          root: true,
          attributes: { [Attr.topic]: topic, [Attr.tenantId]: tenant, [Attr.routeEpoch]: epoch },
        }),
        startedAt: Date.now(),
      };
      roots.set(k, r);
    }
    return r;
  };

  return {
    inMigration: (topic, tenant, fn) => {
      const root = roots.get(key(topic, tenant));
      return root === undefined ? fn() : context.with(trace.setSpan(context.active(), root.span), fn);
    },
    transition: (e) => {
      const attrs = {
        [Attr.topic]: e.topic,
        [Attr.tenantId]: e.tenant,
        [Attr.stateFrom]: e.from,
        [Attr.stateTo]: e.to,
        [Attr.reason]: e.reason,
      };
      const numbers = Object.fromEntries(Object.entries(e.numbers).map(([k, v]) => [`ktb.decision.${k}`, v]));
      const root = roots.get(key(e.topic, e.tenant));
      const ctx = root ? trace.setSpan(context.active(), root.span) : context.active();
      tracer.startSpan(SpanName.transition, { attributes: { ...attrs, ...numbers } }, ctx).end();
      if (isStable(e.from) && !isStable(e.to))
        rootFor(e.topic, e.tenant, 0).span.setAttributes({ [Attr.reason]: e.reason, ...numbers });
    },
    shadowDecision: (e) => {
      const numbers = Object.fromEntries(Object.entries(e.numbers).map(([k, v]) => [`ktb.decision.${k}`, v]));
      tracer
        .startSpan(SpanName.shadowDecision, {
          attributes: {
            [Attr.topic]: e.topic,
            [Attr.tenantId]: e.tenant,
            [Attr.stateFrom]: e.from,
            [Attr.stateTo]: e.to,
            [Attr.reason]: e.reason,
            [Attr.shadow]: true,
            ...numbers,
          },
        })
        .end();
      shadowDecisions.add(1, { [Attr.topic]: e.topic });
    },
    migrationStep: (e) => {
      const k = `${key(e.topic, e.tenant)}#${e.step}`;
      const root = rootFor(e.topic, e.tenant, e.epoch);
      if (e.phase === 'start') {
        steps.get(k)?.end();
        steps.set(
          k,
          tracer.startSpan(
            SpanName.step(e.step),
            { attributes: { [Attr.migrationStep]: e.step, [Attr.routeEpoch]: e.epoch, ...(e.detail ?? {}) } },
            trace.setSpan(context.active(), root.span),
          ),
        );
        return;
      }
      const span = steps.get(k);
      if (e.phase === 'progress') {
        span?.addEvent('drain.progress', { [Attr.drainRemaining]: Number(e.detail?.['remaining'] ?? 0) });
        return;
      }
      if (span) {
        if (e.detail) span.setAttributes(e.detail);
        span.end();
        steps.delete(k);
      }
      if (e.step === 'commit') {
        migrations.add(1, { [Attr.topic]: e.topic });
        drainDuration.record(Date.now() - root.startedAt, { [Attr.topic]: e.topic });
        root.span.setAttribute(Attr.routeEpoch, e.epoch);
        root.span.setStatus({ code: SpanStatusCode.OK });
        root.span.end();
        roots.delete(key(e.topic, e.tenant));
      }
    },
  };
}
