import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import type { TenantContext, TenantEvent } from '../../../machines/tenant.machine.js';
import { Controller, type OperatorCommand } from '../../../src/app/controller.js';
import type { TenantBalancerError } from '../../../src/domain/errors.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { route } from '../domain/fixtures.js';
import { fakePorts, testConfig, waitUntil, windowsFrom } from './draining/step-harness.js';

type ConfigChanged = Extract<TenantEvent, { type: 'config.changed' }>;

/** A controller on fake ports with acme on [4] and globex on [5], recording what its actors receive. */
async function started(over: Record<string, unknown> = {}) {
  const fp = fakePorts();
  fp.table.apply(route('orders', 'acme', { partitions: [4], epoch: 1 }));
  fp.table.apply(route('orders', 'globex', { partitions: [5], epoch: 1 }));
  const changed: { id: string; event: ConfigChanged }[] = [];
  const contexts = new Map<string, TenantContext>();
  const inspect = (e: InspectionEvent) => {
    const id = (e.actorRef as { id?: string }).id ?? '';
    if (e.type === '@xstate.event' && e.event.type === 'config.changed')
      changed.push({ id, event: e.event as ConfigChanged });
    if (e.type === '@xstate.snapshot' && id.startsWith('orders/'))
      contexts.set(id, (e.snapshot as unknown as { context: TenantContext }).context);
  };
  const c = new Controller(testConfig(over), fp.ports, inspect);
  await c.start(windowsFrom());
  return { c, fp, changed, contexts };
}

const refusal = (fn: () => unknown): TenantBalancerError => {
  try {
    fn();
  } catch (e) {
    return e as TenantBalancerError;
  }
  throw new Error('accepted');
};

describe('Controller.reconfigure (fake ports)', () => {
  it('sends config.changed with each tenant its effective thresholds, ordering, mode and never-move', async () => {
    const { c, changed, contexts } = await started();
    const next = testConfig({
      mode: 'observe',
      thresholds: { isolateRate: 800, releaseRate: 40 },
      tenants: {
        'orders/acme': {
          ordering: 'relaxed',
          neverMove: true,
          thresholds: { isolateRate: 300 },
          maxShards: 3,
        },
      },
    });
    expect(c.reconfigure(next)).toEqual([
      'thresholds.isolateRate',
      'thresholds.releaseRate',
      'mode',
      'tenants.orders/acme',
    ]);
    expect(c.mode).toBe('observe');
    const byId = Object.fromEntries(changed.map((x) => [x.id, x.event]));
    expect(Object.keys(byId).sort()).toEqual(['orders/acme', 'orders/globex']);
    expect(byId['orders/acme']).toEqual({
      type: 'config.changed',
      thresholds: { ...next.thresholds, isolateRate: 300, maxShards: 3 },
      ordering: 'relaxed',
      mode: 'observe',
      neverMove: true,
    });
    expect(byId['orders/globex']).toEqual({
      type: 'config.changed',
      thresholds: next.thresholds,
      // no ordering override: it keeps its own
      ordering: 'strict',
      mode: 'observe',
      neverMove: false,
    });
    // the (stable) actors took them
    expect(contexts.get('orders/acme')).toMatchObject({
      ordering: 'relaxed',
      neverMove: true,
      mode: 'observe',
    });
    expect(contexts.get('orders/acme')!.thresholds.isolateRate).toBe(300);
    expect(contexts.get('orders/globex')!.thresholds.isolateRate).toBe(800);
    expect(c.tenants().map((t) => [t.tenant, t.ordering, t.neverMove])).toEqual([
      ['acme', 'relaxed', true],
      ['globex', 'strict', false],
    ]);
    await c.stop();
  });

  it('starts new actors with the reloaded settings, and the next route write carries the new ordering', async () => {
    const { c, fp, contexts } = await started();
    c.reconfigure(
      testConfig({
        thresholds: { cooldownMs: 5 },
        tenants: {
          'orders/initech': { ordering: 'relaxed', thresholds: { hotWindows: 7 } },
          'orders/acme': { ordering: 'relaxed' },
        },
      }),
    );
    // a tenant with no actor yet: it starts with its override
    expect(c.command({ op: 'pin', topic: 'orders', tenant: 'initech' }).ordering).toBe('relaxed');
    expect(contexts.get('orders/initech')!.thresholds).toMatchObject({ hotWindows: 7, cooldownMs: 5 });
    // acme's ordering changed while stable: its release is relaxed (no drain) and its record says so
    c.command({ op: 'unpin', topic: 'orders', tenant: 'acme' });
    await waitUntil(() => fp.table.route('orders', 'acme')?.state === 'shared', 'acme released');
    expect(fp.writes.filter((w) => w.tenant === 'acme').map((w) => [w.state, w.ordering])).toEqual([
      ['shared', 'relaxed'],
    ]);
    await c.stop();
  });

  it('refuses a reload that changes a field only a restart applies, and keeps the old config', async () => {
    const { c, changed } = await started();
    const e = refusal(() => c.reconfigure(testConfig({ mode: 'observe', topics: ['orders', 'payments'] })));
    expect(e.code).toBe(ErrorCode.ConfigRestartRequired);
    expect(e.message).toContain('topics changed, and only a restart applies it');
    expect(c.mode).toBe('act');
    expect(changed).toEqual([]);
    await c.stop();
  });
});

describe('observe mode (fake ports)', () => {
  it('refuses pin, unpin and move with KTB_OBSERVE_MODE, saying how to switch to act; writes nothing', async () => {
    const { c, fp } = await started({ mode: 'observe' });
    const commands: OperatorCommand[] = [
      { op: 'pin', topic: 'orders', tenant: 'newco' },
      { op: 'unpin', topic: 'orders', tenant: 'acme' },
      { op: 'move', topic: 'orders', tenant: 'globex', partitions: [6] },
    ];
    for (const cmd of commands) {
      const e = refusal(() => c.command(cmd));
      expect(e.code).toBe(ErrorCode.ObserveMode);
      expect(e.message).toMatch(/observe \(shadow\) mode/);
      expect(e.message).toMatch(/"mode": "act".*reload with SIGHUP or POST \/config\/reload/);
    }
    expect(c.actorCount).toBe(2);
    expect(fp.writes).toEqual([]);
    // switching to act lets commands through again, no restart
    c.reconfigure(testConfig());
    expect(c.command({ op: 'unpin', topic: 'orders', tenant: 'acme' }).state).not.toBe('dedicated');
    await waitUntil(() => fp.writes.length > 0, 'the unpin to write');
    await c.stop();
  });

  it('lets a move already in progress finish when the controller switches to observe', async () => {
    const { c, fp } = await started();
    c.command({ op: 'pin', topic: 'orders', tenant: 'newco' });
    c.reconfigure(testConfig({ mode: 'observe' }));
    await waitUntil(() => fp.table.route('orders', 'newco')?.state === 'dedicated', 'newco dedicated');
    expect(c.tenants().find((t) => t.tenant === 'newco')?.state).toBe('dedicated');
    await c.stop();
  });

  it('applies a tenant maxShards override to an operator pin', async () => {
    const { c } = await started({ tenants: { 'orders/acme': { maxShards: 1 } } });
    const e = refusal(() => c.command({ op: 'pin', topic: 'orders', tenant: 'acme', shards: 2 }));
    expect(e.code).toBe(ErrorCode.RequestInvalid);
    expect(e.message).toContain('partitions must be an integer in 1..1');
    await c.stop();
  });
});
