import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.js';
import {
  decodeGateAnnouncement,
  gateKey,
  MAX_GATE_RECORD_BYTES,
  signalKind,
} from '../../../src/domain/gate-records.js';

const valid = {
  v: 1,
  kind: 'gate',
  group: 'billing',
  memberId: 'billing-1-5f3c',
  topics: ['orders', 'payments.v2'],
  routesApplied: 42,
  at: 1_700_000_000_000,
};
const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const decode = (o: unknown) => decodeGateAnnouncement(json(o));
/** the error's message without its code prefix (`KTB_REPORT_MALFORMED: `), which is checked apart */
const message = (r: ReturnType<typeof decodeGateAnnouncement>) =>
  r.ok ? 'ok' : r.error.message.replace(`${r.error.code}: `, '');

describe('gate announcements (untrusted signals)', () => {
  it('decodes a well-formed announcement; routesApplied is optional', () => {
    expect(decode(valid)).toEqual({ ok: true, value: valid });
    const { routesApplied: _r, ...bare } = valid;
    expect(decode(bare)).toEqual({ ok: true, value: bare });
    expect(gateKey('billing', 'm1')).toBe('gate/billing/m1');
  });

  it('refuses an empty value and a value over MAX_GATE_RECORD_BYTES, without parsing it', () => {
    expect(message(decodeGateAnnouncement(null))).toBe('gate announcement: empty value');
    const big = Buffer.alloc(MAX_GATE_RECORD_BYTES + 1, 0x20);
    const r = decodeGateAnnouncement(big);
    expect(r.ok).toBe(false);
    expect(message(r)).toBe(
      `gate announcement: ${MAX_GATE_RECORD_BYTES + 1} bytes exceeds ${MAX_GATE_RECORD_BYTES}`,
    );
    expect(r.ok ? undefined : r.error.code).toBe(ErrorCode.ReportMalformed);
  });

  it.each(['{nope', '', 'null}', '\u0000\u0001'])('refuses bytes that are not JSON: %j', (s) => {
    expect(message(decodeGateAnnouncement(Buffer.from(s)))).toBe('gate announcement: not JSON');
  });

  it.each([
    ['JSON null', null, /\(root\)/],
    ['a JSON array', [valid], /\(root\)/],
    ['a string', 'gate', /\(root\)/],
    ['another version', { ...valid, v: 2 }, /^gate announcement: v /],
    ['another kind', { ...valid, kind: 'drain-ack' }, /^gate announcement: kind /],
    ['no group', { ...valid, group: undefined }, /^gate announcement: group /],
    ['an empty group', { ...valid, group: '' }, /^gate announcement: group /],
    ['a group over 255 chars', { ...valid, group: 'g'.repeat(256) }, /^gate announcement: group /],
    ['a numeric group', { ...valid, group: 7 }, /^gate announcement: group /],
    ['no member', { ...valid, memberId: undefined }, /^gate announcement: memberId /],
    ['a member id over 512 chars', { ...valid, memberId: 'm'.repeat(513) }, /memberId/],
    ['no topics', { ...valid, topics: [] }, /^gate announcement: topics /],
    ['topics as a string', { ...valid, topics: 'orders' }, /^gate announcement: topics /],
    ['a topic with a slash', { ...valid, topics: ['orders/acme'] }, /^gate announcement: topics\.0 /],
    ['a numeric topic', { ...valid, topics: ['orders', 5] }, /^gate announcement: topics\.1 /],
    ['over 1000 topics', { ...valid, topics: Array.from({ length: 1001 }, (_, i) => `t${i}`) }, /topics/],
    ['a negative routesApplied', { ...valid, routesApplied: -1 }, /routesApplied/],
    ['a fractional routesApplied', { ...valid, routesApplied: 1.5 }, /routesApplied/],
    ['a string routesApplied', { ...valid, routesApplied: '42' }, /routesApplied/],
    ['no at', { ...valid, at: undefined }, /^gate announcement: at /],
    ['a string at', { ...valid, at: '1' }, /^gate announcement: at /],
  ])('refuses %s', (_what, value, msg) => {
    const r = decode(value);
    expect(r.ok ? undefined : r.error.code).toBe(ErrorCode.ReportMalformed);
    expect(message(r)).toMatch(msg);
  });

  it('at the size limit it still decodes (the limit is inclusive)', () => {
    const base = JSON.stringify({ ...valid, memberId: 'm' });
    const pad = ' '.repeat(MAX_GATE_RECORD_BYTES - Buffer.byteLength(base));
    const value = Buffer.from(base + pad);
    expect(value.length).toBe(MAX_GATE_RECORD_BYTES);
    expect(decodeGateAnnouncement(value).ok).toBe(true);
  });
});

describe('signalKind (the kind of a record on the acks topic, without a full decode)', () => {
  it('reads the kind of a gate announcement and of a drain ack', () => {
    expect(signalKind(json(valid))).toBe('gate');
    expect(signalKind(json({ v: 1, kind: 'drain-ack', producerId: 'p' }))).toBe('drain-ack');
    expect(signalKind(Buffer.from('{"v":1, "kind" :  "gate"}'))).toBe('gate');
  });

  it('reads nothing from null, a value without a kind, or a kind that is not a short lowercase word', () => {
    expect(signalKind(null)).toBeUndefined();
    expect(signalKind(json({ v: 1 }))).toBeUndefined();
    expect(signalKind(Buffer.from('{nope'))).toBeUndefined();
    expect(signalKind(json({ kind: 'GATE' }))).toBeUndefined();
    expect(signalKind(json({ kind: 'a'.repeat(21) }))).toBeUndefined();
    expect(signalKind(json({ kind: 7 }))).toBeUndefined();
  });

  it('finds a kind written after long fields (a writer in another language orders fields as it likes), and refuses a huge value outright', () => {
    expect(signalKind(Buffer.from(`{"pad":"${'x'.repeat(600)}","kind":"gate"}`))).toBe('gate');
    const topics = Array.from({ length: 40 }, (_, i) => `topic-${i}`);
    expect(signalKind(json({ ...valid, topics, kind: undefined }))).toBeUndefined();
    expect(signalKind(Buffer.from(JSON.stringify({ topics, v: 1, kind: 'gate' })))).toBe('gate');
    const huge = Buffer.alloc(MAX_GATE_RECORD_BYTES * 16 + 1, 0x20);
    huge.write('{"kind":"gate"}', 0);
    expect(signalKind(huge)).toBeUndefined();
    const atLimit = Buffer.alloc(MAX_GATE_RECORD_BYTES * 16, 0x20);
    atLimit.write('{"kind":"gate"}', 0);
    expect(signalKind(atLimit)).toBe('gate');
  });
});
