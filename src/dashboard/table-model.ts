import type { TenantRow } from '../app/dashboard/view-model.js';

export type SortKey = 'tenant' | 'state' | 'rate' | 'share' | 'lag' | 'epoch';
export interface Sort {
  readonly key: SortKey;
  readonly desc: boolean;
}

const value = (r: TenantRow, k: SortKey): string | number =>
  k === 'tenant' ? r.tenant : k === 'state' ? r.state : (r[k] ?? -1);

/** Rows matching the filter (tenant id, topic, state or decision reason contain it), sorted. */
export function visibleRows(rows: readonly TenantRow[], filter: string, sort: Sort): TenantRow[] {
  const f = filter.trim().toLowerCase();
  const kept = f
    ? rows.filter(
        (r) =>
          r.tenant.toLowerCase().includes(f) ||
          r.state.includes(f) ||
          r.topic.toLowerCase().includes(f) ||
          (r.decision?.reason.toLowerCase().includes(f) ?? false),
      )
    : [...rows];
  const dir = sort.desc ? -1 : 1;
  return kept.sort((a, b) => {
    const [x, y] = [value(a, sort.key), value(b, sort.key)];
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c !== 0 ? c * dir : a.key < b.key ? -1 : 1;
  });
}

/** The slice of rows to render for a scroll position: what is in view plus a margin either side. */
export function windowOf(
  total: number,
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  margin = 8,
): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - margin);
  const end = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + margin);
  return { start, end };
}
