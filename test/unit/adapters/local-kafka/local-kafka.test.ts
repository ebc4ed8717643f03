import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../src/domain/errors.js';
import { checkJava, pomPath, resolveClasspath } from '../../../../src/adapters/local-kafka/classpath.js';
import { defaultLocalKafkaOptions } from '../../../../src/adapters/local-kafka/options.js';
import { serverProperties } from '../../../../src/adapters/local-kafka/server-properties.js';

const props = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('server.properties', () => {
  it('is a single-node KRaft broker+controller with single-node internal topics', () => {
    const p = props(serverProperties(defaultLocalKafkaOptions({ port: 9092, home: '/tmp/x' }), 1, '/d'));
    expect(p['process.roles']).toBe('broker,controller');
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:9192');
    expect(p['listeners']).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9192');
    expect(p['offsets.topic.replication.factor']).toBe('1');
    expect(p['transaction.state.log.replication.factor']).toBe('1');
    expect(p['group.initial.rebalance.delay.ms']).toBe('0');
  });

  it('gives node i of a 3-node cluster distinct ports and replication 3', () => {
    const o = defaultLocalKafkaOptions({ port: 29092, brokers: 3, home: '/tmp/x' });
    const p3 = props(serverProperties(o, 3, '/d3'));
    expect(p3['node.id']).toBe('3');
    expect(p3['listeners']).toBe('PLAINTEXT://127.0.0.1:29094,CONTROLLER://127.0.0.1:29194');
    expect(p3['controller.quorum.voters']).toBe('1@127.0.0.1:29192,2@127.0.0.1:29193,3@127.0.0.1:29194');
    expect(p3['offsets.topic.replication.factor']).toBe('3');
    expect(p3['min.insync.replicas']).toBe('2');
  });

  it('adds an SSL listener on port + 300 + i with the keystore when asked for TLS', () => {
    const o = defaultLocalKafkaOptions({ port: 18592, brokers: 3, home: '/tmp/x', tls: true });
    const p2 = props(serverProperties(o, 2, '/d2', { file: '/ks/broker.p12', password: 'pw' }));
    expect(p2['listeners']).toBe(
      'PLAINTEXT://127.0.0.1:18593,CONTROLLER://127.0.0.1:18693,SSL://127.0.0.1:18893',
    );
    expect(p2['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:18593,SSL://127.0.0.1:18893');
    expect(p2['listener.security.protocol.map']).toContain('SSL:SSL');
    expect(p2).toMatchObject({
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': '/ks/broker.p12',
      'ssl.keystore.password': 'pw',
    });
    expect(() => serverProperties(o, 1, '/d1')).toThrow(/keystore/);
  });

  it('adds a listener on port + 400 + i that requires a client certificate when asked for mutual TLS', () => {
    const o = defaultLocalKafkaOptions({ port: 18592, home: '/tmp/x', tls: true, tlsClientAuth: true });
    const stores = {
      file: '/ks/broker.p12',
      password: 'pw',
      clientTrust: { file: '/ks/clients.p12', password: 'pw2' },
    };
    const p = props(serverProperties(o, 1, '/d1', stores));
    expect(p['listeners']).toBe(
      'PLAINTEXT://127.0.0.1:18592,CONTROLLER://127.0.0.1:18692,SSL://127.0.0.1:18892,MTLS://127.0.0.1:18992',
    );
    expect(p['advertised.listeners']).toBe(
      'PLAINTEXT://127.0.0.1:18592,SSL://127.0.0.1:18892,MTLS://127.0.0.1:18992',
    );
    expect(p['listener.security.protocol.map']).toContain('MTLS:SSL');
    expect(p).toMatchObject({
      'listener.name.mtls.ssl.client.auth': 'required',
      'listener.name.mtls.ssl.truststore.type': 'PKCS12',
      'listener.name.mtls.ssl.truststore.location': '/ks/clients.p12',
      'listener.name.mtls.ssl.truststore.password': 'pw2',
    });
    // The plain SSL listener does not ask for client certificates.
    expect(p['ssl.client.auth']).toBeUndefined();
    expect(() => serverProperties(o, 1, '/d1', { file: '/ks/broker.p12', password: 'pw' })).toThrow(
      /client trust store/,
    );
  });
});

describe('missing tools and a broken jar cache', () => {
  const path = process.env['PATH'];
  afterEach(() => {
    process.env['PATH'] = path;
  });

  it('says to install Java 17 when java is not on PATH', () => {
    process.env['PATH'] = '/nonexistent';
    expect(() => checkJava()).toThrow(
      expect.objectContaining({ code: ErrorCode.JavaMissing, message: expect.stringMatching(/Java 17/) }),
    );
  });

  /** The cache file resolveClasspath reads: classpath-<first 12 hex of sha256(pom.xml)>.txt in home. */
  const cacheFile = (home: string): string =>
    join(
      home,
      `classpath-${createHash('sha256').update(readFileSync(pomPath())).digest('hex').slice(0, 12)}.txt`,
    );

  it('uses a cache whose jars all exist without asking Maven (so the test below writes the file read)', () => {
    const home = mkdtempSync(join(tmpdir(), 'ktb-cp-'));
    const jars = ['a.jar', 'b.jar'].map((j) => join(home, j));
    for (const j of jars) writeFileSync(j, '');
    writeFileSync(cacheFile(home), `${jars.join(':')}\n`);
    process.env['PATH'] = '/nonexistent'; // no mvn: only the cache can answer
    expect(resolveClasspath(home)).toBe(jars.join(':'));
  });

  it('re-resolves a cache naming missing jars, and says to install Maven when it cannot', () => {
    const home = mkdtempSync(join(tmpdir(), 'ktb-cp-'));
    const present = join(home, 'present.jar');
    writeFileSync(present, '');
    // The cache the code reads, naming one jar that exists and one that does not: it must not be used.
    writeFileSync(cacheFile(home), `${present}:/nonexistent/kafka.jar`);
    process.env['PATH'] = '/nonexistent';
    expect(() => resolveClasspath(home)).toThrow(
      expect.objectContaining({
        code: ErrorCode.MavenMissing,
        message: expect.stringMatching(/apt-get install maven/),
      }),
    );
  });
});
