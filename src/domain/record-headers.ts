/** Record headers we write and read; any Kafka client can check order, loss and latency from them. */
export const Headers = {
  tenantId: 'tenant-id',
  routeEpoch: 'route-epoch',
  tenantSeq: 'tenant-seq',
  sentAt: 'sent-at',
  shardKey: 'shard-key',
} as const;
