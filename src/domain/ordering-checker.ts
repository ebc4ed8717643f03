/**
 * Verifies per-tenant order from the `tenant-seq` header: within a tenant (per shard key for a
 * sharded tenant, whose records are ordered per key) sequences must be processed increasing.
 * A repeat or a step back is a violation; a skip forward is a gap (a record not seen yet, lost
 * unless it turns up later). Sequences start at 1.
 */
export interface CheckerReport {
  readonly records: number;
  readonly tenants: number;
  readonly violations: number;
  /** sequence numbers never seen below each stream's highest */
  readonly gaps: number;
  readonly examples: string[];
}

interface Stream {
  last: number;
  missing: Set<number>;
}

export class OrderingChecker {
  private readonly streams = new Map<string, Stream>();
  private readonly tenantSet = new Set<string>();
  private records = 0;
  private violations = 0;
  private readonly examples: string[] = [];

  /** shardKey: when set, order is checked per (tenant, shardKey) and seq counts per that key. */
  observe(tenant: string, seq: number, shardKey?: string): 'ok' | 'violation' | 'gap' {
    this.records++;
    this.tenantSet.add(tenant);
    const key = shardKey === undefined ? tenant : `${tenant}\u0000${shardKey}`;
    let s = this.streams.get(key);
    if (s === undefined) {
      s = { last: 0, missing: new Set() };
      this.streams.set(key, s);
    }
    if (seq <= s.last) {
      this.violations++;
      s.missing.delete(seq);
      if (this.examples.length < 20)
        this.examples.push(`${tenant}${shardKey ? `[${shardKey}]` : ''}: seq ${seq} after ${s.last}`);
      return 'violation';
    }
    const gap = seq > s.last + 1;
    for (let k = s.last + 1; k < seq && s.missing.size < 100_000; k++) s.missing.add(k);
    s.last = seq;
    return gap ? 'gap' : 'ok';
  }

  report(): CheckerReport {
    let gaps = 0;
    for (const s of this.streams.values()) gaps += s.missing.size;
    return {
      records: this.records,
      tenants: this.tenantSet.size,
      violations: this.violations,
      gaps,
      examples: [...this.examples],
    };
  }

  /** Highest sequence seen per tenant stream (for produced-vs-consumed accounting). */
  lastSeq(tenant: string, shardKey?: string): number {
    return this.streams.get(shardKey === undefined ? tenant : `${tenant}\u0000${shardKey}`)?.last ?? 0;
  }
}
