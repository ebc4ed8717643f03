import { parseRouteKey } from '../../../domain/route-record.js';
import type { PendingAck } from '../../../domain/drain-gate.js';
import { ErrorCode, TenantBalancerError } from '../../../domain/errors.js';
import type { RoutingTable } from '../../../domain/routing-table.js';
import { TrafficCounter } from '../../../domain/traffic-counter.js';
import { encodeTrafficReport } from '../../../domain/traffic-report-encode.js';
import { WIRE_VERSION, type DrainAck } from '../../../domain/wire-records.js';
import type { Logger } from '../../logger.js';
import type { SmartProducerOptions } from './options.js';
import { TrafficLocator, UNMANAGED } from './traffic-locator.js';
import type { SignalTransport } from './transport.js';

export interface SignalPublisherDeps {
  readonly options: Pick<
    SmartProducerOptions,
    | 'producerId'
    | 'acksTopic'
    | 'trafficTopic'
    | 'trafficIntervalMs'
    | 'heavyHitterFraction'
    | 'maxReportBytes'
  >;
  /** the routing table this producer routes with: who holds a route, each topic's shared pool */
  readonly table: RoutingTable;
  readonly transport: SignalTransport;
  /** the routing-topic offset this producer has applied (reports carry it: the controller trusts offsets, not clocks) */
  readonly appliedOffset: () => number | undefined;
  readonly isClosed: () => boolean;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface SignalStats {
  /** traffic reports (intervals) that could not be published: too large, or the send failed */
  readonly trafficReportsUnpublished: number;
  /** records the last published traffic report took (1 unless it was split under maxReportBytes) */
  readonly trafficReportParts: number;
}

/** What the controller hears from this producer: traffic reports (the heartbeat) and drain acks. */
export class SignalPublisher {
  private readonly traffic: TrafficCounter;
  private readonly locator: TrafficLocator;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private unpublished = 0;
  private lastParts = 0;

  constructor(private readonly deps: SignalPublisherDeps) {
    this.now = deps.now ?? Date.now;
    this.traffic = new TrafficCounter(deps.options.producerId, this.now(), deps.options.heavyHitterFraction);
    this.locator = new TrafficLocator(deps.table);
  }

  countTraffic(topic: string, tenant: string, bytes: number): void {
    const where = this.locator.locate(topic, tenant);
    if (where !== UNMANAGED) this.traffic.count(topic, tenant, bytes, where);
  }

  stats(): SignalStats {
    return { trafficReportsUnpublished: this.unpublished, trafficReportParts: this.lastParts };
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

  /**
   * Publishes this interval's report, split under maxReportBytes: one record per send, since a
   * send's records for one partition travel as one batch and the broker's max.message.bytes caps
   * the batch. A report that cannot go out is counted and logged at error, never dropped silently.
   */
  async publishTraffic(): Promise<void> {
    const { options, transport, logger } = this.deps;
    const report = this.traffic.cut(this.now(), this.deps.appliedOffset());
    let parts: Buffer[];
    try {
      parts = encodeTrafficReport(report, options.maxReportBytes);
    } catch (e) {
      this.unpublished++;
      const code = e instanceof TenantBalancerError ? e.code : ErrorCode.TrafficReportTooLarge;
      logger.error({ code, seq: report.seq }, (e as Error).message);
      return;
    }
    try {
      for (const value of parts) await transport.publish(options.trafficTopic, options.producerId, value);
      this.lastParts = parts.length;
    } catch (e) {
      this.unpublished++;
      logger.error(
        { code: ErrorCode.TrafficReportUnpublished, err: e, seq: report.seq, parts: parts.length },
        'traffic report not published: the controller misses this interval (and counts it)',
      );
    }
  }
}
