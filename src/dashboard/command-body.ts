export type Op = 'pin' | 'unpin' | 'move';

/** The JSON body of a command, or a reason it cannot be sent. */
export function commandBody(op: Op, partitions: string): { partitions?: number | number[] } | string {
  if (op === 'unpin') return {};
  const ps = partitions
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (ps.some((p) => !Number.isInteger(p) || p < 0)) return 'partitions must be whole numbers';
  if (op === 'pin')
    return ps.length === 0 ? {} : ps.length === 1 ? { partitions: ps[0]! } : 'pin takes one count';
  return ps.length === 0 ? 'move needs partitions, e.g. 5,6' : { partitions: ps };
}
