import { channel } from 'node:diagnostics_channel';

/** The producer started holding a draining tenant's records (a live draining route record, not replay). */
export interface HoldStarted {
  readonly producerId: string;
  readonly topic: string;
  readonly tenant: string;
  readonly epoch: number;
  /** the routing record's string headers: the trace context of the controller's write */
  readonly traceContext: Readonly<Record<string, string>>;
}

/** The tenant's route settled: its held records are released. */
export interface HoldEnded {
  readonly producerId: string;
  readonly topic: string;
  readonly tenant: string;
  readonly heldRecords: number;
}

export interface ProducerClosed {
  readonly producerId: string;
}

/**
 * Telemetry side channel of the SmartProducer (CONTRIBUTING.md, "Telemetry is a side channel"): the
 * producer calls these and never imports a telemetry SDK. `holdStarted` may repeat for a hold that
 * is already open (one per draining record seen); the first one counts.
 */
export interface ProducerHooks {
  holdStarted?(event: HoldStarted): void;
  holdEnded?(event: HoldEnded): void;
  closed?(event: ProducerClosed): void;
}

/**
 * The same events on node:diagnostics_channel, so a subscriber (the OTel adapter's
 * subscribeHoldSpans) sees every producer of the process without being wired to each one.
 */
export const ProducerChannel = {
  holdStarted: 'kafka-tenant-balancer:producer:hold-started',
  holdEnded: 'kafka-tenant-balancer:producer:hold-ended',
  closed: 'kafka-tenant-balancer:producer:closed',
} as const;

const channels = {
  holdStarted: channel(ProducerChannel.holdStarted),
  holdEnded: channel(ProducerChannel.holdEnded),
  closed: channel(ProducerChannel.closed),
};

const diagnosticsHooks: Required<ProducerHooks> = {
  holdStarted: (e) => channels.holdStarted.hasSubscribers && channels.holdStarted.publish(e),
  holdEnded: (e) => channels.holdEnded.hasSubscribers && channels.holdEnded.publish(e),
  closed: (e) => channels.closed.hasSubscribers && channels.closed.publish(e),
};

const guarded =
  <E>(fns: ((e: E) => void)[]) =>
  (e: E): void => {
    for (const fn of fns) {
      try {
        fn(e);
      } catch {
        // a failing hook never breaks the host
      }
    }
  };

/** The diagnostics channels plus the application's own hooks, each call guarded. */
export function producerHooks(own: ProducerHooks | undefined): Required<ProducerHooks> {
  const all = [diagnosticsHooks, ...(own === undefined ? [] : [own])];
  return {
    holdStarted: guarded(all.flatMap((h) => (h.holdStarted ? [h.holdStarted.bind(h)] : []))),
    holdEnded: guarded(all.flatMap((h) => (h.holdEnded ? [h.holdEnded.bind(h)] : []))),
    closed: guarded(all.flatMap((h) => (h.closed ? [h.closed.bind(h)] : []))),
  };
}
