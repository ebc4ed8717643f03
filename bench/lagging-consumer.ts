import { SmartProducer } from '../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../src/adapters/logger.js';
import { parseControllerConfig } from '../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../src/compose/controller-service.js';
import { TenantLoad } from '../src/demo/tenant-load.js';
import { benchTopology, withBroker, type BenchTopology } from './broker.js';
import { machineInfo, percentile, progress, type BenchResult, type BenchRow } from './harness.js';
import { LaggingGroup } from './lagging-groups.js';

/** How far behind the slow group runs, in seconds (KTB_BENCH_LAGS overrides, comma-separated). */
const LAGS = (process.env['KTB_BENCH_LAGS'] ?? '0,10,60').split(',').map(Number);
const PINS = 3;
const TENANTS = ['t-1', 't-2', 't-3', 't-4', 'other-1', 'other-2'];

const until = async <T>(f: () => T | undefined, ms: number, what: string): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`lagging-consumer bench: ${what} did not happen in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

interface Move {
  readonly settleMs: number;
  readonly holdMs: number;
}

/** Pins (or unpins) a tenant; ms from the command to the producer seeing the settled route, and its hold. */
async function move(
  svc: RunningController,
  producer: SmartProducer,
  topic: string,
  tenant: string,
  op: 'pin' | 'unpin',
): Promise<Move> {
  const holdsBefore = producer.stats().holdEpisodesMs.length;
  const at = Date.now();
  svc.controller.command({ op, topic, tenant });
  const want = op === 'pin' ? 'dedicated' : 'shared';
  await until(
    () => (producer.routes.table.route(topic, tenant)?.state === want ? true : undefined),
    200_000,
    `${op} ${tenant}`,
  );
  const settleMs = Date.now() - at;
  await until(
    () => (svc.controller.tenants().find((x) => x.tenant === tenant)?.state === want ? true : undefined),
    10_000,
    `${tenant} ${want} in the controller`,
  );
  const holds = producer.stats().holdEpisodesMs;
  return { settleMs, holdMs: holds.length > holdsBefore ? holds[holds.length - 1]! : NaN };
}

const controller = (brokers: string[], bt: BenchTopology, groups: string[], gating: 'auto' | 'producer') =>
  startControllerService(
    parseControllerConfig({
      brokers,
      topics: [bt.topic],
      ...bt.names,
      groups,
      gating,
      tickMs: 250,
      windowMs: 1000,
      routeLeaseMs: 3000,
      http: { port: 0, host: '127.0.0.1' },
      thresholds: { isolateRate: 1_000_000, releaseRate: 0, cooldownMs: 0, drainTimeoutMs: 180_000 },
    }),
    { logger: silentLogger() },
  );

/** One lag: consumer-gated moves, then stop-and-wait moves, on the same groups and load. */
async function atLag(
  brokers: string[],
  lagS: number,
): Promise<{ rows: BenchRow[]; notes: string[]; holds: number[] }> {
  const bt = await benchTopology(brokers, `lag${lagS}`, 2, 6);
  const fast = new LaggingGroup(bt.kafka, bt, `fast-${bt.run}`, 0);
  const slow = new LaggingGroup(bt.kafka, bt, `slow-${bt.run}`, lagS * 1000);
  await Promise.all([fast.start(), slow.start()]);
  const producer = new SmartProducer(bt.kafka, {
    ...bt.names,
    lingerMs: 2,
    trafficIntervalMs: 250,
    routeLeaseMs: 3000,
  });
  await producer.connect();
  const load = new TenantLoad(producer, bt.topic);
  for (const t of TENANTS) load.set(t, { rate: 100 });
  load.start();
  progress(`lagging-consumer: lag ${lagS} s: warming up (${lagS + 3} s)`);
  await new Promise((r) => setTimeout(r, (lagS + 3) * 1000));
  const groups = [fast.groupId, slow.groupId];
  const gatedMoves: Move[] = [];
  let svc = await controller(brokers, bt, groups, 'auto');
  const started = Date.now();
  for (let i = 1; i <= PINS; i++) gatedMoves.push(await move(svc, producer, bt.topic, `t-${i}`, 'pin'));
  // the next move of a moved tenant waits for the gated groups to pass its previous fence
  const again = await move(svc, producer, bt.topic, 't-1', 'unpin');
  await svc.stop();
  svc = await controller(brokers, bt, groups, 'producer');
  const stopAndWait = await move(svc, producer, bt.topic, 't-4', 'pin');
  await svc.stop();
  await load.stop();
  const extraFast = Math.max(...[1, 2, 3].map((i) => fast.maxExtraSince(`t-${i}`, started)));
  const extraSlow = Math.max(...[1, 2, 3].map((i) => slow.maxExtraSince(`t-${i}`, started)));
  const reports = [fast.checker.report(), slow.checker.report()];
  await producer.disconnect();
  await Promise.all([fast.stop(), slow.stop()]);
  await bt.admin.disconnect();
  const holds = gatedMoves.map((m) => m.holdMs);
  const settles = gatedMoves.map((m) => m.settleMs);
  const lag = `slow group ${lagS} s behind`;
  return {
    holds,
    rows: [
      {
        metric: `${lag}: gated, producer hold per move, max of ${PINS}`,
        value: Math.max(...holds),
        unit: 'ms',
        target: { op: '<=', bound: 250, on: 'value' },
      },
      {
        metric: `${lag}: gated, decision to settled route, max of ${PINS}`,
        value: Math.max(...settles),
        unit: 'ms',
        target: { op: '<=', bound: 1000, on: 'value' },
      },
      { metric: `${lag}: stop-and-wait, producer hold`, value: stopAndWait.holdMs, unit: 'ms' },
      { metric: `${lag}: stop-and-wait, decision to settled route`, value: stopAndWait.settleMs, unit: 'ms' },
      {
        metric: `${lag}: gated, next move of the same tenant (waits for the previous fence), settled`,
        value: again.settleMs,
        unit: 'ms',
      },
      {
        metric: `${lag}: gated, moved tenants' extra latency, fast group (max)`,
        value: extraFast,
        unit: 'ms',
      },
      {
        metric: `${lag}: gated, moved tenants' extra latency, slow group (max)`,
        value: extraSlow,
        unit: 'ms',
      },
    ],
    notes: [
      `lag ${lagS} s: gated pins settled in ${settles.join(', ')} ms with producer holds ${holds.map((h) => h.toFixed(0)).join(', ')} ms; stop-and-wait held ${stopAndWait.holdMs.toFixed(0)} ms; order: fast ${reports[0]!.violations} violations / ${reports[0]!.gaps} gaps over ${reports[0]!.records} records, slow ${reports[1]!.violations} / ${reports[1]!.gaps} over ${reports[1]!.records}.`,
    ],
  };
}

