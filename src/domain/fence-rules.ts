import { MAX_FENCES, type Fence, type TenantRoute } from './route-record.js';

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
 * - history is immutable: a fence of an epoch the current record also has is identical, no older
 *   fence is added, and only the oldest fences may be dropped, only to keep MAX_FENCES;
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
    if (kept !== undefined) {
      if (!sameOffsets(kept, f)) return `rewrites the fence of epoch ${f.epoch}`;
      continue;
    }
    if (next.length === 0) return `drops the tenant's fence history (fence of epoch ${f.epoch})`;
    if (f.epoch >= oldestKept)
      return `drops the fence of epoch ${f.epoch} (only the oldest fences may be dropped)`;
    // the controller drops the oldest fence only to keep MAX_FENCES: a shorter history lost one
    if (next.length < MAX_FENCES)
      return `drops the fence of epoch ${f.epoch} while the history holds ${next.length} of ${MAX_FENCES}`;
  }
  const newest = before.length > 0 ? before[before.length - 1]!.epoch : -1;
  const known = new Set(before.map((f) => f.epoch));
  const invented = next.find((f) => f.epoch <= newest && !known.has(f.epoch));
  if (invented !== undefined)
    return `adds a fence of epoch ${invented.epoch} older than the history's newest (${newest}); history is immutable`;
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
