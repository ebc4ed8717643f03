import type { TenantId, TopicName } from '../../../src/domain/ids.js';
import type { PoolLayout, TenantRoute } from '../../../src/domain/route-record.js';

export const pools = (topic: string, shared: number, total: number, writerEpoch = 0): PoolLayout => ({
  v: 1,
  kind: 'pools',
  topic: topic as TopicName,
  shared,
  total,
  updatedAt: 1,
  writerEpoch,
});

export const route = (topic: string, tenant: string, over: Partial<TenantRoute> = {}): TenantRoute => ({
  v: 1,
  kind: 'route',
  topic: topic as TopicName,
  tenant: tenant as TenantId,
  state: 'dedicated',
  partitions: [6],
  epoch: 1,
  ordering: 'strict',
  reason: 'test',
  updatedAt: 1,
  writerEpoch: 0,
  ...over,
});
