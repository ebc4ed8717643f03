import type { DashboardSnapshot, TenantRow } from './view-model.js';

export interface ThrottleOptions {
  /** the longest a row's figures on the page may lag the controller's */
  readonly refreshMs: number;
  /** a figure moving by this fraction of its value ... */
  readonly jump: number;
  /** ... and by at least this much (records/s, or records of lag) is sent at once */
  readonly floor: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { refreshMs: 5000, jump: 0.25, floor: 5 };

const FIGURES = ['rate', 'share', 'lag'] as const;

const moved = (a: number | null, b: number | null, o: ThrottleOptions): boolean =>
  a === null || b === null
    ? a !== b
    : Math.abs(a - b) >= Math.max(o.floor, o.jump * Math.max(Math.abs(a), Math.abs(b)));

const sameBut = (a: TenantRow, b: TenantRow): boolean =>
  (Object.keys(b) as (keyof TenantRow)[]).every(
    (k) =>
      (FIGURES as readonly string[]).includes(k) ||
      a[k] === b[k] ||
      JSON.stringify(a[k]) === JSON.stringify(b[k]),
  );

/** Spreads the rows' refreshes over the period, so they do not all fall on one tick. */
const phaseOf = (key: string, period: number): number => {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(h) % period;
};

/**
 * Keeps a 10,000-tenant dashboard's deltas small: a row whose only change is its figures (rate,
 * share, lag) keeps the figures the page already has unless one of them jumped (a tenant turning hot,
 * a drain's lag) or they are refreshMs old. Window rates jitter every tick (a window count is
 * Poisson-like); without this almost every row changed every tick and a delta weighed as much as a
 * snapshot (docs/benchmarks.md, "Dashboard"). State, route, decision and stuck changes go at once.
 */
export class FigureThrottle {
  private readonly sentAt = new Map<string, number>();

  constructor(private readonly o: ThrottleOptions = DEFAULT_THROTTLE) {}

  apply(prev: DashboardSnapshot, next: DashboardSnapshot, now: number): DashboardSnapshot {
    const before = new Map(prev.tenants.map((r) => [r.key, r]));
    const seen = new Set<string>();
    const tenants = next.tenants.map((r) => {
      seen.add(r.key);
      const old = before.get(r.key);
      const sent = this.sentAt.get(r.key) ?? now - phaseOf(r.key, this.o.refreshMs);
      const fresh =
        old === undefined ||
        !sameBut(old, r) ||
        now - sent >= this.o.refreshMs ||
        FIGURES.some((f) => moved(old[f], r[f], this.o));
      if (fresh) {
        this.sentAt.set(r.key, now);
        return r;
      }
      this.sentAt.set(r.key, sent);
      return old;
    });
    for (const k of this.sentAt.keys()) if (!seen.has(k)) this.sentAt.delete(k);
    return { ...next, tenants };
  }
}
