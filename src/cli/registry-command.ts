import { Command } from 'commander';
import * as localRegistry from '../adapters/local-registry/index.js';
import { parsePort } from './common.js';

interface RegistryFlags {
  port?: number;
}

const opts = (f: RegistryFlags): localRegistry.LocalRegistryOptions =>
  localRegistry.defaultLocalRegistryOptions(f.port !== undefined ? { port: f.port } : {});

const withPort = (c: Command): Command =>
  c.option('--port <port>', 'HTTP port; health on port + 1 (env KTB_REGISTRY_PORT, default 8081)', parsePort);

export function registryCommand(): Command {
  const { name, version } = localRegistry.apicurioArtifact;
  const cmd = new Command('registry').description(
    `run a real local schema registry (${name} ${version} from Maven Central, Java 21+, in-memory), no Docker`,
  );
  withPort(cmd.command('start').description('start the local registry, or reuse one that answers')).action(
    async (f: RegistryFlags) => {
      const r = await localRegistry.startRegistry(opts(f), (l) => console.error(l));
      console.log(`${r.started ? 'started' : 'already running'}: SCHEMA_REGISTRY_URL=${r.url}`);
    },
  );
  withPort(
    cmd.command('stop').description('stop the local registry (its schemas are in memory: they go)'),
  ).action(async (f: RegistryFlags) => {
    await localRegistry.stopRegistry(opts(f));
    console.log('stopped');
  });
  withPort(
    cmd.command('status').description('report whether the local registry runs and answers (exit 3 when not)'),
  ).action(async (f: RegistryFlags) => {
    const s = await localRegistry.registryStatus(opts(f));
    console.log(`${s.running ? 'running' : 'not running'}: ${s.url}`);
    console.log(`  pid ${s.pid ?? '-'} ${s.alive ? 'alive' : 'dead'}  log ${s.log}`);
    if (!s.running) process.exitCode = 3;
  });
  return cmd;
}
