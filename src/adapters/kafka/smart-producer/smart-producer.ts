// Over 300 lines, knowingly: this is one of the two hubs issue #14 splits next (intake, route
// step, drain participant, batch sender, and a transport port in front of kafkajs). Until then,
// new logic goes into the small files beside it (partition-availability.ts, unanswered.ts, ...).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CompressionTypes,
  Partitioners,
  type Admin,
  type Kafka,
  type Message,
  type Producer,
  type RecordMetadata as KafkaMetadata,
} from 'kafkajs';
import type { Subscription } from 'rxjs';
import { Accumulator, type Batch } from '../../../domain/accumulator.js';
import { DrainGate, type PendingAck } from '../../../domain/drain-gate.js';
import { Fifo } from '../../../domain/fifo.js';
import { ReleaseQueue } from '../../../domain/release-queue.js';
import { ErrorCode, TenantBalancerError } from '../../../domain/errors.js';
import { tenantId } from '../../../domain/ids.js';
import { partitionForKey } from '../../../domain/murmur2.js';
import { createPartitionChooser, type PartitionChooser } from '../../../domain/partition-choice.js';
import { routeKey } from '../../../domain/route-record.js';
import { TrafficCounter } from '../../../domain/traffic-counter.js';
import { WIRE_VERSION, type DrainAck } from '../../../domain/wire-records.js';
import { Headers } from '../headers.js';
import { partitionCount } from '../internal-topics.js';
import { silentLogger, type Logger } from '../../logger.js';
import { RoutingReader, type AppliedChange } from '../routing-reader.js';
import { HoldSpans } from '../../otel/hold-spans.js';
import { Attr } from '../../otel/semconv.js';
import { splitByAnswer } from './unanswered.js';
import { decidedPartitioner } from './decided-partitioner.js';
import { PartitionAvailability, backoffMs } from './partition-availability.js';
import { BufferPool } from './buffer-pool.js';
import {
  parseSmartProducerOptions,
  type SmartProducerOptions,
  type SmartProducerOptionsInput,
} from './options.js';
import { stringSerializer, type Serializer } from './serializers.js';

export interface SmartRecord<V> {
  readonly topic: string;
  readonly tenant?: string;
  readonly key?: string | Buffer | null;
  /** Picks the shard of a sharded tenant (e.g. user id); order is kept per secondary key. */
  readonly secondaryKey?: string;
  readonly value: V;
  readonly headers?: Record<string, string | Buffer>;
  readonly partition?: number;
}

export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The route epoch the record was routed with (0 = default hashing). */
  readonly routeEpoch: number;
}

export type SendCallback = (err: Error | null, metadata?: RecordMetadata) => void;

export interface FailedRecord {
  readonly topic: string;
  readonly tenant: string | undefined;
  readonly error: TenantBalancerError;
}

export interface DisconnectReport {
  readonly sent: number;
  readonly failed: FailedRecord[];
}

export interface SmartProducerStats {
  readonly accepted: number;
  readonly sent: number;
  readonly failed: number;
  readonly bufferedBytes: number;
  readonly bufferCapacity: number;
  readonly held: number;
  /** records a settled drain released that wait for their turn to be sent (see releaseBacklogs) */
  readonly releasing: number;
  readonly inFlightBatches: number;
  readonly viewAgeMs: number;
  readonly malformedRouteRecords: number;
  /** producer-side hold per migration: draining seen -> settled route seen (ms, last 1000) */
  readonly holdEpisodesMs: number[];
  /** records sent again because kafkajs resolved a batch without a result for their partition */
  readonly resentRecords: number;
  /** times the idempotent kafkajs producer was replaced after a batch failed for good */
  readonly producerRenewals: number;
  /** records routed to a partition the topic's metadata does not have yet, waiting for it (bounded) */
  readonly awaitingPartition: number;
}

interface Pending {
  readonly topic: string;
  readonly tenant: string | undefined;
  readonly gateKey: string | undefined;
  readonly key: string | Buffer | null;
  readonly secondaryKey: string | undefined;
  value: Buffer | Promise<Buffer>;
  readonly headers: Record<string, string | Buffer>;
  readonly partition: number | undefined;
  readonly enqueuedAt: number;
  bytes: number;
  reserved: boolean;
  countedInGate: boolean;
  routedPartition: number | undefined;
  routeEpoch: number;
  readonly done: (err: TenantBalancerError | null, md?: RecordMetadata) => void;
}

