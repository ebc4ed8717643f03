import { fenceRejection } from './fence-rules.js';
import { partitionForKey } from './murmur2.js';
import type { PoolLayout, RouteTombstone, TenantRoute } from './route-record.js';

/** What the rules need to know of the table as it stands before the entry. */
export interface RouteRulesView {
  pools(topic: string): PoolLayout | undefined;
  route(topic: string, tenant: string): TenantRoute | undefined;
  /** the tenant that holds a dedicated partition now (its partitions, or the ones it drains from) */
  ownerOf(topic: string, partition: number): string | undefined;
}

/** Partitions a route holds: where its records go, and while draining also where they came from. */
export const heldPartitions = (r: TenantRoute, shared = 0): readonly number[] =>
  (r.from === undefined || r.from.length === 0 ? r.partitions : [...r.partitions, ...r.from]).filter(
    (p) => p >= shared,
  );

/**
 * Why a well-formed routing record must not be applied, or undefined when it may. Everything read
 * from the routing topic is untrusted: a stray or forged record must not put a tenant on the shared
 * pool's partitions as if they were its own, on another tenant's dedicated partition, move an
 * epoch backwards or jump it ahead, or change a topic's shared pool (that rehashes every small
 * tenant). The controller writes only records that pass these rules.
 */
export function routeRejection(
  view: RouteRulesView,
  entry: TenantRoute | PoolLayout | RouteTombstone,
): string | undefined {
  if (entry.kind === 'pools') return poolsRejection(view.pools(entry.topic), entry);
  const current = view.route(entry.topic, entry.tenant);
  if (entry.kind === 'tombstone') {
    return current?.state === 'draining'
      ? `tenant "${entry.tenant}" is mid-move (epoch ${current.epoch}); a tombstone must not release its held records before the controller settles the move`
      : undefined;
  }
  const pools = view.pools(entry.topic);
  if (pools === undefined)
    return `topic "${entry.topic}" has no pool layout; routes apply to managed topics only`;
  const shape = shapeRejection(entry);
  if (shape !== undefined) return shape;
  // A tenant leaving the shared pool drains from its own hash partition; nothing else there is its.
  const hash = partitionForKey(entry.tenant, pools.shared);
  const fromShared = (entry.from ?? []).filter((p) => p < pools.shared);
  const inShared = [
    ...entry.partitions.filter((p) => p < pools.shared),
    ...fromShared.filter((p) => p !== hash),
  ];
  if (inShared.length > 0 || (fromShared.length > 0 && entry.from!.length > 1))
    return `partition(s) ${[...inShared, ...fromShared].join(',')} belong to the shared pool (0..${pools.shared - 1}); a route names dedicated partitions only (a draining one may leave its own hash partition ${hash})`;
  if (current !== undefined) {
    if (entry.epoch < current.epoch)
      return `epoch ${entry.epoch} is older than the tenant's current epoch ${current.epoch}`;
    if (entry.epoch > current.epoch + 1)
      return `epoch ${entry.epoch} jumps ahead of the tenant's current epoch ${current.epoch}; a move raises it by one`;
  }
  const fences = fenceRejection(current, entry);
  if (fences !== undefined) return fences;
  const taken = heldPartitions(entry, pools.shared).filter((p) => {
    const owner = view.ownerOf(entry.topic, p);
    return owner !== undefined && owner !== entry.tenant;
  });
  if (taken.length > 0)
    return `partition(s) ${taken.join(',')} are held by tenant "${view.ownerOf(entry.topic, taken[0]!)}"; a dedicated partition has one tenant`;
  return undefined;
}

function shapeRejection(r: TenantRoute): string | undefined {
  const n = r.partitions.length;
  if (r.state === 'shared' && n !== 0) return 'a shared route names no partitions';
  if (r.state === 'dedicated' && n !== 1) return `a dedicated route names one partition (got ${n})`;
  if (r.state === 'sharded' && n < 2) return `a sharded route names two or more partitions (got ${n})`;
  if (r.state === 'draining' && r.from === undefined)
    return 'a draining route names the partitions it leaves (from)';
  if (r.state !== 'draining' && r.from !== undefined && r.from.length > 0)
    return `only a draining route names "from" (state ${r.state})`;
  return undefined;
}

function poolsRejection(current: PoolLayout | undefined, next: PoolLayout): string | undefined {
  if (current === undefined) return undefined;
  if (next.shared !== current.shared)
    return `the shared pool of "${next.topic}" is ${current.shared} partitions and never changes (got ${next.shared})`;
  if (next.total < current.total)
    return `the pool layout of "${next.topic}" cannot shrink (${current.total} -> ${next.total})`;
  return undefined;
}
