import type { Fence, TenantRoute } from './route-record.js';

const sameOffsets = (a: Fence, b: Fence): boolean => {
  const ka = Object.keys(a.offsets);
  return ka.length === Object.keys(b.offsets).length && ka.every((p) => a.offsets[p] === b.offsets[p]);
};

/**
 * Why a route record's fence history must not be applied over the current one, or undefined. Ordered
 * consumers wait on these fences (docs/protocol.md), so a forged or stray record must not be able to
 * drop a fence (a consumer would process a moved tenant's records early), rewrite one (it would wait
 * on the wrong offsets, or forever), or invent one (a fence exists only for a move that drained):
 * - every fence's epoch is at most the record's epoch;
 * - history is immutable: a fence of an epoch the current record also has is identical, and only the
 *   oldest fences may be dropped (the history is bounded), never a later one;
 * - a new fence appears only when the tenant drained into exactly that epoch (the current record is
 *   the draining one), and names only partitions it drained from.
 * A reader that sees the tenant for the first time (a compacted topic shows its latest record only)
 * takes the history as it is: the rules then hold from that record on.
 */
export function fenceRejection(current: TenantRoute | undefined, entry: TenantRoute): string | undefined {
  const next = entry.fences ?? [];
  const late = next.find((f) => f.epoch > entry.epoch);
  if (late !== undefined)
    return `fence of epoch ${late.epoch} is newer than the record's epoch ${entry.epoch}`;
  if (current === undefined) return undefined;
  const before = current.fences ?? [];
  const byEpoch = new Map(next.map((f) => [f.epoch, f]));
  const oldestKept = next[0]?.epoch ?? Number.POSITIVE_INFINITY;
  for (const f of before) {
    const kept = byEpoch.get(f.epoch);
    if (kept === undefined && f.epoch >= oldestKept)
      return `drops the fence of epoch ${f.epoch} (only the oldest fences may be dropped)`;
    if (kept === undefined && next.length === 0 && entry.epoch >= current.epoch)
      return `drops the tenant's fence history (fence of epoch ${f.epoch})`;
    if (kept !== undefined && !sameOffsets(kept, f)) return `rewrites the fence of epoch ${f.epoch}`;
  }
  const newest = before.length > 0 ? before[before.length - 1]!.epoch : -1;
  const added = next.filter((f) => f.epoch > newest);
  if (added.length === 0) return undefined;
  if (added.length > 1) return `adds ${added.length} fences at once (a move adds one)`;
  const f = added[0]!;
  if (current.state !== 'draining' || current.epoch !== f.epoch || entry.epoch !== f.epoch)
    return `adds a fence of epoch ${f.epoch} without a drain into that epoch (current: ${current.state} at epoch ${current.epoch})`;
  const from = new Set((current.from ?? []).map(String));
  const stray = Object.keys(f.offsets).filter((p) => !from.has(p));
  if (stray.length > 0)
    return `fence names partition(s) ${stray.join(',')} the tenant did not drain from (${[...from].join(',')})`;
  return undefined;
}
