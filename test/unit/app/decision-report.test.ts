import { initialTransition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { tenantMachine, type TenantContext } from '../../../machines/tenant.machine.js';
import { decisionReporter } from '../../../src/app/decision-report.js';
import { input } from '../machines/tenant-harness.js';
import { fakePorts } from './draining/step-harness.js';

const context = (over: Partial<TenantContext>): TenantContext => ({
  ...initialTransition(tenantMachine, input({ tenant: 'acme' }))[0].context,
  ...over,
});

const decision = {
  at: 5,
  from: 'shared',
  to: 'isolating',
  reason: 'would isolate acme on 2 partitions: 1200 rec/s',
  numbers: { rate: 1200, shards: 2 },
};

describe('recordDecision (decisionReporter)', () => {
  it('logs a shadow decision with shadow: true, counts it by topic and sends it to the telemetry hook', () => {
    const fp = fakePorts();
    const counts = new Map<string, number>();
    const hooked: unknown[] = [];
    const report = decisionReporter(fp.ports.log, { shadowDecision: (e) => void hooked.push(e) }, counts);
    report(context({ mode: 'observe', decision: { ...decision, shadow: true } }));
    report(context({ mode: 'observe', decision: { ...decision, at: 6, shadow: true } }));
    expect(counts).toEqual(new Map([['orders', 2]]));
    expect(fp.logs[0]).toEqual({
      level: 'info',
      obj: { topic: 'orders', tenant: 'acme', ...decision, shadow: true, mode: 'observe' },
      msg: 'shadow decision: would isolate acme on 2 partitions: 1200 rec/s',
    });
    expect(hooked[0]).toEqual({
      topic: 'orders',
      tenant: 'acme',
      from: 'shared',
      to: 'isolating',
      reason: decision.reason,
      numbers: decision.numbers,
    });
  });

  it('logs a real decision as before, without counting it or calling the shadow hook', () => {
    const fp = fakePorts();
    const counts = new Map<string, number>();
    const hooked: unknown[] = [];
    const report = decisionReporter(fp.ports.log, { shadowDecision: (e) => void hooked.push(e) }, counts);
    report(context({ decision: { ...decision, reason: 'hot: 1200 rec/s' } }));
    report(context({ decision: undefined }));
    expect(fp.logs).toEqual([
      {
        level: 'info',
        obj: { topic: 'orders', tenant: 'acme', ...decision, reason: 'hot: 1200 rec/s' },
        msg: 'decision: hot: 1200 rec/s',
      },
    ]);
    expect(counts.size).toBe(0);
    expect(hooked).toEqual([]);
  });
});
