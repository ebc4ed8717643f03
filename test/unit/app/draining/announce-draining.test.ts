import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { announceDraining } from '../../../../src/app/draining/announce-draining.js';
import { ProducerAcks } from '../../../../src/app/draining/producer-acks.js';
import { ctx, fakePorts, runStep, sample, stepDeps, testConfig } from './step-harness.js';

const T0 = 5_000_000;
const flush = () => vi.advanceTimersByTimeAsync(0);
/** the lease of testConfig(): routeLeaseMs 500 + tickMs 50 */
const LEASE = 550;
/** persist answers 1000 first: the draining record's offset */
const OFFSET = 1000;
const draining = () => ctx({ epoch: 3, target: [5], from: [2], partitions: [] });

const ack = (acks: ProducerAcks, producerId: string, epoch = 3) =>
  acks.onAck({ v: 1, kind: 'drain-ack', producerId, topic: 'orders', tenant: 'acme', epoch, at: Date.now() });
const report = (acks: ProducerAcks, producerId: string, routesApplied: number | undefined) =>
  acks.onReport({
    at: Date.now(),
    report: {
      v: 1,
      kind: 'traffic',
      producerId,
      seq: 1,
      intervalStart: 0,
      intervalEnd: 1,
      ...(routesApplied !== undefined ? { routesApplied } : {}),
      tenants: [],
    },
  });

