import type { DrainAck } from './wire-records.js';

/**
 * The drain acks a controller process has read, one per (topic, tenant, producer, epoch), so a
 * Controller that starts leading later in the same process sees acks read before it existed. The
 * acks topic is followed once per process: a leader that lost its election group and won it back
 * (its group coordinator's broker died) builds a new Controller, and a producer acks a drain only
 * once, so without this the resumed drain waited for an ack it would never get, until the drain
 * timed out. Keyed by epoch too, so an ack forged for another epoch never replaces a producer's real
 * one. Bounded: past `max` entries the least recently read is forgotten, so a writer who floods the
 * acks topic with that many forged acks can push a real one out; a Controller built after that
 * waits for it until the drain times out (ACLs on the acks topic keep such writers out).
 */
export class AckMemory {
  private readonly acks = new Map<string, DrainAck>();

  constructor(private readonly max = 100_000) {}

  remember(a: DrainAck): void {
    const key = `${a.topic}\u0000${a.tenant}\u0000${a.producerId}\u0000${a.epoch}`;
    this.acks.delete(key);
    this.acks.set(key, a);
    if (this.acks.size > this.max) this.acks.delete(this.acks.keys().next().value as string);
  }

  /** every remembered ack, least recently read first */
  all(): DrainAck[] {
    return [...this.acks.values()];
  }

  get size(): number {
    return this.acks.size;
  }
}
