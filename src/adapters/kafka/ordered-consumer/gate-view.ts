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

  constructor(
    private readonly table: RoutingTable,
    private readonly admin: Pick<Admin, 'fetchOffsets'>,
    private readonly groupId: string,
  ) {}

  committed(topic: string, partition: number): number | undefined {
    const b = this.brokerCommitted.get(topic)?.get(partition);
    const o = this.ownCommitted.get(topic)?.get(partition);
    return b === undefined ? o : o === undefined ? b : Math.max(b, o);
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
    const r = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [...topics] });
    for (const t of r) {
      const m = new Map<number, number>();
      for (const p of t.partitions) if (Number(p.offset) >= 0) m.set(p.partition, Number(p.offset));
      this.brokerCommitted.set(t.topic, m);
    }
  }
}
