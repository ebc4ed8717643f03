import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as localKafka from '../../../../src/adapters/local-kafka/index.js';
import { ErrorCode } from '../../../../src/domain/errors.js';

const listen = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });

describe('local broker start on a taken port', () => {
  let srv: Server | undefined;
  afterEach(() => new Promise<void>((r) => (srv ? srv.close(() => r()) : r())));

  it('fails with KTB_PORT_IN_USE naming the port and what to do, before touching Java or Maven', async () => {
    srv = await listen(0);
    const address = srv.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const opts = localKafka.defaultLocalKafkaOptions({
      port,
      home: mkdtempSync(join(tmpdir(), 'ktb-port-')),
    });
    await expect(localKafka.start(opts)).rejects.toMatchObject({
      code: ErrorCode.PortInUse,
      message: expect.stringMatching(new RegExp(`port ${port} .*--port`)),
    });
  });
});
