import fc from 'fast-check';
import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  assignmentHolds,
  decodeElectionMetadata,
  encodeElectionMetadata,
} from '../../../../src/adapters/kafka/election-metadata.js';
import { leaderOfGroup } from '../../../../src/adapters/kafka/leader-locator.js';

const TOPIC = 'ktb.routes.leader';

/** What controllers before the advertised URL wrote (kafkajs's own encoder, the plain role). */
const oldFormat = (role: string) =>
  AssignerProtocol.MemberMetadata.encode({ version: 1, topics: [TOPIC], userData: Buffer.from(role) });

/** The new layout with an arbitrary extension: int32 length + these bytes. */
const withExtension = (ext: Buffer, role = 'standby') => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(ext.length);
  return Buffer.concat([oldFormat(role), len, ext]);
};
const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

const assignment = (assignment: Record<string, number[]>) =>
  AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) });

describe('election metadata', () => {
  it('round-trips the role and the advertised URL', () => {
    const b = encodeElectionMetadata({ topics: [TOPIC], role: 'leader', url: 'http://ctl-1:8080' });
    expect(decodeElectionMetadata(b)).toEqual({ role: 'leader', url: 'http://ctl-1:8080' });
    const none = encodeElectionMetadata({ topics: [TOPIC], role: 'standby', url: undefined });
    expect(decodeElectionMetadata(none)).toEqual({ role: 'standby', url: undefined });
  });

  it('is still what older controllers read: kafkajs decodes the same topics and plain role', () => {
    const b = encodeElectionMetadata({ topics: [TOPIC], role: 'leader', url: 'http://ctl-1:8080' });
    const old = AssignerProtocol.MemberMetadata.decode(b);
    expect(old?.topics).toEqual([TOPIC]);
    expect(old?.userData.toString()).toBe('leader');
  });

  it('reads what older controllers wrote: the role, no URL', () => {
    expect(decodeElectionMetadata(oldFormat('leader'))).toEqual({ role: 'leader', url: undefined });
    expect(decodeElectionMetadata(oldFormat('standby'))).toEqual({ role: 'standby', url: undefined });
    expect(decodeElectionMetadata(oldFormat('LEADER'))).toEqual({ role: undefined, url: undefined });
  });

  it.each([
    ['a javascript: URL', json({ url: 'javascript:alert(1)' })],
    ['a data: URL', json({ url: 'data:text/html,<script>alert(1)</script>' })],
    ['a URL with credentials', json({ url: 'http://admin:secret@ctl-1:8080' })],
    ['a 10 KB URL', json({ url: `http://ctl-1:8080/${'a'.repeat(10_000)}` })],
    ['a 10 KB extension of junk', Buffer.alloc(10_000, 0x41)],
    ['not JSON', Buffer.from('http://ctl-1:8080')],
    ['JSON that is not an object', json(['http://ctl-1:8080'])],
    ['a URL that is not a string', json({ url: { href: 'http://ctl-1:8080' } })],
    ['markup', json({ url: '<img src=x onerror=alert(1)>' })],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('yields no URL for %s, and keeps the role', (_, ext) => {
    expect(decodeElectionMetadata(withExtension(ext, 'leader'))).toEqual({ role: 'leader', url: undefined });
  });

  it('yields nothing for bytes that are not the layout (truncated, lengths past the end)', () => {
    const good = encodeElectionMetadata({ topics: [TOPIC], role: 'leader', url: 'http://ctl-1:8080' });
    for (let n = 0; n < 8 + TOPIC.length; n++)
      expect(decodeElectionMetadata(good.subarray(0, n)).role).toBeUndefined();
    // the extension's length says more than there is: no URL
    expect(decodeElectionMetadata(good.subarray(0, good.length - 1))).toEqual({
      role: 'leader',
      url: undefined,
    });
    const hugeCount = Buffer.from(good);
    hugeCount.writeInt32BE(0x7fffffff, 2);
    expect(decodeElectionMetadata(hugeCount)).toEqual({ role: undefined, url: undefined });
    expect(decodeElectionMetadata(Buffer.alloc(0))).toEqual({ role: undefined, url: undefined });
    expect(decodeElectionMetadata(null)).toEqual({ role: undefined, url: undefined });
  });

  it('never throws on arbitrary bytes, and any URL it yields is a checked http(s) URL', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        for (const buf of [Buffer.from(a), withExtension(Buffer.from(b))]) {
          const m = decodeElectionMetadata(buf);
          if (m.url !== undefined) expect(m.url).toMatch(/^https?:\/\//);
        }
        expect(typeof assignmentHolds(Buffer.from(a), TOPIC, 0)).toBe('boolean');
      }),
    );
  });
});

describe('assignmentHolds', () => {
  it('finds partition 0 of the leader topic in a kafkajs-encoded assignment', () => {
    expect(assignmentHolds(assignment({ [TOPIC]: [0] }), TOPIC, 0)).toBe(true);
    expect(assignmentHolds(assignment({}), TOPIC, 0)).toBe(false);
    expect(assignmentHolds(assignment({ other: [0] }), TOPIC, 0)).toBe(false);
    expect(assignmentHolds(assignment({ other: [0], [TOPIC]: [1, 0] }), TOPIC, 0)).toBe(true);
  });

  it('is false for malformed bytes', () => {
    const good = assignment({ [TOPIC]: [0] });
    for (let n = 0; n < good.length - 4; n++)
      expect(assignmentHolds(good.subarray(0, n), TOPIC, 0)).toBe(false);
    const lying = Buffer.from(good);
    lying.writeInt32BE(1_000_000, 2 + 4 + 2 + TOPIC.length); // a partition count past the end
    expect(assignmentHolds(lying, TOPIC, 0)).toBe(false);
    expect(assignmentHolds(Buffer.alloc(0), TOPIC, 0)).toBe(false);
  });
});

describe('leaderOfGroup', () => {
  const member = (holds: boolean, metadata: Buffer) => ({
    memberMetadata: metadata,
    memberAssignment: assignment(holds ? { [TOPIC]: [0] } : {}),
  });
  const meta = (url: string | undefined, role: 'leader' | 'standby' = 'standby') =>
    encodeElectionMetadata({ topics: [TOPIC], role, url });

  it('is the URL of the member that holds partition 0, whatever role it said when it joined', () => {
    const g = { members: [member(false, meta('http://b:1')), member(true, meta('http://a:1'))] };
    expect(leaderOfGroup(g, TOPIC)).toEqual({ found: true, url: 'http://a:1' });
  });

  it('finds an older leader without a URL, and a leader whose URL is refused, as unknown', () => {
    expect(leaderOfGroup({ members: [member(true, oldFormat('leader'))] }, TOPIC)).toEqual({
      found: true,
      url: undefined,
    });
    const hostile = withExtension(json({ url: 'javascript:alert(1)' }), 'leader');
    expect(leaderOfGroup({ members: [member(true, hostile)] }, TOPIC)).toEqual({
      found: true,
      url: undefined,
    });
  });

  it('finds none mid-rebalance (no assignments) or when two members claim the lead', () => {
    const empty = { memberMetadata: meta('http://a:1'), memberAssignment: Buffer.alloc(0) };
    expect(leaderOfGroup({ members: [empty, empty] }, TOPIC)).toEqual({ found: false });
    expect(leaderOfGroup({ members: [] }, TOPIC)).toEqual({ found: false });
    const two = { members: [member(true, meta('http://a:1')), member(true, meta('http://evil:1'))] };
    expect(leaderOfGroup(two, TOPIC)).toEqual({ found: false });
  });
});
