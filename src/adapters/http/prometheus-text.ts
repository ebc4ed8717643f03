import type { Controller } from '../../app/controller.js';
import type { RoutingReader } from '../kafka/routing-reader.js';
import type { SignalConsumer } from '../kafka/signal-consumer.js';
import type { ReportGaps } from '../../domain/report-gaps.js';

/** The controller's own gauges and counters in Prometheus text format. */
export function prometheusText(
  c: Controller,
  reader: RoutingReader,
  signals: SignalConsumer,
  gaps?: ReportGaps,
): string {
  const byState = new Map<string, number>();
  for (const t of c.tenants()) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
  const lines = [
    '# HELP ktb_tenant_actors Tenants with a live actor, by state.',
    '# TYPE ktb_tenant_actors gauge',
    ...[...byState].map(([s, n]) => `ktb_tenant_actors{state="${s}"} ${n}`),
    '# HELP ktb_migrations_total Migrations committed since start.',
    '# TYPE ktb_migrations_total counter',
    `ktb_migrations_total ${c.migrationsDone}`,
    '# HELP ktb_malformed_route_records_total Routing records skipped as malformed.',
    '# TYPE ktb_malformed_route_records_total counter',
    `ktb_malformed_route_records_total ${reader.malformed}`,
    '# HELP ktb_rejected_route_records_total Well-formed routing records refused: not from a controller transaction, or against the pool, ownership or epoch rules.',
    '# TYPE ktb_rejected_route_records_total counter',
    `ktb_rejected_route_records_total ${reader.rejected}`,
    '# HELP ktb_observe_mode 1 while the controller is in observe (shadow) mode: it decides and reports, and moves no tenant.',
    '# TYPE ktb_observe_mode gauge',
    `ktb_observe_mode ${c.mode === 'observe' ? 1 : 0}`,
    '# HELP ktb_shadow_decisions_total Decisions reported and not acted on (observe mode, never-move tenants), by topic.',
    '# TYPE ktb_shadow_decisions_total counter',
    ...c.managedTopics.map(
      (t) => `ktb_shadow_decisions_total{topic="${t}"} ${c.shadowDecisions.get(t) ?? 0}`,
    ),
    '# HELP ktb_controller_fenced 1 once a newer controller fenced this one (it stopped acting).',
    '# TYPE ktb_controller_fenced gauge',
    `ktb_controller_fenced ${c.fenced ? 1 : 0}`,
    "# HELP ktb_implausible_traffic_claims_total Tenant rates capped because they exceeded their partitions' growth.",
    '# TYPE ktb_implausible_traffic_claims_total counter',
    `ktb_implausible_traffic_claims_total ${c.implausibleClaims}`,
    '# HELP ktb_malformed_signal_records_total Traffic/ack records skipped as malformed.',
    '# TYPE ktb_malformed_signal_records_total counter',
    `ktb_malformed_signal_records_total ${signals.malformed}`,
    '# HELP ktb_traffic_reports_missed_total Producer report intervals that never arrived (a skipped seq, or a report with parts missing).',
    '# TYPE ktb_traffic_reports_missed_total counter',
    `ktb_traffic_reports_missed_total ${gaps?.missed ?? 0}`,
    '# HELP ktb_routing_view_age_ms Time since the routing view last reached the topic end.',
    '# TYPE ktb_routing_view_age_ms gauge',
    `ktb_routing_view_age_ms ${Number.isFinite(reader.viewAgeMs()) ? reader.viewAgeMs() : -1}`,
  ];
  for (const t of c.tenants()) {
    if (t.rates)
      lines.push(
        `ktb_tenant_records_per_second{topic="${t.topic}",tenant="${t.tenant.replace(/["\\\n]/g, '_')}"} ${t.rates.recordsPerSec.toFixed(3)}`,
      );
  }
  return lines.join('\n') + '\n';
}
