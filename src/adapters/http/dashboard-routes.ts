import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MachineGraph } from '../../app/dashboard/view-model.js';
import { packageRoot } from '../local-process/package-root.js';
import type { DashboardFeed } from './dashboard-feed.js';

export interface DashboardDeps {
  readonly feed: DashboardFeed;
  readonly machine: MachineGraph;
  /** where the bundle is (default: dist/dashboard under the package root) */
  readonly assetsDir?: string;
}

/**
 * No inline script or style, nothing from another origin: the page's script and stylesheet are
 * files of this server, its data comes from this server's /dashboard/events and the API.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
}

/** Reads the bundle once (it is small) and keeps a gzip copy of each file. */
export function loadAssets(dir: string): Map<string, Asset> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(TYPES)) {
    const body = readFileSync(join(dir, name));
    assets.set(name, { type, body, gzip: gzipSync(body, { level: 9 }) });
  }
  return assets;
}

export const defaultAssetsDir = (): string => join(packageRoot(), 'dist', 'dashboard');

const acceptsGzip = (req: FastifyRequest): boolean =>
  /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));

/** `/` (the page), `/dashboard/app.js|app.css`, `/dashboard/machine` (the tenant machine's graph), `/dashboard/events` (SSE). */
export function registerDashboard(app: FastifyInstance, d: DashboardDeps): void {
  const assets = loadAssets(d.assetsDir ?? defaultAssetsDir());
  const send = (name: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const a = assets?.get(name);
    if (a === undefined)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'the dashboard is not built: run `npm run build` (it bundles src/dashboard into dist/dashboard)',
        );
    const gz = acceptsGzip(req);
    return reply
      .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache', vary: 'accept-encoding' })
      .headers(gz ? { 'content-encoding': 'gzip' } : {})
      .type(a.type)
      .send(gz ? a.gzip : a.body);
  };
  app.get('/', send('index.html'));
  app.get('/dashboard/app.js', send('app.js'));
  app.get('/dashboard/app.css', send('app.css'));
  app.get('/dashboard/machine', async (_req, reply) => reply.headers(SECURITY_HEADERS).send(d.machine));
  // Open event streams would keep close() waiting: end them first.
  app.addHook('preClose', async () => d.feed.stop());
  app.get('/dashboard/events', (req, reply) => {
    reply.hijack();
    d.feed.attach(reply.raw, SECURITY_HEADERS, acceptsGzip(req));
  });
}
