import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopicsReady } from '../../../src/adapters/kafka/internal-topics.js';
import { brokers, testKafka, uniqueName } from '../helpers/kafka.js';
import { freePort } from '../../support/free-port.js';
import { runCli, type CliProcess } from '../helpers/processes.js';

/**
 * What the built CLI prints when something is wrong (one line with a KTB_ code and what to do, no
 * stack trace, a non-zero exit) and the texts of `topics create` and `routes` that misled.
 */
const started: CliProcess[] = [];
const run = async (args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) => {
  const cli = runCli(args, { LOG_LEVEL: 'warn', ...env });
  started.push(cli);
  const deadline = setTimeout(() => void cli.kill('SIGKILL'), timeoutMs);
  const code = await cli.exited;
  clearTimeout(deadline);
  return { code, lines: cli.output };
};

const noStack = (lines: readonly string[]) => {
  expect(lines.filter((l) => /^\s+at /.test(l) || l.includes('"stack"') || /Caused by/.test(l))).toEqual([]);
};

describe('CLI messages', () => {
  afterAll(async () => {
    await Promise.all(started.map((c) => c.kill('SIGKILL')));
  });

  describe('an unreachable broker', () => {
    const unreachable = { KAFKA_BROKERS: '127.0.0.1:1' };

    it.each([
      ['routes', ['routes']],
      ['check', ['check', '--topic', 'events']],
      ['topics create', ['topics', 'create', '--topic', 'events', '--shared', '2', '--dedicated', '2']],
    ])('%s: one line, KTB_BROKER_UNREACHABLE and what to do, exit 1', async (_name, args) => {
      const { code, lines } = await run(args, unreachable);
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^KTB_BROKER_UNREACHABLE: cannot reach a Kafka broker at 127\.0\.0\.1:1 \(.*ECONNREFUSED.*\); .*--brokers \/ KAFKA_BROKERS/,
      );
    });

    it('controller: ends with KTB_BROKER_UNREACHABLE and what to do, no stack trace, exit 1', async () => {
      // the controller retries longer (about 16 s), logging each retry as a warning
      const { code, lines } = await run(['controller', '--topic', 'events', '--http-port', '0'], {
        ...unreachable,
        LOG_LEVEL: 'info',
      });
      expect(code).toBe(1);
      noStack(lines);
      const plain = lines.filter((l) => !l.startsWith('{'));
      expect(plain).toHaveLength(1);
      expect(plain[0]).toMatch(
        /^KTB_BROKER_UNREACHABLE: cannot reach a Kafka broker at 127\.0\.0\.1:1 .*KAFKA_BROKERS/,
      );
      // kafkajs's retries are warnings, not errors
      const levels = lines
        .filter((l) => l.startsWith('{'))
        .map((l) => (JSON.parse(l) as { level: number }).level);
      expect(levels.every((l) => l < 50)).toBe(true);
    }, 60_000);
  });

  it.each([['pin'], ['unpin'], ['move']])(
    '%s with no controller listening: one line, KTB_CONTROLLER_UNREACHABLE and what to do, exit 1',
    async (op) => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const { code, lines } = await run([
        op!,
        'acme',
        '--topic',
        'events',
        '--controller',
        url,
        ...(op === 'move' ? ['--partitions', '4'] : []),
      ]);
      expect(code).toBe(1);
      expect(lines).toEqual([
        `KTB_CONTROLLER_UNREACHABLE: cannot reach the controller at ${url} (ECONNREFUSED); start \`tenant-balancer controller\` or point --controller (env KTB_CONTROLLER_URL) at it`,
      ]);
    },
  );

  it.each([
    ['routes', ['routes']],
    ['controller', ['controller', '--topic', 'events', '--http-port', '0']],
  ])(
    '%s with a bad LOG_LEVEL: one line, KTB_CONFIG_INVALID naming the valid levels, exit 1',
    async (_n, args) => {
      const { code, lines } = await run(args, { LOG_LEVEL: 'verbose', KAFKA_BROKERS: brokers().join(',') });
      expect(code).toBe(1);
      expect(lines).toEqual([
        'KTB_CONFIG_INVALID: log level "verbose" (LOG_LEVEL) is not one of fatal, error, warn, info, debug, trace, silent; set LOG_LEVEL to one of them or unset it',
      ]);
    },
  );

  describe('texts of topics create and routes', () => {
    let admin: Admin;
    const names = {
      routing: uniqueName('msg-routes'),
      acks: uniqueName('msg-acks'),
      traffic: uniqueName('msg-traffic'),
    };
    const internal = [
      '--routing-topic',
      names.routing,
      '--acks-topic',
      names.acks,
      '--traffic-topic',
      names.traffic,
    ];
    const b = ['--brokers', brokers().join(',')];

    beforeAll(async () => {
      admin = testKafka().admin();
      await admin.connect();
    });
    afterAll(async () => {
      await admin?.disconnect();
    });

    it('topics create --dedicated 0 says there is no dedicated partition yet (not "dedicated pool 2..1")', async () => {
      const topic = uniqueName('msg-nodedicated');
      const { code, lines } = await run([
        'topics',
        'create',
        ...b,
        ...internal,
        '--topic',
        topic,
        '--shared',
        '2',
        '--dedicated',
        '0',
      ]);
      expect(code, lines.join('\n')).toBe(0);
      expect(lines).toEqual([
        `created ${topic}: shared pool partitions 0..1, no dedicated partitions yet (the controller adds them, from partition 2 on and up to its maxPartitions, when it isolates a tenant)`,
      ]);
      // and routes on a managed topic without a route record says so (not "no managed topics")
      const routes = await run(['routes', ...b, ...internal]);
      expect(routes.code).toBe(0);
      expect(routes.lines).toEqual([
        `no tenant has a route record (${topic}: shared partitions 0..1): every tenant hashes over its topic's shared pool; pass --tenant <id> to see where one goes`,
      ]);
    });

    it('routes with no managed topic in the routing topic says that, and how to make one', async () => {
      const empty = uniqueName('msg-empty-routes');
      await createTopicsReady(admin, [{ topic: empty, numPartitions: 1 }]);
      const { code, lines } = await run(['routes', ...b, '--routing-topic', empty]);
      expect(code).toBe(0);
      expect(lines).toEqual([
        `no managed topics in the routing topic ${empty}: create one with \`tenant-balancer topics create\` (or pass the --routing-topic your controller uses)`,
      ]);
    });
  });
});
