/**
 * The producer-lease rule of the draining protocol (docs/design.md, "The draining protocol"): when may
 * a drain stop waiting for a producer's ack? Pure: times and offsets come in, a verdict goes out.
 */

/** What the controller knows of a producer from its own traffic reports. */
export interface ProducerView {
  /** when its last report arrived */
  readonly reportAt: number;
  /** the routing-topic offset its view had reached, as it reported it */
  readonly routesApplied: number | undefined;
}

/** Its own reports show it applied the routing record at `offset` (acks alone are untrusted). */
export const sawRecord = (view: ProducerView | undefined, offset: number): boolean =>
  view?.routesApplied !== undefined && view.routesApplied > offset;

/**
 * A producer that has not acked is skipped only once its lease is over: it stopped reporting for a
 * whole lease (dead or cut off), or its own reports show a routing view that has not caught up since
 * the announcement and is now older than the lease (it holds itself). A producer that saw the drain
 * but still waits for Kafka to answer its in-flight records is waited for: skipping it would let
 * those records land behind the fence.
 */
export function leaseOver(
  view: ProducerView | undefined,
  announcedAt: number,
  announceOffset: number,
  now: number,
  leaseMs: number,
): boolean {
  if (now - announcedAt < leaseMs) return false;
  if (view === undefined || now - view.reportAt >= leaseMs) return true;
  return !sawRecord(view, announceOffset);
}

/**
 * The earliest time `leaseOver` could turn true for this producer without a new signal arriving
 * (a new report or ack is a signal and is checked when it comes).
 */
export function leaseDeadline(view: ProducerView | undefined, announcedAt: number, leaseMs: number): number {
  const afterAnnounce = announcedAt + leaseMs;
  return view === undefined ? afterAnnounce : Math.max(afterAnnounce, view.reportAt + leaseMs);
}
