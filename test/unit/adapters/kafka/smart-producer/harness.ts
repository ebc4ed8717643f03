import { expect } from 'vitest';
import type { PendingAck } from '../../../../../src/domain/drain-gate.js';
import type { TenantBalancerError } from '../../../../../src/domain/errors.js';
import type { RoutingEntry } from '../../../../../src/domain/route-record.js';
import { RoutingTable } from '../../../../../src/domain/routing-table.js';
import {
  parseSmartProducerOptions,
  type SmartProducerOptionsInput,
} from '../../../../../src/adapters/kafka/smart-producer/options.js';
import { ProducerPipeline } from '../../../../../src/adapters/kafka/smart-producer/producer-pipeline.js';
import type {
  HoldEnded,
  HoldStarted,
} from '../../../../../src/adapters/kafka/smart-producer/producer-hooks.js';
import { stringSerializer } from '../../../../../src/adapters/kafka/smart-producer/serializers.js';
import type { RecordMetadata, SmartRecord } from '../../../../../src/adapters/kafka/smart-producer/types.js';
import { FakeTransport } from './fake-transport.js';

export interface Outcome {
  readonly value: string;
  readonly err: TenantBalancerError | null;
  readonly md: RecordMetadata | undefined;
}

/**
 * The SmartProducer's record path (ProducerPipeline, as the facade wires it) over a FakeTransport
 * and an in-memory routing table: no broker, no routing reader. `apply` does what the routing
 * reader does with a route record (table first, then the change event).
 */
export function pipelineHarness(options: SmartProducerOptionsInput = {}) {
  const transport = new FakeTransport();
  const table = new RoutingTable();
  const view = { table, ageMs: 0, viewAgeMs: () => view.ageMs };
  const acks: PendingAck[] = [];
  const holds: (HoldStarted | HoldEnded)[] = [];
  const outcomes: Outcome[] = [];
  const pipeline = new ProducerPipeline<string>({
    options: parseSmartProducerOptions({ lingerMs: 0, ...options }, 'test-producer'),
    serializer: stringSerializer,
    transport,
    view,
    countTraffic: () => undefined,
    publishAck: (ack) => acks.push(ack),
    hooks: {
      holdStarted: (e) => holds.push(e),
      holdEnded: (e) => holds.push(e),
      closed: () => undefined,
    },
  });
  const send = (record: Omit<SmartRecord<string>, 'value'> & { value: string }): void =>
    pipeline.intake.offer(record, (err, md) => outcomes.push({ value: record.value, err, md }));
  const apply = (entry: RoutingEntry, replay = false): void => {
    expect(table.apply(entry), table.lastRejection).toBe('applied');
    pipeline.drain.onRouteChange({ entry, latencyMs: undefined, replay, headers: { traceparent: 'tp' } });
  };
  return { transport, table, view, acks, holds, outcomes, pipeline, send, apply };
}

/** Lets promise callbacks and zero-delay timers run (the pipeline's steps are asynchronous). */
export const settle = async (turns = 5): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
};
