import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Controller } from '../../../src/app/controller.js';
import type { WindowSnapshot } from '../../../src/domain/window-aggregator.js';
import { fakePorts, testConfig, waitUntil } from './draining/step-harness.js';

const WINDOW_MS = 1000;
const empty = (at: number): WindowSnapshot => ({
  at,
  partitions: [],
  tenants: [],
  producersAlive: [],
  producersGone: [],
});

/**
 * A drain counts the producers a window names alive only once the windows have observed for a whole
 * window: one closed just after observing began has not heard every producer yet, and "nobody
 * reported yet" taken for "no producer" would let a drain skip every ack.
 */
describe('Controller: whom a drain waits for comes from a complete window', () => {
  it('waits through windows closed less than windowMs after observing began, then goes on', async () => {
    const fp = fakePorts();
    const c = new Controller(testConfig({ windowMs: WINDOW_MS, tickMs: 50 }), fp.ports);
    const w$ = new Subject<WindowSnapshot>();
    const since = Date.now();
    await c.start(w$, { observingSince: since });
    c.command({ op: 'pin', topic: 'orders', tenant: 'acme' });
    await waitUntil(() => fp.table.route('orders', 'acme')?.state === 'draining', 'acme announced');
    w$.next(empty(since + 100));
    w$.next(empty(since + WINDOW_MS - 1));
    // give the step every chance to move on: it must not
    await new Promise((r) => setTimeout(r, 200));
    expect(c.tenants().find((t) => t.tenant === 'acme')?.state).toBe('draining.announcing');
    w$.next(empty(since + WINDOW_MS));
    await waitUntil(() => fp.table.route('orders', 'acme')?.state === 'dedicated', 'acme dedicated');
    await c.stop();
  });

  it('a Controller started on windows that observed long before (it leads again) trusts the first one', async () => {
    const fp = fakePorts();
    const c = new Controller(testConfig({ windowMs: WINDOW_MS, tickMs: 50 }), fp.ports);
    const w$ = new Subject<WindowSnapshot>();
    await c.start(w$, { observingSince: Date.now() - 60_000 });
    c.command({ op: 'pin', topic: 'orders', tenant: 'acme' });
    await waitUntil(() => fp.table.route('orders', 'acme')?.state === 'draining', 'acme announced');
    w$.next(empty(Date.now()));
    await waitUntil(() => fp.table.route('orders', 'acme')?.state === 'dedicated', 'acme dedicated');
    await c.stop();
  });
});
