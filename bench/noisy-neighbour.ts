import { silentLogger } from '../src/adapters/logger.js';
import { runDemo, type DemoSummary } from '../src/demo/run-demo.js';
import { withBroker } from './broker.js';
import { machineInfo, progress, type BenchResult } from './harness.js';

const DURATION_S = Number(process.env['KTB_BENCH_NOISY_SECONDS'] ?? 60);

/**
 * The headline: the demo workload twice on the same broker, plain hashing then the controller.
 * Small tenants' p99 produce-to-consume latency during the spike, relative to their own no-whale
 * baseline (the "before" phase of the same run).
 */
export async function noisyNeighbourBench(): Promise<BenchResult> {
  return withBroker(async (brokers) => {
    const saved = process.env['KAFKA_BROKERS'];
    process.env['KAFKA_BROKERS'] = brokers.join(',');
    try {
      const run = async (controller: 'none' | 'in-process'): Promise<DemoSummary> => {
        progress(
          `noisy neighbour: ${DURATION_S}s scenario, ${controller === 'none' ? 'plain hashing' : 'with the controller'}`,
        );
        return runDemo(
          {
            durationSec: DURATION_S,
            tenants: 30,
            whaleRate: 2400,
            controller,
            ui: false,
            logger: silentLogger(),
          },
          new AbortController().signal,
        );
      };
      const plain = await run('none');
      const ctl = await run('in-process');
      const ratio = (s: DemoSummary) =>
        (s.smallTenantLatency[1]?.p99 ?? NaN) / (s.smallTenantLatency[0]?.p99 ?? NaN);
      const flipS = ctl.firstFlipAt === undefined ? NaN : (ctl.firstFlipAt - ctl.spikeStartAt) / 1000;
      const lat = (s: DemoSummary) =>
        s.smallTenantLatency
          .map((p) => `${p.phase} p50 ${p.p50} ms / p99 ${p.p99} ms (${p.samples})`)
          .join('; ');
      return {
        name: 'noisy-neighbour',
        title:
          'Noisy neighbour: small tenants with plain hashing vs with the controller (same broker, same run)',
        date: new Date().toISOString(),
        machine: machineInfo(),
        rows: [
          {
            metric: 'small tenants p99 during spike / their before-spike p99, with the controller',
            value: ratio(ctl),
            unit: 'x',
            target: { op: '<=', bound: 2, on: 'value' },
          },
          {
            metric: 'small tenants p99 during spike / their before-spike p99, plain hashing',
            value: ratio(plain),
            unit: 'x',
            target: { op: '>=', bound: 10, on: 'value' },
          },
          {
            metric: 'small tenants p99 during spike, controller vs plain hashing',
            value: ctl.smallTenantLatency[1]?.p99 ?? NaN,
            unit: 'ms',
            baseline: { name: 'plain hashing', value: plain.smallTenantLatency[1]?.p99 ?? NaN },
          },
          {
            metric: 'spike onset to route flip (100 ms ticks, 1 s window, 1 hot window)',
            value: flipS,
            unit: 's',
            target: { op: '<=', bound: 5, on: 'value' },
          },
        ],
        notes: [
          `${DURATION_S} s scenario per run: 30 small tenants at 15 rec/s, one whale (quiet, then 720 rec/s, then 2,400 rec/s, then 2 rec/s); consumers capped at 1,000 rec/s per partition (1 ms per record), one group member per partition; 4 shared + 8 dedicated partitions.`,
          `plain hashing: ${lat(plain)}; ordering violations ${plain.checker.violations}, lost ${plain.lost}.`,
          `with the controller: ${lat(ctl)}; ${ctl.migrations} migrations, ordering violations ${ctl.checker.violations}, lost ${ctl.lost}.`,
          '"During" spans the spike and peak phases. The spike phase includes the time before the controller reacts (one hot evaluation of a 1 s window at 100 ms ticks, with traffic reports every 100 ms, then the drain), when the whale shares a partition with small tenants. In the peak phase the whale is on dedicated partitions and is resharded as it grows; each reshard releases its held backlog a chunk per send cycle (releaseChunkBytes), so small tenants\' records are not queued behind it.',
        ],
      };
    } finally {
      if (saved === undefined) delete process.env['KAFKA_BROKERS'];
      else process.env['KAFKA_BROKERS'] = saved;
    }
  });
}
