import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDrainAck,
  decodeTrafficReport,
  MAX_WIRE_RECORD_BYTES,
} from '../../../src/domain/wire-records.js';
import { ErrorCode } from '../../../src/domain/errors.js';

describe('traffic report and drain ack decoders', () => {
  it('decode valid records', () => {
    const r = {
      v: 1,
      kind: 'traffic',
      producerId: 'p',
      seq: 3,
      intervalStart: 0,
      intervalEnd: 1000,
      tenants: [{ topic: 't', tenant: 'a', records: 2, bytes: 20 }],
    };
    expect(decodeTrafficReport(Buffer.from(JSON.stringify(r)))).toEqual({ ok: true, value: r });
    const a = { v: 1, kind: 'drain-ack', producerId: 'p', topic: 't', tenant: 'a', epoch: 2, at: 5 };
    expect(decodeDrainAck(Buffer.from(JSON.stringify(a)))).toEqual({ ok: true, value: a });
  });

  it.each([
    ['null', null],
    ['not JSON', Buffer.from('{')],
    [
      'negative count',
      Buffer.from(
        JSON.stringify({
          v: 1,
          kind: 'traffic',
          producerId: 'p',
          seq: 0,
          intervalStart: 0,
          intervalEnd: 1,
          tenants: [{ topic: 't', tenant: 'a', records: -1, bytes: 0 }],
        }),
      ),
    ],
    ['oversize', Buffer.alloc(MAX_WIRE_RECORD_BYTES + 1, 32)],
    ['future version', Buffer.from(JSON.stringify({ v: 2, kind: 'traffic' }))],
  ])('rejects %s with a coded error', (_n, v) => {
    const r = decodeTrafficReport(v);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(ErrorCode.ReportMalformed);
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant(null),
          fc.uint8Array(),
          fc.json().map((j) => new TextEncoder().encode(j)),
          fc.anything().map((x) => new TextEncoder().encode(JSON.stringify(x) ?? '')),
        ),
        (v) => {
          const b = v === null ? null : Buffer.from(v);
          expect(typeof decodeTrafficReport(b).ok).toBe('boolean');
          expect(typeof decodeDrainAck(b).ok).toBe('boolean');
        },
      ),
    );
  });
});