type Step = { wait: Promise<unknown> } | 'accepted';

const asTbError = (e: unknown): TenantBalancerError =>
  e instanceof TenantBalancerError
    ? e
    : new TenantBalancerError(ErrorCode.SendFailed, String(e), { cause: e });

/** sendMany() when some records failed: which (by index) and the metadata of those that were sent. */
export class SendManyError extends TenantBalancerError {
  constructor(
    readonly failed: readonly { readonly index: number; readonly error: TenantBalancerError }[],
    readonly results: readonly (RecordMetadata | undefined)[],
  ) {
    const first = [...failed].sort((a, b) => a.index - b.index)[0]!;
    super(
      first.error.code,
      `${failed.length} of ${results.length} record(s) failed; the first (index ${first.index}): ${first.error.message}`,
      { cause: first.error },
    );
  }
}

/** Route epochs are small integers: their header text is made once, not per record. */
const EPOCH_TEXT = Array.from({ length: 4096 }, (_, i) => String(i));
const epochText = (epoch: number): string => EPOCH_TEXT[epoch] ?? String(epoch);

/** How many times a batch's unanswered partitions are sent again before their records fail. */
const MAX_UNANSWERED_ROUNDS = 5;

const compressionOf: Record<SmartProducerOptions['compression'], CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/**
 * The tenant-aware producer: routes each record through the routing table, batches per topic
 * (batch.size / linger.ms), bounds memory (buffer.memory / max.block.ms), holds a draining tenant's
 * records and acks the drain once its pre-drain records are acknowledged, and publishes per-tenant
 * traffic reports. Records are accepted strictly in send() order: one that must wait (metadata,
 * memory, a stale routing view) holds the ones behind it, as the Java client blocks its caller.
 * One exception: a record routed to a partition the topic does not have (yet) waits aside, bounded
 * by max.block.ms, with only its own tenant's later records behind it (PartitionAvailability).
 */
export class SmartProducer<V = string> {
  readonly options: SmartProducerOptions;
  private readonly logger: Logger;
  private readonly serializer: Serializer<V>;
  private readonly onError: (
    err: TenantBalancerError,
    record: { topic: string; tenant: string | undefined },
  ) => void;
  private readonly reader: RoutingReader;
  private producer: Producer;
  private readonly signalProducer: Producer;
  private readonly admin: Admin;
  private readonly chooser: PartitionChooser;
  private readonly gate = new DrainGate<Pending>();
  /**
   * Records a settled drain released, admitted releaseChunkBytes per send cycle while no batch waits
   * to be sent, so a drained backlog of thousands of records goes out interleaved with other
   * tenants' records instead of all at once ahead of them (that burst was the small tenants' p99 in
   * the noisy-neighbour benchmark).
   */
  private readonly backlogs = new ReleaseQueue<Pending>((p) => p.bytes);
  private releasingNow = false;
  private readonly pool: BufferPool;
  private readonly accumulator: Accumulator<Pending>;
  private readonly traffic: TrafficCounter;
  private readonly partitions = new Map<string, number>();
  /** records routed to a partition the topic does not have yet: they wait (bounded), others go on */
  private readonly availability: PartitionAvailability<Pending>;
  private readonly intake = new Fifo<Pending>();
  private readonly ready: Batch<Pending>[] = [];
  private readonly replayAcks = new Map<string, number>();
  /** when each gated tenant started holding, and how long past holds lasted (ms, newest last) */
  private readonly gateOpenedAt = new Map<string, number>();
  private readonly holdEpisodes: number[] = [];
  private readonly holdSpans = new HoldSpans();
  private readonly idleWaiters: (() => void)[] = [];
  private pumping = false;
  private roundRobin = 0;
  private inFlight = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private trafficTimer: NodeJS.Timeout | undefined;
  private changesSub: Subscription | undefined;
  private state: 'new' | 'connected' | 'closing' | 'closed' = 'new';
  private counters = { accepted: 0, sent: 0, failed: 0 };
  private resentRecords = 0;
  private producerStale = false;
  private producerRenewals = 0;
  private renewing: Promise<void> | undefined;
  private readonly failedOnClose: FailedRecord[] = [];

