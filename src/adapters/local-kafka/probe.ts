import { Kafka, logLevel } from 'kafkajs';

/** Number of brokers the cluster reports, or 0 when it does not answer metadata. */
export async function brokersAnswering(bootstrap: string[], timeoutMs = 3000): Promise<number> {
  const kafka = new Kafka({
    clientId: 'ktb-local-kafka-probe',
    brokers: bootstrap,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length;
  } catch {
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
