import { DrainGate, type PendingAck } from '../../../domain/drain-gate.js';
import { ReleaseQueue } from '../../../domain/release-queue.js';
import { routeKey } from '../../../domain/route-record.js';
import type { AppliedChange } from '../routing-reader.js';
import type { PendingRecord } from './pending-record.js';
import type { ProducerHooks } from './producer-hooks.js';
import type { DrainHolding } from './route-step.js';

/** What releasing a backlog needs to know of the batch pipeline (BatchSender). */
export interface ReleasePipeline {
  /** a full batch waits for an in-flight slot */
  readonly hasWaitingBatch: boolean;
  /** fewer batches in flight than max.in.flight */
  readonly hasRoom: boolean;
  readonly inFlightBatches: number;
  /** sends the open (not yet full) batches now, not after linger.ms */
  sendOpenBatches(): void;
}

export interface DrainParticipantDeps {
  readonly producerId: string;
  readonly releaseChunkBytes: number;
  readonly pipeline: ReleasePipeline;
  /** a released record goes through the route step again (RouteStep.reroute) */
  readonly readmit: (key: string, p: PendingRecord) => void;
  readonly publishAck: (ack: PendingAck) => void;
  readonly hooks: Required<ProducerHooks>;
  /** records left the backlogs (the producer may be idle now) */
  readonly onProgress: () => void;
  readonly now?: () => number;
}

const MAX_HOLD_EPISODES = 1000;

/**
 * The producer side of the draining protocol (docs/architecture.md, "The draining protocol as
 * built"): when a tenant's route turns draining, its new records are held in order and the drain
 * is acked once the records accepted before it are all acknowledged (DrainGate); when the route
 * settles, the held records are released in order, a chunk per send cycle (ReleaseQueue).
 */
export class DrainParticipant implements DrainHolding {
  private readonly gate = new DrainGate<PendingRecord>();
  /**
   * Records a settled drain released, admitted releaseChunkBytes per send cycle while no batch waits
   * to be sent, so a drained backlog of thousands of records goes out interleaved with other
   * tenants' records instead of all at once ahead of them (that burst was the small tenants' p99 in
   * the noisy-neighbour benchmark).
   */
  private readonly backlogs = new ReleaseQueue<PendingRecord>((p) => p.bytes);
  private releasingNow = false;
  /** drains seen while replaying the routing topic: acked once the view caught up (connect) */
  private readonly replayAcks = new Map<string, number>();
  /** when each gated tenant started holding, and how long past holds lasted (ms, newest last) */
  private readonly gateOpenedAt = new Map<string, number>();
  private readonly holdEpisodes: number[] = [];
  private readonly now: () => number;

  constructor(private readonly deps: DrainParticipantDeps) {
    this.now = deps.now ?? Date.now;
  }

  get held(): number {
    let n = 0;
    for (const k of this.gate.gatedKeys) n += this.gate.heldCount(k);
    return n;
  }

  get releasing(): number {
    return this.backlogs.size;
  }

  get hasBacklog(): boolean {
    return !this.backlogs.isEmpty;
  }

  get holdEpisodesMs(): number[] {
    return [...this.holdEpisodes];
  }

  isHolding(key: string): boolean {
    return this.gate.isHeld(key);
  }

  hold(key: string, p: PendingRecord): void {
    this.gate.hold(key, p);
  }

  queueBehindBacklog(key: string, p: PendingRecord): boolean {
    return this.backlogs.append(key, p);
  }

  accepted(key: string): void {
    this.gate.accepted(key);
  }

  startHolding(key: string, epoch: number, oldest?: PendingRecord): void {
    const ack = this.openGate(key, epoch, oldest);
    if (ack) this.deps.publishAck(ack);
  }

  /** A pre-drain record of the tenant completed (acknowledged or failed): its ack may be due. */
  completed(key: string): void {
    const ack = this.gate.completed(key);
    if (ack) this.deps.publishAck(ack);
  }

