import type { Admin } from 'kafkajs';
import { gateVerdict, type GateVerdict } from '../../../domain/fence-gate.js';
import type { RoutingTable } from '../../../domain/routing-table.js';

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

  constructor(
    private readonly table: RoutingTable,
    private readonly admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>,
    private readonly groupId: string,
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
    return gateVerdict(this.table.route(topic, tenant), epoch, partition, (p) => this.committed(topic, p));
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
