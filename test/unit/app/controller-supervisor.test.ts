import { describe, expect, it } from 'vitest';
import { Controller, type FaultHold } from '../../../src/app/controller.js';
import { ErrorCode, TenantBalancerError } from '../../../src/domain/errors.js';
import { defaultPartitionOf } from '../../../src/domain/partition-choice.js';
import {
  decodeRoutingRecord,
  encodeRoutingRecord,
  type TenantRoute,
} from '../../../src/domain/route-record.js';
import { route } from '../domain/fixtures.js';
import { fakePorts, testConfig, waitUntil, windowsFrom, type FakePorts } from './draining/step-harness.js';

const HASH = defaultPartitionOf('acme', 4);

/**
 * Fake ports whose route writes go through the routing topic's encoding (what a restarted controller
 * reads back is the decoded record) and must pass the table's rules, as the routing reader applies them.
 */
function brokerlessPorts(
  opts: { fail?: (route: TenantRoute) => Error | undefined; routes?: TenantRoute[] } = {},
) {
  let offset = 100;
  const written: TenantRoute[] = [];
  const calls: TenantRoute[] = [];
  const fp: FakePorts = fakePorts({
    write: async (r) => {
      calls.push(r);
      const failure = opts.fail?.(r);
      if (failure !== undefined) throw failure;
      const { key, value } = encodeRoutingRecord(r);
      const decoded = decodeRoutingRecord(Buffer.from(key), Buffer.from(value));
      if (!decoded.ok) throw decoded.error;
      const entry = decoded.entry as TenantRoute;
      if (fp.table.apply(entry) === 'rejected') throw new Error(`rejected: ${fp.table.lastRejection}`);
      written.push(entry);
      return offset++;
    },
  });
  for (const r of opts.routes ?? []) expect(fp.table.apply(r)).toBe('applied');
  return { ...fp, written, calls };
}

async function started(fp: FakePorts, faultHold?: FaultHold) {
  const c = new Controller(testConfig(), fp.ports, undefined, faultHold);
  await c.start(windowsFrom());
  return c;
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as TenantBalancerError).code;
  }
  return undefined;
};

/** Rejects if `p` has not settled within `ms` (a deadline, not a sleep). */
const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms),
    ),
  ]);

