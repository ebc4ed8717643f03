// Over 300 lines: the whole life of a local broker process (format, start, wait, status, stop,
// kill one node) in one place, because each step reads the same pid, log and port layout; the
// pure parts (options, server properties, classpath) already live in their own files.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { checkJava, resolveClasspath } from './classpath.js';
import {
  bootstrapServers,
  clusterDir,
  extraPorts,
  nodeDir,
  tlsCaFile,
  tlsClientCertFile,
  tlsClientKeyFile,
  type LocalKafkaOptions,
} from './options.js';
import { isAlive, logTail, portIsFree, readPidFile, stopPidFile } from '../local-process/process.js';
import { brokersAnswering } from './probe.js';
import { log4jConfig, serverProperties, type TlsStores } from './server-properties.js';

export interface ClusterStatus {
  readonly running: boolean;
  readonly bootstrap: string[];
  readonly nodes: { nodeId: number; pid: number | null; alive: boolean; log: string }[];
}

export interface StartResult {
  readonly bootstrap: string[];
  /** false when a healthy cluster was already running and was reused. */
  readonly started: boolean;
}

const nodeIds = (o: LocalKafkaOptions): number[] => Array.from({ length: o.brokers }, (_, i) => i + 1);
const pidFile = (o: LocalKafkaOptions, id: number): string => join(nodeDir(o, id), 'kafka.pid');
const logFile = (o: LocalKafkaOptions, id: number): string => join(nodeDir(o, id), 'kafka.log');
const readPid = (o: LocalKafkaOptions, id: number): number | null => readPidFile(pidFile(o, id));

export async function status(o: LocalKafkaOptions): Promise<ClusterStatus> {
  const nodes = nodeIds(o).map((nodeId) => {
    const pid = readPid(o, nodeId);
    return { nodeId, pid, alive: pid !== null && isAlive(pid), log: logFile(o, nodeId) };
  });
  const bootstrap = bootstrapServers(o);
  const anyAlive = nodes.some((n) => n.alive);
  const running = anyAlive && (await brokersAnswering(bootstrap)) >= o.brokers;
  return { running, bootstrap, nodes };
}

const startFailure = (o: LocalKafkaOptions, why: string): TenantBalancerError => {
  const tails = nodeIds(o)
    .map((id) => `--- ${logFile(o, id)} (last lines)\n${logTail(logFile(o, id))}`)
    .join('\n');
  const jarHint = /ZipException|NoClassDefFoundError|ClassNotFoundException|invalid LOC header/.test(tails)
    ? '\nThe jar cache looks broken: delete ~/.m2/repository/org/apache/kafka and ' +
      o.home +
      ', then start again.'
    : '';
  return new TenantBalancerError(ErrorCode.BrokerStartFailed, `${why}${jarHint}\n${tails}`);
};

function formatIfNeeded(o: LocalKafkaOptions, cp: string, clusterId: string, id: number): void {
  const dir = nodeDir(o, id);
  const data = join(dir, 'data');
  if (existsSync(join(data, 'meta.properties'))) return;
  mkdirSync(data, { recursive: true });
  writeFileSync(
    join(dir, 'server.properties'),
    serverProperties(o, id, data, o.tls === true ? ensureKeystore(o) : undefined),
  );
  writeFileSync(join(dir, 'log4j2.properties'), log4jConfig(logFile(o, id)));
  const r = spawnSync(
    'java',
    [
      '-cp',
      cp,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      join(dir, 'server.properties'),
      // SCRAM credentials live in the metadata log: they are added when storage is formatted.
      ...Object.entries(o.saslUsers ?? {}).flatMap(([u, pw]) => [
        '--add-scram',
        `SCRAM-SHA-256=[name=${u},password=${pw}]`,
        '--add-scram',
        `SCRAM-SHA-512=[name=${u},password=${pw}]`,
      ]),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) {
    throw new TenantBalancerError(
      ErrorCode.BrokerStartFailed,
      `formatting KRaft storage in ${data} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}\nDelete ${clusterDir(o)} and retry.`,
    );
  }
}

/**
 * A self-signed key pair for the local SSL listener (PKCS12 keystore + the certificate as PEM for
 * clients), made once per cluster with the JDK's keytool. For local tests and demos only.
 */
function ensureKeystore(o: LocalKafkaOptions): TlsStores {
  const dir = join(clusterDir(o), 'tls');
  const file = join(dir, 'broker.p12');
  const pwFile = join(dir, 'keystore.password');
  const clientTrust = join(dir, 'clients.p12');
  const withClients = (password: string): TlsStores =>
    o.tlsClientAuth === true
      ? { file, password, clientTrust: { file: clientTrust, password } }
      : { file, password };
  if (
    existsSync(file) &&
    existsSync(pwFile) &&
    existsSync(tlsCaFile(o)) &&
    (o.tlsClientAuth !== true || existsSync(clientTrust))
  )
    return withClients(readFileSync(pwFile, 'utf8').trim());
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const password = randomBytes(12).toString('hex');
  const keytool = (args: string[]): void => {
    const r = spawnSync('keytool', args, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0)
      throw startFailure(
        o,
        `keytool ${args[0]} failed (it ships with the JDK): ${r.error?.message ?? r.stderr}`,
      );
  };
  // keytool takes the password as an argument: this throwaway local keystore protects nothing.
  keytool([
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '3650',
    '-dname',
    'CN=localhost',
    '-ext',
    'SAN=dns:localhost,ip:127.0.0.1',
    '-storetype',
    'PKCS12',
    '-keystore',
    file,
    '-storepass',
    password,
    '-keypass',
    password,
  ]);
  keytool([
    '-exportcert',
    '-rfc',
    '-alias',
    'broker',
    '-keystore',
    file,
    '-storepass',
    password,
    '-file',
    tlsCaFile(o),
  ]);
  if (o.tlsClientAuth === true) {
    // keytool cannot write a private key as PEM, which Node's TLS needs: openssl makes the client's
    // self-signed pair, and keytool puts its certificate in the store the broker trusts.
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        tlsClientKeyFile(o),
        '-out',
        tlsClientCertFile(o),
        '-subj',
        '/CN=ktb-local-client',
        '-days',
        '3650',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (r.status !== 0)
      throw startFailure(
        o,
        `openssl req failed (install openssl, e.g. apt-get install openssl): ${r.error?.message ?? r.stderr}`,
      );
    keytool([
      '-importcert',
      '-noprompt',
      '-alias',
      'client',
      '-file',
      tlsClientCertFile(o),
      '-storetype',
      'PKCS12',
      '-keystore',
      clientTrust,
      '-storepass',
      password,
    ]);
  }
  writeFileSync(pwFile, password, { mode: 0o600 });
  return withClients(password);
}

function clusterId(o: LocalKafkaOptions, cp: string): string {
  const f = join(clusterDir(o), 'cluster.id');
  if (existsSync(f)) return readFileSync(f, 'utf8').trim();
  const r = spawnSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' });
  const id = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !/^[A-Za-z0-9_-]{22}$/.test(id))
    throw startFailure(o, `could not generate a cluster id: ${r.stderr}`);
  mkdirSync(clusterDir(o), { recursive: true });
  writeFileSync(f, id);
  return id;
}

