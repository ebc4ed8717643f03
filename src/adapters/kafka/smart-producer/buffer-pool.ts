/**
 * buffer.memory: bytes of records accepted but not yet acknowledged (held ones included).
 * Callers that do not fit wait in FIFO order; the producer's intake decides the deadline.
 */
export class BufferPool {
  used = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  fits(bytes: number): boolean {
    // A record larger than the whole pool still goes through alone, as the Java client allows up to max.request.size.
    return this.used === 0 || this.used + bytes <= this.capacity;
  }

  reserve(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    if (this.waiters.length === 0) return;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves on the next release (the caller re-checks fits()). */
  nextRelease(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
