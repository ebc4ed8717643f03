/**
 * Which broker leads what, as placement sees it: partition -> leader broker id (cluster metadata,
 * read by the caller). A partition missing from the map has an unknown leader and counts as a group
 * of its own, so placement without leaders is placement over one-partition groups.
 */
export type Leaders = ReadonlyMap<number, number>;

/** The group a partition belongs to: its leader's id, or a key of its own when the leader is unknown. */
export const brokerOf = (leaders: Leaders, p: number): string => {
  const b = leaders.get(p);
  return b === undefined ? `p${p}` : `b${b}`;
};

/** records/s per group: the sum of the rates of the partitions its broker leads (unknown: the partition's own). */
export function brokerLoads(leaders: Leaders, load: ReadonlyMap<number, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [p, r] of load) {
    const g = brokerOf(leaders, p);
    out.set(g, (out.get(g) ?? 0) + r);
  }
  return out;
}

/** The known brokers that lead more than one of `partitions`, with the partitions each leads. */
export function sharedBrokers(partitions: readonly number[], leaders: Leaders): Map<number, number[]> {
  const by = new Map<number, number[]>();
  for (const p of partitions) {
    const b = leaders.get(p);
    if (b === undefined) continue;
    by.set(b, [...(by.get(b) ?? []), p]);
  }
  return new Map([...by].filter(([, ps]) => ps.length > 1));
}

/** `partition@leader` for each partition, `?` for an unknown leader. */
const at = (partitions: readonly number[], leaders: Leaders): string =>
  partitions.map((p) => `${p}@${leaders.get(p) ?? '?'}`).join(',');

/**
 * When some broker leads more than one of `partitions`: how many brokers they are on, which broker
 * leads which, and that moving leaders is not ours to do (Cruise Control's job). Empty otherwise.
 * `available` is how many brokers had a free dedicated partition, when placement knows it.
 */
export function sharingNote(partitions: readonly number[], leaders: Leaders, available?: number): string {
  const shared = sharedBrokers(partitions, leaders);
  if (shared.size === 0) return '';
  const groups = new Set(partitions.map((p) => brokerOf(leaders, p))).size;
  const which = [...shared].map(([b, ps]) => `broker ${b} leads ${ps.join(',')}`).join(', ');
  const why =
    available === undefined ? '' : `: the cluster has ${available} broker(s) with free dedicated partitions`;
  return `; ${partitions.length} partitions on ${groups} brokers${why}; ${which}; moving leaders is out of scope`;
}

/**
 * What placement says about leaders: where the partitions are led, and whether it had to share a
 * broker. Empty when no leader is known, so leader-unaware placement reads as it always did.
 */
export function leaderNote(partitions: readonly number[], leaders: Leaders, available?: number): string {
  if (!partitions.some((p) => leaders.has(p))) return '';
  return ` (partition@leader: ${at(partitions, leaders)})${sharingNote(partitions, leaders, available)}`;
}

/** After a grow: where the new partitions landed (leaders read after it), and any broker now shared. */
export function landingNote(
  added: readonly number[],
  partitions: readonly number[],
  leaders: Leaders,
): string {
  if (added.length === 0) return '';
  return `; new partition(s) landed on partition@leader: ${at(added, leaders)}${sharingNote(partitions, leaders)}`;
}
