import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TenantEvent } from '../../../../machines/tenant.machine.js';
import { announceDraining } from '../../../../src/app/draining/announce-draining.js';
import { stepActor } from '../../../../src/app/draining/step.js';
import { ErrorCode, TenantBalancerError } from '../../../../src/domain/errors.js';
import { ctx, fakePorts, runStep, stepDeps } from './step-harness.js';

const flush = () => vi.advanceTimersByTimeAsync(0);
const done: TenantEvent = { type: 'producers.acked' };

describe('step runner (stepActor)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('retries a failure with back-off 200*2^attempt ms, capped at 5 s, then sends the event', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    const attempts: number[] = [];
    const start = Date.now();
    const logic = stepActor('flaky', s.deps, async () => {
      attempts.push(Date.now() - start);
      if (attempts.length <= 7) throw new Error(`blip ${attempts.length}`);
      return done;
    });
    const r = runStep(logic, ctx());
    await flush();
    expect(attempts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(199);
    expect(attempts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([0, 200]);
    await vi.advanceTimersByTimeAsync(20_000);
    // 200, 400, 800, 1600, 3200, then 6400 capped at 5000 twice
    expect(attempts).toEqual([0, 200, 600, 1400, 3000, 6200, 11_200, 16_200]);
    expect(r.types()).toEqual(['producers.acked']);
    const warns = fp.warnings('effect failed; retrying');
    expect(warns.map((w) => w.obj.attempt)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(warns[0]!.obj).toMatchObject({ topic: 'orders', tenant: 'acme', effect: 'flaky', err: 'blip 1' });
    expect(s.allSettled()).toBe(true);
    r.stop();
  });

  it('a ControllerFenced error calls onFenced once and is not retried', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    let calls = 0;
    const fencedError = new TenantBalancerError(ErrorCode.ControllerFenced, 'a newer controller wrote');
    const logic = stepActor('fenced', s.deps, async () => {
      calls++;
      throw fencedError;
    });
    const r = runStep(logic, ctx());
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toBe(1);
    expect(s.fenced).toEqual([fencedError]);
    expect(fp.warnings()).toEqual([]);
    expect(r.events).toEqual([]);
    expect(s.allSettled()).toBe(true);
    r.stop();
  });

  it('does not retry once the controller stopped running', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    let calls = 0;
    const logic = stepActor('stopping', s.deps, async () => {
      calls++;
      s.setRunning(false);
      throw new Error('broker gone');
    });
    const r = runStep(logic, ctx());
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
    expect(fp.warnings('effect failed; retrying')).toHaveLength(1);
    expect(s.allSettled()).toBe(true);
    r.stop();
  });

  it('stopping the step during a back-off ends it at once, without another attempt', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    let calls = 0;
    const logic = stepActor('aborted', s.deps, async () => {
      calls++;
      throw new Error('blip');
    });
    const r = runStep(logic, ctx());
    await vi.advanceTimersByTimeAsync(100);
    expect(s.allSettled()).toBe(false);
    r.stop();
    await flush();
    expect(s.allSettled()).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
  });

  it('an event resolved after the step was stopped is not sent', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    let finish!: () => void;
    const logic = stepActor('late', s.deps, () => new Promise((res) => (finish = () => res(done))));
    const r = runStep(logic, ctx());
    await flush();
    r.stop();
    finish();
    await flush();
    expect(r.events).toEqual([]);
    expect(s.allSettled()).toBe(true);
  });

  it('a fault hold blocks the step until it is stopped and sends nothing', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp, { faultHold: 'after-announce' });
    const r = runStep(announceDraining(s.deps), ctx({ epoch: 1, target: [5], from: [2] }));
    await flush();
    expect(s.persisted.map((p) => p.state)).toEqual(['draining']);
    const hold = fp.warnings('fault hold reached: after-announce');
    expect(hold.map((w) => w.obj)).toEqual([{ code: 'KTB_FAULT_HOLD', point: 'after-announce' }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(r.events).toEqual([]);
    expect(s.allSettled()).toBe(false);
    r.stop();
    await flush();
    expect(s.allSettled()).toBe(true);
    expect(r.events).toEqual([]);
    expect(s.persisted).toHaveLength(1);
  });

  it('a fault hold at another point does not stop this step', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp, { faultHold: 'before-commit' });
    const r = runStep(announceDraining(s.deps), ctx({ epoch: 1, target: [5], from: [2] }));
    await flush();
    expect(r.types()).toEqual(['drain.announced', 'producers.acked']);
    expect(fp.warnings()).toEqual([]);
    r.stop();
  });
});
