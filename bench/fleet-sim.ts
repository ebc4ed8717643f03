import { TrafficCounter } from '../src/domain/traffic-counter.js';
import { encodeTrafficReport } from '../src/domain/traffic-report-encode.js';
import type { TrafficReportV2 } from '../src/domain/traffic-report-v2.js';
import { WindowAggregator, type TenantRates } from '../src/domain/window-aggregator.js';
import { decodeTrafficReport, MAX_WIRE_RECORD_BYTES } from '../src/domain/wire-records.js';
import { partitionForKey } from '../src/domain/murmur2.js';
import { median } from './harness.js';

/** One simulated fleet: a stateless tier where every producer sees every tenant (Zipf), no broker. */
export interface FleetCase {
  readonly producers: number;
  readonly tenants: number;
  /** records per second per producer (one interval = 1 s) */
  readonly perProducer: number;
  readonly partitions: number;
  readonly whales: number;
  readonly fraction: number;
  readonly zipfS: number;
  /** also build today's v1 JSON reports and merge them (skipped when too large to be worth it) */
  readonly v1Controller: boolean;
}

export interface FleetOutcome {
  readonly v2Bytes: number;
  readonly v2JsonBytes: number;
  readonly v2Parts: number;
  /** tenant entries the controller decodes and merges per interval (v1: one per tenant per producer) */
  readonly v2Entries: number;
  readonly v1Entries: number;
  readonly v1Bytes: number;
  /** v1 reports over the broker's default 1 MB record limit: never published */
  readonly v1Unpublishable: number;
  readonly dataBytes: number;
  readonly v2TickMs: number;
  readonly v1TickMs: number | undefined;
  /** the window close alone (the merge happens as reports arrive) */
  readonly v2CloseMs: number;
  /** tenant series the controller holds for the window: what its memory follows */
  readonly v2Series: number;
  readonly v1Series: number | undefined;
  /** hot tenants (exact counts) the v2 lower bound did not find: their true and lower-bound shares */
  readonly missed: readonly { trueShare: number; lowerShare: number }[];
  readonly trueHot: number;
  readonly detectedHot: number;
  readonly falseIsolations: number;
  readonly plantedFound: number;
  readonly countNsPerRecordV2: number;
  readonly countNsPerRecordV1: number;
}

const TOPIC = 'events';
const RECORD_BYTES = 100;
const WARMUP_RUNS = 2;
const TIMED_RUNS = 5;
/** the controller's default thresholds */
const ISOLATE_RATE = 500;
const ISOLATE_SHARE = 0.3;

const rng = (seed: number) => {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
};

function zipfSampler(n: number, s: number, rand: () => number): () => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += 1 / (i + 1) ** s;
  for (let i = 0; i < n; i++) cdf[i]! /= acc;
  return () => {
    const r = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Hot under the default thresholds: rate and share of its partition's records (offsets' truth). */
const hot = (rate: number, partitionRate: number) =>
  rate >= ISOLATE_RATE && partitionRate > 0 && rate / partitionRate >= ISOLATE_SHARE;

