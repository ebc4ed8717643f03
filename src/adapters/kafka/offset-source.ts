import type { Admin } from 'kafkajs';
import { concatAll, defer, exhaustMap, from, share, timer, type Observable } from 'rxjs';
import type { OffsetSample } from '../../domain/offsets.js';
import type { Logger } from '../logger.js';

export interface OffsetSourceOptions {
  readonly tickMs: number;
  readonly topics: () => readonly string[];
  /** explicit groups, or 'auto': groups that have committed offsets on a managed topic */
  readonly groups: readonly string[] | 'auto';
  /** internal groups (routing readers, signal consumers) never count as watched consumers */
  readonly ignoreGroupPrefix: string;
  readonly rediscoverEveryTicks?: number;
  readonly logger: Logger;
}

/**
 * Polls log-end offsets and committed offsets every tick. exhaustMap drops ticks that arrive while
 * a poll is still running, so a slow broker makes samples late, never piled up.
 */
export class OffsetSource {
  readonly samples$: Observable<OffsetSample>;
  private discovered: string[] = [];
  private ticks = 0;

  constructor(
    private readonly admin: Admin,
    private readonly opts: OffsetSourceOptions,
  ) {
    this.samples$ = timer(0, opts.tickMs).pipe(
      // A failed poll yields nothing this tick; the next tick tries again.
      exhaustMap(() => defer(() => from(this.poll())).pipe(concatAll())),
      share(),
    );
  }

  groups(): string[] {
    return this.opts.groups === 'auto' ? this.discovered : [...this.opts.groups];
  }

  async logEnd(topic: string, partitions: readonly number[]): Promise<Map<number, number>> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    const want = new Set(partitions);
    return new Map(offsets.filter((o) => want.has(o.partition)).map((o) => [o.partition, Number(o.high)]));
  }

  private async discover(topics: readonly string[]): Promise<void> {
    const listed = await this.admin.listGroups();
    const candidates = listed.groups
      .map((g) => g.groupId)
      .filter((g) => !g.startsWith(this.opts.ignoreGroupPrefix));
    const found: string[] = [];
    for (const groupId of candidates) {
      const r = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
      if (r.some((t) => t.partitions.some((p) => Number(p.offset) >= 0))) found.push(groupId);
    }
    this.discovered = found;
  }

  private async poll(): Promise<OffsetSample[]> {
    const at = Date.now();
    const topics = this.opts.topics();
    try {
      if (this.opts.groups === 'auto' && this.ticks++ % (this.opts.rediscoverEveryTicks ?? 5) === 0)
        await this.discover(topics);
      const ends = new Map<string, Map<number, number>>();
      for (const topic of topics) {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        ends.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
      }
      const committed = new Map<string, Map<string, Map<number, number>>>();
      for (const groupId of this.groups()) {
        const r = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
        committed.set(
          groupId,
          new Map(
            r.map((t) => [
              t.topic,
              new Map(
                t.partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]),
              ),
            ]),
          ),
        );
      }
      return [{ at, ends, committed }];
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, 'offset poll failed; skipping this tick');
      return [];
    }
  }
}
