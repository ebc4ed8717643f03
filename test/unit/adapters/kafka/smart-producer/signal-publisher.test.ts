import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseSmartProducerOptions } from '../../../../../src/adapters/kafka/smart-producer/options.js';
import { SignalPublisher } from '../../../../../src/adapters/kafka/smart-producer/signal-publisher.js';
import type { SignalTransport } from '../../../../../src/adapters/kafka/smart-producer/transport.js';
import { ErrorCode } from '../../../../../src/domain/errors.js';
import { partitionForKey } from '../../../../../src/domain/murmur2.js';
import { RoutingTable } from '../../../../../src/domain/routing-table.js';
import { decodeTrafficReportPart } from '../../../../../src/domain/traffic-report-decode.js';
import { pools, route } from '../../../domain/fixtures.js';

/** A SignalPublisher over an in-memory routing table and a transport that records (or refuses) sends. */
function publisherHarness(over: Record<string, unknown> = {}, failSends = false) {
  const table = new RoutingTable();
  expect(table.apply(pools('events', 4, 20))).toBe('applied');
  const sent: Buffer[] = [];
  const transport: SignalTransport = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    publish: async (_topic, _key, value) => {
      if (failSends) throw new Error('broker down');
      sent.push(Buffer.isBuffer(value) ? value : Buffer.from(value));
    },
  };
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const publisher = new SignalPublisher({
    options: parseSmartProducerOptions(over, 'p-test'),
    transport,
    table,
    appliedOffset: () => 41,
    isClosed: () => false,
    logger,
    now: () => 1000,
  });
  const decoded = () =>
    sent.map((b) => {
      const d = decodeTrafficReportPart(b);
      if (!d.ok) throw d.error;
      return d.value;
    });
  return { table, sent, lines, publisher, decoded };
}

describe('SignalPublisher (traffic report v2)', () => {
  it('counts routed tenants exactly, unrouted ones under their shared partition, skips unmanaged topics', async () => {
    const h = publisherHarness();
    expect(h.table.apply(route('events', 'big', { partitions: [6] }))).toBe('applied');
    for (let i = 0; i < 3; i++) h.publisher.countTraffic('events', 'big', 10);
    h.publisher.countTraffic('events', 'small', 5);
    h.publisher.countTraffic('not-managed', 'x', 5);
    await h.publisher.publishTraffic();
    const [r] = h.decoded();
    expect(r).toMatchObject({ producerId: 'p-test', seq: 0, part: 0, parts: 1, routesApplied: 41 });
    expect(r!.topics.map((t) => t.topic)).toEqual(['events']);
    expect(r!.topics[0]!.exact).toEqual([{ tenant: 'big', records: 3, bytes: 30 }]);
    expect(r!.topics[0]!.partitions).toEqual([
      {
        partition: partitionForKey('small', 4),
        records: 1,
        bytes: 5,
        errorBound: 0,
        named: [{ tenant: 'small', records: 1, bytes: 5 }],
      },
    ]);
    expect(h.publisher.stats()).toEqual({ trafficReportsUnpublished: 0, trafficReportParts: 1 });
  });

  it('counts a tenant exactly from the record after it gets a route (the cached location is dropped)', async () => {
    const h = publisherHarness();
    h.publisher.countTraffic('events', 'mover', 7);
    expect(h.table.apply(route('events', 'mover', { partitions: [6] }))).toBe('applied');
    h.publisher.countTraffic('events', 'mover', 7);
    await h.publisher.publishTraffic();
    const t = h.decoded()[0]!.topics[0]!;
    expect(t.exact).toEqual([{ tenant: 'mover', records: 1, bytes: 7 }]);
    expect(t.partitions.flatMap((p) => p.named)).toEqual([{ tenant: 'mover', records: 1, bytes: 7 }]);
  });

  it('splits a report over maxReportBytes into parts that each fit', async () => {
    const h = publisherHarness({ maxReportBytes: 1024 });
    for (let i = 0; i < 300; i++) {
      expect(h.table.apply(route('events', `r-${i}`, { state: 'shared', partitions: [] }))).toBe('applied');
    }
    for (let i = 0; i < 300; i++) h.publisher.countTraffic('events', `r-${i}`, 100);
    await h.publisher.publishTraffic();
    expect(h.sent.length).toBeGreaterThan(1);
    for (const b of h.sent) expect(b.length).toBeLessThanOrEqual(1024);
    const parts = h.decoded();
    expect(parts.flatMap((p) => p.topics.flatMap((t) => t.exact)).length).toBe(300);
    expect(h.publisher.stats().trafficReportParts).toBe(h.sent.length);
  });

  it('counts and logs at error a report that needs more than 64 records, and sends none of it', async () => {
    const h = publisherHarness({ maxReportBytes: 1024 });
    for (let i = 0; i < 10_000; i++)
      expect(h.table.apply(route('events', `r-${i}`, { state: 'shared', partitions: [] }))).toBe('applied');
    for (let i = 0; i < 10_000; i++) h.publisher.countTraffic('events', `r-${i}`, 100);
    await h.publisher.publishTraffic();
    expect(h.sent).toEqual([]);
    expect(h.publisher.stats().trafficReportsUnpublished).toBe(1);
    expect(h.lines.join('')).toContain(ErrorCode.TrafficReportTooLarge);
  });

  it('counts and logs at error a report whose send failed', async () => {
    const h = publisherHarness({}, true);
    h.publisher.countTraffic('events', 'a', 1);
    await h.publisher.publishTraffic();
    expect(h.publisher.stats().trafficReportsUnpublished).toBe(1);
    expect(h.lines.join('')).toContain(ErrorCode.TrafficReportUnpublished);
  });
});
