/** A gap wider than this is taken for a producer restarted under the same id, not counted. */
export const MAX_COUNTED_GAP = 1000;

/**
 * Counts the report intervals the controller did not get, per producer, from the (producer, seq,
 * part, parts) of the reports it did get, in arrival order and after dedupe: a skipped seq is a
 * missed interval, and so is a seq whose parts did not all arrive before the next seq. Each
 * producer sends its parts on one partition (keyed by its id), so they arrive in order.
 * Reports are untrusted: a forged seq can inflate the count by at most MAX_COUNTED_GAP per report.
 */
export class ReportGaps {
  private readonly producers = new Map<string, { seq: number; seen: number; parts: number }>();
  missed = 0;

  constructor(private readonly maxProducers = 100_000) {}

  add(r: { readonly producerId: string; readonly seq: number; readonly parts?: number | undefined }): void {
    const parts = r.parts ?? 1;
    const p = this.producers.get(r.producerId);
    if (p === undefined) {
      if (this.producers.size >= this.maxProducers) this.producers.clear();
      this.producers.set(r.producerId, { seq: r.seq, seen: 1, parts });
      return;
    }
    if (r.seq === p.seq) {
      p.seen++;
      return;
    }
    if (r.seq > p.seq) {
      const gap = r.seq - p.seq - 1;
      if (gap <= MAX_COUNTED_GAP) this.missed += gap + (p.seen < p.parts ? 1 : 0);
    } else if (r.seq >= p.seq - MAX_COUNTED_GAP) return; // a late part of an older interval
    p.seq = r.seq;
    p.seen = 1;
    p.parts = parts;
  }
}
