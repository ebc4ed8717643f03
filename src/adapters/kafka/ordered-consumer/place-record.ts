import type { KafkaMessage } from 'kafkajs';
import { recordEpochOf } from '../../../domain/fence-gate.js';
import { Headers } from '../../../domain/record-headers.js';
import type { GateTelemetry } from './gate-telemetry.js';
import type { GateView } from './gate-view.js';
import type { LaneRecord, PartitionLane, Placement } from './partition-lane.js';

const header = (m: KafkaMessage, name: string): string | undefined => {
  const v = m.headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
};

/** Judges one record from the log (its tenant and epoch headers against the gate) and places it on its lane. */
export function placeRecord(
  lane: PartitionLane<KafkaMessage>,
  m: KafkaMessage,
  view: GateView,
  telemetry: GateTelemetry | undefined,
): Placement {
  const r: LaneRecord<KafkaMessage> = {
    offset: Number(m.offset),
    tenant: header(m, Headers.tenantId),
    epoch: recordEpochOf(header(m, Headers.routeEpoch)),
    message: m,
  };
  const verdict = view.verdict(lane.topic, lane.partition, r.tenant, r.epoch);
  const placement = lane.place(r, verdict, view.isDedicated(lane.topic, lane.partition, r.tenant));
  if (placement !== 'process' && r.tenant !== undefined)
    telemetry?.held(
      lane.topic,
      lane.partition,
      r.tenant,
      r.epoch,
      verdict.kind === 'wait' ? verdict.reason : 'order',
    );
  return placement;
}
