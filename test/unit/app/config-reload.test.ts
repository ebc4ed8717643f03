import { describe, expect, it } from 'vitest';
import { reloadChanges } from '../../../src/app/config-reload.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import type { TenantBalancerError } from '../../../src/domain/errors.js';
import { ErrorCode } from '../../../src/domain/errors.js';

const base = { brokers: ['k:1'], topics: ['orders'], authToken: 'a-very-secret-token-123' };
const config = (over: Record<string, unknown> = {}) => parseControllerConfig({ ...base, ...over });

const refusal = (over: Record<string, unknown>): TenantBalancerError => {
  try {
    reloadChanges(config(), config(over));
  } catch (e) {
    return e as TenantBalancerError;
  }
  throw new Error('the reload was accepted');
};

describe('reloadChanges: what a reload may change', () => {
  it('lists the reloadable fields that changed (thresholds field by field, mode, tenant overrides)', () => {
    expect(reloadChanges(config(), config())).toEqual([]);
    expect(
      reloadChanges(
        config({ tenants: { 'orders/a': { neverMove: true }, 'orders/b': {} } }),
        config({
          mode: 'observe',
          thresholds: { isolateRate: 800, hotWindows: 5 },
          tenants: { 'orders/a': { neverMove: false }, 'orders/c': {} },
        }),
      ),
    ).toEqual([
      'thresholds.isolateRate',
      'thresholds.hotWindows',
      'mode',
      'tenants.orders/a',
      'tenants.orders/b',
      'tenants.orders/c',
    ]);
  });

  it.each([
    [{ brokers: ['k:2'] }, 'brokers'],
    [{ topics: ['orders', 'payments'] }, 'topics'],
    [{ routingTopic: 'other.routes' }, 'routingTopic'],
    [{ acksTopic: 'other.acks' }, 'acksTopic'],
    [{ trafficTopic: 'other.traffic' }, 'trafficTopic'],
    [{ http: { port: 9999 } }, 'http'],
    [{ ha: true }, 'ha'],
    [{ authToken: 'another-secret-token-456' }, 'authToken'],
    [{ tickMs: 500 }, 'tickMs'],
    [{ sasl: { mechanism: 'plain', username: 'u', password: 'p' } }, 'sasl'],
    [{ ssl: true }, 'ssl'],
  ])('refuses a change of %j, naming %s and asking for a restart', (over, field) => {
    const e = refusal(over);
    expect(e.code).toBe(ErrorCode.ConfigRestartRequired);
    expect(e.message).toMatch(
      new RegExp(`^KTB_CONFIG_RESTART_REQUIRED: ${field} changed, and only a restart`),
    );
    expect(e.message).toContain('restart the controller');
  });

  it('names every fixed field that changed, even alongside reloadable ones', () => {
    const e = refusal({ brokers: ['k:2'], tickMs: 500, mode: 'observe' });
    expect(e.message).toContain('brokers, tickMs changed');
  });
});
