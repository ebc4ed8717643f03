import { describe, expect, it } from 'vitest';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { TenantSettingsBook } from '../../../src/app/tenant-overrides.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { defaultThresholds } from '../../../src/policy/thresholds.js';

const PREFIX = 'KTB_CONFIG_INVALID: invalid controller config: ';
const parse = (over: Record<string, unknown>) =>
  parseControllerConfig({ brokers: ['k:1'], topics: ['orders', 'payments'], ...over });
const refusal = (over: Record<string, unknown>): string => {
  try {
    parse(over);
  } catch (e) {
    expect((e as { code?: string }).code).toBe(ErrorCode.ConfigInvalid);
    return (e as Error).message;
  }
  throw new Error('the config was accepted');
};

describe('per-tenant overrides in the controller config', () => {
  it('defaults to act mode and no overrides', () => {
    expect(parse({})).toMatchObject({ mode: 'act', tenants: {} });
  });

  it('accepts overrides keyed "<topic>/<tenant>", unknown tenants and tenant ids with a slash included', () => {
    const c = parse({
      mode: 'observe',
      tenants: {
        'orders/acme': { ordering: 'relaxed', thresholds: { isolateRate: 150 }, maxShards: 2 },
        'orders/never-seen': { neverMove: true },
        'payments/a/b': {},
      },
    });
    expect(c.mode).toBe('observe');
    expect(Object.keys(c.tenants)).toEqual(['orders/acme', 'orders/never-seen', 'payments/a/b']);
    // a partial thresholds object gets no defaults of its own: only what the operator wrote
    expect(c.tenants['orders/acme']!.thresholds).toEqual({ isolateRate: 150 });
  });

  it.each([
    [{ 'orders-acme': {} }, 'tenants.orders-acme: a tenant override key is "<topic>/<tenant id>"'],
    [{ '/acme': {} }, 'tenants./acme: a tenant override key'],
    [{ 'orders/': {} }, 'tenants.orders/: a tenant override key'],
    [{ 'bad topic/acme': {} }, 'tenants.bad topic/acme: a tenant override key'],
    [{ [`orders/${'x'.repeat(257)}`]: {} }, 'is over 256 UTF-8 bytes'],
    [{ 'billing/acme': {} }, 'tenants.billing/acme: topic "billing" is not managed by this controller'],
    [{ 'orders/acme': { ordering: 'loose' } }, 'tenants.orders/acme.ordering:'],
    [{ 'orders/acme': { neverMove: 'yes' } }, 'tenants.orders/acme.neverMove:'],
    [{ 'orders/acme': { maxShards: 0 } }, 'tenants.orders/acme.maxShards:'],
    [{ 'orders/acme': { maxShards: 300 } }, 'tenants.orders/acme.maxShards:'],
    [{ 'orders/acme': { shards: 2 } }, 'tenants.orders/acme: Unrecognized key: "shards"'],
    [
      { 'orders/acme': { thresholds: { isolateRat: 1 } } },
      'tenants.orders/acme.thresholds: Unrecognized key',
    ],
    [{ 'orders/acme': { thresholds: { hotWindows: 0 } } }, 'tenants.orders/acme.thresholds.hotWindows:'],
    [
      { 'orders/acme': { thresholds: { drainTimeoutPolicy: 'later' } } },
      'tenants.orders/acme.thresholds.drainTimeoutPolicy:',
    ],
  ])('refuses %j, naming the field', (tenants, named) => {
    const message = refusal({ tenants });
    expect(message.startsWith(PREFIX), message).toBe(true);
    expect(message).toContain(named);
  });

  it('refuses a "__proto__" key from a JSON file (zod would drop it without a word), in tenants and topicGating', () => {
    // JSON.parse makes "__proto__" an own key, as a config file would
    const file = JSON.parse(
      '{"tenants":{"__proto__":{"neverMove":true}},"topicGating":{"__proto__":"consumer"}}',
    );
    const message = refusal(file);
    expect(message).toContain('tenants: "__proto__" cannot be a key here');
    expect(message).toContain('topicGating: "__proto__" cannot be a key here');
    // a tenant id spelled __proto__ is an ordinary key
    expect(Object.keys(parse({ tenants: { 'orders/__proto__': {} } }).tenants)).toEqual(['orders/__proto__']);
  });

  it('re-validates the thresholds merged over the global ones, naming the tenant', () => {
    // releaseRate 100 (global default) is not below an isolateRate of 80
    expect(refusal({ tenants: { 'orders/acme': { thresholds: { isolateRate: 80 } } } })).toContain(
      'tenants.orders/acme.thresholds.releaseRate: releaseRate must be below isolateRate (hysteresis) (merged over the global thresholds)',
    );
    // the same override is fine once the global releaseRate is below it
    expect(() =>
      parse({
        thresholds: { releaseRate: 20 },
        tenants: { 'orders/acme': { thresholds: { isolateRate: 80 } } },
      }),
    ).not.toThrow();
    // and a global change can make an override invalid
    expect(
      refusal({
        thresholds: { isolateRate: 5000, releaseRate: 1000 },
        tenants: { 'orders/acme': { thresholds: { isolateRate: 900 } } },
      }),
    ).toContain('tenants.orders/acme.thresholds.releaseRate');
  });

  it('names every bad override, not only the first', () => {
    const message = refusal({ tenants: { 'orders/a': { maxShards: 0 }, 'nope/b': {} } });
    expect(message).toContain('tenants.orders/a.maxShards');
    expect(message).toContain('tenants.nope/b');
  });
});

describe('TenantSettingsBook', () => {
  const c = parse({
    mode: 'observe',
    thresholds: { isolateRate: 1000, releaseRate: 50, maxShards: 8 },
    tenants: {
      'orders/acme': {
        thresholds: { isolateRate: 200, isolateShare: 0.1 },
        maxShards: 2,
        ordering: 'relaxed',
      },
      'orders/quiet': { neverMove: true, thresholds: { actorFloorRate: 1 } },
    },
  });
  const book = new TenantSettingsBook(c);

  it('merges partial thresholds over the global ones; maxShards overrides thresholds.maxShards', () => {
    expect(book.of('orders', 'acme')).toEqual({
      thresholds: { ...c.thresholds, isolateRate: 200, isolateShare: 0.1, maxShards: 2 },
      ordering: 'relaxed',
      mode: 'observe',
      neverMove: false,
    });
    expect(book.of('orders', 'quiet')).toMatchObject({
      thresholds: { ...c.thresholds, actorFloorRate: 1 },
      ordering: undefined,
      neverMove: true,
    });
  });

  it('gives a tenant without an override (or the same id on another topic) the global settings', () => {
    for (const [topic, tenant] of [
      ['orders', 'other'],
      ['payments', 'acme'],
    ] as const)
      expect(book.of(topic, tenant)).toEqual({
        thresholds: c.thresholds,
        ordering: undefined,
        mode: 'observe',
        neverMove: false,
      });
  });

  it('offers the window feeder the loosest hotness bar and actor floor of any tenant', () => {
    expect(book.loosest()).toMatchObject({ isolateRate: 200, isolateShare: 0.1, actorFloorRate: 1 });
    const plain = new TenantSettingsBook({ thresholds: defaultThresholds(), mode: 'act', tenants: {} });
    expect(plain.loosest()).toEqual(defaultThresholds());
  });
});
