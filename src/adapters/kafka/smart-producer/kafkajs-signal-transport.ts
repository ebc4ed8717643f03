import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { SignalTransport } from './transport.js';

/**
 * Acks and traffic reports over their own connection-level kafkajs producer: they must never queue
 * behind a data batch that is stuck retrying (a broker failover), or a live producer would look
 * dead to the controller.
 */
export class KafkajsSignalTransport implements SignalTransport {
  private readonly producer: Producer;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async publish(topic: string, key: string, value: string | Buffer): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages: [{ key, value }] });
  }
}
