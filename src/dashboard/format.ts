export const fmtRate = (r: number | null): string =>
  r === null ? '-' : r >= 1000 ? `${(r / 1000).toFixed(1)}k` : r >= 10 ? r.toFixed(0) : r.toFixed(1);

export const fmtPct = (x: number | null): string => (x === null ? '-' : `${Math.round(x * 100)}%`);

export const fmtMs = (ms: number | undefined): string =>
  ms === undefined ? '-' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;

export const fmtTime = (at: number): string => new Date(at).toLocaleTimeString();

export const fmtNumbers = (n: Readonly<Record<string, number>>): string =>
  Object.entries(n)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`)
    .join(' ');
