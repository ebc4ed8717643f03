import { map, takeWhile, type OperatorFunction } from 'rxjs';
import type { OffsetSample } from '../domain/offsets.js';

export interface DrainProgress {
  readonly at: number;
  /** records still ahead of the fence, summed over groups and fenced partitions */
  readonly remaining: number;
  /** per group: records still ahead of the fence */
  readonly byGroup: Readonly<Record<string, number>>;
  readonly done: boolean;
}

/**
 * Completes (after emitting done) when every watched group's committed offset on every fenced
 * partition has reached the fence. A group with no commit yet counts as the whole fence remaining.
 */
export function drainWatch(
  topic: string,
  fence: ReadonlyMap<number, number>,
  groups: readonly string[],
): OperatorFunction<OffsetSample, DrainProgress> {
  return (source) =>
    source.pipe(
      map((s) => {
        let remaining = 0;
        const byGroup: Record<string, number> = {};
        for (const g of groups) {
          const c = s.committed.get(g)?.get(topic);
          let behind = 0;
          for (const [p, f] of fence) behind += Math.max(0, f - Math.max(0, c?.get(p) ?? 0));
          byGroup[g] = behind;
          remaining += behind;
        }
        return { at: s.at, remaining, byGroup, done: remaining === 0 };
      }),
      takeWhile((p) => !p.done, true),
    );
}
