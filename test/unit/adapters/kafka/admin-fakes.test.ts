import type { Admin } from 'kafkajs';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createTopicsReady } from '../../../../src/adapters/kafka/internal-topics.js';
import { OffsetSource } from '../../../../src/adapters/kafka/offset-source.js';
import { silentLogger } from '../../../../src/adapters/logger.js';
import { ErrorCode } from '../../../../src/domain/errors.js';

/** A kafkajs error as kafkajs shapes it: the broker's error name in `type`. */
const kafkaError = (type: string): Error => Object.assign(new Error(type), { type });

describe('OffsetSource against a slow admin', () => {
  it('never overlaps polls: ticks that arrive during a slow poll are dropped, not queued', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    const admin = {
      fetchTopicOffsets: async () => {
        calls++;
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 60)); // 6 ticks of 10 ms
        running--;
        return [{ partition: 0, offset: '5', high: '5', low: '0' }];
      },
      fetchOffsets: async () => [],
    } as unknown as Admin;
    const source = new OffsetSource(admin, {
      tickMs: 10,
      topics: () => ['t'],
      groups: ['g'],
      ignoreGroupPrefix: 'ktb-',
      logger: silentLogger(),
    });
    const startedAt = Date.now();
    const samples = await firstValueFrom(source.samples$.pipe(take(4), toArray()));
    expect(samples).toHaveLength(4);
    expect(most).toBe(1);
    // 4 polls of 60 ms: had the 10 ms ticks queued, there would be many more calls by now.
    expect(calls).toBe(4);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(230);
  });
});

describe('createTopicsReady', () => {
  it('treats UNKNOWN_TOPIC_OR_PARTITION after creation as "not yet", then returns once leaders exist', async () => {
    let asked = 0;
    const admin = {
      createTopics: async () => true,
      fetchTopicMetadata: async () => {
        asked++;
        if (asked < 3) throw kafkaError('UNKNOWN_TOPIC_OR_PARTITION');
        if (asked < 4) return { topics: [{ name: 'x', partitions: [{ partitionId: 0, leader: -1 }] }] };
        return { topics: [{ name: 'x', partitions: [{ partitionId: 0, leader: 1 }] }] };
      },
    } as unknown as Admin;
    await createTopicsReady(admin, [{ topic: 'x', numPartitions: 1 }], { timeoutMs: 5000 });
    expect(asked).toBe(4);
  });

  it('gives up at its deadline with a coded error, and passes other errors through', async () => {
    const never = {
      createTopics: async () => true,
      fetchTopicMetadata: async () => {
        throw kafkaError('UNKNOWN_TOPIC_OR_PARTITION');
      },
    } as unknown as Admin;
    await expect(
      createTopicsReady(never, [{ topic: 'x', numPartitions: 1 }], { timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: ErrorCode.BrokerUnreachable });
    const denied = {
      createTopics: async () => true,
      fetchTopicMetadata: async () => {
        throw kafkaError('TOPIC_AUTHORIZATION_FAILED');
      },
    } as unknown as Admin;
    await expect(createTopicsReady(denied, [{ topic: 'x', numPartitions: 1 }])).rejects.toMatchObject({
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
  });

  it('names the broker reason per topic when creation is refused, and tolerates a concurrent creator when asked', async () => {
    const refusing = {
      createTopics: async () => {
        throw Object.assign(new Error('Topic creation errors'), {
          errors: [Object.assign(kafkaError('INVALID_REPLICATION_FACTOR'), { topic: 'x' })],
        });
      },
    } as unknown as Admin;
    await expect(createTopicsReady(refusing, [{ topic: 'x', numPartitions: 1 }])).rejects.toMatchObject({
      code: ErrorCode.TopicCreateFailed,
      message: expect.stringMatching(/x: INVALID_REPLICATION_FACTOR/),
    });
    const racing = {
      createTopics: async () => {
        throw kafkaError('TOPIC_ALREADY_EXISTS');
      },
      fetchTopicMetadata: async () => ({
        topics: [{ name: 'x', partitions: [{ partitionId: 0, leader: 1 }] }],
      }),
    } as unknown as Admin;
    await expect(
      createTopicsReady(racing, [{ topic: 'x', numPartitions: 1 }], { tolerateExisting: true }),
    ).resolves.toBeUndefined();
    await expect(createTopicsReady(racing, [{ topic: 'x', numPartitions: 1 }])).rejects.toMatchObject({
      code: ErrorCode.TopicCreateFailed,
    });
  });
});
