/** Partition counts of the topics this producer sends to, as last read from fresh metadata. */
export class PartitionCounts {
  private readonly known = new Map<string, number>();

  constructor(private readonly fetch: (topic: string) => Promise<number>) {}

  get(topic: string): number | undefined {
    return this.known.get(topic);
  }

  /** Reads the count again from fresh metadata and remembers it. */
  refresh(topic: string): Promise<number> {
    return this.fetch(topic).then((n) => {
      this.known.set(topic, n);
      return n;
    });
  }
}
