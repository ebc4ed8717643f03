import type { DashboardDelta, DashboardSnapshot, MoveView, TenantPatch, TenantRow } from './view-model.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const byKey = <T>(xs: readonly T[], key: (x: T) => string | number): Map<string | number, T> =>
  new Map(xs.map((x) => [key(x), x]));

/**
 * What changed from prev to next: changed or new tenant rows and moves, removed keys and ids, and the
 * role and topic view when they differ (both are small). Undefined when nothing changed, so an idle
 * controller sends nothing but heartbeats.
 */
export function diffSnapshots(prev: DashboardSnapshot, next: DashboardSnapshot): DashboardDelta | undefined {
  const oldRows = byKey(prev.tenants, (r) => r.key);
  const upsert: TenantRow[] = [];
  const patch: TenantPatch[] = [];
  for (const r of next.tenants) {
    const o = oldRows.get(r.key);
    oldRows.delete(r.key);
    if (o === undefined) upsert.push(r);
    else if (o !== r) {
      const p = changedFields(o, r);
      if (p !== undefined) patch.push(p);
    }
  }
  const remove = [...oldRows.keys()] as string[];
  const oldMoves = byKey(prev.moves, (m) => m.id);
  const moves: MoveView[] = [];
  for (const m of next.moves) {
    const o = oldMoves.get(m.id);
    oldMoves.delete(m.id);
    if (o === undefined || !same(o, m)) moves.push(m);
  }
  const dropMoves = [...oldMoves.keys()] as number[];
  const role = same(prev.role, next.role) ? undefined : next.role;
  const topics = same(prev.topics, next.topics) ? undefined : next.topics;
  const changes = upsert.length + patch.length + remove.length + moves.length + dropMoves.length;
  if (!role && !topics && changes === 0) return undefined;
  return {
    at: next.at,
    ...(role ? { role } : {}),
    ...(topics ? { topics } : {}),
    ...(upsert.length ? { upsert } : {}),
    ...(patch.length ? { patch } : {}),
    ...(remove.length ? { remove } : {}),
    ...(moves.length ? { moves } : {}),
    ...(dropMoves.length ? { dropMoves } : {}),
  };
}

/** The key and the fields of b that differ from a; undefined when none does. */
function changedFields(a: TenantRow, b: TenantRow): TenantPatch | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const k of Object.keys(b) as (keyof TenantRow)[]) {
    const [x, y] = [a[k], b[k]];
    if (x === y || (typeof y === 'object' && same(x, y))) continue;
    out[k] = y;
    any = true;
  }
  return any ? ({ ...out, key: b.key } as TenantPatch) : undefined;
}

const mergeBy = <T>(
  xs: readonly T[],
  key: (x: T) => string | number,
  put: readonly T[] | undefined,
  drop: readonly (string | number)[] | undefined,
): T[] => {
  if (!put?.length && !drop?.length) return [...xs];
  const m = byKey(xs, key);
  for (const d of drop ?? []) m.delete(d);
  for (const x of put ?? []) m.set(key(x), x);
  return [...m.values()];
};

const patched = (rows: readonly TenantRow[], patches: readonly TenantPatch[]): TenantRow[] => {
  const byK = byKey(rows, (r) => r.key);
  return patches.flatMap((p) => {
    const r = byK.get(p.key);
    return r ? [{ ...r, ...p }] : [];
  });
};

/** Applies a delta to the snapshot it was computed against: applyDelta(a, diff(a, b)) equals b up to order. */
export function applyDelta(s: DashboardSnapshot, d: DashboardDelta): DashboardSnapshot {
  return {
    at: d.at,
    role: d.role ?? s.role,
    topics: d.topics ?? s.topics,
    tenants: mergeBy(
      s.tenants,
      (r) => r.key,
      d.patch ? [...(d.upsert ?? []), ...patched(s.tenants, d.patch)] : d.upsert,
      d.remove,
    ),
    moves: mergeBy(s.moves, (m) => m.id, d.moves, d.dropMoves).sort((a, b) => a.id - b.id),
  };
}
