import { describe, expect, it } from 'vitest';
import { buildHttpServer, type HttpDeps } from '../../../../src/adapters/http/server.js';
import type { OperatorCommand, TenantStatus } from '../../../../src/app/controller.js';
import { ErrorCode, TenantBalancerError } from '../../../../src/domain/errors.js';
import { MAX_TENANT_ID_BYTES, tenantId } from '../../../../src/domain/ids.js';

const status: TenantStatus = {
  topic: 'orders',
  tenant: 'acme',
  state: 'isolating',
  partitions: [2],
  epoch: 0,
  ordering: 'strict',
  manual: true,
  neverMove: false,
  rates: null,
  decision: null,
  drain: null,
  fences: [],
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
    mode: () => 'act',
    reload: () => ({ mode: 'observe', changes: ['mode'] }),
    authToken: 'a-very-secret-token-123',
    ...over,
  };
};

describe('controller HTTP API', () => {
  it('serves health, readiness, tenants and metrics', async () => {
    const app = buildHttpServer(deps({ ready: () => false }));
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    expect((await app.inject('/tenants')).json()).toEqual({ mode: 'act', tenants: [status] });
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

  const auth = { authorization: 'Bearer a-very-secret-token-123' };

  it('accepts tenant ids up to MAX_TENANT_ID_BYTES UTF-8 bytes, URL-encoded (not 414)', async () => {
    const d = deps({
      // the controller's own validation, as in Controller.command
      command: (c) => {
        tenantId(c.tenant);
        d.commands.push(c);
        return status;
      },
    });
    const app = buildHttpServer(d);
    expect(MAX_TENANT_ID_BYTES).toBe(256);
    // 256 bytes each: ASCII (256 chars), 2-byte (768 encoded chars), 4-byte (64 emoji, 768 chars)
    const ids = ['a'.repeat(256), 'é'.repeat(128), '😀'.repeat(64), `${'€'.repeat(85)}x`];
    for (const id of ids) {
      expect(Buffer.byteLength(id, 'utf8')).toBe(256);
      const r = await app.inject({
        method: 'POST',
        url: `/tenants/orders/${encodeURIComponent(id)}/pin`,
        payload: {},
        headers: auth,
      });
      expect(r.statusCode, r.body).toBe(202);
    }
    expect(d.commands.map((c) => c.tenant)).toEqual(ids);
    // One byte more is refused by the tenant rule (400 with its code), not by the router (414).
    const tooLong = await app.inject({
      method: 'POST',
      url: `/tenants/orders/${encodeURIComponent('é'.repeat(128) + 'x')}/pin`,
      payload: {},
      headers: auth,
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().code).toBe(ErrorCode.TenantInvalid);
  });

  it('serves a 256-byte tenant id over a real socket', async () => {
    const d = deps({ command: (c) => (d.commands.push(c), status) });
    const app = buildHttpServer(d);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const id = '😀'.repeat(64);
      const r = await fetch(`${url}/tenants/orders/${encodeURIComponent(id)}/unpin`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(r.status).toBe(202);
      expect(d.commands).toEqual([{ op: 'unpin', topic: 'orders', tenant: id }]);
    } finally {
      await app.close();
    }
  });

  it('answers 400 to invalid requests, 409 only to a tenant busy mid-migration, 503 on a standby', async () => {
    const throwing = (code: ErrorCode) =>
      buildHttpServer(
        deps({
          command: () => {
            throw new TenantBalancerError(code, 'nope');
          },
        }),
      );
    const post = async (app: ReturnType<typeof buildHttpServer>, payload: object = { partitions: 2 }) => {
      const r = await app.inject({ method: 'POST', url: '/tenants/orders/acme/pin', payload, headers: auth });
      return { status: r.statusCode, code: (r.json() as { code?: string }).code };
    };
    // what the controller throws for bad shards / partitions / tenant ids (ConfigInvalid until it
    // throws RequestInvalid), and for a tenant mid-migration (TenantBusy)
    expect(await post(throwing(ErrorCode.ConfigInvalid))).toEqual({
      status: 400,
      code: ErrorCode.ConfigInvalid,
    });
    expect(await post(throwing(ErrorCode.RequestInvalid))).toEqual({
      status: 400,
      code: ErrorCode.RequestInvalid,
    });
    expect(await post(throwing(ErrorCode.TenantInvalid))).toEqual({
      status: 400,
      code: ErrorCode.TenantInvalid,
    });
    expect(await post(throwing(ErrorCode.TenantBusy))).toEqual({ status: 409, code: ErrorCode.TenantBusy });
    // a controller in observe (shadow) mode moves no one: a conflict with its state, not a bad request
    expect(await post(throwing(ErrorCode.ObserveMode))).toEqual({ status: 409, code: ErrorCode.ObserveMode });
    expect(await post(throwing(ErrorCode.TopicNotManaged))).toEqual({
      status: 404,
      code: ErrorCode.TopicNotManaged,
    });
    expect(await post(throwing(ErrorCode.NotLeader))).toEqual({ status: 503, code: ErrorCode.NotLeader });
    // bodies the server itself refuses carry a code too
    expect(await post(buildHttpServer(deps()), { partitions: 'two' })).toEqual({
      status: 400,
      code: ErrorCode.RequestInvalid,
    });
  });

  it("reports the role and the leader's URL: /healthz, a standby's /readyz and its 503 to commands", async () => {
    const standby = {
      ready: () => false,
      role: () => ({ role: 'standby' as const, leader: 'http://ctl-1:8080' }),
      command: () => {
        throw new TenantBalancerError(ErrorCode.NotLeader, 'this controller is a standby');
      },
    };
    const app = buildHttpServer(deps(standby));
    expect((await app.inject('/healthz')).json()).toEqual({
      status: 'ok',
      role: 'standby',
      leader: 'http://ctl-1:8080',
    });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ role: 'standby', leader: 'http://ctl-1:8080', reason: /standby/ });
    const pin = await app.inject({
      method: 'POST',
      url: '/tenants/orders/acme/pin',
      payload: {},
      headers: auth,
    });
    expect(pin.statusCode).toBe(503);
    expect(pin.json()).toMatchObject({ code: ErrorCode.NotLeader, leader: 'http://ctl-1:8080' });
    const unknown = buildHttpServer(deps({ ...standby, role: () => ({ role: 'standby', leader: null }) }));
    expect((await unknown.inject('/healthz')).json()).toEqual({
      status: 'ok',
      role: 'standby',
      leader: null,
    });
    // other refusals say nothing about the leader
    const busy = buildHttpServer(
      deps({
        role: standby.role,
        command: () => {
          throw new TenantBalancerError(ErrorCode.TenantBusy, 'busy');
        },
      }),
    );
    const r = await busy.inject({
      method: 'POST',
      url: '/tenants/orders/acme/pin',
      payload: {},
      headers: auth,
    });
    expect(r.json()).not.toHaveProperty('leader');
  });

  describe('POST /config/reload', () => {
    const reload = (app: ReturnType<typeof buildHttpServer>, headers: Record<string, string> = auth) =>
      app.inject({ method: 'POST', url: '/config/reload', headers });

    it('needs the bearer token, as pin/unpin do', async () => {
      let reloads = 0;
      const counting = { reload: () => (reloads++, { mode: 'act' as const, changes: [] }) };
      expect((await reload(buildHttpServer(deps({ ...counting, authToken: undefined })))).statusCode).toBe(
        403,
      );
      expect((await reload(buildHttpServer(deps(counting)), {})).statusCode).toBe(401);
      expect(
        (await reload(buildHttpServer(deps(counting)), { authorization: 'Bearer wrong-token-wrong-token' }))
          .statusCode,
      ).toBe(401);
      expect(reloads).toBe(0);
    });

    it('answers 200 with the mode and the fields that changed', async () => {
      const r = await reload(buildHttpServer(deps()));
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ status: 'reloaded', mode: 'observe', changes: ['mode'] });
    });

    it('answers 400 to an invalid config with the field named, 409 to a change that needs a restart', async () => {
      const refusing = (code: ErrorCode, message: string) =>
        buildHttpServer(
          deps({
            reload: () => {
              throw new TenantBalancerError(code, message);
            },
          }),
        );
      const invalid = await reload(
        refusing(ErrorCode.ConfigInvalid, 'invalid controller config: thresholds.hotWindows: Too small'),
      );
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json()).toEqual({
        code: ErrorCode.ConfigInvalid,
        error: 'KTB_CONFIG_INVALID: invalid controller config: thresholds.hotWindows: Too small',
      });
      const restart = await reload(refusing(ErrorCode.ConfigRestartRequired, 'brokers changed'));
      expect(restart.statusCode).toBe(409);
      expect(restart.json()).toMatchObject({ code: ErrorCode.ConfigRestartRequired });
    });
  });
});
