import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Controller } from '../../../src/app/controller.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import type { OffsetSample } from '../../../src/domain/offsets.js';
import type { TenantRoute } from '../../../src/domain/route-record.js';
import { RoutingTable } from '../../../src/domain/routing-table.js';
import type { DrainAck, ReceivedReport } from '../../../src/domain/wire-records.js';
import type { ControllerPorts } from '../../../src/ports/controller-ports.js';
import { pools } from '../domain/fixtures.js';
import { windowsFrom } from './draining/step-harness.js';

const waitUntil = async (cond: () => boolean, what: string, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A controller on fake ports (no broker): route writes fail `failures` times first. */
function harness(failures: number) {
  const table = new RoutingTable();
  table.apply(pools('orders', 4, 8));
  const writes: { at: number; route: TenantRoute }[] = [];
  const warnings: { obj: object; msg: string | undefined }[] = [];
  let failing = failures;
  let offset = 10;
  const ports: ControllerPorts = {
    routes: {
      table,
      changes: new Subject(),
      write: async (route) => {
        if (failing-- > 0) throw new Error('broker blip');
        writes.push({ at: Date.now(), route });
        table.apply(route);
        return offset++;
      },
    },
    offsets: {
      samples$: new Subject<OffsetSample>(),
      logEnd: async (_t, ps) => new Map(ps.map((p) => [p, 100])),
      groups: () => [],
    },
    signals: { reports$: new Subject<ReceivedReport>(), acks$: new Subject<DrainAck>() },
    topics: { partitionCount: async () => 8, grow: async () => undefined, leaders: async () => new Map() },
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (obj, msg) => void warnings.push({ obj, msg }),
      error: () => undefined,
    },
    clock: { now: Date.now },
  };
  const config = parseControllerConfig({
    brokers: ['127.0.0.1:1'],
    topics: ['orders'],
    tickMs: 100,
    windowMs: 500,
  });
  return { controller: new Controller(config, ports), writes, warnings, table };
}

describe('Controller effects (fake ports)', () => {
  it('retries a failed effect with growing back-off until it succeeds, then goes on with the drain', async () => {
    const h = harness(3);
    await h.controller.start(windowsFrom());
    const startedAt = Date.now();
    h.controller.command({ op: 'pin', topic: 'orders', tenant: 'acme' });
    await waitUntil(() => h.table.route('orders', 'acme')?.state === 'dedicated', 'acme dedicated');
    const retries = h.warnings.filter((w) => w.msg === 'effect failed; retrying');
    expect(retries.map((w) => (w.obj as { attempt: number }).attempt)).toEqual([0, 1, 2]);
    // back-off 200, 400, 800 ms before the write that went through
    expect(h.writes[0]!.at - startedAt).toBeGreaterThanOrEqual(1400 - 50);
    expect(h.writes.map((w) => w.route.state)).toEqual(['isolating', 'draining', 'dedicated']);
    await h.controller.stop();
  });

  it('stops retrying once it is stopped', async () => {
    const h = harness(1000);
    await h.controller.start(windowsFrom());
    h.controller.command({ op: 'pin', topic: 'orders', tenant: 'acme' });
    await waitUntil(() => h.warnings.length >= 1, 'a first failure');
    // stop() waits for each tenant's effect chain: it resolves only once the retry loop has ended.
    await h.controller.stop();
    expect(h.writes).toEqual([]);
  });
});
