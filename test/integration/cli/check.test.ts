import type { Admin, Message, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopicsReady } from '../../../src/adapters/kafka/internal-topics.js';
import { Headers } from '../../../src/domain/record-headers.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { brokers, testKafka, uniqueName, waitFor } from '../helpers/kafka.js';
import { runCli, type CliProcess } from '../helpers/processes.js';
import { createTopology, type Topology } from '../helpers/topology.js';

/**
 * `tenant-balancer check` (the built CLI) on topics written the way a migration writes them: a
 * tenant's records on the old partition first, then (after the hand-over) on the new one. A reader
 * that is not gated by the drain fetches both partitions at once and sees them interleaved; check
 * must still report 0 violations there, and report real ones (a seq going backwards within a
 * partition, a record sent on a newer route before one on an older route).
 *
 * Partitions 0-1 are the shared pool, 2-3 the dedicated pool.
 */
interface Rec {
  tenant: string;
  seq: number;
  partition: number;
  epoch: number;
  shardKey?: string;
  bytes?: number;
}

const message = (r: Rec): Message & { partition: number } => ({
  partition: r.partition,
  key: r.tenant,
  value: `${r.tenant}:${r.seq}:`.padEnd(r.bytes ?? 32, 'x'),
  headers: {
    [Headers.tenantId]: r.tenant,
    [Headers.tenantSeq]: String(r.seq),
    [Headers.sentAt]: String(Date.now()),
    ...(r.epoch > 0 ? { [Headers.routeEpoch]: String(r.epoch) } : {}),
    ...(r.shardKey !== undefined ? { [Headers.shardKey]: r.shardKey } : {}),
  },
});

/**
 * One clean migration history, phase by phase: each phase is written (acknowledged) before the next
 * starts, which is the order the drain imposes. Small tenants keep writing on their shared
 * partitions throughout.
 */
function cleanPhases(): Rec[][] {
  const seqs = new Map<string, number>();
  const next = (stream: string) => {
    const s = (seqs.get(stream) ?? 0) + 1;
    seqs.set(stream, s);
    return s;
  };
  const small = (n: number): Rec[] =>
    Array.from({ length: n }, (_, i) => {
      const tenant = `small-${i % 6}`;
      return { tenant, seq: next(tenant), partition: i % 2, epoch: 0 };
    });
  // The whale's records are 1 KiB: one fetch of a partition holds about a thousand of them, so a
  // reader sees the new partition's first records long before the old partition's last ones.
  const whale = (n: number, epoch: number, partitionOf: (i: number) => number): Rec[] =>
    Array.from({ length: n }, (_, i) => ({
      tenant: 'whale',
      seq: next('whale'),
      partition: partitionOf(i),
      epoch,
      bytes: 1024,
    }));
  const keyed = (epoch: number, partitionOf: (key: string) => number): Rec[] =>
    Array.from({ length: 300 }, (_, i) => {
      const key = `u${i % 3}`;
      return {
        tenant: 'keyed',
        shardKey: key,
        seq: next(`keyed/${key}`),
        partition: partitionOf(key),
        epoch,
      };
    });
  const mix = (...parts: Rec[][]): Rec[] => {
    // round robin over the parts: tenants interleave in the log as they would live
    const out: Rec[] = [];
    const its = parts.map((p) => p[Symbol.iterator]());
    for (let alive = true; alive;) {
      alive = false;
      for (const it of its) {
        const n = it.next();
        if (!n.done) {
          out.push(n.value);
          alive = true;
        }
      }
    }
    return out;
  };
  return [
    // shared: the whale hashes to partition 0, the keyed tenant to 1
    mix(
      whale(4000, 0, () => 0),
      keyed(0, () => 1),
      small(600),
    ),
    // isolated on dedicated partition 2 (route epoch 1); keyed tenant sharded over 2 and 3
    mix(
      whale(2000, 1, () => 2),
      keyed(1, (k) => (k === 'u1' ? 3 : 2)),
      small(300),
    ),
    // sharded over 2 and 3 without a shard key: sticky blocks of 100 (no order across them is promised)
    mix(
      whale(1000, 2, (i) => (Math.floor(i / 100) % 2 === 0 ? 2 : 3)),
      small(300),
    ),
    // released back to its shared partition (epoch 3)
    mix(
      whale(500, 3, () => 0),
      keyed(2, () => 1),
      small(300),
    ),
  ];
}

async function write(producer: Producer, topic: string, phases: Rec[][]): Promise<number> {
  let n = 0;
  for (const phase of phases) {
    for (let i = 0; i < phase.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: phase.slice(i, i + 500).map(message) });
    }
    n += phase.length;
  }
  return n;
}

interface Report {
  records: number;
  violations: number;
  gaps: number;
  duplicates: number;
  withinPartition?: number;
  acrossEpochs?: number;
  examples: string[];
}

async function check(topic: string): Promise<{ code: number | null; report: Report; out: string }> {
  const cli: CliProcess = runCli(
    ['check', '--topic', topic, '--brokers', brokers().join(','), '--idle-ms', '3000'],
    {
      LOG_LEVEL: 'warn',
    },
  );
  const deadline = setTimeout(() => void cli.kill('SIGKILL'), 45_000);
  const code = await cli.exited;
  clearTimeout(deadline);
  const out = cli.output.join('\n');
  const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
  return { code, report: JSON.parse(json) as Report, out };
}

