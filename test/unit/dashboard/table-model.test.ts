import { describe, expect, it } from 'vitest';
import type { TenantRow } from '../../../src/app/dashboard/view-model.js';
import { commandBody } from '../../../src/dashboard/command-body.js';
import { visibleRows, windowOf } from '../../../src/dashboard/table-model.js';

const row = (tenant: string, state: string, rate: number | null, reason = ''): TenantRow => ({
  key: `t/${tenant}`,
  topic: 't',
  tenant,
  state,
  partitions: [0],
  epoch: 0,
  ordering: 'strict',
  manual: false,
  rate,
  share: null,
  lag: null,
  decision: reason ? { at: 0, from: 'shared', to: 'isolating', reason, numbers: {}, shadow: false } : null,
  stuck: false,
});

describe('tenants table model', () => {
  const rows = [row('b', 'shared', 5), row('a', 'dedicated', 50, 'rate 50/s'), row('c', 'shared', null)];

  it('sorts by the chosen column either way, unknown rates last when descending', () => {
    expect(visibleRows(rows, '', { key: 'rate', desc: true }).map((r) => r.tenant)).toEqual(['a', 'b', 'c']);
    expect(visibleRows(rows, '', { key: 'tenant', desc: false }).map((r) => r.tenant)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(visibleRows(rows, '', { key: 'state', desc: false }).map((r) => r.tenant)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('filters on tenant id, state and decision reason', () => {
    expect(visibleRows(rows, 'DEDIC', { key: 'tenant', desc: false }).map((r) => r.tenant)).toEqual(['a']);
    expect(visibleRows(rows, '50/s', { key: 'tenant', desc: false }).map((r) => r.tenant)).toEqual(['a']);
    expect(visibleRows(rows, 'b', { key: 'tenant', desc: false }).map((r) => r.tenant)).toEqual(['b']);
  });

  it('renders only the rows in view plus a margin (10,000 rows, 16 in view)', () => {
    expect(windowOf(10_000, 0, 448, 28)).toEqual({ start: 0, end: 24 });
    expect(windowOf(10_000, 28 * 5000, 448, 28)).toEqual({ start: 4992, end: 5024 });
    expect(windowOf(10, 0, 448, 28)).toEqual({ start: 0, end: 10 });
  });

  it('builds command bodies, or says why not', () => {
    expect(commandBody('pin', '')).toEqual({});
    expect(commandBody('pin', '2')).toEqual({ partitions: 2 });
    expect(commandBody('move', '5, 6')).toEqual({ partitions: [5, 6] });
    expect(commandBody('move', '')).toBe('move needs partitions, e.g. 5,6');
    expect(commandBody('pin', 'x')).toBe('partitions must be whole numbers');
    expect(commandBody('unpin', '3')).toEqual({});
  });
});
