import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { decodeTrafficReportPart } from '../../../src/domain/traffic-report-decode.js';
import { collect } from '../helpers/collect.js';
import { capturingLogger, stopScenario, testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 4;
const TENANTS = 50_000;
/** one whale record after every WHALE_EVERY tenants: ~8,300 records, ~40% of its partition */
const WHALE_EVERY = 6;

/**
 * Issue #16: a v1 report naming 50,000 tenants was ~3.5 MB, over the broker's 1 MB record limit,
 * so the controller never heard of that interval, whale included. A v2 report summarizes it.
 */
describe('one producer sends for 50,000 tenants in one interval, one whale among them', () => {
  let t: Topology;
  let svc: RunningController;
  let producer: SmartProducer;
  const controllerLog = capturingLogger('warn');
  const producerLog = capturingLogger('warn');

  beforeAll(async () => {
    t = await createTopology('hh', SHARED, 1);
    svc = await startControllerService(
      testControllerConfig(t, {
        tickMs: 250,
        // the burst (offsets) and its report (up to an interval later) share a window for seconds
        windowMs: 4000,
        routeLeaseMs: 4000,
        thresholds: {
          isolateRate: 200,
          isolateShare: 0.3,
          hotWindows: 1,
          partitionCapacity: 1_000_000,
          cooldownMs: 0,
          actorFloorRate: 5,
          drainTimeoutMs: 30_000,
        },
      }),
      { logger: controllerLog.logger },
    );
    producer = new SmartProducer(
      t.kafka,
      { ...t.names, lingerMs: 5, trafficIntervalMs: 2000, routeLeaseMs: 4000 },
      { logger: producerLog.logger },
    );
    await producer.connect();
  }, 60_000);
  afterAll(async () => {
    await stopScenario({ producer, svc, t });
  });

  it('publishes the report within budget, isolates the whale, and drops nothing', async () => {
    const records = [];
    for (let i = 0; i < TENANTS; i++) {
      records.push({ topic: t.topic, tenant: `tenant-${i}`, value: 'x'.repeat(90) });
      if (i % WHALE_EVERY === 0) records.push({ topic: t.topic, tenant: 'whale', value: 'x'.repeat(90) });
    }
    const reports = await collect(t.kafka, t.names.trafficTopic);
    try {
      // One round is one interval's worth (the report interval is 2 s) of 50,000 tenants and the
      // whale. Rounds repeat until the whale is isolated, so a slow machine where a burst's report
      // and its offsets fall into different windows still gets a window where they meet.
      const deadline = Date.now() + 60_000;
      let rounds = 0;
      while (svc.reader.table.route(t.topic, 'whale') === undefined && Date.now() < deadline && rounds < 8) {
        await producer.sendMany(records);
        rounds++;
      }
      const whale = await waitFor(
        () => {
          const r = svc.reader.table.route(t.topic, 'whale');
          return r?.state === 'dedicated' ? r : undefined;
        },
        'the whale isolated on a dedicated partition',
        30_000,
      );
      expect(whale.partitions).toEqual([SHARED]);
      expect(rounds).toBeGreaterThanOrEqual(1);
      // No other tenant was moved: the 50,000 small ones stayed on their hash.
      const moved = svc.controller.tenants().filter((x) => x.state !== 'shared');
      expect(moved.map((x) => x.tenant)).toEqual(['whale']);

      // The producer's reports: every record within the budget, and one interval that carried at
      // least half of the burst (the sends may straddle two intervals).
      const mine = await waitFor(() => {
        const parts = reports.seen.flatMap((s) => {
          const d = s.raw === null ? undefined : decodeTrafficReportPart(s.raw);
          return d?.ok && d.value.producerId === producer.producerId
            ? [{ bytes: s.raw!.length, ...d.value }]
            : [];
        });
        const records = (p: (typeof parts)[number]) =>
          p.topics.reduce((a, x) => a + x.partitions.reduce((b, q) => b + q.records, 0), 0);
        return parts.some((p) => records(p) >= TENANTS / 2) ? { parts, records } : undefined;
      }, 'the report of the burst interval');
      const burst = mine.parts.filter((p) => mine.records(p) >= TENANTS / 2);
      for (const p of mine.parts) expect(p.bytes).toBeLessThanOrEqual(512 * 1024);
      const largest = Math.max(...burst.map((p) => p.bytes));
      // The whale is named in its partition's summary; 50,000 tenants of one record each are not.
      const named = burst.flatMap((p) => p.topics.flatMap((x) => x.partitions.flatMap((q) => q.named)));
      expect(named.map((n) => n.tenant)).toContain('whale');
      expect(largest).toBeLessThan(10_000);
      const whalePartition = partitionForKey('whale', SHARED);
      expect(
        burst.some((p) => p.topics.some((x) => x.partitions.some((q) => q.partition === whalePartition))),
      ).toBe(true);

      // Nothing dropped: no unpublished report, no interval missed, no malformed record, no log of it.
      expect(producer.stats().trafficReportsUnpublished).toBe(0);
      expect(svc.reportGaps.missed).toBe(0);
      const all = [...controllerLog.lines, ...producerLog.lines].join('');
      expect(all).not.toMatch(/KTB_TRAFFIC_REPORT|KTB_REPORT_MALFORMED|not published/);
      expect(await (await fetch(`${svc.url}/metrics`)).text()).toMatch(
        /^ktb_traffic_reports_missed_total 0$/m,
      );
    } finally {
      await reports.stop();
    }
  }, 120_000);
});
