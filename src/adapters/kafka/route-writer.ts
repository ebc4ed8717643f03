import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import {
  encodeRoutingRecord,
  routeKey,
  type PoolLayout,
  type TenantRoute,
} from '../../domain/route-record.js';

/**
 * Writes route and pool records to the compacted routing topic (acks=all). Writes are awaited one
 * at a time, so a retried write can only duplicate the same record, never reorder two.
 */
export class RouteWriter {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly routingTopic: string,
  ) {
    this.producer = kafka.producer({
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /** Writes one record; resolves with its offset in the routing topic. */
  async write(entry: TenantRoute | PoolLayout): Promise<number> {
    const { key, value } = encodeRoutingRecord(entry);
    const [md] = await this.producer.send({ topic: this.routingTopic, acks: -1, messages: [{ key, value }] });
    return Number(md?.baseOffset ?? -1);
  }

  /** Back to default hashing: a tombstone (compaction removes the key). */
  async remove(topic: string, tenant: string): Promise<void> {
    await this.producer.send({
      topic: this.routingTopic,
      acks: -1,
      messages: [{ key: routeKey(topic, tenant), value: null }],
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