describe('announceDraining + collectAcks (draining.announcing)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it("persists 'draining' with the target and the partitions it leaves, then announces the write's offset", async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    const r = runStep(announceDraining(s.deps), ctx({ epoch: 3, target: [5, 6], from: [4] }));
    await flush();
    expect(s.persisted).toEqual([{ key: 'orders/acme', state: 'draining', partitions: [5, 6], from: [4] }]);
    expect(r.events[0]).toEqual({ type: 'drain.announced', offset: OFFSET, now: T0 });
    r.stop();
  });

  it('with no live producer it is acked at once, and telemetry shows the acks start and end', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    const r = runStep(announceDraining(s.deps), draining());
    await flush();
    expect(r.types()).toEqual(['drain.announced', 'producers.acked']);
    expect(s.steps).toEqual([
      { topic: 'orders', tenant: 'acme', epoch: 3, step: 'acks', phase: 'start', detail: { producers: 0 } },
      {
        topic: 'orders',
        tenant: 'acme',
        epoch: 3,
        step: 'acks',
        phase: 'end',
        detail: { acked: 0, expired: 0 },
      },
    ]);
    expect(fp.warnings()).toEqual([]);
    r.stop();
  });

  it('a just-started controller waits for its first window to know who is alive, then for their acks', async () => {
    const fp = fakePorts();
    // a Controller that has just started (or leads again): no window yet, so no alive set yet
    const s = stepDeps(fp, { acks: new ProducerAcks() });
    const r = runStep(announceDraining(s.deps), draining());
    await flush();
    await vi.advanceTimersByTimeAsync(LEASE / 2);
    // "nobody reported yet" is not "no producer": it neither proceeds nor starts the acks wait
    expect(r.types()).toEqual(['drain.announced']);
    expect(s.steps.filter((x) => x.step === 'acks')).toEqual([]);
    ack(s.deps.acks, 'p1');
    report(s.deps.acks, 'p1', OFFSET + 1);
    s.deps.acks.setAlive(['p1', 'p2']);
    await flush();
    expect(s.steps.filter((x) => x.step === 'acks').map((x) => [x.phase, x.detail])).toEqual([
      ['start', { producers: 2 }],
    ]);
    expect(r.types()).toEqual(['drain.announced']);
    ack(s.deps.acks, 'p2');
    report(s.deps.acks, 'p2', OFFSET + 1);
    await flush();
    expect(r.types()).toEqual(['drain.announced', 'producers.acked']);
    r.stop();
  });

  it("an ack alone does not end the wait: the producer's report must show routesApplied > the offset", async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    s.deps.acks.setAlive(['p1']);
    const r = runStep(announceDraining(s.deps), draining());
    await flush();
    expect(r.types()).toEqual(['drain.announced']);
    ack(s.deps.acks, 'p1');
    await flush();
    expect(r.types()).toEqual(['drain.announced']);
    ack(s.deps.acks, 'p1', 2); // another epoch's ack is not this drain's
    report(s.deps.acks, 'p1', OFFSET); // its view is at the record, not past it
    await vi.advanceTimersByTimeAsync(100);
    expect(r.types()).toEqual(['drain.announced']);
    report(s.deps.acks, 'p1', OFFSET + 1);
    await flush();
    expect(r.types()).toEqual(['drain.announced', 'producers.acked']);
    expect(s.steps.at(-1)).toEqual({
      topic: 'orders',
      tenant: 'acme',
      epoch: 3,
      step: 'acks',
      phase: 'end',
      detail: { acked: 1, expired: 0 },
    });
    expect(fp.warnings()).toEqual([]);
    r.stop();
  });

  it('a report past the offset without an ack does not end the wait either', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    s.deps.acks.setAlive(['p1']);
    const r = runStep(announceDraining(s.deps), draining());
    await flush();
    // it keeps reporting (it is alive and saw the drain): waited for past the announcement's lease
    report(s.deps.acks, 'p1', OFFSET + 5);
    await vi.advanceTimersByTimeAsync(300);
    report(s.deps.acks, 'p1', OFFSET + 5);
    await vi.advanceTimersByTimeAsync(300);
    expect(r.types()).toEqual(['drain.announced']);
    ack(s.deps.acks, 'p1');
    await flush();
    expect(r.types()).toEqual(['drain.announced', 'producers.acked']);
    r.stop();
  });

  it('skips a producer that never reports once its lease (routeLeaseMs + tickMs) is over, with a warning', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    s.deps.acks.setAlive(['p1', 'p2']);
    const r = runStep(announceDraining(s.deps), draining());
    await flush();
    ack(s.deps.acks, 'p2');
    report(s.deps.acks, 'p2', OFFSET + 1);
    await vi.advanceTimersByTimeAsync(LEASE - 1);
    expect(r.types()).toEqual(['drain.announced']);
    expect(fp.warnings()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.types()).toEqual(['drain.announced', 'producers.acked']);
    expect(fp.warnings().map((w) => [w.msg, w.obj])).toEqual([
      [
        "proceeding without acks: those producers' route lease expired",
        { tenant: 'acme', epoch: 3, pending: ['p1'] },
      ],
    ]);
    expect(s.steps.at(-1)?.detail).toEqual({ acked: 1, expired: 1 });
    r.stop();
  });

  it('waits for a producer that saw the drain and keeps reporting, past the lease', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    s.deps.acks.setAlive(['p1']);
    const r = runStep(announceDraining(s.deps), draining());
    await flush();
    for (let t = 0; t < 4; t++) {
      report(s.deps.acks, 'p1', OFFSET + 1);
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(r.types()).toEqual(['drain.announced']);
    // it stops reporting: skipped a lease after its last report (at +900 ms)
    await vi.advanceTimersByTimeAsync(900 + LEASE - 1200 - 1);
    expect(r.types()).toEqual(['drain.announced']);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.types()).toEqual(['drain.announced', 'producers.acked']);
    r.stop();
  });

  it('re-checks only on a signal or when a lease could run out (no polling once one lease is over)', async () => {
    // p1 is silent (its lease runs out at +550 ms); p2 saw the drain and waits for Kafka: it is
    // waited for, and nothing can change before its next report or its own lease end.
    const fp = fakePorts();
    const s = stepDeps(fp);
    s.deps.acks.setAlive(['p1', 'p2']);
    const checks = vi.spyOn(s.deps.acks, 'acked');
    const r = runStep(announceDraining(s.deps), draining());
    await flush();
    await vi.advanceTimersByTimeAsync(500);
    report(s.deps.acks, 'p2', OFFSET + 1);
    await vi.advanceTimersByTimeAsync(LEASE - 500);
    expect(r.types()).toEqual(['drain.announced']);
    const atLeaseEnd = checks.mock.calls.length;
    await vi.advanceTimersByTimeAsync(200);
    expect(r.types()).toEqual(['drain.announced']);
    expect(checks.mock.calls.length - atLeaseEnd).toBe(0);
    r.stop();
  });

  it('ends without producers.acked when stopped while waiting', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    s.deps.acks.setAlive(['p1']);
    const r = runStep(announceDraining(s.deps), draining());
    await flush();
    r.stop();
    await flush();
    expect(s.allSettled()).toBe(true);
    await vi.advanceTimersByTimeAsync(LEASE * 3);
    ack(s.deps.acks, 'p1');
    report(s.deps.acks, 'p1', OFFSET + 1);
    await flush();
    expect(r.types()).toEqual(['drain.announced']);
    expect(s.steps.map((e) => e.phase)).toEqual(['start']);
    expect(fp.warnings()).toEqual([]);
  });
});

/** acme's next move (epoch 3, 2 -> 5) after two gated moves: fence 1 on 6 @ 30, fence 2 on 2 @ 50 and 3 @ 60 */
const afterGatedMoves = () =>
  ctx({
    epoch: 3,
    target: [5],
    from: [2],
    partitions: [],
    fences: [
      { epoch: 1, offsets: { 6: 30 } },
      { epoch: 2, offsets: { 2: 50, 3: 60 } },
    ],
  });

