import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

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
      'topics-init',
    ]);
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

  it('passes only flags the CLI knows', async () => {
    const { execFileSync } = await import('node:child_process');
    for (const name of ['controller', 'demo', 'topics-init']) {
      const cmd = compose.services[name]?.command ?? [];
      const sub = name === 'topics-init' ? ['topics', 'create'] : [cmd[0]!];
      const help = execFileSync(process.execPath, [join(root, 'dist', 'src', 'main.js'), ...sub, '--help'], {
        encoding: 'utf8',
      });
      for (const flag of cmd.filter((a) => a.startsWith('--')))
        expect(help, `${name} ${flag}`).toContain(flag);
    }
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