/** Starts one node (used by start, and by fault tests that restart a killed broker). */
export function startNode(o: LocalKafkaOptions, cp: string, id: number): number {
  const dir = nodeDir(o, id);
  const out = openSync(join(dir, 'kafka.stdout'), 'a');
  const child = spawn(
    'java',
    [
      `-Xmx${o.heapMb}m`,
      `-Xms${Math.min(256, o.heapMb)}m`,
      '-XX:+UseG1GC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
      '-cp',
      cp,
      'kafka.Kafka',
      join(dir, 'server.properties'),
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  if (child.pid === undefined) throw startFailure(o, 'java did not start');
  child.unref();
  writeFileSync(pidFile(o, id), String(child.pid));
  return child.pid;
}

/**
 * Starts the local cluster, or reuses it when it already answers metadata. Storage is formatted
 * once and kept across restarts (a restarted broker keeps its topics, as fault tests need).
 */
export async function start(
  o: LocalKafkaOptions,
  log: (line: string) => void = () => undefined,
): Promise<StartResult> {
  const props = join(nodeDir(o, 1), 'server.properties');
  if (o.tls === true && existsSync(props)) {
    const existing = readFileSync(props, 'utf8');
    const missing = !existing.includes('SSL://')
      ? ['TLS', '--tls']
      : o.tlsClientAuth === true && !existing.includes('MTLS://')
        ? ['mutual TLS', '--tls --tls-client-auth']
        : undefined;
    if (missing !== undefined)
      throw new TenantBalancerError(
        ErrorCode.BrokerStartFailed,
        `the local cluster in ${clusterDir(o)} was created without ${missing[0]}; stop it with --clean (its data goes), then start it with ${missing[1]}`,
      );
  }
  const current = await status(o);
  if (current.running) return { bootstrap: current.bootstrap, started: false };
  if (current.nodes.some((n) => n.alive)) await stop(o);

  for (let i = 0; i < o.brokers; i++) {
    for (const port of [o.port + i, o.controllerPort + i, ...extraPorts(o, i)]) {
      if (!(await portIsFree(port))) {
        throw new TenantBalancerError(
          ErrorCode.PortInUse,
          `port ${port} on 127.0.0.1 is taken by another process; stop it (ss -ltnp 'sport = :${port}') or choose another port with --port / KTB_KAFKA_PORT.`,
        );
      }
    }
  }
  checkJava();
  log('resolving Kafka jars with Maven (first run downloads them)...');
  const cp = resolveClasspath(o.home);
  const id = clusterId(o, cp);
  for (const n of nodeIds(o)) formatIfNeeded(o, cp, id, n);
  const pids = nodeIds(o).map((n) => startNode(o, cp, n));
  log(`started ${pids.length} Kafka node(s), pid ${pids.join(', ')}; waiting for metadata...`);

  const deadline = Date.now() + o.startTimeoutMs;
  const bootstrap = bootstrapServers(o);
  while (Date.now() < deadline) {
    if (pids.some((pid) => !isAlive(pid))) throw startFailure(o, 'a Kafka node exited during start-up.');
    if ((await brokersAnswering(bootstrap, 2000)) >= o.brokers) return { bootstrap, started: true };
    await sleep(300);
  }
  await stop(o);
  throw startFailure(o, `the cluster did not answer metadata within ${o.startTimeoutMs} ms.`);
}

/** SIGTERM (controlled shutdown), then SIGKILL after the grace period. */
export async function stopNode(
  o: LocalKafkaOptions,
  id: number,
  graceMs = 30_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  await stopPidFile(pidFile(o, id), graceMs, signal);
}

export async function stop(o: LocalKafkaOptions, opts: { clean?: boolean } = {}): Promise<void> {
  // Brokers first in parallel: in a 3-node quorum a lone survivor cannot finish a controlled shutdown.
  await Promise.all(nodeIds(o).map((id) => stopNode(o, id)));
  if (opts.clean === true) rmSync(clusterDir(o), { recursive: true, force: true });
}
