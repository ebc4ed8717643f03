import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { DashboardDeps } from '../adapters/http/dashboard-routes.js';
import { prometheusText } from '../adapters/http/prometheus-text.js';
import { buildHttpServer, type HttpDeps } from '../adapters/http/server.js';
import type { RoutingReader } from '../adapters/kafka/routing-reader.js';
import type { SignalConsumer } from '../adapters/kafka/signal-consumer.js';
import type { Logger } from '../adapters/logger.js';
import { otelPrometheusText } from '../adapters/otel/prometheus-reader.js';
import type { Controller } from '../app/controller.js';
import type { ControllerConfig } from '../app/controller-config.js';
import { defaultAdvertisedUrl } from '../domain/advertised-url.js';
import type { ReportGaps } from '../domain/report-gaps.js';

/** What the controller's HTTP API reads from the running service. */
export interface ControllerHttpParts {
  readonly config: ControllerConfig;
  readonly current: () => Controller | undefined;
  /** leading and ready (the role reported to pages and scripts) */
  readonly isLeader: () => boolean;
  readonly leaderUrl: () => string | undefined;
  readonly command: HttpDeps['command'];
  readonly reload: HttpDeps['reload'];
  readonly mode: HttpDeps['mode'];
  readonly reader: RoutingReader;
  readonly signals: SignalConsumer;
  readonly reportGaps: ReportGaps;
  readonly dashboard: DashboardDeps;
}

export interface ListeningHttp {
  readonly url: string;
  /** where other hosts reach this instance, with the port it bound */
  readonly advertisedUrl: string | undefined;
  close(): Promise<void>;
}

/** The configured advertised URL, or http://<bind host>:<port> (a wildcard host: the host name). */
export const advertisedUrlFor = (http: ControllerConfig['http'], port: number): string | undefined =>
  http.advertisedUrl ?? defaultAdvertisedUrl(http.host, port, hostname());

/** The controller's HTTP API and dashboard (src/adapters/http/server.ts), listening. */
export async function listenControllerHttp(p: ControllerHttpParts, log: Logger): Promise<ListeningHttp> {
  const { config, current, reader } = p;
  // Ready = leading, not fenced, and a routing view fresh enough to act on: a controller cut off
  // from the broker, or one that a newer controller fenced, must not look healthy.
  const staleAfterMs = Math.max(5_000, 10 * Math.min(1000, config.tickMs));
  const app = buildHttpServer({
    ready: () => p.isLeader() && reader.viewAgeMs() <= staleAfterMs,
    tenants: () => current()?.tenants() ?? [],
    mode: p.mode,
    reload: p.reload,
    command: p.command,
    metrics: async () => {
      const c = current();
      return (c ? prometheusText(c, reader, p.signals, p.reportGaps) : '') + (await otelPrometheusText());
    },
    authToken: config.authToken,
    role: () => ({ role: p.isLeader() ? 'leader' : 'standby', leader: p.leaderUrl() ?? null }),
    dashboard: p.dashboard,
  });
  const url = await app.listen({ port: config.http.port, host: config.http.host });
  const advertisedUrl = advertisedUrlFor(config.http, (app.server.address() as AddressInfo).port);
  log.info({ url, advertisedUrl, ha: config.ha }, 'controller HTTP listening');
  if (advertisedUrl === undefined)
    log.warn(
      {},
      'no valid URL to advertise to the other controllers ("leader: unknown"); set http.advertisedUrl',
    );
  return { url, advertisedUrl, close: () => app.close() };
}
