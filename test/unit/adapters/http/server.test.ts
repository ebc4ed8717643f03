import { describe, expect, it } from 'vitest';
import { buildHttpServer, type HttpDeps } from '../../../../src/adapters/http/server.js';
import type { OperatorCommand, TenantStatus } from '../../../../src/app/controller.js';
import { ErrorCode, TenantBalancerError } from '../../../../src/domain/errors.js';

const status: TenantStatus = {
  topic: 'orders',
  tenant: 'acme',
  state: 'isolating',
  partitions: [2],
  epoch: 0,
  ordering: 'strict',
  manual: true,
  rates: null,
  decision: null,
  drain: null,
};

const deps = (over: Partial<HttpDeps> = {}): HttpDeps & { commands: OperatorCommand[] } => {
  const commands: OperatorCommand[] = [];
  return {
    commands,
    ready: () => true,
    tenants: () => [status],
    command: (c) => {
      if (c.topic !== 'orders')
        throw new TenantBalancerError(ErrorCode.TopicNotManaged, `topic "${c.topic}" is not managed`);
      commands.push(c);
      return status;
    },
    metrics: () => 'ktb_migrations_total 0\n',
    authToken: 'a-very-secret-token-123',
    ...over,
  };
};

describe('controller HTTP API', () => {
  it('serves health, readiness, tenants and metrics', async () => {
    const app = buildHttpServer(deps({ ready: () => false }));
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    expect((await app.inject('/tenants')).json()).toEqual({ tenants: [status] });
    const m = await app.inject('/metrics');
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toContain('ktb_migrations_total 0');
  });

  it('refuses mutating calls when no token is configured, and without or with a wrong token', async () => {
    const open = buildHttpServer(deps({ authToken: undefined }));
    const r1 = await open.inject({ method: 'POST', url: '/tenants/orders/acme/pin', payload: {} });
    expect(r1.statusCode).toBe(403);
    expect(r1.json().error).toMatch(/--auth-token/);
    const d = deps();
    const app = buildHttpServer(d);
    expect(
      (await app.inject({ method: 'POST', url: '/tenants/orders/acme/unpin', payload: {} })).statusCode,
    ).toBe(401);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/tenants/orders/acme/unpin',
          payload: {},
          headers: { authorization: 'Bearer nope' },
        })
      ).statusCode,
    ).toBe(401);
    expect(d.commands).toEqual([]);
  });

  it('runs pin, unpin and move with the token, and rejects bad bodies and unmanaged topics clearly', async () => {
    const d = deps();
    const app = buildHttpServer(d);
    const auth = { authorization: 'Bearer a-very-secret-token-123' };
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/tenants/orders/acme/pin',
          payload: { partitions: 2 },
          headers: auth,
        })
      ).statusCode,
    ).toBe(202);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/tenants/orders/acme/move',
          payload: { partitions: [5, 6] },
          headers: auth,
        })
      ).statusCode,
    ).toBe(202);
    expect(
      (await app.inject({ method: 'POST', url: '/tenants/orders/acme/unpin', payload: {}, headers: auth }))
        .statusCode,
    ).toBe(202);
    expect(d.commands).toEqual([
      { op: 'pin', topic: 'orders', tenant: 'acme', shards: 2 },
      { op: 'move', topic: 'orders', tenant: 'acme', partitions: [5, 6] },
      { op: 'unpin', topic: 'orders', tenant: 'acme' },
    ]);
    const bad = await app.inject({
      method: 'POST',
      url: '/tenants/orders/acme/move',
      payload: { partitions: 'x' },
      headers: auth,
    });
    expect(bad.statusCode).toBe(400);
    const unmanaged = await app.inject({
      method: 'POST',
      url: '/tenants/other/acme/pin',
      payload: {},
      headers: auth,
    });
    expect(unmanaged.statusCode).toBe(404);
    expect(unmanaged.json().code).toBe(ErrorCode.TopicNotManaged);
  });
});