describe('tenant-balancer check on the real broker', () => {
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    const kafka = testKafka(uniqueName('check'));
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it('reports 0 violations for a clean migration written in hand-over order (exit 0)', async () => {
    const topic = uniqueName('check-clean');
    await createTopicsReady(admin, [{ topic, numPartitions: 4 }]);
    const written = await write(producer, topic, cleanPhases());
    const { code, report, out } = await check(topic);
    expect(report, out).toMatchObject({ records: written, violations: 0, gaps: 0, duplicates: 0 });
    expect(code, out).toBe(0);
  }, 60_000);

  it('reports a seq going backwards within a partition and a newer route before an older one (exit 1)', async () => {
    const topic = uniqueName('check-bad');
    await createTopicsReady(admin, [{ topic, numPartitions: 4 }]);
    const phases = cleanPhases();
    // within partition 1: 1, 2, 4, 3, 5 (seq 3 after 4)
    const back = [1, 2, 4, 3, 5].map((seq) => ({ tenant: 'back', seq, partition: 1, epoch: 0 }));
    // epoch 0 on partition 0: 1..10; epoch 1 on partition 3: 11..20; then seq 21 on the old route
    // (epoch 0) after records of the new one: the 10 records of epoch 1 are out of order for any
    // consumer that reads the old route first.
    const late = (from: number, to: number, partition: number, epoch: number): Rec[] =>
      Array.from({ length: to - from + 1 }, (_, i) => ({ tenant: 'late', seq: from + i, partition, epoch }));
    phases[0]!.push(...back, ...late(1, 10, 0, 0));
    phases[1]!.push(...late(11, 20, 3, 1));
    phases[2]!.push(...late(21, 21, 0, 0));
    const written = await write(producer, topic, phases);
    const { code, report, out } = await check(topic);
    expect(report, out).toMatchObject({
      records: written,
      violations: 11,
      withinPartition: 1,
      acrossEpochs: 10,
      gaps: 0,
    });
    expect(report.examples.join('\n')).toMatch(/back: seq 3 after 4 on partition 1/);
    expect(report.examples.join('\n')).toMatch(/late: 10 records of route epoch 1/);
    expect(code, out).toBe(1);
  }, 60_000);

  it('reports 0 violations for a migration there and back by the real SmartProducer (exit 0)', async () => {
    // The route records a controller writes (draining, then settled), written here in that order so
    // the producer holds, acks and releases as in a migration; the whale isolated, then released.
    const SHARED = 4;
    const t: Topology = await createTopology('check-sp', SHARED, 4);
    const p = new SmartProducer(t.kafka, { ...t.names, lingerMs: 2, trafficIntervalMs: 200 });
    try {
      await p.connect();
      const seqs = new Map<string, number>();
      const send = (tenant: string, bytes = 32) => {
        const seq = (seqs.get(tenant) ?? 0) + 1;
        seqs.set(tenant, seq);
        return p.send({
          topic: t.topic,
          tenant,
          value: `${tenant}:${seq}:`.padEnd(bytes, 'x'),
          headers: { [Headers.tenantSeq]: String(seq), [Headers.sentAt]: String(Date.now()) },
        });
      };
      const burst = async (n: number) => {
        for (let i = 0; i < n; i += 500)
          await Promise.all(
            Array.from({ length: Math.min(500, n - i) }, (_, j) =>
              j % 5 === 4 ? send(`small-${j % 7}`) : send('whale', 1024),
            ),
          );
      };
      const seen = (state: string, epoch: number) =>
        waitFor(() => {
          const r = p.routes.table.route(t.topic, 'whale');
          return r?.state === state && r.epoch === epoch;
        }, `whale ${state} at epoch ${epoch}`);
      const hash = partitionForKey('whale', SHARED);
      const dedicated = SHARED + 1;

      await burst(4000); // on the whale's hash partition (no route-epoch header)
      await t.writer.write(
        t.route('whale', { state: 'draining', from: [hash], partitions: [dedicated], epoch: 1 }),
      );
      await seen('draining', 1);
      const held = burst(1000); // held by the producer until the route settles
      await waitFor(() => p.stats().held > 0, 'records held');
      await t.writer.write(t.route('whale', { state: 'dedicated', partitions: [dedicated], epoch: 1 }));
      await seen('dedicated', 1);
      await held;
      await burst(2000); // on the dedicated partition (epoch 1)
      await t.writer.write(
        t.route('whale', { state: 'draining', from: [dedicated], partitions: [], epoch: 2 }),
      );
      await seen('draining', 2);
      const heldBack = burst(500);
      await waitFor(() => p.stats().held > 0, 'records held on the way back');
      await t.writer.write(t.route('whale', { state: 'shared', partitions: [], epoch: 2 }));
      await seen('shared', 2);
      await heldBack;
      await burst(1000); // back on its hash partition (epoch 2)
      const report = await p.disconnect();
      expect(report.failed).toEqual([]);

      const written = [...seqs.values()].reduce((a, b) => a + b, 0);
      const { code, report: r, out } = await check(t.topic);
      expect(r, out).toMatchObject({ records: written, violations: 0, gaps: 0, duplicates: 0 });
      expect(code, out).toBe(0);
    } finally {
      await p.disconnect().catch(() => undefined);
      await t.close();
    }
  }, 90_000);
});