describe('Controller supervisor (fake ports)', () => {
  it('resumes a move from a persisted mid-drain snapshot: it re-announces and finishes the move', async () => {
    // A first controller stops right after announcing the drain (its last record is the draining one).
    const first = brokerlessPorts();
    const a = await started(first, 'after-announce');
    a.command({ op: 'pin', topic: 'orders', tenant: 'acme' });
    await waitUntil(
      () => first.warnings('fault hold reached: after-announce').length === 1,
      'the announcement',
    );
    expect(a.tenants().map((t) => t.state)).toEqual(['draining.announcing']);
    await a.stop();
    expect(first.written.map((r) => [r.state, r.epoch, r.partitions, r.from])).toEqual([
      ['isolating', 0, [], undefined],
      ['draining', 1, [4], [HASH]],
    ]);
    const record = first.written[1]!;
    expect(record.machine).toMatchObject({ value: { draining: 'announcing' } });
    expect(record.machine).not.toHaveProperty('children');

    // A fresh controller on a routing table holding that record.
    const second = brokerlessPorts({ routes: [record] });
    const b = await started(second);
    await waitUntil(() => second.table.route('orders', 'acme')?.state === 'dedicated', 'acme dedicated');
    expect(second.logs.filter((l) => l.msg === 'resuming tenant from its persisted snapshot')).toEqual([
      {
        level: 'info',
        obj: { topic: 'orders', tenant: 'acme', state: 'draining.announcing' },
        msg: 'resuming tenant from its persisted snapshot',
      },
    ]);
    // re-announced (same epoch: the drain was not restarted), then committed
    expect(second.written.map((r) => [r.state, r.epoch, r.partitions, r.from])).toEqual([
      ['draining', 1, [4], [HASH]],
      ['dedicated', 1, [4], undefined],
    ]);
    // the first controller wrote as writer epoch 1; the one that read its record writes as 2
    expect(record.writerEpoch).toBe(1);
    expect(second.written.map((r) => r.writerEpoch)).toEqual([2, 2]);
    await waitUntil(() => b.tenants()[0]?.state === 'dedicated', 'the actor settled');
    expect(b.tenants()).toMatchObject([
      { tenant: 'acme', state: 'dedicated', partitions: [4], epoch: 1, drain: null },
    ]);
    expect(b.migrationsDone).toBe(1);
    await b.stop();
  });

  it('refuses an operator command on an unmanaged topic (KTB_TOPIC_NOT_MANAGED)', async () => {
    const fp = brokerlessPorts();
    const c = await started(fp);
    expect(codeOf(() => c.command({ op: 'pin', topic: 'payments', tenant: 'acme' }))).toBe(
      ErrorCode.TopicNotManaged,
    );
    expect(c.actorCount).toBe(0);
    await c.stop();
    expect(fp.calls).toEqual([]);
  });

  it('refuses to pin a tenant that is mid-move (KTB_TENANT_BUSY)', async () => {
    const fp = brokerlessPorts();
    const c = await started(fp, 'after-announce');
    expect(c.command({ op: 'pin', topic: 'orders', tenant: 'acme' }).state).toBe('isolating');
    expect(codeOf(() => c.command({ op: 'pin', topic: 'orders', tenant: 'acme' }))).toBe(
      ErrorCode.TenantBusy,
    );
    await waitUntil(() => fp.warnings('fault hold reached: after-announce').length === 1, 'the drain');
    expect(codeOf(() => c.command({ op: 'pin', topic: 'orders', tenant: 'acme', shards: 2 }))).toBe(
      ErrorCode.TenantBusy,
    );
    expect(codeOf(() => c.command({ op: 'unpin', topic: 'orders', tenant: 'acme' }))).toBe(
      ErrorCode.TenantBusy,
    );
    await c.stop();
  });

  it('refuses to unpin a shared tenant that was never pinned (KTB_REQUEST_INVALID)', async () => {
    const fp = brokerlessPorts();
    const c = await started(fp);
    let err: TenantBalancerError | undefined;
    try {
      c.command({ op: 'unpin', topic: 'orders', tenant: 'acme' });
    } catch (e) {
      err = e as TenantBalancerError;
    }
    expect(err?.code).toBe(ErrorCode.RequestInvalid);
    expect(err?.message).toBe(
      'KTB_REQUEST_INVALID: tenant "acme" is shared; unpin applies to a pinned tenant (pin it first)',
    );
    expect(c.tenants().map((t) => t.state)).toEqual(['shared']);
    await c.stop();
    expect(fp.calls).toEqual([]);
  });

  it('refuses a move to a partition another tenant holds (KTB_REQUEST_INVALID), accepts a free one', async () => {
    const fp = brokerlessPorts({ routes: [route('orders', 'globex', { partitions: [5], epoch: 1 })] });
    const c = await started(fp, 'after-announce');
    let err: TenantBalancerError | undefined;
    try {
      c.command({ op: 'move', topic: 'orders', tenant: 'acme', partitions: [6, 5] });
    } catch (e) {
      err = e as TenantBalancerError;
    }
    expect(err?.code).toBe(ErrorCode.RequestInvalid);
    expect(err?.message).toContain('partition(s) 5 are held by another tenant');
    expect(fp.calls).toEqual([]);
    expect(c.command({ op: 'move', topic: 'orders', tenant: 'acme', partitions: [6] }).state).toBe(
      'isolating',
    );
    await waitUntil(() => fp.written.length === 2, 'the move to announce');
    expect(fp.written.map((r) => [r.state, r.partitions])).toEqual([
      ['isolating', []],
      ['draining', [6]],
    ]);
    await c.stop();
  });

  it('a route write failing with ControllerFenced: fenced, not ready, one error logged, no retry', async () => {
    const fp = brokerlessPorts({
      fail: () => new TenantBalancerError(ErrorCode.ControllerFenced, 'a newer controller owns "ktb.routes"'),
    });
    const c = await started(fp);
    expect(c.ready).toBe(true);
    c.command({ op: 'pin', topic: 'orders', tenant: 'acme' });
    c.command({ op: 'pin', topic: 'orders', tenant: 'globex' });
    await waitUntil(() => c.fenced, 'the controller to be fenced');
    expect(c.ready).toBe(false);
    await within(c.stop(), 3000, 'stop()');
    const errors = fp.logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.obj).toEqual({ code: 'KTB_CONTROLLER_FENCED', topics: ['orders'] });
    expect(errors[0]!.msg).toMatch(
      /^KTB_CONTROLLER_FENCED: a newer controller owns "ktb.routes"\. This controller stopped acting/,
    );
    expect(fp.calls.map((r) => r.tenant).sort()).toEqual(['acme', 'globex']);
    expect(fp.warnings('effect failed; retrying')).toEqual([]);
    expect(fp.written).toEqual([]);
  });

  it('stop() resolves while a step is blocked in a fault hold, and nothing more is written', async () => {
    const fp = brokerlessPorts();
    const c = await started(fp, 'before-commit');
    c.command({ op: 'pin', topic: 'orders', tenant: 'acme' });
    await waitUntil(() => fp.warnings('fault hold reached: before-commit').length === 1, 'the hold');
    expect(c.tenants()[0]?.state).toBe('committing');
    await within(c.stop(), 3000, 'stop()');
    expect(c.ready).toBe(false);
    expect(fp.written.map((r) => r.state)).toEqual(['isolating', 'draining']);
    expect(c.migrationsDone).toBe(0);
  });
});
