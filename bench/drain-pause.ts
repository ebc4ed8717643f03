import { benchTopology, withBroker } from './broker.js';
import { startMigrationRig } from './migration-rig.js';
import { machineInfo, median, percentile, progress, type BenchResult } from './harness.js';

const MIGRATIONS = 20;

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('drain-pause bench: migration did not finish in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Producer-side hold per migration (draining seen -> settled route seen) with consumers caught up. */
export async function drainPauseBench(): Promise<BenchResult> {
  return withBroker(async (brokers) => {
    const bt = await benchTopology(brokers, 'drain', 4, 4);
    const { topic } = bt;
    const tickMs = 250;
    const rig = await startMigrationRig(brokers, bt, {
      tickMs,
      windowMs: 1000,
      routeLeaseMs: 3000,
      members: 4,
      costMicros: 0,
      tenants: { mover: { rate: 200 }, a: { rate: 200 }, b: { rate: 200 }, c: { rate: 200 } },
    });
    const { svc, producer, consumer, load } = rig;
    const state = () => producer.routes.table.route(topic, 'mover')?.state;
    try {
      for (let i = 0; i < MIGRATIONS / 2; i++) {
        svc.controller.command({ op: 'pin', topic, tenant: 'mover' });
        await until(() => state() === 'dedicated', 30_000);
        await until(
          () => svc.controller.tenants().find((t) => t.tenant === 'mover')?.state === 'dedicated',
          5000,
        );
        svc.controller.command({ op: 'unpin', topic, tenant: 'mover' });
        await until(() => state() === 'shared', 30_000);
        await until(
          () => svc.controller.tenants().find((t) => t.tenant === 'mover')?.state === 'shared',
          5000,
        );
        progress(`drain pause: ${2 * (i + 1)}/${MIGRATIONS} migrations`);
      }
    } finally {
      await load.stop();
    }
    const holds = producer.stats().holdEpisodesMs;
    const report = consumer.checker.report();
    await rig.stop();
    return {
      name: 'drain-pause',
      title: 'Drain pause: producer-side hold per migration, consumers caught up',
      date: new Date().toISOString(),
      machine: machineInfo(),
      rows: [
        {
          metric: `hold per migration, p99 (${holds.length} migrations)`,
          value: percentile(holds, 99),
          unit: 'ms',
          target: { op: '<=', bound: 500, on: 'value' },
        },
        { metric: 'hold per migration, median', value: median(holds), unit: 'ms' },
        { metric: 'hold per migration, max', value: Math.max(...holds), unit: 'ms' },
      ],
      notes: [
        `Alternating pin/unpin of a strict tenant at 200 rec/s beside 3 others; controller tick ${tickMs} ms; consumer group of 4 members with no processing cost, committing every 200 ms.`,
        "The hold is the time the producer keeps the tenant's new records: from the draining route arriving to the settled route arriving. It is bounded below by the ack round trip, one offset poll after the consumers commit past the fence, and two routing-topic writes.",
        `ordering violations ${report.violations}, gaps ${report.gaps} over ${report.records} records.`,
      ],
    };
  });
}
