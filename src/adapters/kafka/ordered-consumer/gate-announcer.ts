import type { Kafka, Producer } from 'kafkajs';
import { gateKey, type GateAnnouncement } from '../../../domain/gate-records.js';
import { WIRE_VERSION } from '../../../domain/wire-records.js';
import type { Logger } from '../../logger.js';

/**
 * Tells the controller that this member consumes through the ordered consumer (docs/protocol.md,
 * "Gate announcements"): on every group join (a new member id) and every `everyMs`.
 */
export class GateAnnouncer {
  private producer: Producer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private memberId: string | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: {
      readonly acksTopic: string;
      readonly groupId: string;
      readonly topics: readonly string[];
      readonly everyMs: number;
      readonly routesApplied: () => number | undefined;
      readonly logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.timer = setInterval(() => void this.announce(), this.opts.everyMs);
  }

  joined(memberId: string): Promise<void> {
    this.memberId = memberId;
    return this.announce();
  }

  get member(): string | undefined {
    return this.memberId;
  }

  async announce(): Promise<void> {
    const { producer, memberId } = this;
    if (producer === undefined || memberId === undefined) return;
    const applied = this.opts.routesApplied();
    const value: GateAnnouncement = {
      v: WIRE_VERSION,
      kind: 'gate',
      group: this.opts.groupId,
      memberId,
      topics: [...this.opts.topics],
      ...(applied !== undefined ? { routesApplied: applied } : {}),
      at: Date.now(),
    };
    try {
      await producer.send({
        topic: this.opts.acksTopic,
        messages: [{ key: gateKey(this.opts.groupId, memberId), value: JSON.stringify(value) }],
      });
    } catch (e) {
      this.opts.logger.warn(
        { err: (e as Error).message, group: this.opts.groupId },
        'gate announcement failed; retrying at the next interval (until then moves may stop-and-wait for this group)',
      );
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }
}
