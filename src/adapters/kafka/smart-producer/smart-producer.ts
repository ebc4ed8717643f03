import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kafka } from 'kafkajs';
import type { Subscription } from 'rxjs';
import { ErrorCode, TenantBalancerError } from '../../../domain/errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { RoutingReader } from '../routing-reader.js';
import { collectMany } from './errors.js';
import { KafkajsSignalTransport } from './kafkajs-signal-transport.js';
import { KafkajsTransport } from './kafkajs-transport.js';
import {
  parseSmartProducerOptions,
  type SmartProducerOptions,
  type SmartProducerOptionsInput,
} from './options.js';
import type { PendingRecord } from './pending-record.js';
import { ProducerPipeline } from './producer-pipeline.js';
import { producerHooks, type ProducerHooks } from './producer-hooks.js';
import { stringSerializer, type Serializer } from './serializers.js';
import { SignalPublisher } from './signal-publisher.js';
import type { ProducerTransport, SignalTransport } from './transport.js';
import type {
  DisconnectReport,
  FailedRecord,
  RecordMetadata,
  SendCallback,
  SmartProducerStats,
  SmartRecord,
} from './types.js';

export { SendManyError } from './errors.js';
export type * from './types.js';

type OnError = (err: TenantBalancerError, record: { topic: string; tenant: string | undefined }) => void;

/**
 * The tenant-aware producer: routes each record through the routing table, batches per topic
 * (batch.size / linger.ms), bounds memory (buffer.memory / max.block.ms), holds a draining tenant's
 * records and acks the drain once its pre-drain records are acknowledged, and publishes per-tenant
 * traffic reports. Records are accepted strictly in send() order (Intake). This class is the public
 * face and the lifecycle; the record path is ProducerPipeline's, Kafka is behind the transports.
 */
export class SmartProducer<V = string> {
  readonly options: SmartProducerOptions;
  private readonly onError: OnError;
  private readonly reader: RoutingReader;
  private readonly transport: ProducerTransport;
  private readonly signalTransport: SignalTransport;
  private readonly signals: SignalPublisher;
  private readonly pipeline: ProducerPipeline<V>;
  private readonly hooks: Required<ProducerHooks>;
  private changesSub: Subscription | undefined;
  private state: 'new' | 'connected' | 'closing' | 'closed' = 'new';
  private readonly failedOnClose: FailedRecord[] = [];

