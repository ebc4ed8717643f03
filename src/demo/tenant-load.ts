import type { SmartProducer } from '../adapters/kafka/smart-producer/index.js';
import { Headers } from '../domain/record-headers.js';

export interface TenantSpec {
  /** records per second */
  rate: number;
  /** shard keys to rotate through (order is kept per key); none: plain per-tenant order */
  shardKeys?: readonly string[];
}

/** The value of a tenant's seq-th record; by default the string `tenant:seq`. */
export type ValueOf<V> = (tenant: string, seq: number, shardKey: string | undefined) => V;
const plainValue: ValueOf<string> = (tenant, seq) => `${tenant}:${seq}`;

/**
 * Simulated tenants: each sends at its rate through the SmartProducer, stamping `tenant-seq`
 * (from 1, per tenant, or per shard key when it has them), `sent-at` and `shard-key`, so any
 * consumer can check order, loss and latency.
 */
export class TenantLoad<V = string> {
  private readonly specs = new Map<string, TenantSpec & { debt: number; next: number }>();
  private readonly seqs = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  sent = 0;
  failed = 0;
  readonly errors: string[] = [];
  private inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly producer: SmartProducer<V>,
    private readonly topic: string,
    private readonly tickMs = 20,
    private readonly valueOf: ValueOf<V> = plainValue as unknown as ValueOf<V>,
  ) {}

  set(tenant: string, spec: TenantSpec): void {
    const prev = this.specs.get(tenant);
    this.specs.set(tenant, { ...spec, debt: prev?.debt ?? 0, next: prev?.next ?? 0 });
  }

  rateOf(tenant: string): number {
    return this.specs.get(tenant)?.rate ?? 0;
  }

  /** Highest sequence sent per stream key (tenant, or tenant + NUL + shard key). */
  sentSeqs(): ReadonlyMap<string, number> {
    return this.seqs;
  }

  start(): void {
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  private tick(): void {
    const now = Date.now();
    const dt = (now - this.last) / 1000;
    this.last = now;
    for (const [tenant, s] of this.specs) {
      s.debt += s.rate * dt;
      const n = Math.floor(s.debt);
      s.debt -= n;
      for (let i = 0; i < n; i++) {
        const shardKey =
          s.shardKeys && s.shardKeys.length > 0 ? s.shardKeys[s.next++ % s.shardKeys.length] : undefined;
        const streamKey = shardKey === undefined ? tenant : `${tenant}\u0000${shardKey}`;
        const seq = (this.seqs.get(streamKey) ?? 0) + 1;
        this.seqs.set(streamKey, seq);
        const headers: Record<string, string> = {
          [Headers.tenantSeq]: String(seq),
          [Headers.sentAt]: String(Date.now()),
        };
        if (shardKey !== undefined) headers[Headers.shardKey] = shardKey;
        const p = this.producer
          .send({
            topic: this.topic,
            tenant,
            value: this.valueOf(tenant, seq, shardKey),
            headers,
            ...(shardKey !== undefined ? { secondaryKey: shardKey } : {}),
          })
          .then(
            () => {
              this.sent++;
            },
            (e: Error) => {
              this.failed++;
              if (this.errors.length < 10) this.errors.push(e.message);
            },
          )
          .finally(() => this.inflight.delete(p));
        this.inflight.add(p);
      }
    }
  }

  /** Stops sending and waits for every send to settle. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inflight]);
  }
}
