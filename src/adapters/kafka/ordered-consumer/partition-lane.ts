import type { GateVerdict } from '../../../domain/fence-gate.js';

/** One record as a lane sees it: where it is, whose it is, and the message to hand over later. */
export interface LaneRecord<M> {
  readonly offset: number;
  readonly tenant: string | undefined;
  readonly epoch: number | undefined;
  readonly message: M;
}

/** process it now; keep it aside (other tenants go on); or stop the partition here (pause, seek back). */
export type Placement = 'process' | 'aside' | 'pause';

/** A tenant held on a lane: how many records, since when, and the first one's epoch. */
export interface LaneHold {
  readonly tenant: string;
  readonly records: number;
  readonly since: number;
  readonly epoch: number | undefined;
}

/**
 * One assigned partition of an ordered consumer (docs/protocol.md, "The consumer gate"). Records come in
 * log order and are each processed, kept aside, or the partition pauses at one. The rules it keeps:
 * - once a tenant has a record aside here, all its later records here go aside too (its order);
 * - the commit is the lower of the processed position and the first record aside (a crash replays
 *   a held record, never skips it; other tenants' later records replay as duplicates, so the number
 *   aside is bounded: past `maxAside` the partition pauses instead);
 * - on the tenant's dedicated partition nothing else flows, so it pauses at once.
 * Not thread-safe: the consumer runs one task at a time per lane (`exclusive`).
 */
export class PartitionLane<M> {
  /** next offset after the last record taken from the log (processed or aside) */
  private position: number | undefined;
  private readonly aside = new Map<string, { records: LaneRecord<M>[]; since: number }>();
  private asideCount = 0;
  /** the record the partition paused at (it is fetched again on resume) */
  pausedAt: LaneRecord<M> | undefined;
  private pausedSince = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly maxAside: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs fn after every earlier task of this lane (a batch, a release): one at a time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** A record given to the application failed: the log position goes back to it (it is fetched again). */
  rewind(offset: number): void {
    if (this.position === undefined || offset < this.position) this.position = offset;
  }

  /** Where a record goes, given its gate verdict and whether the partition is its tenant's own. */
  place(r: LaneRecord<M>, verdict: GateVerdict, dedicated: boolean): Placement {
    const mine = r.tenant === undefined ? undefined : this.aside.get(r.tenant);
    if (mine === undefined && verdict.kind === 'pass') return this.take(r, 'process');
    if (mine === undefined && dedicated) return this.pause(r);
    if (this.asideCount >= this.maxAside) return this.pause(r);
    if (mine !== undefined) mine.records.push(r);
    else this.aside.set(r.tenant!, { records: [r], since: this.now() });
    this.asideCount++;
    return this.take(r, 'aside');
  }

  private take(r: LaneRecord<M>, p: Placement): Placement {
    this.position = r.offset + 1;
    if (this.pausedAt?.offset === r.offset) this.pausedAt = undefined;
    return p;
  }

  private pause(r: LaneRecord<M>): Placement {
    if (this.pausedAt?.offset !== r.offset) this.pausedSince = this.now();
    this.pausedAt = r;
    this.position = r.offset;
    return 'pause';
  }

  /** The offset to commit: every record below it was processed (Kafka's next-offset sense). */
  commitOffset(): number | undefined {
    let first = this.position;
    for (const { records } of this.aside.values())
      if (first === undefined || records[0]!.offset < first) first = records[0]!.offset;
    return first;
  }

  heldTenants(): string[] {
    return [...this.aside.keys()];
  }

  /** the tenant's first record aside (the one its release waits for), if any */
  peek(tenant: string): LaneRecord<M> | undefined {
    return this.aside.get(tenant)?.records[0];
  }

  /** when the tenant's records went aside here (or the partition paused at its record) */
  heldSince(tenant: string): number | undefined {
    return this.aside.get(tenant)?.since ?? (this.pausedAt?.tenant === tenant ? this.pausedSince : undefined);
  }

  /** Drops the tenant's first record aside, once it was processed. */
  shift(tenant: string): void {
    const held = this.aside.get(tenant);
    if (held === undefined) return;
    held.records.shift();
    this.asideCount--;
    if (held.records.length === 0) this.aside.delete(tenant);
  }

  holds(): LaneHold[] {
    const out: LaneHold[] = [...this.aside].map(([tenant, h]) => ({
      tenant,
      records: h.records.length,
      since: h.since,
      epoch: h.records[0]!.epoch,
    }));
    const p = this.pausedAt;
    if (p?.tenant !== undefined && !this.aside.has(p.tenant))
      out.push({ tenant: p.tenant, records: 0, since: this.pausedSince, epoch: p.epoch });
    return out;
  }

  get heldRecords(): number {
    return this.asideCount;
  }
}
