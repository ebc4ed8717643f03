import { partitionForKey } from '../../../domain/murmur2.js';
import type { PartitionChoice, PartitionChooser } from '../../../domain/partition-choice.js';
import { Headers } from '../../../domain/record-headers.js';
import type { Completion } from './completion.js';
import type { PartitionAvailability } from './partition-availability.js';
import type { PartitionCounts } from './partition-counts.js';
import type { PendingRecord } from './pending-record.js';

/** What the route step asks of the producer side of the drain (DrainParticipant). */
export interface DrainHolding {
  isHolding(key: string): boolean;
  /** The tenant's route turned draining at `epoch`: hold its records from now on, `oldest` first. */
  startHolding(key: string, epoch: number, oldest?: PendingRecord): void;
  hold(key: string, p: PendingRecord): void;
  /** Queues a record behind the tenant's released backlog; false when it has none. */
  queueBehindBacklog(key: string, p: PendingRecord): boolean;
  /** A record of the tenant was accepted onto its current (pre-drain) route. */
  accepted(key: string): void;
}

export interface RouteStepDeps {
  readonly choose: PartitionChooser;
  readonly drain: DrainHolding;
  readonly counts: Pick<PartitionCounts, 'get'>;
  readonly availability: Pick<PartitionAvailability<PendingRecord>, 'admit'>;
  /** the record's partition exists: into its topic's batch */
  readonly toBatch: (p: PendingRecord) => void;
  readonly completion: Pick<Completion, 'fail' | 'counters'>;
}

/** Route epochs are small integers: their header text is made once, not per record. */
const EPOCH_TEXT = Array.from({ length: 4096 }, (_, i) => String(i));
const epochText = (epoch: number): string => EPOCH_TEXT[epoch] ?? String(epoch);

/**
 * The one place a PartitionChoice is applied. The partition is decided when a record is accepted,
 * not when its batch is sent: a record accepted before its route turns draining must still go to
 * the old partition (it is ahead of the fence), so the choice and its epoch are stamped on it now.
 */
export class RouteStep {
  private roundRobin = 0;

  constructor(private readonly deps: RouteStepDeps) {}

  /** A record at the head of the intake: held (its tenant drains), queued behind its backlog, or sent on. */
  route(p: PendingRecord, partitionCount: number): void {
    const c = this.choose(p);
    const key = p.gateKey;
    if (key !== undefined) {
      const { drain } = this.deps;
      if (c.kind === 'held' && !drain.isHolding(key)) drain.startHolding(key, c.route.epoch);
      if (drain.isHolding(key)) {
        drain.hold(key, p);
        return;
      }
      // Behind the tenant's released backlog, in order.
      if (drain.queueBehindBacklog(key, p)) return;
    }
    this.place(p, c, partitionCount);
  }

  /** A record a settled drain released: routed again, or held again if a new drain began. */
  reroute(key: string, p: PendingRecord): void {
    try {
      const c = this.choose(p);
      if (c.kind === 'held') {
        // A new drain the route events have not opened yet (defensive: they open it first). This
        // record is older than the rest of the backlog, so it is held before them.
        this.deps.drain.startHolding(key, c.route.epoch, p);
        return;
      }
      this.place(p, c, this.deps.counts.get(p.topic) ?? 0);
    } catch (err) {
      this.deps.completion.fail(p, err);
    }
  }

  private choose(p: PendingRecord): PartitionChoice {
    return this.deps.choose({
      topic: p.topic,
      tenant: p.tenant,
      secondaryKey: p.secondaryKey,
      partition: p.partition,
    });
  }

  /**
   * Stamps the choice on the record and accepts it: into its topic batch, or, when its partition is
   * not in the topic's metadata yet (or the tenant has records waiting for one), to wait for it.
   */
  private place(p: PendingRecord, c: PartitionChoice, count: number): void {
    if (c.kind === 'default' || c.kind === 'held') {
      // Same as kafkajs's default partitioner (murmur2 of the key, else round robin), decided here so
      // every record's partition is known and its offset can be reported.
      p.routedPartition = p.key === null ? this.roundRobin++ % count : partitionForKey(p.key, count);
    } else {
      // A partition beyond the known count waits in `availability` (bounded), not at the head of the
      // intake: one tenant's route to a missing partition must not stop every other tenant.
      p.routedPartition = c.partition;
      p.routeEpoch = c.epoch;
    }
    // Epoch 0 is the default route (hashing over the shared pool): no header, which saves kafkajs an
    // encoder per record for every unrouted tenant. Readers take a missing header as epoch 0.
    if (p.routeEpoch > 0) p.headers[Headers.routeEpoch] = epochText(p.routeEpoch);
    if (p.gateKey !== undefined) {
      this.deps.drain.accepted(p.gateKey);
      p.countedInGate = true;
    }
    this.deps.completion.counters.accepted++;
    if (this.deps.availability.admit(p, count)) this.deps.toBatch(p);
  }
}
