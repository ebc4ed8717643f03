import { benchTopology, withBroker } from './broker.js';
import { startMigrationRig } from './migration-rig.js';
import { machineInfo, progress, type BenchResult } from './harness.js';

const MINUTES = Number(process.env['KTB_SOAK_MINUTES'] ?? 10);
const SAMPLE_MS = 30_000;

/**
 * Bounded soak (outside CI): producer, controller and a consumer group in one process with
 * continuous migrations (operator pin/unpin of rotating tenants), sampling memory and CPU.
 */
export async function soakBench(): Promise<BenchResult> {
  return withBroker(async (brokers) => {
    const bt = await benchTopology(brokers, 'soak', 4, 6);
    const { topic } = bt;
    const movers = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    const tenants = Object.fromEntries([
      ...Array.from({ length: 40 }, (_, i) => [`t${i}`, { rate: 20 }] as const),
      ...movers.map((m) => [m, { rate: 150 }] as const),
    ]);
    const rig = await startMigrationRig(brokers, bt, {
      tickMs: 500,
      windowMs: 2000,
      routeLeaseMs: 5000,
      members: 10,
      costMicros: 100,
      tenants,
      // Order and loss only: per-record latency samples would grow with every record and hide
      // whether the product's own memory is flat.
      keepLatency: false,
      // consumer-gated moves (#15): a move holds producers only until its fence, so 1,000+ fit the run
      ordered: true,
    });
    const { svc, producer, consumer, load } = rig;

    const samples: { atMin: number; rssMb: number; heapMb: number; cpuPct: number; migrations: number }[] =
      [];
    const start = Date.now();
    let lastCpu = process.cpuUsage();
    let lastAt = start;
    let k = 0;
    while (Date.now() - start < MINUTES * 60_000) {
      const m = movers[k++ % movers.length]!;
      const state = svc.controller.tenants().find((x) => x.tenant === m)?.state;
      try {
        if (state === 'dedicated') svc.controller.command({ op: 'unpin', topic, tenant: m });
        else if (state === undefined || state === 'shared')
          svc.controller.command({ op: 'pin', topic, tenant: m });
      } catch {
        /* mid-migration: try another tenant next round */
      }
      await new Promise((r) => setTimeout(r, 400));
      if (Date.now() - lastAt >= SAMPLE_MS) {
        const cpu = process.cpuUsage(lastCpu);
        const now = Date.now();
        // Retained heap, not garbage waiting for the next collection (npm run bench runs --expose-gc).
        (globalThis as { gc?: () => void }).gc?.();
        const mem = process.memoryUsage();
        samples.push({
          atMin: (now - start) / 60_000,
          rssMb: mem.rss / 2 ** 20,
          heapMb: mem.heapUsed / 2 ** 20,
          cpuPct: ((cpu.user + cpu.system) / 1000 / (now - lastAt)) * 100,
          migrations: svc.controller.migrationsDone,
        });
        progress(
          `soak: ${samples.at(-1)!.atMin.toFixed(1)} min, rss ${samples.at(-1)!.rssMb.toFixed(0)} MiB, heap ${samples.at(-1)!.heapMb.toFixed(0)} MiB, cpu ${samples.at(-1)!.cpuPct.toFixed(0)}%, migrations ${svc.controller.migrationsDone}`,
        );
        lastCpu = process.cpuUsage();
        lastAt = now;
      }
    }
    await load.stop();
    await producer.flush();
    const deadline = Date.now() + 60_000;
    while (consumer.checker.unique < load.sent && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const report = consumer.checker.report();
    const migrations = svc.controller.migrationsDone;
    await rig.stop();
    const first = samples[0];
    const last = samples.at(-1);
    const secondHalf = samples.filter((x) => x.atMin >= MINUTES / 2);
    return {
      name: 'soak',
      title: `Soak: ${MINUTES} minutes of continuous migrations (producer, controller and consumers in one process)`,
      date: new Date().toISOString(),
      machine: machineInfo(),
      rows: [
        { metric: 'migrations committed', value: migrations, unit: '' },
        {
          metric: 'retained heap growth, first to last sample (after GC)',
          value: (last?.heapMb ?? 0) - (first?.heapMb ?? 0),
          unit: 'MiB',
        },
        {
          metric: 'retained heap trend over the second half (least squares)',
          value: slope(secondHalf.map((x) => [x.atMin, x.heapMb] as const)),
          unit: 'MiB/min',
        },
        { metric: 'RSS at the end', value: last?.rssMb ?? 0, unit: 'MiB' },
        {
          metric: 'CPU, median of samples',
          value: [...samples.map((s) => s.cpuPct)].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0,
          unit: '% of one core',
        },
        {
          metric: 'ordering violations',
          value: report.violations,
          unit: '',
          target: { op: '<=', bound: 0, on: 'value' },
        },
        {
          metric: 'records lost',
          value: Math.max(0, load.sent - consumer.checker.unique),
          unit: '',
          target: { op: '<=', bound: 0, on: 'value' },
        },
      ],
      notes: [
        `${load.sent} records from ${40 + movers.length} tenants (${movers.length} of them pinned and unpinned in turn, a command every 0.4 s), 4 shared + 6 dedicated partitions, 10 consumer members consuming through the ordered consumer (consumer-gated moves), controller tick 500 ms.`,
        'Heap figures are taken right after a forced GC, so they are retained memory. The checking consumer keeps no per-record latency samples here (its ordering checker keeps one entry per tenant stream), so the heap is the producer, controller, kafkajs clients and consumers.',
        `samples (minute: rss/heap MiB, cpu %): ${samples.map((s) => `${s.atMin.toFixed(1)}: ${s.rssMb.toFixed(0)}/${s.heapMb.toFixed(0)}, ${s.cpuPct.toFixed(0)}%`).join('; ')}`,
      ],
    };
  });
}

/** Least-squares slope of y over x (0 with fewer than two points). */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
