/**
 * Our own span and metric attribute names, in one place. Kafka's own (messaging.*) come from
 * @opentelemetry/instrumentation-kafkajs; these add what it cannot know.
 */
export const Attr = {
  tenantId: 'ktb.tenant.id',
  topic: 'ktb.topic',
  partitionChosen: 'ktb.partition.chosen',
  routeEpoch: 'ktb.route.epoch',
  stateFrom: 'ktb.state.from',
  stateTo: 'ktb.state.to',
  reason: 'ktb.decision.reason',
  /** true on a decision that was only reported (observe mode, never-move) */
  shadow: 'ktb.decision.shadow',
  migrationStep: 'ktb.migration.step',
  drainRemaining: 'ktb.drain.remaining',
  state: 'ktb.state',
  partition: 'ktb.partition',
  group: 'ktb.consumer.group',
  heldRecords: 'ktb.hold.records',
  producerId: 'ktb.producer.id',
  gateReason: 'ktb.gate.reason',
  gateRecords: 'ktb.gate.records',
  gateDropped: 'ktb.gate.dropped',
} as const;

export const SpanName = {
  transition: 'tenant.transition',
  migration: 'tenant.migration',
  /** what the policy would have done and did not (observe mode, a never-move tenant): nothing moved */
  shadowDecision: 'tenant.shadow_decision',
  step: (s: string) => `migration.${s}`,
  /** producer side: from the draining route record to the settled one, in the migration's trace */
  hold: 'tenant.hold',
  /** consumer side: an ordered consumer holding a moved tenant until its group passed the fence */
  gate: 'tenant.gate',
} as const;

export const instrumentationScope = 'kafka-tenant-balancer';