/** `npm run bench -- lagging-consumer`: moves while one consumer group lags, consumer-gated vs stop-and-wait. */
export async function laggingConsumerBench(): Promise<BenchResult> {
  return withBroker(async (brokers) => {
    const rows: BenchRow[] = [];
    const notes: string[] = [
      `Topic with 2 shared + 6 dedicated partitions; ${TENANTS.length} tenants at 100 rec/s each; two ordered-consumer groups: "fast" processes at once, "slow" processes each record the given lag after it was sent (a sink that far behind, at full throughput). Per lag: ${PINS} pins of different strict tenants under gating auto (both groups gated), one unpin of a moved tenant, then a pin under gating producer (stop-and-wait for both groups). Settled = the producer saw the settled route. Extra latency = how long a moved tenant's records waited beyond the group's own lag.`,
      `Percentiles: ${PINS} moves per lag, so the max is reported (p99 over so few is the max); producer holds over all gated moves: p50 ${'{p50}'} ms.`,
    ];
    const allHolds: number[] = [];
    for (const lagS of LAGS) {
      const r = await atLag(brokers, lagS);
      rows.push(...r.rows);
      notes.push(...r.notes);
      allHolds.push(...r.holds);
    }
    notes[1] = notes[1]!.replace('{p50}', percentile(allHolds, 50).toFixed(0));
    return {
      name: 'lagging-consumer',
      title: 'Moves while a consumer group lags: consumer-gated vs stop-and-wait',
      date: new Date().toISOString(),
      machine: machineInfo(),
      rows,
      notes,
    };
  });
}
