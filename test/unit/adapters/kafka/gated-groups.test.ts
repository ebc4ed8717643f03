import type { Admin } from 'kafkajs';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { GatedGroups } from '../../../../src/adapters/kafka/gated-groups.js';
import type { GateAnnouncement } from '../../../../src/domain/gate-records.js';

/** The broker's view: group -> its member ids now (a group not listed is described with no members). */
function fakeAdmin(members: Record<string, string[]>) {
  const asked: string[][] = [];
  const admin = {
    describeGroups: async (groupIds: string[]) => {
      asked.push([...groupIds]);
      return {
        groups: groupIds.map((groupId) => ({
          groupId,
          members: (members[groupId] ?? []).map((memberId) => ({
            memberId,
            clientId: 'c',
            clientHost: '/127.0.0.1',
            memberMetadata: Buffer.alloc(0),
            memberAssignment: Buffer.alloc(0),
          })),
          protocol: 'RoundRobinAssigner',
          protocolType: 'consumer',
          state: (members[groupId] ?? []).length > 0 ? 'Stable' : 'Empty',
          errorCode: 0,
        })),
      };
    },
  } as unknown as Pick<Admin, 'describeGroups'>;
  return { admin, asked, members };
}

const announce = (group: string, memberId: string, topics = ['orders']): GateAnnouncement => ({
  v: 1,
  kind: 'gate',
  group,
  memberId,
  topics,
  at: 1,
});

let stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops) s();
  stops = [];
});

function setup(members: Record<string, string[]>) {
  const broker = fakeAdmin(members);
  const gates$ = new Subject<GateAnnouncement>();
  const g = new GatedGroups(broker.admin, gates$);
  stops.push(() => g.stop());
  return { g, gates$, ...broker };
}

describe('GatedGroups (which consumer groups a move need not wait for)', () => {
  it('gates a group only when every member the broker lists announced the topic', async () => {
    const s = setup({ billing: ['m1', 'm2'] });
    s.gates$.next(announce('billing', 'm1'));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
    s.gates$.next(announce('billing', 'm2'));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual(['billing']);
  });

  it('a member that announced another topic does not gate the group for this one', async () => {
    const s = setup({ billing: ['m1', 'm2'] });
    s.gates$.next(announce('billing', 'm1'));
    s.gates$.next(announce('billing', 'm2', ['payments']));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
    expect([...(await s.g.gated('payments', ['billing']))]).toEqual([]);
    // its latest announcement counts (compacted: one per member)
    s.gates$.next(announce('billing', 'm2', ['payments', 'orders']));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual(['billing']);
  });

  it('a forged announcement for a member the broker does not list gates nothing (the plain member still counts)', async () => {
    const s = setup({ billing: ['plain-1'] });
    s.gates$.next(announce('billing', 'ghost'));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
  });

  it('a mixed group (a rollout half done) is not gated', async () => {
    const s = setup({ billing: ['new-1', 'old-1'] });
    s.gates$.next(announce('billing', 'new-1'));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
  });

  it('groups that never announced are not gated, and not even described', async () => {
    const s = setup({ analytics: ['a1'], billing: ['m1'] });
    s.gates$.next(announce('billing', 'm1'));
    const gated = await s.g.gated('orders', ['analytics', 'billing']);
    expect([...gated]).toEqual(['billing']);
    expect(s.asked).toEqual([['billing']]);
    expect([...(await s.g.gated('orders', ['analytics']))]).toEqual([]);
    expect(s.asked).toEqual([['billing']]);
  });

  it('an empty group (down) stays gated if it announced the topic and was not last seen mixed', async () => {
    const s = setup({ billing: [] });
    s.gates$.next(announce('billing', 'm1'));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual(['billing']);
    // announced another topic only: not gated for this one
    expect([...(await s.g.gated('payments', ['billing']))]).toEqual([]);
  });

  it('an empty group last seen mixed is not gated until it is seen clean again', async () => {
    const s = setup({ billing: ['m1', 'plain'] });
    s.gates$.next(announce('billing', 'm1'));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
    // the group goes down: it was mixed when last seen with members
    s.members.billing = [];
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
    // it comes back with announced members only, then goes down again: gated throughout
    s.members.billing = ['m1'];
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual(['billing']);
    s.members.billing = [];
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual(['billing']);
  });

  it('mixed is per topic: a group mixed on one topic is still gated on another', async () => {
    const s = setup({ billing: ['m1', 'm2'] });
    s.gates$.next(announce('billing', 'm1', ['orders', 'payments']));
    s.gates$.next(announce('billing', 'm2', ['payments']));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
    expect([...(await s.g.gated('payments', ['billing']))]).toEqual(['billing']);
    s.members.billing = [];
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
    expect([...(await s.g.gated('payments', ['billing']))]).toEqual(['billing']);
  });

  it('after stop() it no longer takes announcements', async () => {
    const s = setup({ billing: ['m1'] });
    s.g.stop();
    s.gates$.next(announce('billing', 'm1'));
    expect([...(await s.g.gated('orders', ['billing']))]).toEqual([]);
    expect(s.asked).toEqual([]);
  });
});