export function runFleet(c: FleetCase, seed = 7): FleetOutcome {
  const rand = rng(seed);
  const zipf = zipfSampler(c.tenants, c.zipfS, rand);
  const names = Array.from({ length: c.tenants + c.whales }, (_, i) =>
    i < c.tenants ? `tenant-${i}` : `whale-${i - c.tenants}`,
  );
  const partitionOfTenant = new Int32Array(names.length);
  names.forEach((n, i) => (partitionOfTenant[i] = partitionForKey(n, c.partitions)));
  // Each planted whale takes ~45% of its partition's records (above the 30% isolateShare).
  const total = c.producers * c.perProducer;
  const whaleRate = (0.8 * total) / c.partitions;
  const whalePerProducer = Math.max(1, Math.round(whaleRate / c.producers));
  const truth = new Float64Array(names.length);
  const partitionTruth = new Float64Array(c.partitions);
  let v2Bytes = 0;
  let v2JsonBytes = 0;
  let v2Parts = 0;
  let v2Entries = 0;
  let v1Entries = 0;
  let v1Bytes = 0;
  let v1Unpublishable = 0;
  let dataBytes = 0;
  let countV2Ns = 0;
  let countV1Ns = 0;
  let counted = 0;
  const v2Records: Buffer[] = [];
  const v1Records: Buffer[] = [];
  const batch = new Int32Array(c.perProducer + c.whales * whalePerProducer);
  for (let p = 0; p < c.producers; p++) {
    let n = 0;
    for (let i = 0; i < c.perProducer; i++) batch[n++] = zipf();
    for (let w = 0; w < c.whales; w++) for (let i = 0; i < whalePerProducer; i++) batch[n++] = c.tenants + w;
    const counter = new TrafficCounter(`producer-${p}`, 0, c.fraction);
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const t = batch[i]!;
      counter.count(TOPIC, names[t]!, RECORD_BYTES, partitionOfTenant[t]!);
    }
    const report: TrafficReportV2 = counter.cut(1000, 0);
    countV2Ns += Number(process.hrtime.bigint() - t0);
    // Today's v1 counter: one exact entry per tenant.
    t0 = process.hrtime.bigint();
    const exact = new Map<string, { records: number; bytes: number }>();
    for (let i = 0; i < n; i++) {
      const name = names[batch[i]!]!;
      const e = exact.get(name);
      if (e === undefined) exact.set(name, { records: 1, bytes: RECORD_BYTES });
      else {
        e.records++;
        e.bytes += RECORD_BYTES;
      }
    }
    countV1Ns += Number(process.hrtime.bigint() - t0);
    v1Entries += exact.size;
    for (const t of report.topics) {
      v2Entries += t.exact.length;
      for (const q of t.partitions) v2Entries += q.named.length;
    }
    counted += n;
    for (let i = 0; i < n; i++) {
      truth[batch[i]!]!++;
      partitionTruth[partitionOfTenant[batch[i]!]!]!++;
    }
    dataBytes += n * RECORD_BYTES;
    const parts = encodeTrafficReport(report, 512 * 1024);
    v2Parts += parts.length;
    for (const b of parts) {
      v2Bytes += b.length;
      v2Records.push(b);
    }
    v2JsonBytes += Buffer.byteLength(JSON.stringify(report));
    const v1 = Buffer.from(
      JSON.stringify({
        v: 1,
        kind: 'traffic',
        producerId: `producer-${p}`,
        seq: 0,
        intervalStart: 0,
        intervalEnd: 1000,
        routesApplied: 0,
        tenants: [...exact].map(([tenant, e]) => ({
          topic: TOPIC,
          tenant,
          records: e.records,
          bytes: e.bytes,
        })),
      }),
    );
    v1Bytes += v1.length;
    if (v1.length > MAX_WIRE_RECORD_BYTES) v1Unpublishable++;
    else if (c.v1Controller) v1Records.push(v1);
  }
  /**
   * decode + merge + close on fresh aggregators: 2 untimed warm-up runs (a live controller decodes
   * every interval, so its decoder is JIT-compiled), then the median of 5. No forced GC between runs:
   * a run right after global.gc() took ~2.4x as long (decoding alone, 119 vs 50 ms median; likely
   * the young generation shrunk by the full GC), and a running controller never forces one.
   */
  const merge = (records: Buffer[]) => {
    const times: number[] = [];
    const closes: number[] = [];
    let tenants: TenantRates[] = [];
    let series = 0;
    for (let run = 0; run < WARMUP_RUNS + TIMED_RUNS; run++) {
      const agg = new WindowAggregator({ windowMs: 1000, stepMs: 1000, ewmaAlpha: 1, silentIntervals: 3 });
      const t0 = process.hrtime.bigint();
      for (const b of records) {
        const d = decodeTrafficReport(b);
        if (d.ok) agg.addReport(d.value, 500);
      }
      series = agg.activeTenants;
      const t1 = process.hrtime.bigint();
      tenants = agg.close(1000).tenants;
      const t2 = process.hrtime.bigint();
      if (run < WARMUP_RUNS) continue;
      times.push(Number(t2 - t0) / 1e6);
      closes.push(Number(t2 - t1) / 1e6);
    }
    return { ms: median(times), closeMs: median(closes), tenants, series };
  };
  const v2 = merge(v2Records);
  const v1 = c.v1Controller ? merge(v1Records) : undefined;
  const index = new Map(names.map((n, i) => [n, i]));
  const detected = new Set<number>();
  const lower = new Map<number, number>();
  for (const t of v2.tenants) {
    const i = index.get(t.tenant)!;
    lower.set(i, t.recordsPerSec);
    if (hot(t.recordsPerSec, partitionTruth[partitionOfTenant[i]!]!)) detected.add(i);
  }
  const missed: { trueShare: number; lowerShare: number }[] = [];
  let trueHot = 0;
  let found = 0;
  let falseIsolations = 0;
  for (let i = 0; i < names.length; i++) {
    const isHot = hot(truth[i]!, partitionTruth[partitionOfTenant[i]!]!);
    if (isHot) trueHot++;
    if (isHot && detected.has(i)) found++;
    if (isHot && !detected.has(i)) {
      const p = partitionTruth[partitionOfTenant[i]!]!;
      missed.push({ trueShare: truth[i]! / p, lowerShare: (lower.get(i) ?? 0) / p });
    }
    if (!isHot && detected.has(i)) falseIsolations++;
  }
  let plantedFound = 0;
  for (let w = 0; w < c.whales; w++) if (detected.has(c.tenants + w)) plantedFound++;
  return {
    v2Bytes,
    v2JsonBytes,
    v2Parts,
    v2Entries,
    v1Entries,
    v1Bytes,
    v1Unpublishable,
    dataBytes,
    v2TickMs: v2.ms,
    v1TickMs: v1?.ms,
    v2CloseMs: v2.closeMs,
    v2Series: v2.series,
    v1Series: v1?.series,
    missed,
    trueHot,
    detectedHot: found,
    falseIsolations,
    plantedFound,
    countNsPerRecordV2: countV2Ns / counted,
    countNsPerRecordV1: countV1Ns / counted,
  };
}