describe("announceDraining: a tenant's next move waits for gated groups to pass its previous fence", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('"The controller starts no next move of that tenant until every gated group passed the previous fence" (gating auto)', async () => {
    const fp = fakePorts({ groups: ['fast', 'slow', 'plain'], gated: ['fast', 'slow'] });
    const s = stepDeps(fp);
    const r = runStep(announceDraining(s.deps), afterGatedMoves());
    await flush();
    // nothing is announced while it waits: no producer holds anything
    expect(s.persisted).toEqual([]);
    expect(s.steps[0]).toEqual({
      topic: 'orders',
      tenant: 'acme',
      epoch: 3,
      step: 'previous-fence',
      phase: 'start',
      detail: { fenceEpoch: 2, groups: 'fast,slow' },
    });
    // fast passed on both partitions; slow passed 2 but not 3 (59 < 60, next-offset sense)
    fp.samples$.next(sample(1, { fast: { 2: 50, 3: 60 }, slow: { 2: 50, 3: 59 }, plain: {} }));
    await flush();
    expect(s.persisted).toEqual([]);
    expect(r.types()).toEqual(['drain.progress']);
    expect(r.events[0]).toEqual({
      type: 'drain.progress',
      remaining: 1,
      byGroup: { fast: 0, slow: 1 },
      gated: ['fast', 'slow'],
    });
    // slow passes: the move starts. The plain group (stop-and-wait) is not waited for here.
    fp.samples$.next(sample(2, { fast: { 2: 50, 3: 60 }, slow: { 2: 51, 3: 60 }, plain: {} }));
    await flush();
    expect(s.persisted).toEqual([{ key: 'orders/acme', state: 'draining', partitions: [5], from: [2] }]);
    expect(r.types()).toEqual(['drain.progress', 'drain.progress', 'drain.announced', 'producers.acked']);
    expect(s.steps.filter((e) => e.step === 'previous-fence').map((e) => e.phase)).toEqual([
      'start',
      'progress',
      'progress',
      'end',
    ]);
    r.stop();
  });

  it("waits on the latest fence only (earlier ones are the consumers' to check)", async () => {
    const fp = fakePorts({ groups: ['g'], gated: ['g'] });
    const s = stepDeps(fp);
    const r = runStep(announceDraining(s.deps), afterGatedMoves());
    await flush();
    // g has not passed fence 1 (on 6) but passed fence 2: the move starts
    fp.samples$.next(sample(1, { g: { 2: 50, 3: 60, 6: 0 } }));
    await flush();
    expect(s.persisted.map((p) => p.state)).toEqual(['draining']);
    r.stop();
  });

  it('does not wait in gating "producer" (config or per topic): the move does stop-and-wait instead', async () => {
    for (const config of [
      testConfig({ gating: 'producer' }),
      testConfig({ topicGating: { orders: 'producer' } }),
    ]) {
      const fp = fakePorts({ groups: ['fast'], gated: ['fast'] });
      const s = stepDeps(fp, { config });
      const r = runStep(announceDraining(s.deps), afterGatedMoves());
      await flush();
      expect(s.persisted.map((p) => p.state)).toEqual(['draining']);
      expect(s.steps.some((e) => e.step === 'previous-fence')).toBe(false);
      expect(r.types()).toEqual(['drain.announced', 'producers.acked']);
      r.stop();
    }
  });

  it('does not wait when no group is gated, nor when the tenant has no fence yet', async () => {
    const plain = fakePorts({ groups: ['plain'], gated: [] });
    const s1 = stepDeps(plain);
    const r1 = runStep(announceDraining(s1.deps), afterGatedMoves());
    await flush();
    expect(s1.persisted.map((p) => p.state)).toEqual(['draining']);
    expect(s1.steps.some((e) => e.step === 'previous-fence')).toBe(false);
    r1.stop();
    const gated = fakePorts({ groups: ['fast'], gated: ['fast'] });
    const s2 = stepDeps(gated);
    const r2 = runStep(announceDraining(s2.deps), draining());
    await flush();
    expect(s2.persisted.map((p) => p.state)).toEqual(['draining']);
    r2.stop();
  });

  it('gating "consumer" counts every group as gated: it waits for all of them', async () => {
    const fp = fakePorts({ groups: ['a', 'b'], gated: [] });
    const s = stepDeps(fp, { config: testConfig({ gating: 'consumer' }) });
    const r = runStep(announceDraining(s.deps), afterGatedMoves());
    await flush();
    expect(s.steps[0]?.detail).toEqual({ fenceEpoch: 2, groups: 'a,b' });
    fp.samples$.next(sample(1, { a: { 2: 50, 3: 60 } }));
    await flush();
    expect(s.persisted).toEqual([]);
    fp.samples$.next(sample(2, { a: { 2: 50, 3: 60 }, b: { 2: 50, 3: 60 } }));
    await flush();
    expect(s.persisted.map((p) => p.state)).toEqual(['draining']);
    r.stop();
  });

  it('stopped while it waits for the previous fence, it announces nothing', async () => {
    const fp = fakePorts({ groups: ['slow'], gated: ['slow'] });
    const s = stepDeps(fp);
    const r = runStep(announceDraining(s.deps), afterGatedMoves());
    await flush();
    r.stop();
    await flush();
    fp.samples$.next(sample(1, { slow: { 2: 50, 3: 60 } }));
    await flush();
    expect(s.persisted).toEqual([]);
    expect(r.types()).toEqual([]);
    expect(s.allSettled()).toBe(true);
    expect(s.steps.map((e) => e.phase)).toEqual(['start']);
  });
});
