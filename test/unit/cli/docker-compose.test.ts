import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { controllerCommand } from '../../../src/cli/controller-command.js';
import { demoCommand } from '../../../src/cli/demo-command.js';
import { topicsCommand } from '../../../src/cli/topics-command.js';

// docker-compose cannot run on CI (no Docker engine), so its wiring is proven by reading it.
const root = join(import.meta.dirname, '..', '..', '..');
const read = (f: string): unknown => parse(readFileSync(join(root, f), 'utf8'));

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string | number>;
  depends_on?: string[] | Record<string, unknown>;
  command?: string[];
}
const compose = read('docker-compose.yml') as { services: Record<string, Service> };
const collector = read('otel-collector.yaml') as {
  receivers: Record<string, { protocols?: Record<string, { endpoint: string }> }>;
  processors: Record<string, unknown>;
  exporters: Record<string, { endpoint?: string }>;
  extensions?: Record<string, unknown>;
  service: {
    extensions?: string[];
    pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
  };
};
const hostPorts = (s: Service | undefined): number[] => (s?.ports ?? []).map((p) => Number(p.split(':')[0]));
const containerPorts = (s: Service | undefined): number[] =>
  (s?.ports ?? []).map((p) => Number(p.split(':')[1]));

describe('docker-compose.yml and otel-collector.yaml agree', () => {
  it('has the services users need', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'controller',
      'demo',
      'jaeger',
      'kafka',
      'otel-collector',
      'schema-registry',
      'topics-init',
    ]);
    expect(compose.services['schema-registry']?.image).toMatch(/^apicurio\/apicurio-registry:3\./);
    expect(compose.services['kafka']?.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services['otel-collector']?.image).toMatch(/^otel\/opentelemetry-collector-contrib:/);
    expect(compose.services['jaeger']?.image).toMatch(/^jaegertracing\/jaeger:2\./);
  });

  it('exposes the Jaeger UI on 16686 and OTLP on 4317/4318', () => {
    expect(hostPorts(compose.services['jaeger'])).toContain(16686);
    expect(hostPorts(compose.services['otel-collector'])).toEqual(expect.arrayContaining([4317, 4318]));
  });

  it('mounts files that exist, into the path the collector is started with', () => {
    const c = compose.services['otel-collector'];
    const mounts = (c?.volumes ?? []).map((v) => v.split(':'));
    expect(mounts.length).toBeGreaterThan(0);
    for (const [src] of mounts) expect(existsSync(join(root, src ?? '')), `${src} exists`).toBe(true);
    const configArg = (c?.command ?? []).find((a) => a.startsWith('--config='))?.slice('--config='.length);
    expect(mounts.map((m) => m[1])).toContain(configArg);
  });

  it('builds the app services from a Dockerfile whose COPY sources exist', () => {
    for (const name of ['controller', 'demo']) {
      const b = compose.services[name]?.build;
      expect(b, `${name} is built from this repo`).toBeDefined();
      const dockerfile = readFileSync(join(root, b?.context ?? '.', b?.dockerfile ?? 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(/^FROM node:(22|24)/m);
      const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
        (m[1] ?? '').split(/\s+/),
      );
      for (const s of sources) expect(existsSync(join(root, s)), `COPY source ${s}`).toBe(true);
    }
  });

  it('creates the managed topic before the controller starts, and the demo uses that topic', () => {
    const init = compose.services['topics-init'];
    expect(init?.command?.slice(0, 4)).toEqual(['topics', 'create', '--topic', 'events']);
    expect(compose.services['controller']?.depends_on).toMatchObject({
      'topics-init': { condition: 'service_completed_successfully' },
    });
    const ctl = compose.services['controller']?.command ?? [];
    const demo = compose.services['demo']?.command ?? [];
    expect(ctl[ctl.indexOf('--topic') + 1]).toBe('events');
    expect(demo[demo.indexOf('--topic') + 1]).toBe('events');
    expect(demo).toContain('--external-controller');
  });

  describe('passes only flags the CLI knows (the commander definitions in src/cli, no build needed)', () => {
    // The subcommand each service runs, as src/main.ts wires it (one factory per top-level command).
    const subcommand = (name: string): { cmd: Command; prefix: string[] } => {
      if (name === 'topics-init') {
        const create = topicsCommand().commands.find((c) => c.name() === 'create');
        if (create === undefined) throw new Error('topics has no create subcommand');
        return { cmd: create, prefix: ['topics', 'create'] };
      }
      const cmd = name === 'controller' ? controllerCommand() : demoCommand();
      return { cmd, prefix: [cmd.name()] };
    };
    const flagsOf = (cmd: Command): Map<string, boolean> =>
      new Map(
        cmd.options.flatMap((o) => {
          const takesValue = o.required || o.optional;
          return [o.long, o.short].filter((f) => f !== undefined).map((f) => [f, takesValue] as const);
        }),
      );

    it.each(['controller', 'demo', 'topics-init'])(
      '%s: every flag is one the command defines, exactly',
      (name) => {
        const args = compose.services[name]?.command ?? [];
        const { cmd, prefix } = subcommand(name);
        expect(args.slice(0, prefix.length), `${name} runs ${prefix.join(' ')}`).toEqual(prefix);
        const flags = flagsOf(cmd);
        const rest = args.slice(prefix.length);
        for (let i = 0; i < rest.length; i++) {
          const arg = rest[i]!;
          expect(arg.startsWith('-'), `${name}: ${arg} is not a flag or a flag's value`).toBe(true);
          const [flag, inline] = arg.split(/=(.*)/s) as [string, string | undefined];
          expect([...flags.keys()], `${name} ${flag}`).toContain(flag);
          if (flags.get(flag) && inline === undefined) {
            const value = rest[++i];
            expect(value !== undefined && !value.startsWith('--'), `${name} ${flag} needs a value`).toBe(
              true,
            );
          } else if (!flags.get(flag)) expect(inline, `${name} ${flag} takes no value`).toBeUndefined();
        }
      },
    );

    it.each(['controller', 'demo', 'topics-init'])(
      '%s: commander itself parses the command line',
      async (name) => {
        const args = compose.services[name]?.command ?? [];
        const { cmd, prefix } = subcommand(name);
        let parsed: Record<string, unknown> | undefined;
        cmd
          .exitOverride()
          .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
          .action(() => {
            parsed = cmd.opts();
          });
        await cmd.parseAsync(args.slice(prefix.length), { from: 'user' });
        expect(parsed).toBeDefined();
      },
    );

    it('would reject a flag that is only a prefix or an extension of a real one', async () => {
      // the check above is exact: --topic does not stand for --topics, nor --topics for --topic
      const flags = flagsOf(controllerCommand());
      expect(flags.has('--topic')).toBe(true);
      expect(flags.has('--topics')).toBe(false);
      expect(flags.has('--top')).toBe(false);
      for (const bad of [
        ['--topics', 'events'],
        ['--top', 'events'],
      ]) {
        const cmd = controllerCommand()
          .exitOverride()
          .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
          .action(() => undefined);
        await expect(cmd.parseAsync(bad, { from: 'user' })).rejects.toMatchObject({
          code: 'commander.unknownOption',
        });
      }
    });
  });

  it('points the app services at the collector and Kafka that compose defines', () => {
    const collectorPorts = containerPorts(compose.services['otel-collector']);
    for (const name of ['controller', 'demo']) {
      const env = compose.services[name]?.environment ?? {};
      const otlp = new URL(String(env['OTEL_EXPORTER_OTLP_ENDPOINT']));
      expect(compose.services[otlp.hostname], `${name} OTLP host`).toBeDefined();
      expect(collectorPorts).toContain(Number(otlp.port));
      expect(env['OTEL_SERVICE_NAME']).toMatch(/^tenant-balancer-/);
      const [kHost, kPort] = String(env['KAFKA_BROKERS']).split(':');
      expect(kHost).toBe('kafka');
      expect(String(compose.services['kafka']?.environment?.['KAFKA_ADVERTISED_LISTENERS'])).toContain(
        `kafka:${kPort}`,
      );
    }
  });

  it('runs the demo with Avro values through the registry compose defines', () => {
    const demo = compose.services['demo'];
    expect(demo?.command).toContain('--avro');
    const url = new URL(String(demo?.environment?.['SCHEMA_REGISTRY_URL']));
    expect(compose.services[url.hostname], 'the registry host is a service').toBeDefined();
    // Apicurio listens on 8080 in its container; its Confluent-compatible API is under /apis/ccompat/v7
    expect(containerPorts(compose.services[url.hostname])).toContain(Number(url.port));
    expect(url.pathname).toBe('/apis/ccompat/v7');
    expect(demo?.depends_on).toHaveProperty([url.hostname]);
  });

  it('has collector pipelines that reference only defined components', () => {
    const { pipelines } = collector.service;
    expect(Object.keys(pipelines).sort()).toEqual(['metrics', 'traces']);
    for (const p of Object.values(pipelines)) {
      for (const r of p.receivers) expect(collector.receivers).toHaveProperty([r]);
      for (const r of p.processors) expect(collector.processors).toHaveProperty([r]);
      for (const r of p.exporters) expect(collector.exporters).toHaveProperty([r]);
      expect(p.processors[0]).toBe('memory_limiter');
    }
    for (const e of collector.service.extensions ?? []) expect(collector.extensions).toHaveProperty([e]);
    expect(pipelines['traces']?.exporters).toEqual(expect.arrayContaining(['otlp/jaeger', 'debug']));
    expect(pipelines['metrics']?.exporters).toContain('prometheus');
  });

  it('sends traces to the Jaeger service on its OTLP gRPC port', () => {
    const [host, port] = String(collector.exporters['otlp/jaeger']?.endpoint).split(':');
    expect(compose.services[host ?? '']).toBeDefined();
    expect(port).toBe('4317');
    const grpc = collector.receivers['otlp']?.protocols?.['grpc']?.endpoint ?? '';
    const http = collector.receivers['otlp']?.protocols?.['http']?.endpoint ?? '';
    expect([grpc.split(':')[1], http.split(':')[1]]).toEqual(['4317', '4318']);
  });
});
