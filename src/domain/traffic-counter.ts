import { WIRE_VERSION, type TrafficReport } from './wire-records.js';

/** Per-tenant record and byte counts for one interval; never reads payloads, only sizes. */
export class TrafficCounter {
  private counts = new Map<string, Map<string, { records: number; bytes: number }>>();
  private seq = 0;

  constructor(
    private readonly producerId: string,
    private intervalStart: number,
  ) {}

  count(topic: string, tenant: string, bytes: number): void {
    let byTenant = this.counts.get(topic);
    if (byTenant === undefined) {
      byTenant = new Map();
      this.counts.set(topic, byTenant);
    }
    const c = byTenant.get(tenant);
    if (c === undefined) byTenant.set(tenant, { records: 1, bytes });
    else {
      c.records++;
      c.bytes += bytes;
    }
  }

  /** Closes the interval: the report to publish (empty tenants = heartbeat), counters reset. */
  cut(now: number, routesApplied?: number): TrafficReport {
    const tenants: TrafficReport['tenants'] = [];
    for (const [topic, byTenant] of this.counts) {
      for (const [tenant, c] of byTenant) tenants.push({ topic, tenant, records: c.records, bytes: c.bytes });
    }
    const report: TrafficReport = {
      v: WIRE_VERSION,
      kind: 'traffic',
      producerId: this.producerId,
      seq: this.seq++,
      intervalStart: this.intervalStart,
      intervalEnd: now,
      ...(routesApplied !== undefined ? { routesApplied } : {}),
      tenants,
    };
    this.counts = new Map();
    this.intervalStart = now;
    return report;
  }
}
