import type { PendingAck } from '../../../domain/drain-gate.js';
import { createPartitionChooser } from '../../../domain/partition-choice.js';
import type { RoutingTable } from '../../../domain/routing-table.js';
import { BatchSender } from './batch-sender.js';
import { BufferPool } from './buffer-pool.js';
import { Completion } from './completion.js';
import { DrainParticipant } from './drain-participant.js';
import { Intake, type RoutingView } from './intake.js';
import type { SmartProducerOptions } from './options.js';
import { PartitionAvailability } from './partition-availability.js';
import { PartitionCounts } from './partition-counts.js';
import type { PendingRecord } from './pending-record.js';
import type { ProducerHooks } from './producer-hooks.js';
import { RouteStep } from './route-step.js';
import type { Serializer } from './serializers.js';
import type { ProducerTransport } from './transport.js';
import type { SmartProducerStats } from './types.js';

export interface ProducerPipelineDeps<V> {
  readonly options: SmartProducerOptions;
  readonly serializer: Serializer<V>;
  readonly transport: ProducerTransport;
  readonly view: RoutingView & { readonly table: RoutingTable };
  readonly countTraffic: (topic: string, tenant: string, bytes: number) => void;
  readonly publishAck: (ack: PendingAck) => void;
  readonly hooks: Required<ProducerHooks>;
}

/**
 * The record path from send() to the transport, wired once: intake -> route step -> (drain
 * participant | partition availability) -> batch sender -> transport, every record ending in the
 * completion. The collaborators know each other only through the narrow interfaces they declare;
 * this is the one place that connects them (the SmartProducer adds the lifecycle and the Kafka
 * adapters; unit tests connect a fake transport).
 */
export class ProducerPipeline<V> {
  readonly pool: BufferPool;
  readonly completion: Completion;
  readonly availability: PartitionAvailability<PendingRecord>;
  readonly sender: BatchSender;
  readonly drain: DrainParticipant;
  readonly intake: Intake<V>;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(deps: ProducerPipelineDeps<V>) {
    const { options } = deps;
    const notifyIdle = (): void => this.notifyIdle();
    this.pool = new BufferPool(options.bufferMemory);
    this.completion = new Completion(this.pool, (key) => this.drain.completed(key));
    const counts = new PartitionCounts((topic) => deps.transport.partitionCount(topic));
    this.sender = new BatchSender({
      options,
      transport: deps.transport,
      completion: this.completion,
      onBatchDone: () => {
        this.drain.release();
        notifyIdle();
      },
    });
    this.availability = new PartitionAvailability<PendingRecord>({
      maxWaitMs: options.maxBlockMs,
      fetchCount: (topic) => counts.refresh(topic),
      ready: (p) => this.sender.add(p),
      fail: (p, err) => {
        this.completion.complete(p, err);
        notifyIdle();
      },
    });
    this.drain = new DrainParticipant({
      producerId: options.producerId,
      releaseChunkBytes: options.releaseChunkBytes,
      pipeline: this.sender,
      readmit: (key, p) => route.reroute(key, p),
      publishAck: deps.publishAck,
      hooks: deps.hooks,
      onProgress: notifyIdle,
    });
    const route = new RouteStep({
      choose: createPartitionChooser(deps.view.table),
      drain: this.drain,
      counts,
      availability: this.availability,
      toBatch: (p) => this.sender.add(p),
      completion: this.completion,
    });
    this.intake = new Intake<V>({
      options,
      serializer: deps.serializer,
      pool: this.pool,
      counts,
      view: deps.view,
      countTraffic: deps.countTraffic,
      route: (p, count) => route.route(p, count),
      completion: this.completion,
      onEmpty: notifyIdle,
    });
  }

  /** The record path's part of SmartProducer.stats(). */
  stats(): Omit<
    SmartProducerStats,
    | 'viewAgeMs'
    | 'malformedRouteRecords'
    | 'resentRecords'
    | 'producerRenewals'
    | 'trafficReportsUnpublished'
    | 'trafficReportParts'
  > {
    return {
      ...this.completion.counters,
      bufferedBytes: this.pool.used,
      bufferCapacity: this.pool.capacity,
      held: this.drain.held,
      releasing: this.drain.releasing,
      inFlightBatches: this.sender.inFlightBatches,
      holdEpisodesMs: this.drain.holdEpisodesMs,
      awaitingPartition: this.availability.size,
    };
  }

  /** Nothing accepted is on its way (held records of a draining tenant do not count). */
  get isIdle(): boolean {
    return (
      this.intake.length === 0 && this.sender.isIdle && !this.drain.hasBacklog && this.availability.size === 0
    );
  }

  /** Sends everything accepted now (not the held records of a draining tenant) and waits for it. */
  async flush(): Promise<void> {
    this.sender.sendOpenBatches();
    if (this.isIdle) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.sender.openRecords > 0) await this.flush();
  }

  private notifyIdle(): void {
    if (!this.isIdle) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
