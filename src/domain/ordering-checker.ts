/**
 * Verifies per-tenant order from the `tenant-seq` header: within a tenant (per shard key for a
 * sharded tenant, whose records are ordered per key) sequences must be processed increasing.
 * A record that arrives after a later one, never having been seen, is a violation (it was
 * overtaken). A record seen again is a duplicate: Kafka delivers at least once, and a consumer
 * group replays from its last commit after a rebalance; that breaks no ordering promise and is
 * counted apart. A skip forward is a gap (a record not seen yet, lost unless it turns up later).
 * Sequences start at 1.
 *
 * OrderingChecker judges records in the order a consumer processed them: right for a consumer the
 * drain waits for (the demo's group), wrong for a reader that is not gated (see LogOrderChecker).
 */
export interface CheckerReport {
  readonly records: number;
  readonly tenants: number;
  readonly violations: number;
  /** records processed again (redelivery after a rebalance or a retry) */
  readonly duplicates: number;
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
  private duplicates = 0;
  private readonly examples: string[] = [];

  /** shardKey: when set, order is checked per (tenant, shardKey) and seq counts per that key. */
  observe(tenant: string, seq: number, shardKey?: string): 'ok' | 'violation' | 'gap' | 'duplicate' {
    this.records++;
    this.tenantSet.add(tenant);
    const key = shardKey === undefined ? tenant : `${tenant}\u0000${shardKey}`;
    let s = this.streams.get(key);
    if (s === undefined) {
      s = { last: 0, missing: new Set() };
      this.streams.set(key, s);
    }
    if (seq <= s.last) {
      if (!s.missing.delete(seq)) {
        this.duplicates++;
        return 'duplicate';
      }
      this.violations++;
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
      duplicates: this.duplicates,
      gaps,
      examples: [...this.examples],
    };
  }

  /** Up to `limit` sequence numbers still missing, with their stream ("tenant" or "tenant[key]"). */
  missing(limit = 20): { stream: string; seq: number }[] {
    const out: { stream: string; seq: number }[] = [];
    for (const [key, s] of this.streams) {
      const [tenant, shardKey] = key.split('\u0000');
      for (const seq of s.missing) {
        if (out.length >= limit) return out;
        out.push({ stream: shardKey === undefined ? tenant! : `${tenant}[${shardKey}]`, seq });
      }
    }
    return out;
  }

  /** distinct records seen (records minus duplicates) */
  get unique(): number {
    return this.records - this.duplicates;
  }

  /** Highest sequence seen per tenant stream (for produced-vs-consumed accounting). */
  lastSeq(tenant: string, shardKey?: string): number {
    return this.streams.get(shardKey === undefined ? tenant : `${tenant}\u0000${shardKey}`)?.last ?? 0;
  }
}
