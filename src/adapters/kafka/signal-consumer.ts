import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { Observable, Subject } from 'rxjs';
import { AckMemory } from '../../domain/ack-memory.js';
import {
  decodeDrainAck,
  decodeTrafficReport,
  type DrainAck,
  type ReceivedReport,
} from '../../domain/wire-records.js';
import { decodeGateAnnouncement, signalKind, type GateAnnouncement } from '../../domain/gate-records.js';
import type { Logger } from '../logger.js';
import type { ErrorCode } from '../../domain/errors.js';

export type { ReceivedReport };

/**
 * Follows the traffic and acks topics (acks from the beginning, so a restarted controller still
 * sees acks sent before it stopped, and replayed to each new subscriber, so does a Controller that
 * leads again in the same process; traffic from the end). Malformed records are skipped, counted
 * and logged with a code.
 */
export class SignalConsumer {
  private readonly reportsSubject = new Subject<ReceivedReport>();
  private readonly acksSubject = new Subject<DrainAck>();
  readonly reports$: Observable<ReceivedReport> = this.reportsSubject.asObservable();
  private readonly ackMemory = new AckMemory();
  /**
   * Every subscriber first gets the acks read so far (the most recent 100,000), then the
   * live ones: a Controller built when this process wins the election back must see the acks its
   * predecessor in the process already read (src/domain/ack-memory.ts).
   */
  readonly acks$: Observable<DrainAck> = new Observable<DrainAck>((subscriber) => {
    for (const a of this.ackMemory.all()) subscriber.next(a);
    return this.acksSubject.subscribe(subscriber);
  });
  private readonly gatesSubject = new Subject<GateAnnouncement>();
  /** ordered consumers' announcements (the acks topic carries them beside the drain acks) */
  readonly gates$: Observable<GateAnnouncement> = this.gatesSubject.asObservable();
  malformed = 0;
  private consumers: Consumer[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: { trafficTopic: string; acksTopic: string },
    private readonly logger: Logger,
    private readonly groupPrefix = 'ktb-signals',
  ) {}

  async start(): Promise<void> {
    const follow = async (topic: string, fromBeginning: boolean, onValue: (v: Buffer | null) => void) => {
      const c = this.kafka.consumer({
        groupId: `${this.groupPrefix}-${randomUUID()}`,
        maxWaitTimeInMs: 100,
        allowAutoTopicCreation: false,
      });
      this.consumers.push(c);
      await c.connect();
      await c.subscribe({ topic, fromBeginning });
      await c.run({ autoCommit: false, eachMessage: async ({ message }) => onValue(message.value) });
    };
    await Promise.all([
      follow(this.topics.trafficTopic, false, (v) => {
        const r = decodeTrafficReport(v);
        if (r.ok) this.reportsSubject.next({ report: r.value, at: Date.now() });
        else this.skip(r.error.code, r.error.message, this.topics.trafficTopic);
      }),
      follow(this.topics.acksTopic, true, (v) => {
        if (signalKind(v) === 'gate') {
          const g = decodeGateAnnouncement(v);
          if (g.ok) this.gatesSubject.next(g.value);
          else this.skip(g.error.code, g.error.message, this.topics.acksTopic);
          return;
        }
        const r = decodeDrainAck(v);
        if (!r.ok) return this.skip(r.error.code, r.error.message, this.topics.acksTopic);
        this.ackMemory.remember(r.value);
        this.acksSubject.next(r.value);
      }),
    ]);
  }

  private skip(code: ErrorCode, message: string, topic: string): void {
    this.malformed++;
    this.logger.warn({ code, topic }, message);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    this.consumers = [];
    this.reportsSubject.complete();
    this.acksSubject.complete();
    this.gatesSubject.complete();
  }
}
