import { benchTopology, withBroker } from './broker.js';
import { startMigrationRig } from './migration-rig.js';
import { machineInfo, median, percentile, progress, type BenchResult } from './harness.js';

/**
 * Enough migrations for a real p99 (nearest rank: with 200 samples it is the 198th, not the
 * maximum). Each pin or unpin is taken as soon as the last one settled, so one takes about a hold
 * (median ~235 ms) plus a routing-topic write: the 20-migration run carried 3,940 records at 800
 * rec/s, ~5 s of load, so 200 take ~1 minute (2-3 on a loaded machine). KTB_BENCH_DRAIN_MIGRATIONS
 * (even) changes the count.
 */
const MIGRATIONS = Number(process.env['KTB_BENCH_DRAIN_MIGRATIONS'] ?? 200);
/** Below this many samples a nearest-rank p99 is the maximum, and the row says so. */
const P99_MIN_SAMPLES = 100;

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('drain-pause bench: migration did not finish in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Producer-side hold per migration (draining seen -> settled route seen) with consumers caught up. */
export async function drainPauseBench(): Promise<BenchResult> {
  if (!(Number.isInteger(MIGRATIONS) && MIGRATIONS >= 2 && MIGRATIONS % 2 === 0))
    throw new Error(
      `drain-pause: KTB_BENCH_DRAIN_MIGRATIONS must be an even integer >= 2 (got ${MIGRATIONS})`,
    );
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
    const t0 = Date.now();
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
        if ((i + 1) % 10 === 0 || i === MIGRATIONS / 2 - 1)
          progress(
            `drain pause: ${2 * (i + 1)}/${MIGRATIONS} migrations, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
          );
      }
    } finally {
      await load.stop();
    }
    const elapsedS = (Date.now() - t0) / 1000;
    const holds = producer.stats().holdEpisodesMs;
    const n = holds.length;
    const report = consumer.checker.report();
    await rig.stop();
    return {
      name: 'drain-pause',
      title: 'Drain pause: producer-side hold per migration, consumers caught up',
      date: new Date().toISOString(),
      machine: machineInfo(),
      rows: [
        {
          metric:
            n >= P99_MIN_SAMPLES
              ? `hold per migration, p99 (${n} samples)`
              : `hold per migration, max (${n} samples: too few for a p99)`,
          value: n >= P99_MIN_SAMPLES ? percentile(holds, 99) : Math.max(...holds),
          unit: 'ms',
          target: { op: '<=', bound: 500, on: 'value' },
        },
        { metric: `hold per migration, p50 (${n} samples)`, value: median(holds), unit: 'ms' },
        { metric: `hold per migration, max (${n} samples)`, value: Math.max(...holds), unit: 'ms' },
      ],
      notes: [
        `${MIGRATIONS} migrations (alternating pin/unpin of a strict tenant at 200 rec/s beside 3 others) in ${elapsedS.toFixed(0)} s, one hold sample each (${n} recorded); p99 is nearest-rank; controller tick ${tickMs} ms; consumer group of 4 members with no processing cost, committing every 200 ms.`,
        "The hold is the time the producer keeps the tenant's new records: from the draining route arriving to the settled route arriving. It is bounded below by the ack round trip, one offset poll after the consumers commit past the fence, and two routing-topic writes.",
        `ordering violations ${report.violations}, gaps ${report.gaps} over ${report.records} records.`,
      ],
    };
  });
}
