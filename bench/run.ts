// `npm run bench [-- name ...] [--runs N]`: runs the named benchmarks (all by default), prints each
// table, saves bench/results/NAME.json and rewrites its section of docs/benchmarks.md.
// --runs N: how many A-B / B-A run pairs noisy-neighbour takes (default 2).
import { parseArgs } from 'node:util';
import { publish, progress, type BenchResult } from './harness.js';
import { avroBench } from './avro.js';
import { dashboardBench } from './dashboard.js';
import { drainPauseBench } from './drain-pause.js';
import { laggingConsumerBench } from './lagging-consumer.js';
import { fleetBench } from './fleet.js';
import { noisyNeighbourBench } from './noisy-neighbour.js';
import { observerBench } from './observer.js';
import { partitionerBench } from './partitioner.js';
import { producerBench } from './producer.js';
import { soakBench } from './soak.js';

interface BenchOptions {
  /** run pairs for noisy-neighbour, undefined = its default */
  readonly runs?: number | undefined;
}

const benches: Record<string, (o: BenchOptions) => BenchResult | Promise<BenchResult>> = {
  partitioner: partitionerBench,
  observer: observerBench,
  producer: producerBench,
  avro: avroBench,
  'noisy-neighbour': (o) => noisyNeighbourBench(o.runs),
  'drain-pause': drainPauseBench,
  // ~5 minutes (a group 60 s behind must first fall 60 s behind, and stop-and-wait then waits for it)
  'lagging-consumer': laggingConsumerBench,
  // no broker: simulated fleets, traffic reports v2 against v1 (about a minute of CPU)
  fleet: fleetBench,
  // no broker: the dashboard's payload, SSE bytes at 10,000 tenants, and rendering them in Chromium
  dashboard: dashboardBench,
  // ~10 minutes: run it alone (`npm run bench -- soak`); KTB_SOAK_MINUTES shortens it.
  soak: soakBench,
};

// Not strict: other flags are ignored as before; a flag's value is never taken for a benchmark name.
const { values, positionals: wanted } = parseArgs({
  options: { runs: { type: 'string' } },
  allowPositionals: true,
  strict: false,
});
const runs = values.runs === undefined ? undefined : Number(values.runs === true ? NaN : values.runs);
if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) {
  console.error(`--runs must be an integer >= 1 (got ${String(values.runs)})`);
  process.exit(2);
}
const unknown = wanted.filter((w) => !(w in benches));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; choose from: ${Object.keys(benches).join(', ')}`,
  );
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(benches).filter((b) => b !== 'soak')) {
  progress(`running ${name}...`);
  publish(await benches[name]!({ runs }));
}