  constructor(
    kafka: Kafka,
    options: SmartProducerOptionsInput = {},
    deps: {
      serializer?: Serializer<V>;
      logger?: Logger;
      onError?: OnError;
      /** telemetry hooks (also published on node:diagnostics_channel, see producer-hooks.ts) */
      hooks?: ProducerHooks;
    } = {},
  ) {
    this.options = parseSmartProducerOptions(
      options,
      `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    );
    const logger = deps.logger ?? silentLogger();
    this.onError =
      deps.onError ??
      ((err, r) => logger.error({ code: err.code, topic: r.topic, tenant: r.tenant }, err.message));
    this.hooks = producerHooks(deps.hooks);
    this.reader = new RoutingReader(kafka, {
      routingTopic: this.options.routingTopic,
      logger,
      freshnessCheckMs: this.options.freshnessCheckMs,
    });
    this.transport = new KafkajsTransport(kafka, this.options, logger);
    this.signalTransport = new KafkajsSignalTransport(kafka);
    this.signals = new SignalPublisher({
      options: this.options,
      transport: this.signalTransport,
      table: this.reader.table,
      appliedOffset: () => this.reader.appliedOffset,
      isClosed: () => this.state === 'closed',
      logger,
    });
    this.pipeline = new ProducerPipeline<V>({
      options: this.options,
      serializer: deps.serializer ?? (stringSerializer as unknown as Serializer<V>),
      transport: this.transport,
      view: this.reader,
      countTraffic: (topic, tenant, bytes) => this.signals.countTraffic(topic, tenant, bytes),
      publishAck: (ack) => void this.signals.publishAck(ack),
      hooks: this.hooks,
    });
  }

  get producerId(): string {
    return this.options.producerId;
  }

  /** The routing table this producer routes with (read-only use). */
  get routes(): RoutingReader {
    return this.reader;
  }

  /** Connects, then reads the routing topic to its end: nothing is sent before the view caught up. */
  async connect(): Promise<void> {
    if (this.state !== 'new')
      throw new TenantBalancerError(ErrorCode.ProducerClosed, 'connect() called twice');
    try {
      await Promise.all([this.transport.connect(), this.signalTransport.connect()]);
    } catch (e) {
      throw new TenantBalancerError(
        ErrorCode.BrokerUnreachable,
        `cannot reach Kafka: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    this.changesSub = this.reader.changes.subscribe((c) => this.pipeline.drain.onRouteChange(c));
    await this.reader.start(this.options.connectTimeoutMs);
    this.pipeline.drain.publishReplayedAcks();
    this.signals.start();
    this.state = 'connected';
  }

  /** Synchronous mode: `await send(r)`. Asynchronous mode: `send(r, callback)`. */
  send(record: SmartRecord<V>): Promise<RecordMetadata>;
  send(record: SmartRecord<V>, callback: SendCallback): void;
  send(record: SmartRecord<V>, callback?: SendCallback): Promise<RecordMetadata> | void {
    if (callback !== undefined) {
      this.enqueue(record, (err, md) => callback(err, md));
      return;
    }
    return new Promise((resolve, reject) =>
      this.enqueue(record, (err, md) => (err ? reject(err) : resolve(md!))),
    );
  }

  /**
   * Many records, one promise (cheaper than a promise per record, like kafkajs's sendBatch). The
   * records are taken in order, as consecutive send() calls would be. Resolves with each record's
   * metadata in the given order once all are acknowledged; if any failed, rejects once all have
   * settled with a SendManyError that says which failed and holds the metadata of the others.
   */
  sendMany(records: readonly SmartRecord<V>[]): Promise<RecordMetadata[]> {
    return collectMany(records, (record, done) => this.enqueue(record, done));
  }

  /** Fire-and-forget: errors go to the error handler and the failed counter. */
  sendAndForget(record: SmartRecord<V>): void {
    this.enqueue(record, (err) => {
      if (err) this.onError(err, { topic: record.topic, tenant: record.tenant });
    });
  }

  stats(): SmartProducerStats {
    const transport = this.transport.stats();
    return {
      ...this.pipeline.stats(),
      viewAgeMs: this.reader.viewAgeMs(),
      malformedRouteRecords: this.reader.malformed,
      resentRecords: transport.resentRecords,
      producerRenewals: transport.renewals,
      ...this.signals.stats(),
    };
  }

  private enqueue(record: SmartRecord<V>, done: PendingRecord['done']): void {
    if (this.state !== 'connected') {
      const why = this.state === 'new' ? 'not connected yet: await connect() first' : 'closed';
      this.pipeline.completion.refuse(
        done,
        new TenantBalancerError(ErrorCode.ProducerClosed, `producer is ${why}`),
      );
      return;
    }
    this.pipeline.intake.offer(record, done);
  }

  /** Sends everything accepted now (not the held records of a draining tenant) and waits for it. */
  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  /**
   * Flushes what it accepted, gives draining tenants up to max.block.ms to settle, then reports
   * exactly which records could not be sent.
   */
  async disconnect(): Promise<DisconnectReport> {
    const { completion, drain } = this.pipeline;
    if (this.state === 'closed' || this.state === 'closing')
      return { sent: completion.counters.sent, failed: [] };
    if (this.state === 'new') {
      this.state = 'closed';
      return { sent: 0, failed: [] };
    }
    this.state = 'closing';
    // Records still waiting for a partition get one fresh look at the metadata, then fail: closing
    // must not wait max.block.ms for a partition that may never come.
    this.pipeline.availability.close();
    await this.flush();
    const deadline = Date.now() + this.options.maxBlockMs;
    while (drain.hasHeld && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      await this.flush();
    }
    for (const p of drain.takeAllHeld()) {
      const err = new TenantBalancerError(
        ErrorCode.ProducerClosed,
        `tenant "${p.tenant}" on "${p.topic}" was still draining at disconnect; record not sent`,
      );
      this.failedOnClose.push({ topic: p.topic, tenant: p.tenant, error: err });
      completion.complete(p, err);
    }
    this.signals.stop();
    this.pipeline.sender.close();
    await this.signals.publishTraffic();
    this.state = 'closed';
    this.changesSub?.unsubscribe();
    this.hooks.closed({ producerId: this.producerId });
    await this.reader.stop();
    await this.transport.flush();
    await Promise.allSettled([this.transport.disconnect(), this.signalTransport.disconnect()]);
    return { sent: completion.counters.sent, failed: [...this.failedOnClose] };
  }
}
