import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.js';
import {
  decodeRoutingRecord,
  encodeRoutingRecord,
  MAX_ROUTE_RECORD_BYTES,
  parseRouteKey,
  routeKey,
} from '../../../src/domain/route-record.js';
import { pools, route } from './fixtures.js';

const enc = (e: Parameters<typeof encodeRoutingRecord>[0]) => {
  const { key, value } = encodeRoutingRecord(e);
  return decodeRoutingRecord(Buffer.from(key), Buffer.from(value));
};
const codeOf = (r: ReturnType<typeof decodeRoutingRecord>) => (r.ok ? 'ok' : r.error.code);

describe('route record codec', () => {
  it('round-trips routes and pool layouts', () => {
    const r = route('orders', 'acme', {
      state: 'sharded',
      partitions: [6, 7],
      machine: { value: 'sharded' },
    });
    expect(enc(r)).toEqual({ ok: true, entry: r });
    expect(enc(pools('orders', 6, 12))).toEqual({ ok: true, entry: pools('orders', 6, 12) });
  });

  it('reads a null value as a tombstone for topic/tenant (tenant may contain "/")', () => {
    expect(decodeRoutingRecord(Buffer.from('orders/a/b'), null)).toEqual({
      ok: true,
      entry: { kind: 'tombstone', topic: 'orders', tenant: 'a/b' },
    });
  });

  it.each([
    ['not JSON', Buffer.from('orders/x'), Buffer.from('{nope'), ErrorCode.RouteRecordMalformed],
    ['no key', null, Buffer.from('{}'), ErrorCode.RouteRecordMalformed],
    [
      'bad state',
      Buffer.from('orders/x'),
      Buffer.from(JSON.stringify({ ...route('orders', 'x'), state: 'moving' })),
      ErrorCode.RouteRecordMalformed,
    ],
    [
      'negative partition',
      Buffer.from('orders/x'),
      Buffer.from(JSON.stringify(route('orders', 'x', { partitions: [-1] }))),
      ErrorCode.RouteRecordMalformed,
    ],
    [
      'key mismatch',
      Buffer.from('orders/y'),
      Buffer.from(JSON.stringify(route('orders', 'x'))),
      ErrorCode.RouteRecordMalformed,
    ],
    [
      'future version',
      Buffer.from('orders/x'),
      Buffer.from(JSON.stringify({ ...route('orders', 'x'), v: 2 })),
      ErrorCode.RouteRecordUnknownVersion,
    ],
    [
      'oversize',
      Buffer.from('orders/x'),
      Buffer.alloc(MAX_ROUTE_RECORD_BYTES + 1, 32),
      ErrorCode.RouteRecordOversize,
    ],
    [
      'pools total < shared',
      Buffer.from('orders'),
      Buffer.from(JSON.stringify(pools('orders', 6, 3))),
      ErrorCode.RouteRecordMalformed,
    ],
    ['tombstone without tenant', Buffer.from('orders'), null, ErrorCode.RouteRecordMalformed],
  ])('rejects %s with a coded error', (_name, key, value, code) => {
    expect(codeOf(decodeRoutingRecord(key, value))).toBe(code);
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(
        fc.option(fc.uint8Array({ maxLength: 64 })),
        fc.option(
          fc.oneof(
            fc.uint8Array(),
            fc.json().map((j) => new TextEncoder().encode(j)),
          ),
        ),
        (k, v) => {
          const r = decodeRoutingRecord(
            k === null ? null : Buffer.from(k),
            v === null ? null : Buffer.from(v),
          );
          expect(typeof r.ok).toBe('boolean');
        },
      ),
    );
  });
});

describe('route keys', () => {
  it('parseRouteKey undoes routeKey for any topic name and non-empty tenant (tenants may hold slashes)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/),
        fc.string({ minLength: 1 }),
        (topic, tenant) => {
          expect(parseRouteKey(routeKey(topic, tenant))).toEqual({ topic, tenant });
        },
      ),
    );
  });

  it('refuses a key with no slash, an empty topic or an empty tenant', () => {
    for (const k of ['orders', '/acme', 'orders/', '']) expect(parseRouteKey(k)).toBeUndefined();
  });
});
