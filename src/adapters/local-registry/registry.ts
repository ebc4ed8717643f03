import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { isAlive, logTail, portIsFree, readPidFile, stopPidFile } from '../local-process/process.js';
import { ensureDistribution } from './distribution.js';
import { findRegistryJava } from './java21.js';
import { instanceDir, managementPort, registryUrl, type LocalRegistryOptions } from './options.js';
import { registryAnswers } from './probe.js';

export interface RegistryStatus {
  readonly running: boolean;
  readonly url: string;
  readonly pid: number | null;
  readonly alive: boolean;
  readonly log: string;
}

export interface RegistryStartResult {
  readonly url: string;
  /** false when a registry already answered on the port and was reused. */
  readonly started: boolean;
}

const pidFile = (o: LocalRegistryOptions): string => join(instanceDir(o), 'registry.pid');
const logFile = (o: LocalRegistryOptions): string => join(instanceDir(o), 'registry.log');

export async function registryStatus(o: LocalRegistryOptions): Promise<RegistryStatus> {
  const pid = readPidFile(pidFile(o));
  const alive = pid !== null && isAlive(pid);
  const url = registryUrl(o);
  // A registry someone else started on the port (docker, another clone) counts as running: we reuse it.
  return { running: await registryAnswers(url), url, pid, alive, log: logFile(o) };
}

const startFailure = (o: LocalRegistryOptions, why: string): TenantBalancerError =>
  new TenantBalancerError(
    ErrorCode.RegistryStartFailed,
    `${why}\n--- ${logFile(o)} (last lines)\n${logTail(logFile(o))}`,
  );

/**
 * Starts Apicurio Registry (in-memory storage, so every start is empty) on 127.0.0.1:port, or
 * reuses one that already answers there. Java 21+ is looked up apart from the broker's Java 17.
 */
export async function startRegistry(
  o: LocalRegistryOptions,
  log: (line: string) => void = () => undefined,
): Promise<RegistryStartResult> {
  const current = await registryStatus(o);
  if (current.running) return { url: current.url, started: false };
  if (current.alive) await stopRegistry(o);
  for (const port of [o.port, managementPort(o)])
    if (!(await portIsFree(port)))
      throw new TenantBalancerError(
        ErrorCode.PortInUse,
        `port ${port} on 127.0.0.1 is taken by another process; stop it (ss -ltnp 'sport = :${port}') or choose another port with --port / KTB_REGISTRY_PORT (the registry uses port and port + 1).`,
      );
  const java = findRegistryJava();
  const dist = ensureDistribution(o.cacheDir, log);
  mkdirSync(instanceDir(o), { recursive: true });
  const out = openSync(logFile(o), 'w');
  const child = spawn(
    java.bin,
    [
      `-Xmx${o.heapMb}m`,
      '-XX:TieredStopAtLevel=1',
      `-Dquarkus.http.port=${o.port}`,
      '-Dquarkus.http.host=127.0.0.1',
      // the management interface (health) defaults to 0.0.0.0:9000: two registries would collide
      `-Dquarkus.management.port=${managementPort(o)}`,
      '-Dquarkus.management.host=127.0.0.1',
      '-jar',
      join(dist, 'quarkus-run.jar'),
    ],
    { cwd: instanceDir(o), detached: true, stdio: ['ignore', out, out] },
  );
  if (child.pid === undefined) throw startFailure(o, `${java.bin} did not start`);
  child.unref();
  writeFileSync(pidFile(o), String(child.pid));
  log(`started Apicurio Registry with Java ${java.major} (${java.bin}), pid ${child.pid}; waiting for it...`);
  const url = registryUrl(o);
  const deadline = Date.now() + o.startTimeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(child.pid)) throw startFailure(o, 'the registry exited during start-up.');
    if (await registryAnswers(url)) return { url, started: true };
    await sleep(300);
  }
  await stopRegistry(o);
  throw startFailure(o, `the registry did not answer ${url} within ${o.startTimeoutMs} ms.`);
}

/** SIGTERM (Quarkus shuts down in well under a second), then SIGKILL after the grace period. */
export async function stopRegistry(o: LocalRegistryOptions, graceMs = 15_000): Promise<void> {
  await stopPidFile(pidFile(o), graceMs);
}
