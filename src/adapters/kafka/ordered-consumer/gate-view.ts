import type { Admin } from 'kafkajs';
import { gateVerdict, type GateVerdict } from '../../../domain/fence-gate.js';
import type { RoutingTable } from '../../../domain/routing-table.js';

/** Where the routing view stands: caught up with the routing topic's end as checked at or after t. */
export interface RoutingProgress {
  caughtUpSince(t: number): boolean;
}

/** (topic, tenant, epoch) keys remembered for orphan epochs; the oldest go first past this */
const MAX_BEHIND_KEYS = 10_000;

/**
 * What the gate needs to judge a record: the tenant's route (from the routing topic) and the group's
 * committed offsets, as the broker has them merged with this member's own commits (which the broker
 * has acknowledged, so they count at once).
 */
export class GateView {
  private readonly brokerCommitted = new Map<string, Map<number, number>>();
  private readonly ownCommitted = new Map<string, Map<number, number>>();
  /** per topic, per partition: the log-start offset (a group without a commit starts at or after it) */
  private readonly logStart = new Map<string, Map<number, number>>();

  /** per (topic, tenant, epoch) whose route the view lacks: since when, and whether it is an orphan */
  private readonly behind = new Map<string, { since: number; orphan: boolean }>();
  /** (topic, tenant, epoch) found orphan: records with that epoch header pass ungated from then on */
  orphanEpochs = 0;

  constructor(
    private readonly table: RoutingTable,
    private readonly admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>,
    private readonly groupId: string,
    private readonly orphans: {
      readonly routing: RoutingProgress;
      readonly now: () => number;
      /** once per (topic, tenant, epoch) found to be an orphan */
      readonly found: (topic: string, tenant: string, epoch: number) => void;
    } = { routing: { caughtUpSince: () => false }, now: Date.now, found: () => undefined },
  ) {}

  /**
   * The group's committed offset on a partition, or where it will start without one: nothing below
   * the log start can be read any more, so a group with no commit has passed a fence at or below it
   * (a fence of 0: the tenant left a partition that was empty).
   */
  committed(topic: string, partition: number): number | undefined {
    const b = this.brokerCommitted.get(topic)?.get(partition);
    const o = this.ownCommitted.get(topic)?.get(partition);
    const c = b === undefined ? o : o === undefined ? b : Math.max(b, o);
    return c ?? this.logStart.get(topic)?.get(partition);
  }

  verdict(
    topic: string,
    partition: number,
    tenant: string | undefined,
    epoch: number | undefined,
  ): GateVerdict {
    if (tenant === undefined) return { kind: 'pass' };
    const route = this.table.route(topic, tenant);
    const v = gateVerdict(route, epoch, partition, (p) => this.committed(topic, p));
    // A move still draining at the record's epoch settles in time: that wait is real.
    if (v.kind === 'pass' || v.reason !== 'route-behind' || epoch === undefined) return v;
    if (route !== undefined && route.epoch >= epoch) return v;
    return this.isOrphan(topic, tenant, epoch) ? { kind: 'pass' } : v;
  }

  /**
   * A SmartProducer writes epoch E only after the route of epoch E is on the routing topic. So once
   * this view has caught up with the routing topic's end as checked after the record was first
   * judged, and still has no route of that epoch, none exists: the header was forged or copied, or
   * the route was deleted (a tombstone, with its fences). Holding such a record would stall its
   * partition for good; it is processed, and the epoch counted and logged once, instead (docs/protocol.md, "The consumer gate").
   */
  private isOrphan(topic: string, tenant: string, epoch: number): boolean {
    const key = `${topic}\u0000${tenant}\u0000${epoch}`;
    let b = this.behind.get(key);
    if (b === undefined) {
      if (this.behind.size >= MAX_BEHIND_KEYS) this.behind.delete(this.behind.keys().next().value!);
      this.behind.set(key, (b = { since: this.orphans.now(), orphan: false }));
    }
    if (!b.orphan && this.orphans.routing.caughtUpSince(b.since)) {
      b.orphan = true;
      this.orphanEpochs++;
      this.orphans.found(topic, tenant, epoch);
    }
    return b.orphan;
  }

  /** the partition is the tenant's own (a settled dedicated or sharded route): nothing else flows there */
  isDedicated(topic: string, partition: number, tenant: string | undefined): boolean {
    return tenant !== undefined && this.table.ownerOf(topic, partition) === tenant;
  }

  noteOwnCommit(topic: string, partition: number, offset: number): void {
    let m = this.ownCommitted.get(topic);
    if (m === undefined) this.ownCommitted.set(topic, (m = new Map()));
    m.set(partition, Math.max(m.get(partition) ?? 0, offset));
  }

  /** A rebalance: other members own partitions now, and offsets may have been reset: trust the broker. */
  forgetOwnCommits(): void {
    this.ownCommitted.clear();
  }

  async refresh(topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      this.logStart.set(topic, new Map(ends.map((e) => [e.partition, Number(e.low)])));
    }
    const r = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [...topics] });
    for (const t of r) {
      const m = new Map<number, number>();
      for (const p of t.partitions) if (Number(p.offset) >= 0) m.set(p.partition, Number(p.offset));
      this.brokerCommitted.set(t.topic, m);
    }
  }
}
