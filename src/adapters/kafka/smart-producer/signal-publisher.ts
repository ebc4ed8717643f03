import { parseRouteKey } from '../../../domain/route-record.js';
import type { PendingAck } from '../../../domain/drain-gate.js';
import { TrafficCounter } from '../../../domain/traffic-counter.js';
import { WIRE_VERSION, type DrainAck } from '../../../domain/wire-records.js';
import type { Logger } from '../../logger.js';
import type { SmartProducerOptions } from './options.js';
import type { SignalTransport } from './transport.js';

export interface SignalPublisherDeps {
  readonly options: Pick<
    SmartProducerOptions,
    'producerId' | 'acksTopic' | 'trafficTopic' | 'trafficIntervalMs'
  >;
  readonly transport: SignalTransport;
  /** the routing-topic offset this producer has applied (reports carry it: the controller trusts offsets, not clocks) */
  readonly appliedOffset: () => number | undefined;
  readonly isClosed: () => boolean;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** What the controller hears from this producer: per-tenant traffic reports (the heartbeat) and drain acks. */
export class SignalPublisher {
  private readonly traffic: TrafficCounter;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: SignalPublisherDeps) {
    this.now = deps.now ?? Date.now;
    this.traffic = new TrafficCounter(deps.options.producerId, this.now());
  }

  countTraffic(topic: string, tenant: string, bytes: number): void {
    this.traffic.count(topic, tenant, bytes);
  }

  start(): void {
    this.timer = setInterval(() => void this.publishTraffic(), this.deps.options.trafficIntervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Publishes an ack, retrying with back-off until it is written or the producer closed. */
  async publishAck(ack: PendingAck): Promise<void> {
    const { options, transport, logger } = this.deps;
    // The controller counts an ack only once this producer's own traffic report shows it applied
    // the draining record (acks are untrusted): report now rather than at the next interval.
    await this.publishTraffic();
    // The key is a routeKey this producer built from a route record it applied: always parseable.
    const route = parseRouteKey(ack.key);
    if (route === undefined) return;
    const value: DrainAck = {
      v: WIRE_VERSION,
      kind: 'drain-ack',
      producerId: options.producerId,
      topic: route.topic,
      tenant: route.tenant,
      epoch: ack.epoch,
      at: this.now(),
    };
    for (let attempt = 0; !this.deps.isClosed(); attempt++) {
      try {
        await transport.publish(options.acksTopic, ack.key, JSON.stringify(value));
        logger.debug({ tenant: value.tenant, epoch: ack.epoch }, 'drain ack published');
        return;
      } catch (e) {
        logger.warn({ err: e, attempt }, 'publishing drain ack failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  }

  async publishTraffic(): Promise<void> {
    const report = this.traffic.cut(this.now(), this.deps.appliedOffset());
    try {
      await this.deps.transport.publish(
        this.deps.options.trafficTopic,
        this.deps.options.producerId,
        JSON.stringify(report),
      );
    } catch (e) {
      this.deps.logger.warn(
        { err: e },
        'traffic report not published (the controller treats this interval as missing)',
      );
    }
  }
}