  constructor(
    private readonly kafka: Kafka,
    options: SmartProducerOptionsInput = {},
    deps: {
      serializer?: Serializer<V>;
      logger?: Logger;
      onError?: (err: TenantBalancerError, record: { topic: string; tenant: string | undefined }) => void;
    } = {},
  ) {
    this.options = parseSmartProducerOptions(
      options,
      `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    );
    this.logger = deps.logger ?? silentLogger();
    this.serializer = deps.serializer ?? (stringSerializer as unknown as Serializer<V>);
    this.onError =
      deps.onError ??
      ((err, r) => this.logger.error({ code: err.code, topic: r.topic, tenant: r.tenant }, err.message));
    this.reader = new RoutingReader(kafka, {
      routingTopic: this.options.routingTopic,
      logger: this.logger,
      freshnessCheckMs: this.options.freshnessCheckMs,
    });
    this.chooser = createPartitionChooser(this.reader.table);
    this.pool = new BufferPool(this.options.bufferMemory);
    this.accumulator = new Accumulator(this.options.batchBytes, this.options.lingerMs);
    this.traffic = new TrafficCounter(this.options.producerId, Date.now());
    this.admin = kafka.admin();
    this.availability = new PartitionAvailability<Pending>({
      maxWaitMs: this.options.maxBlockMs,
      fetchCount: (topic) => this.refreshPartitions(topic),
      ready: (p) => this.toBatch(p),
      fail: (p, err) => {
        this.complete(p, err);
        this.notifyIdle();
      },
    });
    // Acks and traffic reports use their own connection-level producer: they must never queue
    // behind a data batch that is stuck retrying (a broker failover), or a live producer would
    // look dead to the controller.
    this.signalProducer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5 },
    });
    this.producer = this.createDataProducer();
  }

  private createDataProducer(): Producer {
    return this.kafka.producer({
      // Each record's partition is decided at send() time; one kafkajs's metadata lacks makes it refresh.
      createPartitioner: decidedPartitioner,
      idempotent: this.options.idempotent,
      maxInFlightRequests: this.options.maxInFlight,
      allowAutoTopicCreation: false,
      retry: { retries: this.options.retries },
    });
  }

  /**
   * After a batch failed for good, an idempotent kafkajs producer may be out of step with the
   * broker: kafkajs rolls a failed request's sequence numbers back even when the broker wrote it
   * (the connection died before the answer). The next batch would reuse those numbers and the broker
   * would take it for a retry of the written one: acknowledged, not written, when the record count
   * matches (or rejected as out of order for good when it does not). A new producer id restarts the
   * sequences, so the data producer is replaced before the next batch goes out.
   */
  private async renewDataProducer(): Promise<void> {
    this.renewing ??= (async () => {
      const old = this.producer;
      const fresh = this.createDataProducer();
      await fresh.connect();
      this.producer = fresh;
      this.producerStale = false;
      this.producerRenewals++;
      this.logger.warn(
        { code: 'KTB_PRODUCER_RENEWED' },
        'a batch failed for good: replaced the idempotent kafkajs producer (new producer id) before sending more',
      );
      void old.disconnect().catch(() => undefined);
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
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
      await Promise.all([this.producer.connect(), this.signalProducer.connect(), this.admin.connect()]);
    } catch (e) {
      throw new TenantBalancerError(
        ErrorCode.BrokerUnreachable,
        `cannot reach Kafka: ${(e as Error).message}`,
        { cause: e },
      );
    }
    this.changesSub = this.reader.changes.subscribe((c) => this.onRouteChange(c));
    await this.reader.start(this.options.connectTimeoutMs);
    for (const [key, epoch] of this.replayAcks) {
      if (this.gate.isHeld(key)) void this.publishAck({ key, epoch });
    }
    this.replayAcks.clear();
    this.trafficTimer = setInterval(() => void this.publishTraffic(), this.options.trafficIntervalMs);
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
    return new Promise((resolve, reject) => {
      const results = new Array<RecordMetadata | undefined>(records.length);
      let failed: { index: number; error: TenantBalancerError }[] | undefined;
      let left = records.length;
      if (left === 0) {
        resolve([]);
        return;
      }
      const settle = (): void => {
        if (--left > 0) return;
        if (failed === undefined) resolve(results as RecordMetadata[]);
        else reject(new SendManyError(failed, results));
      };
      for (let i = 0; i < records.length; i++)
        this.enqueue(records[i]!, (err, md) => {
          if (err) (failed ??= []).push({ index: i, error: err });
          else results[i] = md;
          settle();
        });
    });
  }

  /** Fire-and-forget: errors go to the error handler and the failed counter. */
  sendAndForget(record: SmartRecord<V>): void {
    this.enqueue(record, (err) => {
      if (err) this.onError(err, { topic: record.topic, tenant: record.tenant });
    });
  }

  stats(): SmartProducerStats {
    let held = 0;
    for (const k of this.gate.gatedKeys) held += this.gate.heldCount(k);
    return {
      ...this.counters,
      bufferedBytes: this.pool.used,
      bufferCapacity: this.pool.capacity,
      held,
      releasing: this.backlogs.size,
      inFlightBatches: this.inFlight,
      viewAgeMs: this.reader.viewAgeMs(),
      malformedRouteRecords: this.reader.malformed,
      holdEpisodesMs: [...this.holdEpisodes],
      resentRecords: this.resentRecords,
      producerRenewals: this.producerRenewals,
      awaitingPartition: this.availability.size,
    };
  }

  private refuse(done: Pending['done'], e: unknown): void {
    this.counters.failed++;
    done(asTbError(e));
  }

  private enqueue(record: SmartRecord<V>, done: Pending['done']): void {
    if (this.state !== 'connected') {
      this.refuse(
        done,
        new TenantBalancerError(
          ErrorCode.ProducerClosed,
          `producer is ${this.state === 'new' ? 'not connected yet: await connect() first' : 'closed'}`,
        ),
      );
      return;
    }
    let value: Buffer | Promise<Buffer>;
    try {
      if (record.tenant !== undefined) tenantId(record.tenant);
      value = this.serializer.serialize(record.value, { topic: record.topic, tenant: record.tenant });
    } catch (e) {
      this.refuse(done, e);
      return;
    }
    const headers: Record<string, string | Buffer> = { ...record.headers };
    if (record.tenant !== undefined) headers[Headers.tenantId] = record.tenant;
    const p: Pending = {
      topic: record.topic,
      tenant: record.tenant,
      gateKey: record.tenant === undefined ? undefined : routeKey(record.topic, record.tenant),
      key: record.key ?? null,
      secondaryKey: record.secondaryKey,
      value,
      headers,
      partition: record.partition,
      enqueuedAt: Date.now(),
      bytes: 0,
      reserved: false,
      countedInGate: false,
      routedPartition: undefined,
      routeEpoch: 0,
      done,
    };
    this.intake.push(p);
    this.pump();
  }

  /** Accepts intake records in order; the first that must wait suspends the pump until it can go. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.intake.length > 0) {
        const p = this.intake.peek()!;
        let step: Step;
        try {
          step = this.tryAccept(p);
        } catch (e) {
          this.dropHead(p, e);
          continue;
        }
        if (step === 'accepted') {
          this.intake.shift();
          continue;
        }
        step.wait.then(
          () => {
            this.pumping = false;
            this.pump();
          },
          (e: unknown) => {
            this.dropHead(p, e);
            this.pumping = false;
            this.pump();
          },
        );
        return;
      }
      this.pumping = false;
      this.notifyIdle();
    } catch (e) {
      this.pumping = false;
      throw e;
    }
  }

  /** The head of the intake could not be accepted: it fails alone, the ones behind it go on. */
  private dropHead(p: Pending, e: unknown): void {
    this.intake.shift();
    this.release(p);
    this.counters.failed++;
    p.done(asTbError(e));
  }

  private deadlineError(
    p: Pending,
    code: TenantBalancerError['code'],
    why: string,
  ): TenantBalancerError | undefined {
    if (Date.now() - p.enqueuedAt < this.options.maxBlockMs) return undefined;
    return new TenantBalancerError(
      code,
      `${why} for ${this.options.maxBlockMs} ms (max.block.ms); record for tenant "${p.tenant ?? '-'}" on "${p.topic}" was not sent`,
    );
  }

  private waitOrFail(
    p: Pending,
    code: TenantBalancerError['code'],
    why: string,
    until: Promise<unknown>,
  ): Step {
    const err = this.deadlineError(p, code, why);
    if (err) throw err;
    const left = this.options.maxBlockMs - (Date.now() - p.enqueuedAt);
    return {
      wait: Promise.race([until, new Promise((r) => setTimeout(r, Math.max(1, Math.min(left, 50))))]),
    };
  }

  private tryAccept(p: Pending): Step {
    if (p.value instanceof Promise) {
      const v = p.value;
      return { wait: v.then((b) => (p.value = b)) };
    }
    if (p.bytes === 0) {
      p.bytes = p.value.length + (Buffer.isBuffer(p.key) ? p.key.length : (p.key?.length ?? 0)) + 64;
      // Traffic is what the application offers, counted once in send() order: records held by a
      // drain and released later must not show up as a burst.
      if (p.tenant !== undefined) this.traffic.count(p.topic, p.tenant, p.value.length);
      if (p.value.length > this.options.maxRequestSize) {
        throw new TenantBalancerError(
          ErrorCode.RecordTooLarge,
          `record of ${p.value.length} bytes exceeds max.request.size (${this.options.maxRequestSize}); split it or raise maxRequestSize (and the topic's max.message.bytes)`,
        );
      }
    }
    const count = this.partitions.get(p.topic);
    if (count === undefined) return { wait: this.refreshPartitions(p.topic) };

