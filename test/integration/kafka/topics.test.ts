import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopicsReady, ensureInternalTopics } from '../../../src/adapters/kafka/internal-topics.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { testKafka, uniqueName } from '../helpers/kafka.js';

/** Topic creation waits for partition leaders itself, and tolerates a concurrent creator. */
describe('creating topics on the real broker', () => {
  const admins: Admin[] = [];
  const admin = async (): Promise<Admin> => {
    const a = testKafka().admin();
    await a.connect();
    admins.push(a);
    return a;
  };
  let a: Admin;

  beforeAll(async () => {
    a = await admin();
  });
  afterAll(async () => {
    await Promise.all(admins.map((x) => x.disconnect()));
  });

  it('returns only when every partition of every new topic has a leader', async () => {
    const names = [uniqueName('ready-a'), uniqueName('ready-b')];
    await createTopicsReady(a, [
      { topic: names[0]!, numPartitions: 6 },
      { topic: names[1]!, numPartitions: 1 },
    ]);
    const md = await a.fetchTopicMetadata({ topics: names });
    expect(md.topics.map((t) => t.partitions.length).sort()).toEqual([1, 6]);
    for (const t of md.topics) expect(t.partitions.every((p) => p.leader >= 0)).toBe(true);
  });

  it('lets several processes ensure the same internal topics at once', async () => {
    const names = {
      routingTopic: uniqueName('race-routes'),
      acksTopic: uniqueName('race-acks'),
      trafficTopic: uniqueName('race-traffic'),
    };
    const racers = await Promise.all([admin(), admin(), admin()]);
    await Promise.all(racers.map((r) => ensureInternalTopics(r, names)));
    const md = await a.fetchTopicMetadata({ topics: Object.values(names) });
    expect(md.topics).toHaveLength(3);
    for (const t of md.topics) expect(t.partitions.map((p) => p.leader >= 0)).toEqual([true]);
  });

  it('says why the broker refused a creation, per topic, with a code', async () => {
    const topic = uniqueName('bad-rf');
    // One broker: replication factor 3 is refused.
    await expect(
      createTopicsReady(a, [{ topic, numPartitions: 1, replicationFactor: 3 }]),
    ).rejects.toMatchObject({
      code: ErrorCode.TopicCreateFailed,
      message: expect.stringContaining(`${topic}: INVALID_REPLICATION_FACTOR`),
    });
  });
});
