import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ErrorCode, isTenantBalancerError } from '../../domain/errors.js';
import { MAX_TENANT_ID_BYTES } from '../../domain/ids.js';
import type { OperatorCommand, TenantStatus } from '../../app/controller.js';
import { registerDashboard, type DashboardDeps } from './dashboard-routes.js';

/** What a config reload applied (the controller's mode after it, and the fields that changed). */
export interface ReloadOutcome {
  readonly mode: 'act' | 'observe';
  readonly changes: readonly string[];
}

/** Whether this controller leads, and where the leader's dashboard and API are (null: unknown). */
export interface RoleInfo {
  readonly role: 'leader' | 'standby';
  readonly leader: string | null;
}

export interface HttpDeps {
  readonly ready: () => boolean;
  readonly tenants: () => TenantStatus[];
  /** act, or observe (shadow mode: nothing is moved) */
  readonly mode: () => 'act' | 'observe';
  /** re-reads and applies the config; throws a coded error (and keeps the old config) when refused */
  readonly reload: () => ReloadOutcome;
  readonly command: (c: OperatorCommand) => TenantStatus;
  readonly metrics: () => Promise<string> | string;
  readonly authToken: string | undefined;
  /** reported by /healthz, a not-ready /readyz and a standby's 503, so scripts can find the leader */
  readonly role?: () => RoleInfo;
  /** the dashboard at `/` (src/adapters/http/dashboard-routes.ts); absent: no dashboard */
  readonly dashboard?: DashboardDeps;
}

const tokenOk = (header: string | undefined, token: string): boolean => {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '', 'utf8');
  const want = Buffer.from(token, 'utf8');
  return given.length === want.length && timingSafeEqual(given, want);
};

/**
 * The HTTP status of a refused operator command. 400: the request is wrong whatever the state (bad
 * partitions or shards, a bad tenant id); 404: the topic is not managed here; 409: only a conflict
 * with the current state (the tenant is mid-migration: retry when it settles; the controller is in
 * observe mode; a reload changes a field only a restart applies); 503: this
 * controller is a standby. Anything else is the server's fault (500).
 */
export const statusOfCode = (code: ErrorCode): number => {
  switch (code) {
    case ErrorCode.ConfigInvalid:
    case ErrorCode.RequestInvalid:
    case ErrorCode.TenantInvalid:
      return 400;
    case ErrorCode.TopicNotManaged:
      return 404;
    case ErrorCode.TenantBusy:
    case ErrorCode.ObserveMode:
    case ErrorCode.ConfigRestartRequired:
      return 409;
    case ErrorCode.NotLeader:
      return 503;
    default:
      return 500;
  }
};

/**
 * Longest path parameter accepted: a tenant id may be MAX_TENANT_ID_BYTES UTF-8 bytes, and each byte
 * is at most 3 characters once URL-encoded (%XX). fastify's default (100) answered 414 to valid ids.
 */
export const MAX_PARAM_LENGTH = MAX_TENANT_ID_BYTES * 3;

/**
 * /healthz (with the role and the leader's URL), /readyz, /tenants (with the controller's mode), /metrics, the dashboard at `/`; POST pin/unpin/move and POST
 * /config/reload need the bearer token (and are refused outright when no token is configured). Binds where told; the controller defaults to 127.0.0.1.
 */
export function buildHttpServer(d: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: MAX_PARAM_LENGTH } });
  app.get('/healthz', async () => ({ status: 'ok', ...d.role?.() }));
  app.get('/readyz', async (_req, reply) => {
    if (d.ready()) return { status: 'ready' };
    const role = d.role?.();
    return reply.code(503).send({
      status: 'not ready',
      reason:
        role?.role === 'standby'
          ? 'standby: another controller leads (or this one is taking over)'
          : 'routing table not loaded or not connected',
      ...role,
    });
  });
  app.get('/tenants', async () => ({ mode: d.mode(), tenants: d.tenants() }));
  if (d.dashboard) registerDashboard(app, d.dashboard);
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(await d.metrics()));

  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (d.authToken === undefined)
      return reply.code(403).send({
        error: 'mutating endpoints are disabled: start the controller with --auth-token (or KTB_AUTH_TOKEN)',
      });
    if (!tokenOk(req.headers.authorization, d.authToken))
      return reply.code(401).send({ error: 'missing or wrong bearer token' });
    return undefined;
  };
  const run = async (reply: FastifyReply, c: OperatorCommand) => {
    try {
      return reply.code(202).send({ tenant: d.command(c) });
    } catch (e) {
      if (isTenantBalancerError(e))
        return reply.code(statusOfCode(e.code)).send({
          error: e.message,
          code: e.code,
          // a standby says where to send the command instead
          ...(e.code === ErrorCode.NotLeader && d.role ? { leader: d.role().leader } : {}),
        });
      throw e;
    }
  };
  app.post('/config/reload', { preHandler: guard }, async (_req, reply) => {
    try {
      return reply.code(200).send({ status: 'reloaded', ...d.reload() });
    } catch (e) {
      if (isTenantBalancerError(e))
        return reply.code(statusOfCode(e.code)).send({ error: e.message, code: e.code });
      throw e;
    }
  });
  type P = { Params: { topic: string; tenant: string }; Body: { partitions?: unknown } | undefined };
  app.post<P>('/tenants/:topic/:tenant/pin', { preHandler: guard }, async (req, reply) => {
    const k = req.body?.partitions;
    if (k !== undefined && typeof k !== 'number')
      return reply.code(400).send({
        error: 'partitions must be a number (how many dedicated partitions)',
        code: ErrorCode.RequestInvalid,
      });
    return run(reply, {
      op: 'pin',
      topic: req.params.topic,
      tenant: req.params.tenant,
      ...(k !== undefined ? { shards: k } : {}),
    });
  });
  app.post<P>('/tenants/:topic/:tenant/unpin', { preHandler: guard }, async (req, reply) =>
    run(reply, { op: 'unpin', topic: req.params.topic, tenant: req.params.tenant }),
  );
  app.post<P>('/tenants/:topic/:tenant/move', { preHandler: guard }, async (req, reply) => {
    const ps = req.body?.partitions;
    if (!Array.isArray(ps) || !ps.every((p) => typeof p === 'number'))
      return reply
        .code(400)
        .send({ error: 'partitions must be an array of partition numbers', code: ErrorCode.RequestInvalid });
    return run(reply, {
      op: 'move',
      topic: req.params.topic,
      tenant: req.params.tenant,
      partitions: ps as number[],
    });
  });
  return app;
}