  /** After the view caught up: acks for drains seen in replay that this producer still holds. */
  publishReplayedAcks(): void {
    for (const [key, epoch] of this.replayAcks)
      if (this.gate.isHeld(key)) this.deps.publishAck({ key, epoch });
    this.replayAcks.clear();
  }

  onRouteChange(c: AppliedChange): void {
    const e = c.entry;
    if (e.kind === 'pools') return;
    const key = routeKey(e.topic, e.tenant);
    const { hooks, producerId } = this.deps;
    if (e.kind === 'route' && e.state === 'draining') {
      const ack = this.openGate(key, e.epoch);
      if (!this.gateOpenedAt.has(key)) this.gateOpenedAt.set(key, this.now());
      if (!c.replay)
        hooks.holdStarted({
          producerId,
          topic: e.topic,
          tenant: e.tenant,
          epoch: e.epoch,
          traceContext: c.headers,
        });
      if (ack && c.replay) this.replayAcks.set(key, ack.epoch);
      else if (ack) this.deps.publishAck(ack);
      return;
    }
    const released = this.gate.settled(key, e.kind === 'tombstone' ? Number.MAX_SAFE_INTEGER : e.epoch);
    const openedAt = this.gateOpenedAt.get(key);
    if (openedAt !== undefined && !this.gate.isHeld(key)) {
      this.gateOpenedAt.delete(key);
      if (!c.replay) this.holdEpisodes.push(this.now() - openedAt);
      if (this.holdEpisodes.length > MAX_HOLD_EPISODES) this.holdEpisodes.shift();
      hooks.holdEnded({ producerId, topic: e.topic, tenant: e.tenant, heldRecords: released.length });
    }
    // Held records go first, in order, before anything the tenant sends from now on; they are
    // admitted a chunk at a time as the pipeline empties (release).
    this.backlogs.add(key, released);
    this.release();
  }

  /**
   * Admits released records while no batch waits to be sent, up to releaseChunkBytes per call, one
   * tenant's backlog after another (round robin). Called when a drain settles and whenever a batch
   * completes, so a backlog goes out a chunk per send cycle, with other tenants' records in between.
   */
  release(): void {
    if (this.releasingNow || this.backlogs.isEmpty) return;
    const { pipeline } = this.deps;
    this.releasingNow = true;
    try {
      const spent = this.backlogs.release(
        this.deps.releaseChunkBytes,
        () => !pipeline.hasWaitingBatch,
        (key, p) => this.deps.readmit(key, p),
      );
      // A chunk that did not fill a batch goes now when the pipeline has room, not after linger.ms.
      if (spent > 0 && pipeline.hasRoom) pipeline.sendOpenBatches();
    } finally {
      this.releasingNow = false;
    }
    // Nothing went out (the chunk failed, or a new drain held it again) and no batch in flight will
    // call back here: go on at the next turn of the event loop instead of stalling the others.
    if (!this.backlogs.isEmpty && pipeline.inFlightBatches === 0 && !pipeline.hasWaitingBatch)
      setImmediate(() => this.release());
    this.deps.onProgress();
  }

  /** Tenants with held records (disconnect waits for their drains to settle). */
  get hasHeld(): boolean {
    return this.gate.gatedKeys.some((k) => this.gate.heldCount(k) > 0);
  }

  /** Disconnect gave up waiting: every held record, removed from the gates, oldest first per tenant. */
  takeAllHeld(): PendingRecord[] {
    return this.gate.gatedKeys.flatMap((key) => this.gate.settled(key, Number.MAX_SAFE_INTEGER));
  }

  /**
   * The tenant's route turned draining: from now on its records are held, oldest first: `oldest`
   * (a backlog record being admitted), then the rest of its released backlog.
   */
  private openGate(key: string, epoch: number, oldest?: PendingRecord): PendingAck | undefined {
    const ack = this.gate.draining(key, epoch);
    if (oldest !== undefined) this.gate.hold(key, oldest);
    for (const p of this.backlogs.take(key)) this.gate.hold(key, p);
    return ack;
  }
}
