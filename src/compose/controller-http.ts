import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { buildHttpServer, type HttpDeps } from '../adapters/http/server.js';
import type { Logger } from '../adapters/logger.js';
import type { ControllerConfig } from '../app/controller-config.js';
import { defaultAdvertisedUrl } from '../domain/advertised-url.js';

export interface ListeningHttp {
  readonly url: string;
  /** where other hosts reach this instance (told to the other controllers); undefined: none valid */
  readonly advertisedUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * The controller's HTTP API and dashboard, listening, and the URL this instance advertises: the
 * configured one, or http://<bind host>:<bound port> (port 0 binds a free one, known only now).
 */
export async function listenControllerHttp(
  http: ControllerConfig['http'],
  deps: HttpDeps,
  log: Logger,
): Promise<ListeningHttp> {
  const app = buildHttpServer(deps);
  const url = await app.listen({ port: http.port, host: http.host });
  const { port } = app.server.address() as AddressInfo;
  const advertisedUrl = http.advertisedUrl ?? defaultAdvertisedUrl(http.host, port, hostname());
  if (advertisedUrl === undefined)
    log.warn(
      { host: http.host, hostname: hostname() },
      'no valid URL to advertise to the other controllers (standbys will show "leader: unknown"); set http.advertisedUrl',
    );
  return { url, advertisedUrl, close: () => app.close() };
}