    const managed = this.reader.table.pools(p.topic) !== undefined;
    if (managed && p.tenant !== undefined && this.reader.viewAgeMs() > this.options.routeLeaseMs) {
      // Any tenant may be moving and this producer cannot know: block rather than misroute.
      return this.waitOrFail(
        p,
        ErrorCode.RouteLeaseExpired,
        `routing view is ${Math.round(this.reader.viewAgeMs())} ms old (lease ${this.options.routeLeaseMs} ms); waited`,
        new Promise(() => undefined),
      );
    }
    if (!p.reserved) {
      if (!this.pool.fits(p.bytes)) {
        return this.waitOrFail(
          p,
          ErrorCode.BufferFull,
          `buffer.memory (${this.pool.capacity} bytes) full`,
          this.pool.nextRelease(),
        );
      }
      this.pool.reserve(p.bytes);
      p.reserved = true;
    }
    const c = this.chooser({
      topic: p.topic,
      tenant: p.tenant,
      secondaryKey: p.secondaryKey,
      partition: p.partition,
    });
    if (p.gateKey !== undefined) {
      if (c.kind === 'held' && !this.gate.isHeld(p.gateKey)) {
        const ack = this.openGate(p.gateKey, c.route.epoch);
        if (ack) void this.publishAck(ack);
      }
      if (this.gate.isHeld(p.gateKey)) {
        this.gate.hold(p.gateKey, p);
        return 'accepted';
      }
      // Behind the tenant's released backlog, in order.
      if (this.backlogs.append(p.gateKey, p)) return 'accepted';
    }
    if (c.kind === 'default' || c.kind === 'held') {
      // Same as kafkajs's default partitioner (murmur2 of the key, else round robin), decided here so
      // every record's partition is known and its offset can be reported.
      p.routedPartition = p.key === null ? this.roundRobin++ % count : partitionForKey(p.key, count);
    } else {
      // A partition beyond the known count waits in `availability` (bounded), not here at the head
      // of the intake: one tenant's route to a missing partition must not stop every other tenant.
      p.routedPartition = c.partition;
      p.routeEpoch = c.epoch;
    }
    this.admit(p, count);
    return 'accepted';
  }

  /**
   * Accepts a routed record: into its topic batch, or, when its partition is not in the topic's
   * metadata yet (or the tenant has records waiting for one), to wait for it (PartitionAvailability).
   */
  private admit(p: Pending, count: number): void {
    // Epoch 0 is the default route (hashing over the shared pool): no header, which saves kafkajs an
    // encoder per record for every unrouted tenant. Readers take a missing header as epoch 0.
    if (p.routeEpoch > 0) p.headers[Headers.routeEpoch] = epochText(p.routeEpoch);
    if (p.gateKey !== undefined) {
      this.gate.accepted(p.gateKey);
      p.countedInGate = true;
    }
    this.counters.accepted++;
    if (this.availability.admit(p, count)) this.toBatch(p);
  }

  private toBatch(p: Pending): void {
    const full = this.accumulator.add(p.topic, p, p.bytes, p.enqueuedAt);
    if (full) this.dispatch(full);
    else this.armLinger();
  }

  /** The topic's partition count from fresh metadata (admin), remembered for routing. */
  private refreshPartitions(topic: string): Promise<number> {
    return partitionCount(this.admin, topic).then((n) => {
      this.partitions.set(topic, n);
      return n;
    });
  }

  private armLinger(): void {
    if (this.lingerTimer !== undefined) return;
    const at = this.accumulator.nextDueAt();
    if (at === undefined) return;
    this.lingerTimer = setTimeout(
      () => {
        this.lingerTimer = undefined;
        for (const b of this.accumulator.due(Date.now())) this.dispatch(b);
        this.armLinger();
      },
      Math.max(0, at - Date.now()),
    );
  }

  private dispatch(batch: Batch<Pending>): void {
    this.ready.push(batch);
    this.drainReady();
  }

  private drainReady(): void {
    while (this.inFlight < this.options.maxInFlight && this.ready.length > 0) {
      const batch = this.ready.shift()!;
      this.inFlight++;
      void this.sendBatch(batch).finally(() => {
        this.inFlight--;
        this.drainReady();
        this.releaseBacklogs();
        this.notifyIdle();
      });
    }
  }

  /**
   * Admits released records while no batch waits to be sent, up to releaseChunkBytes per call, one
   * tenant's backlog after another (round robin). Called when a drain settles and whenever a batch
   * completes, so a backlog goes out a chunk per send cycle, with other tenants' records in between.
   */
  private releaseBacklogs(): void {
    if (this.releasingNow || this.backlogs.isEmpty) return;
    this.releasingNow = true;
    try {
      const spent = this.backlogs.release(
        this.options.releaseChunkBytes,
        () => this.ready.length === 0,
        (key, p) => this.admitReleased(key, p),
      );
      // A chunk that did not fill a batch goes now when the pipeline has room, not after linger.ms.
      if (spent > 0 && this.inFlight < this.options.maxInFlight)
        for (const b of this.accumulator.due(Date.now(), true)) this.dispatch(b);
    } finally {
      this.releasingNow = false;
    }
    // Nothing went out (the chunk failed, or a new drain held it again) and no batch in flight will
    // call back here: go on at the next turn of the event loop instead of stalling the others.
    if (!this.backlogs.isEmpty && this.inFlight === 0 && this.ready.length === 0)
      setImmediate(() => this.releaseBacklogs());
    this.notifyIdle();
  }

  /** One released record: routed again (its route settled), or held again if a new drain began. */
  private admitReleased(key: string, p: Pending): void {
    try {
      const c = this.chooser({
        topic: p.topic,
        tenant: p.tenant,
        secondaryKey: p.secondaryKey,
        partition: p.partition,
      });
      if (c.kind === 'held') {
        // A new drain the route events have not opened yet (defensive: they open it first). This
        // record is older than the rest of the backlog, so it is held before them.
        const ack = this.openGate(key, c.route.epoch, p);
        if (ack) void this.publishAck(ack);
        return;
      }
      if (c.kind !== 'default') {
        p.routedPartition = c.partition;
        p.routeEpoch = c.epoch;
      }
      this.admit(p, this.partitions.get(p.topic) ?? 0);
    } catch (err) {
      this.complete(p, asTbError(err));
    }
  }

  /**
   * The tenant's route turned draining: from now on its records are held, oldest first: `oldest`
   * (a backlog record being admitted), then the rest of its released backlog.
   */
  private openGate(key: string, epoch: number, oldest?: Pending): PendingAck | undefined {
    const ack = this.gate.draining(key, epoch);
    if (oldest !== undefined) this.gate.hold(key, oldest);
    for (const p of this.backlogs.take(key)) this.gate.hold(key, p);
    return ack;
  }

  private async sendBatch(batch: Batch<Pending>): Promise<void> {
    let pending: readonly Pending[] = batch.records;
    for (let round = 1; ; round++) {
      const result = await this.sendOnce(batch.topic, pending);
      if (result === undefined) return;
      // Partitions kafkajs left without a result (see splitByAnswer) are sent again before any later
      // batch: maxInFlight 1 keeps the order, and the idempotent sequence was rolled back with the
      // failed request, so if that request did reach the broker the resend is deduplicated there.
      const { written, unanswered } = splitByAnswer(
        pending,
        result.map((r) => r.partition),
        this.options.acks,
      );
      this.completeWritten(batch.topic, written, result);
      if (unanswered.length === 0) return;
      const partitions = [...new Set(unanswered.map((p) => p.routedPartition!))];
      if (round >= MAX_UNANSWERED_ROUNDS) {
        // kafkajs rolled these partitions' sequence numbers back: start over with a new producer id.
        if (this.options.idempotent) this.producerStale = true;
        const err = new TenantBalancerError(
          ErrorCode.SendFailed,
          `Kafka returned no result for partition(s) ${partitions.join(', ')} of "${batch.topic}" ${round} times; ${unanswered.length} record(s) not acknowledged`,
        );
        this.releaseBatch(unanswered);
        for (const p of unanswered) this.complete(p, err);
        return;
      }
      const delayMs = backoffMs(round - 1);
      this.logger.warn(
        {
          code: 'KTB_SEND_UNANSWERED',
          topic: batch.topic,
          partitions,
          records: unanswered.length,
          round,
          delayMs,
        },
        'kafkajs returned no result for some partitions of a batch; sending those records again',
      );
      this.resentRecords += unanswered.length;
      pending = unanswered;
      // Spaced rounds (50, 100, 200, 400 ms) give the cluster time to settle a leader change; a
      // partition kafkajs's metadata lacks makes it refresh that metadata (decidedPartitioner).
      await sleep(delayMs);
    }
  }

  /** One kafkajs sendBatch; on failure every record fails (and undefined is returned). */
  private async sendOnce(topic: string, records: readonly Pending[]): Promise<KafkaMetadata[] | undefined> {
    // Every record has its partition decided at admit time (see tryAccept), so one object shape.
    const messages: Message[] = new Array<Message>(records.length);
    for (let i = 0; i < records.length; i++) {
      const p = records[i]!;
      messages[i] = {
        key: p.key,
        value: p.value as Buffer,
        headers: p.headers,
        partition: p.routedPartition!,
      };
    }
    try {
      if (this.producerStale) await this.renewDataProducer();
      return await this.producer.sendBatch({
        topicMessages: [{ topic, messages }],
        acks: this.options.acks,
        timeout: this.options.requestTimeoutMs,
        compression: compressionOf[this.options.compression],
      });
    } catch (e) {
      if (this.options.idempotent) this.producerStale = true;
      const err = new TenantBalancerError(
        ErrorCode.SendFailed,
        `sending ${records.length} record(s) to "${topic}" failed after retries: ${(e as Error).message}`,
        { cause: e },
      );
      this.releaseBatch(records);
      for (const p of records) this.complete(p, err);
      return undefined;
    }
  }

  /** Completes records Kafka acknowledged; offset = the partition's base offset + index within it. */
  private completeWritten(
    topic: string,
    records: readonly Pending[],
    result: readonly KafkaMetadata[],
  ): void {
    // Offsets stay below 2^53 in practice: plain numbers are exact and far cheaper than BigInt.
    const base = new Map(result.map((r) => [r.partition, Number(r.baseOffset ?? '-1')]));
    const seen = new Map<number, number>();
    this.releaseBatch(records);
    for (const p of records) {
      const partition = p.routedPartition ?? -1;
      const n = seen.get(partition) ?? 0;
      seen.set(partition, n + 1);
      const b = base.get(partition);
      const offset = b === undefined || b < 0 ? '-1' : String(b + n);
      this.complete(p, null, { topic, partition, offset, routeEpoch: p.routeEpoch });
    }
  }

  private complete(p: Pending, err: TenantBalancerError | null, md?: RecordMetadata): void {
    this.release(p);
    if (p.countedInGate && p.gateKey !== undefined) {
      p.countedInGate = false;
      const ack = this.gate.completed(p.gateKey);
      if (ack) void this.publishAck(ack);
    }
    if (err) this.counters.failed++;
    else this.counters.sent++;
    p.done(err, md);
  }

  /** One buffer release for a whole batch: waiters wake once, not once per record. */
  private releaseBatch(records: readonly Pending[]): void {
    let bytes = 0;
    for (const p of records) {
      if (!p.reserved) continue;
      p.reserved = false;
      bytes += p.bytes;
    }
    if (bytes > 0) this.pool.release(bytes);
  }

  private release(p: Pending): void {
    if (!p.reserved) return;
    p.reserved = false;
    this.pool.release(p.bytes);
  }

  private onRouteChange(c: AppliedChange): void {
    const e = c.entry;
    if (e.kind === 'pools') return;
    const key = routeKey(e.topic, e.tenant);
    if (e.kind === 'route' && e.state === 'draining') {
      const ack = this.openGate(key, e.epoch);
      if (!this.gateOpenedAt.has(key)) this.gateOpenedAt.set(key, Date.now());
      if (!c.replay)
        this.holdSpans.start(
          key,
          {
            [Attr.topic]: e.topic,
            [Attr.tenantId]: e.tenant,
            [Attr.routeEpoch]: e.epoch,
            [Attr.producerId]: this.options.producerId,
          },
          c.headers,
        );
      if (ack && c.replay) this.replayAcks.set(key, ack.epoch);
      else if (ack) void this.publishAck(ack);
      return;
    }
    const released = this.gate.settled(key, e.kind === 'tombstone' ? Number.MAX_SAFE_INTEGER : e.epoch);
    const openedAt = this.gateOpenedAt.get(key);
    if (openedAt !== undefined && !this.gate.isHeld(key)) {
      this.gateOpenedAt.delete(key);
      if (!c.replay) this.holdEpisodes.push(Date.now() - openedAt);
      if (this.holdEpisodes.length > 1000) this.holdEpisodes.shift();
      this.holdSpans.end(key, { [Attr.heldRecords]: released.length });
    }
    // Held records go first, in order, before anything the tenant sends from now on; they are
    // admitted a batch at a time as the pipeline empties (releaseBacklogs).
    this.backlogs.add(key, released);
    this.releaseBacklogs();
  }

  private async publishAck(ack: PendingAck): Promise<void> {
    // The controller counts an ack only once this producer's own traffic report shows it applied
    // the draining record (acks are untrusted): report now rather than at the next interval.
    await this.publishTraffic();
    const slash = ack.key.indexOf('/');
    const value: DrainAck = {
      v: WIRE_VERSION,
      kind: 'drain-ack',
      producerId: this.producerId,
      topic: ack.key.slice(0, slash),
      tenant: ack.key.slice(slash + 1),
      epoch: ack.epoch,
      at: Date.now(),
    };
    for (let attempt = 0; this.state !== 'closed'; attempt++) {
      try {
        await this.signalProducer.send({
          topic: this.options.acksTopic,
          acks: -1,
          messages: [{ key: ack.key, value: JSON.stringify(value) }],
        });
        this.logger.debug({ tenant: value.tenant, epoch: ack.epoch }, 'drain ack published');
        return;
      } catch (e) {
        this.logger.warn({ err: e, attempt }, 'publishing drain ack failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }

  private async publishTraffic(): Promise<void> {
    const report = this.traffic.cut(Date.now(), this.reader.appliedOffset);
    try {
      await this.signalProducer.send({
        topic: this.options.trafficTopic,
        acks: -1,
        messages: [{ key: this.producerId, value: JSON.stringify(report) }],
      });
    } catch (e) {
      this.logger.warn(
        { err: e },
        'traffic report not published (the controller treats this interval as missing)',
      );
    }
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private isIdle(): boolean {
    return (
      this.intake.length === 0 &&
      this.inFlight === 0 &&
      this.ready.length === 0 &&
      this.accumulator.size === 0 &&
      this.backlogs.isEmpty &&
      this.availability.size === 0
    );
  }

  /** Sends everything accepted now (not the held records of a draining tenant) and waits for it. */
  async flush(): Promise<void> {
    for (const b of this.accumulator.due(Date.now(), true)) this.dispatch(b);
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.accumulator.size > 0) await this.flush();
  }

  /**
   * Flushes what it accepted, gives draining tenants up to max.block.ms to settle, then reports
   * exactly which records could not be sent.
   */
  async disconnect(): Promise<DisconnectReport> {
    if (this.state === 'closed' || this.state === 'closing') return { sent: this.counters.sent, failed: [] };
    if (this.state === 'new') {
      this.state = 'closed';
      return { sent: 0, failed: [] };
    }
    this.state = 'closing';
    // Records still waiting for a partition get one fresh look at the metadata, then fail: closing
    // must not wait max.block.ms for a partition that may never come.
    this.availability.close();
    await this.flush();
    const deadline = Date.now() + this.options.maxBlockMs;
    while (this.gate.gatedKeys.some((k) => this.gate.heldCount(k) > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      await this.flush();
    }
    for (const key of this.gate.gatedKeys) {
      for (const p of this.gate.settled(key, Number.MAX_SAFE_INTEGER)) {
        const err = new TenantBalancerError(
          ErrorCode.ProducerClosed,
          `tenant "${p.tenant}" on "${p.topic}" was still draining at disconnect; record not sent`,
        );
        this.failedOnClose.push({ topic: p.topic, tenant: p.tenant, error: err });
        this.complete(p, err);
      }
    }
    clearInterval(this.trafficTimer);
    clearTimeout(this.lingerTimer);
    await this.publishTraffic();
    this.state = 'closed';
    this.changesSub?.unsubscribe();
    this.holdSpans.endAll();
    await this.reader.stop();
    await Promise.allSettled([
      this.producer.disconnect(),
      this.signalProducer.disconnect(),
      this.admin.disconnect(),
    ]);
    return { sent: this.counters.sent, failed: [...this.failedOnClose] };
  }
}
