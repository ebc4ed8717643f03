import { describe, expect, it } from 'vitest';
import {
  leaseDeadline,
  leaseOver,
  sawRecord,
  type ProducerView,
} from '../../../src/policy/producer-lease.js';

const LEASE = 550;
const ANNOUNCED_AT = 10_000;
const OFFSET = 40;
const view = (reportAt: number, routesApplied: number | undefined): ProducerView => ({
  reportAt,
  routesApplied,
});

describe('sawRecord (a producer applied the routing record at an offset)', () => {
  it('needs a report whose routing view is past the offset', () => {
    expect(sawRecord(undefined, OFFSET)).toBe(false);
    expect(sawRecord(view(1, undefined), OFFSET)).toBe(false);
    expect(sawRecord(view(1, OFFSET - 1), OFFSET)).toBe(false);
    expect(sawRecord(view(1, OFFSET), OFFSET)).toBe(false);
    expect(sawRecord(view(1, OFFSET + 1), OFFSET)).toBe(true);
    expect(sawRecord(view(1, 0), 0)).toBe(false);
  });
});

describe('leaseOver (when a drain may stop waiting for a producer)', () => {
  const over = (v: ProducerView | undefined, now: number) => leaseOver(v, ANNOUNCED_AT, OFFSET, now, LEASE);

  it('is never over before a whole lease since the announcement, whatever the view', () => {
    const end = ANNOUNCED_AT + LEASE;
    expect(over(undefined, end - 1)).toBe(false);
    expect(over(view(0, undefined), end - 1)).toBe(false);
    expect(over(view(0, 0), end - 1)).toBe(false);
  });

  it('a producer that never reported: over exactly at the lease', () => {
    expect(over(undefined, ANNOUNCED_AT + LEASE - 1)).toBe(false);
    expect(over(undefined, ANNOUNCED_AT + LEASE)).toBe(true);
  });

  it('a producer that saw the drain is waited for while it reports, skipped once its report is a lease old', () => {
    const reportAt = ANNOUNCED_AT + 300;
    const saw = view(reportAt, OFFSET + 1);
    expect(over(saw, ANNOUNCED_AT + LEASE)).toBe(false);
    expect(over(saw, reportAt + LEASE - 1)).toBe(false);
    expect(over(saw, reportAt + LEASE)).toBe(true);
  });

  it("a stale report (a lease old at the announcement's lease end) is over, even if it saw the record", () => {
    const stale = view(ANNOUNCED_AT - 100, OFFSET + 1);
    expect(over(stale, ANNOUNCED_AT + LEASE)).toBe(true);
    expect(over(view(ANNOUNCED_AT, OFFSET + 1), ANNOUNCED_AT + LEASE)).toBe(true);
    expect(over(view(ANNOUNCED_AT + 1, OFFSET + 1), ANNOUNCED_AT + LEASE)).toBe(false);
  });

  it('a fresh report whose view never saw the record: over at the lease (the producer holds itself)', () => {
    const fresh = ANNOUNCED_AT + LEASE - 1;
    expect(over(view(fresh, OFFSET), ANNOUNCED_AT + LEASE - 1)).toBe(false);
    expect(over(view(fresh, OFFSET), ANNOUNCED_AT + LEASE)).toBe(true);
    expect(over(view(fresh, undefined), ANNOUNCED_AT + LEASE)).toBe(true);
  });
});

describe('leaseDeadline (the next moment leaseOver could turn true)', () => {
  it('is the announcement plus the lease for a producer never heard from, or heard from before it', () => {
    expect(leaseDeadline(undefined, ANNOUNCED_AT, LEASE)).toBe(ANNOUNCED_AT + LEASE);
    expect(leaseDeadline(view(ANNOUNCED_AT - 200, OFFSET + 1), ANNOUNCED_AT, LEASE)).toBe(
      ANNOUNCED_AT + LEASE,
    );
    expect(leaseDeadline(view(ANNOUNCED_AT, OFFSET + 1), ANNOUNCED_AT, LEASE)).toBe(ANNOUNCED_AT + LEASE);
  });

  it('is the last report plus the lease for a producer that reported since', () => {
    expect(leaseDeadline(view(ANNOUNCED_AT + 300, OFFSET + 1), ANNOUNCED_AT, LEASE)).toBe(
      ANNOUNCED_AT + 300 + LEASE,
    );
  });

  it('leaseOver turns true exactly at the deadline, for a silent producer and for one that saw the drain', () => {
    for (const v of [undefined, view(ANNOUNCED_AT - 50, OFFSET + 1), view(ANNOUNCED_AT + 123, OFFSET + 7)]) {
      const d = leaseDeadline(v, ANNOUNCED_AT, LEASE);
      expect([
        leaseOver(v, ANNOUNCED_AT, OFFSET, d - 1, LEASE),
        leaseOver(v, ANNOUNCED_AT, OFFSET, d, LEASE),
      ]).toEqual([false, true]);
    }
  });
});
