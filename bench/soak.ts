import { silentLogger } from '../src/adapters/logger.js';
import { SmartProducer } from '../src/adapters/kafka/smart-producer/index.js';
import { parseControllerConfig } from '../src/app/controller-config.js';
import { startControllerService } from '../src/cli/controller-service.js';
import { CheckingConsumer } from '../src/demo/checking-consumer.js';
import { TenantLoad } from '../src/demo/tenant-load.js';
import { benchTopology, withBroker } from './broker.js';
import { machineInfo, progress, type BenchResult } from './harness.js';

const MINUTES = Number(process.env['KTB_SOAK_MINUTES'] ?? 10);
const SAMPLE_MS = 30_000;

/**
 * Bounded soak (outside CI): producer, controller and a consumer group in one process with
 * continuous migrations (operator pin/unpin of rotating tenants), sampling memory and CPU.
 */
export async function soakBench(): Promise<BenchResult> {
  return withBroker(async (brokers) => {
    const { kafka, admin, names, topic, run } = await benchTopology(brokers, 'soak', 4, 6);
    const groupId = `bench-soak-${run}`;
    const svc = await startControllerService(
      parseControllerConfig({
        brokers,
        topics: [topic],
        ...names,
        groups: [groupId],
        tickMs: 500,
        windowMs: 2000,
        routeLeaseMs: 5000,
        http: { port: 0, host: '127.0.0.1' },
        thresholds: { cooldownMs: 0 },
      }),
      { logger: silentLogger() },
    );
    const consumer = new CheckingConsumer(kafka, {
      topic,
      groupId,
      costMicros: 100,
      concurrency: 1,
      members: 10,
    });
    await consumer.start();
    const producer = new SmartProducer(kafka, {
      ...names,
      lingerMs: 5,
      routeLeaseMs: 5000,
      trafficIntervalMs: 500,
    });
    await producer.connect();
    const load = new TenantLoad(producer, topic);
    const movers = ['m0', 'm1', 'm2'];
    for (let i = 0; i < 40; i++) load.set(`t${i}`, { rate: 20 });
    for (const m of movers) load.set(m, { rate: 150 });
    load.start();

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
      await new Promise((r) => setTimeout(r, 1500));
      if (Date.now() - lastAt >= SAMPLE_MS) {
        const cpu = process.cpuUsage(lastCpu);
        const now = Date.now();
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
    await producer.disconnect();
    await consumer.stop();
    await svc.stop();
    await admin.disconnect();
    const first = samples[0];
    const last = samples.at(-1);
    return {
      name: 'soak',
      title: `Soak: ${MINUTES} minutes of continuous migrations (producer, controller and consumers in one process)`,
      date: new Date().toISOString(),
      machine: machineInfo(),
      rows: [
        { metric: 'migrations committed', value: migrations, unit: '' },
        {
          metric: 'heap growth, first to last sample',
          value: (last?.heapMb ?? 0) - (first?.heapMb ?? 0),
          unit: 'MiB',
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
        `${load.sent} records from 43 tenants (3 of them pinned and unpinned in turn every 1.5 s), 4 shared + 6 dedicated partitions, 10 consumer members, controller tick 500 ms.`,
        "The heap includes the checking consumer's latency samples (one [time, ms] pair per record, kept for the report: about 750k pairs in 10 minutes); the producer and controller keep bounded state (hold episodes: last 1,000; acks: dropped at commit).",
        `samples (minute: rss/heap MiB, cpu %): ${samples.map((s) => `${s.atMin.toFixed(1)}: ${s.rssMb.toFixed(0)}/${s.heapMb.toFixed(0)}, ${s.cpuPct.toFixed(0)}%`).join('; ')}`,
      ],
    };
  });
}
