import { brokerLoads, brokerOf, leaderNote, type Leaders } from './broker-spread.js';

/**
 * Where a tenant that must leave the shared pool goes: free dedicated partitions, else new
 * partitions (createPartitions) up to a cap, else nowhere, with the reason.
 *
 * With leaders known, the shards go to distinct leader brokers where the free partitions allow, the
 * least-loaded broker first, then the least-loaded partition on it. Placement never moves leaders
 * (Cruise Control's job): when it has to put two shards on one broker it says so in the reason.
 */
export interface PlacementInput {
  readonly shared: number;
  readonly total: number;
  readonly maxPartitions: number;
  /** dedicated partition -> the tenant that owns or has reserved it */
  readonly owners: ReadonlyMap<number, string>;
  /** records/s per partition (recent window) */
  readonly load: ReadonlyMap<number, number>;
  readonly tenant: string;
  readonly k: number;
  /** partitions one decision may add (Kafka cannot shrink a topic); fewer shards are placed past it */
  readonly maxGrowth?: number;
  /** partition -> leader broker id; a partition missing here has an unknown leader (a group of its own) */
  readonly leaders?: Leaders;
}

export type Placement =
  | { readonly kind: 'reserved'; readonly partitions: number[]; readonly reason: string }
  | {
      readonly kind: 'grow';
      readonly partitions: number[];
      readonly newTotal: number;
      readonly reason: string;
    }
  | { readonly kind: 'none'; readonly reason: string };

const NO_LEADERS: Leaders = new Map();

export function place(i: PlacementInput): Placement {
  const leaders = i.leaders ?? NO_LEADERS;
  // Partitions the tenant already owns count as free for it (resharding keeps what it has).
  const free: number[] = [];
  for (let p = i.shared; p < i.total; p++) {
    const owner = i.owners.get(p);
    if (owner === undefined || owner === i.tenant) free.push(p);
  }
  const ordered = spread(free, i, leaders);
  const available = new Set(free.filter((p) => leaders.has(p)).map((p) => leaders.get(p))).size;
  if (ordered.length >= i.k) {
    const partitions = ordered.slice(0, i.k).sort((a, b) => a - b);
    return {
      kind: 'reserved',
      partitions,
      reason: `${i.k} free dedicated partition(s): ${partitions.join(',')}${leaderNote(partitions, leaders, available)}`,
    };
  }
  const wanted = i.k - ordered.length;
  const missing = Math.min(wanted, i.maxGrowth ?? wanted);
  const capped =
    missing < wanted
      ? `; growth capped at ${missing} per decision, so ${ordered.length + missing} of ${i.k} shards`
      : '';
  if (i.total + missing > i.maxPartitions) {
    return {
      kind: 'none',
      reason: `needs ${i.k} dedicated partition(s), ${ordered.length} free, and growing to ${i.total + missing} exceeds maxPartitions ${i.maxPartitions}`,
    };
  }
  const added = Array.from({ length: missing }, (_, j) => i.total + j);
  const partitions = [...ordered, ...added].sort((a, b) => a - b);
  return {
    kind: 'grow',
    partitions,
    newTotal: i.total + missing,
    reason: `grew topic to ${i.total + missing} partitions for ${i.k} dedicated partition(s)${capped}`,
  };
}

/**
 * The free partitions in the order placement takes them: greedily, the one whose broker holds the
 * fewest of those taken so far; among equals, one the tenant already owns, then the least-loaded
 * broker, then the least-loaded partition, then the lowest number. Without leaders every partition
 * is its own broker, so this is "what it owns, then the least-loaded" as before.
 */
function spread(free: readonly number[], i: PlacementInput, leaders: Leaders): number[] {
  const byBroker = brokerLoads(leaders, i.load);
  const key = (p: number) => {
    const mine = i.owners.get(p) === i.tenant;
    return {
      mine: mine ? 0 : 1,
      // What the tenant owns stays in partition order (it keeps what it has, load or not).
      broker: mine ? 0 : (byBroker.get(brokerOf(leaders, p)) ?? 0),
      partition: mine ? 0 : (i.load.get(p) ?? 0),
    };
  };
  const keys = new Map(free.map((p) => [p, key(p)]));
  const taken = new Map<string, number>();
  const left = [...free];
  const out: number[] = [];
  while (left.length > 0) {
    let best = 0;
    for (let j = 1; j < left.length; j++) if (before(left[j]!, left[best]!)) best = j;
    const p = left.splice(best, 1)[0]!;
    out.push(p);
    const g = brokerOf(leaders, p);
    taken.set(g, (taken.get(g) ?? 0) + 1);
  }
  return out;

  function before(a: number, b: number): boolean {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return (
      ((taken.get(brokerOf(leaders, a)) ?? 0) - (taken.get(brokerOf(leaders, b)) ?? 0) ||
        ka.mine - kb.mine ||
        ka.broker - kb.broker ||
        ka.partition - kb.partition ||
        a - b) < 0
    );
  }
}
