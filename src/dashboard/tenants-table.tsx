import { useMemo, useState } from 'preact/hooks';
import type { TenantRow } from '../app/dashboard/view-model.js';
import { fmtNumbers, fmtPct, fmtRate } from './format.js';
import { visibleRows, windowOf, type Sort, type SortKey } from './table-model.js';

const ROW_H = 28;
const VIEWPORT_H = 448;
const COLUMNS: { key: SortKey | undefined; label: string }[] = [
  { key: 'tenant', label: 'tenant' },
  { key: 'state', label: 'state' },
  { key: undefined, label: 'route' },
  { key: 'epoch', label: 'epoch' },
  { key: 'rate', label: 'rec/s' },
  { key: 'share', label: 'share' },
  { key: 'lag', label: 'lag' },
  { key: undefined, label: 'last decision' },
];

/** Sortable, filterable, and virtualized: only the rows in view are in the DOM (10,000 tenants stay fast). */
export function TenantsTable(p: {
  rows: readonly TenantRow[];
  selected: string | undefined;
  onSelect: (key: string) => void;
}) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'rate', desc: true });
  const [scrollTop, setScrollTop] = useState(0);
  const rows = useMemo(() => visibleRows(p.rows, filter, sort), [p.rows, filter, sort]);
  const { start, end } = windowOf(rows.length, scrollTop, VIEWPORT_H, ROW_H);
  const by = (key: SortKey) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== 'tenant' }));
  return (
    <div class="tenants">
      <div class="table-tools">
        <input
          type="search"
          placeholder="filter: tenant, state, reason"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
          data-testid="filter"
        />
        <span class="muted" data-testid="row-count">
          {rows.length} of {p.rows.length}
        </span>
      </div>
      <div class="trow thead">
        {COLUMNS.map((c) => (
          <span key={c.label} class={c.key ? 'sortable' : ''} onClick={c.key ? () => by(c.key!) : undefined}>
            {c.label}
            {c.key === sort.key ? (sort.desc ? ' ▼' : ' ▲') : ''}
          </span>
        ))}
      </div>
      <div
        class="tbody"
        style={{ height: `${VIEWPORT_H}px` }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        data-testid="tenants"
      >
        <div style={{ height: `${rows.length * ROW_H}px`, position: 'relative' }}>
          {rows.slice(start, end).map((r, i) => (
            <div
              key={r.key}
              class={`trow ${r.key === p.selected ? 'selected' : ''} ${r.stuck ? 'stuck' : ''}`}
              style={{ top: `${(start + i) * ROW_H}px` }}
              data-tenant={r.tenant}
              onClick={() => p.onSelect(r.key)}
            >
              <span class="mono" title={r.tenant}>
                {r.tenant}
              </span>
              <span class={`state-${r.state.split('.')[0]}`} data-col="state">
                {r.state}
                {r.stuck ? ' (stuck)' : ''}
              </span>
              <span data-col="partitions">[{r.partitions.join(',')}]</span>
              <span data-col="epoch">{r.epoch}</span>
              <span data-col="rate">{fmtRate(r.rate)}</span>
              <span>{fmtPct(r.share)}</span>
              <span>{r.lag ?? '-'}</span>
              <span class="reason" title={r.decision ? fmtNumbers(r.decision.numbers) : ''}>
                {r.decision
                  ? `${r.decision.shadow ? '(shadow) ' : ''}${r.decision.reason} ${fmtNumbers(r.decision.numbers)}`
                  : ''}
              </span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
