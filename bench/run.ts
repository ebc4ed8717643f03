// `npm run bench [-- name ...]`: runs the named benchmarks (all by default), prints each table,
// saves bench/results/NAME.json and rewrites its section of docs/benchmarks.md.
import { publish, progress, type BenchResult } from './harness.js';
import { drainPauseBench } from './drain-pause.js';
import { noisyNeighbourBench } from './noisy-neighbour.js';
import { observerBench } from './observer.js';
import { partitionerBench } from './partitioner.js';
import { producerBench } from './producer.js';
import { soakBench } from './soak.js';

const benches: Record<string, () => BenchResult | Promise<BenchResult>> = {
  partitioner: partitionerBench,
  observer: observerBench,
  producer: producerBench,
  'noisy-neighbour': noisyNeighbourBench,
  'drain-pause': drainPauseBench,
  // ~10 minutes: run it alone (`npm run bench -- soak`); KTB_SOAK_MINUTES shortens it.
  soak: soakBench,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in benches));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; choose from: ${Object.keys(benches).join(', ')}`,
  );
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(benches).filter((b) => b !== 'soak')) {
  progress(`running ${name}...`);
  publish(await benches[name]!());
}
