/**
 * Batches accepted records per topic (the Java producer's batch.size and linger.ms). A batch is ready when
 * it holds batchBytes, or when its oldest record has waited lingerMs. Pure: the caller owns time.
 */
export interface Batch<R> {
  readonly topic: string;
  readonly records: R[];
  bytes: number;
  readonly openedAt: number;
}

export class Accumulator<R> {
  private readonly open = new Map<string, Batch<R>>();

  constructor(
    private readonly batchBytes: number,
    private readonly lingerMs: number,
  ) {}

  /** Adds a record; returns the batch when this record filled it (the caller sends it now). */
  add(topic: string, record: R, bytes: number, now: number): Batch<R> | undefined {
    let b = this.open.get(topic);
    if (b === undefined) {
      b = { topic, records: [], bytes: 0, openedAt: now };
      this.open.set(topic, b);
    }
    b.records.push(record);
    b.bytes += bytes;
    if (b.bytes >= this.batchBytes) {
      this.open.delete(topic);
      return b;
    }
    return undefined;
  }

  /** Batches whose linger expired (all of them with force). */
  due(now: number, force = false): Batch<R>[] {
    const out: Batch<R>[] = [];
    for (const [topic, b] of this.open) {
      if (force || now - b.openedAt >= this.lingerMs) {
        out.push(b);
        this.open.delete(topic);
      }
    }
    return out;
  }

  /** When the next batch comes due, or undefined with nothing open. */
  nextDueAt(): number | undefined {
    let at: number | undefined;
    for (const b of this.open.values()) at = Math.min(at ?? Infinity, b.openedAt + this.lingerMs);
    return at;
  }

  get size(): number {
    let n = 0;
    for (const b of this.open.values()) n += b.records.length;
    return n;
  }
}
