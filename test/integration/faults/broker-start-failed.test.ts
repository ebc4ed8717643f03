import { afterAll, describe, expect, it } from 'vitest';
import * as localKafka from '../../../src/adapters/local-kafka/index.js';
import { ErrorCode } from '../../../src/domain/errors.js';

/** A broker JVM that cannot start (a heap too small to boot) fails with a code and its log's tail. */
describe('a local broker that fails to start', () => {
  const opts = localKafka.defaultLocalKafkaOptions({
    port: Number(process.env['KTB_TEST_BADSTART_PORT'] ?? 17092),
    heapMb: 1,
    startTimeoutMs: 60_000,
  });
  afterAll(async () => {
    await localKafka.stop(opts, { clean: true });
  }, 60_000);

  it('says KTB_BROKER_START_FAILED with the reason, and leaves no broker running', async () => {
    await localKafka.stop(opts, { clean: true });
    const err = await localKafka.start(opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: ErrorCode.BrokerStartFailed });
    expect(String((err as Error).message)).toMatch(/heap|exited|failed/i);
    expect((await localKafka.status(opts)).running).toBe(false);
  }, 90_000);
});
