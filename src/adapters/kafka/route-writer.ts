import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import {
  encodeRoutingRecord,
  routeKey,
  type PoolLayout,
  type TenantRoute,
} from '../../domain/route-record.js';

/** The transactional id of the controllers of one routing topic: a new one fences the old one. */
export const controllerTransactionalId = (routingTopic: string): string => `ktb-controller.${routingTopic}`;

/** kafkajs's names for "a newer producer with this transactional id took over". */
const FENCED = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
const isFencing = (e: unknown, depth = 0): boolean => {
  if (typeof e !== 'object' || e === null || depth > 4) return false;
  const x = e as { type?: unknown; message?: unknown; cause?: unknown; originalError?: unknown };
  if (typeof x.type === 'string' && FENCED.has(x.type)) return true;
  if (typeof x.message === 'string' && /fenced|INVALID_PRODUCER_EPOCH/i.test(x.message)) return true;
  return isFencing(x.cause, depth + 1) || isFencing(x.originalError, depth + 1);
};

/**
 * Writes route and pool records to the compacted routing topic (acks=all, idempotent), each in its
 * own Kafka transaction when given a transactional id (the controller always is; `topics create`,
 * which writes only pool layouts, writes plain). Readers read committed records only and ignore route records written
 * outside a transaction, and the broker fences every producer of a transactional id once a newer
 * one registers it: a controller that was paused or partitioned while another took over gets
 * `KTB_CONTROLLER_FENCED` on its next write instead of overwriting its successor's routes. Writes
 * are serialized (one transaction at a time), so a retried write can only duplicate the same
 * record, never reorder two.
 */
export class RouteWriter {
  private readonly producer: Producer;
  private connected = false;
  private chain: Promise<unknown> = Promise.resolve();
  fenced = false;

  constructor(
    kafka: Kafka,
    private readonly routingTopic: string,
    /**
     * The controller's (see controllerTransactionalId), or a unique one for another route writer.
     * Without one, plain idempotent writes: enough for pool layouts (`topics create`), which
     * readers check by the route rules instead, and no transaction coordinator is needed.
     */
    readonly transactionalId?: string,
  ) {
    this.producer = kafka.producer({
      maxInFlightRequests: 1,
      idempotent: true,
      // Right after a commit the coordinator is still writing its markers, and the next transaction
      // is refused with CONCURRENT_TRANSACTIONS for a few ms; kafkajs's default first retry waits
      // 300 ms. Measured here: transactional writes p50 264 ms, p90 354 ms with the default;
      // see docs/benchmarks.md for the figure with these settings.
      retry: { initialRetryTime: 10, maxRetryTime: 1000, retries: 30 },
      ...(transactionalId !== undefined
        ? {
            transactionalId,
            // A controller killed mid-write leaves its transaction open, and read_committed readers
            // stop at it until a successor registers the id or this timeout aborts it: keep it short.
            transactionTimeout: 10_000,
          }
        : {}),
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /**
   * Connects and registers the transactional id at once (kafkajs would do it lazily, on the first
   * transaction): from here on, an earlier controller's writes are fenced.
   */
  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
    if (this.transactionalId === undefined) return;
    const tx = await this.producer.transaction();
    await tx.abort();
  }

  /** Writes one record; resolves with its offset in the routing topic. */
  write(entry: TenantRoute | PoolLayout): Promise<number> {
    const { key, value } = encodeRoutingRecord(entry);
    return this.enqueue(key, value);
  }

  /** Back to default hashing: a tombstone (compaction removes the key). Refused mid-move by readers. */
  remove(topic: string, tenant: string): Promise<number> {
    return this.enqueue(routeKey(topic, tenant), null);
  }

  private enqueue(key: string, value: string | null): Promise<number> {
    const run = this.chain.then(() => this.transact(key, value));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async transact(key: string, value: string | null): Promise<number> {
    if (this.fenced) throw this.fencedError();
    if (this.transactionalId === undefined) {
      const [md] = await this.producer.send({
        topic: this.routingTopic,
        acks: -1,
        messages: [{ key, value }],
      });
      return Number(md?.baseOffset ?? -1);
    }
    const tx = await this.producer.transaction();
    try {
      const [md] = await tx.send({ topic: this.routingTopic, acks: -1, messages: [{ key, value }] });
      await tx.commit();
      return Number(md?.baseOffset ?? -1);
    } catch (e) {
      if (isFencing(e)) {
        this.fenced = true;
        throw this.fencedError(e);
      }
      await tx.abort().catch(() => undefined);
      throw e;
    }
  }

  private fencedError(cause?: unknown): TenantBalancerError {
    return new TenantBalancerError(
      ErrorCode.ControllerFenced,
      `another controller took over routing topic "${this.routingTopic}" (transactional id "${this.transactionalId}"); this one must stop writing routes`,
      { cause },
    );
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
