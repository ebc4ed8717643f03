import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { tenantMachine } from '../../../../machines/tenant.machine.js';
import { RouteJournal, type JournalActor } from '../../../../src/app/draining/route-journal.js';
import { ErrorCode, isTenantBalancerError } from '../../../../src/domain/errors.js';
import { MAX_FENCES, type Fence, type TenantRoute } from '../../../../src/domain/route-record.js';
import { input } from '../../machines/tenant-harness.js';
import { ctx, deferred, fakePorts, waitUntil } from './step-harness.js';

/** A started tenant actor (its steps are the machine's inert defaults) for tenant `tenant`. */
function tenantActor(tenant: string) {
  const actor = createActor(tenantMachine, { input: input({ tenant, hashPartition: 2 }) });
  actor.start();
  return actor;
}

/** A journal over fake ports whose every write waits for the test to settle it. */
function journalOn(actors: Record<string, ReturnType<typeof tenantActor>>) {
  const pending: { route: TenantRoute; done: ReturnType<typeof deferred<number>> }[] = [];
  const traced: string[] = [];
  const fp = fakePorts({
    now: () => 123_456,
    write: (route) => {
      const done = deferred<number>();
      pending.push({ route, done });
      return done.promise;
    },
  });
  const journal = new RouteJournal(
    fp.ports,
    () => 7,
    (key) => actors[key],
    (topic, tenant, fn) => {
      traced.push(`${topic}/${tenant}`);
      return fn();
    },
  );
  return { journal, pending, traced };
}

describe('RouteJournal (persist before act)', () => {
  it('writes the route record with the machine snapshot, without its invoked steps (children)', async () => {
    const acme = tenantActor('acme');
    acme.send({ type: 'operator.pinned', shards: 1, now: 5 });
    expect(acme.getSnapshot().value).toBe('isolating');
    // the live snapshot has the invoked step; the persisted record must not carry it
    expect(
      Object.keys((acme.getPersistedSnapshot() as unknown as { children: object }).children),
    ).toHaveLength(1);
    const j = journalOn({ 'orders/acme': acme });
    const offset = j.journal.persist('orders/acme', 'isolating', []);
    await waitUntil(() => j.pending.length === 1, 'the write');
    j.pending[0]!.done.resolve(41);
    expect(await offset).toBe(41);
    const { machine, ...route } = j.pending[0]!.route;
    expect(route).toEqual({
      v: 1,
      kind: 'route',
      topic: 'orders',
      tenant: 'acme',
      state: 'isolating',
      partitions: [],
      epoch: 0,
      ordering: 'strict',
      reason: 'manual: pinned',
      updatedAt: 123_456,
      writerEpoch: 7,
    });
    expect(machine).not.toHaveProperty('children');
    expect(machine).toMatchObject({ status: 'active', value: 'isolating' });
    expect((machine as { context: { manual: boolean; wantShards: number } }).context).toMatchObject({
      tenant: 'acme',
      manual: true,
      wantShards: 1,
    });
    // the record survives JSON (the routing topic's encoding)
    expect(JSON.parse(JSON.stringify(machine))).toEqual(machine);
    expect(j.traced).toEqual(['orders/acme']);
    acme.stop();
  });

  it('names the partitions a draining route leaves (from)', async () => {
    const acme = tenantActor('acme');
    const j = journalOn({ 'orders/acme': acme });
    void j.journal.persist('orders/acme', 'draining', [5], [2]);
    await waitUntil(() => j.pending.length === 1, 'the write');
    expect(j.pending[0]!.route).toMatchObject({ state: 'draining', partitions: [5], from: [2] });
    acme.stop();
  });

  it('lands two persists of one tenant in call order even when the first write is slower', async () => {
    const acme = tenantActor('acme');
    const j = journalOn({ 'orders/acme': acme });
    const first = j.journal.persist('orders/acme', 'isolating', []);
    const second = j.journal.persist('orders/acme', 'draining', [5], [2]);
    await waitUntil(() => j.pending.length === 1, 'the first write');
    // the second is not written while the first is in flight
    await new Promise((r) => setImmediate(r));
    expect(j.pending.map((p) => p.route.state)).toEqual(['isolating']);
    j.pending[0]!.done.resolve(20);
    await waitUntil(() => j.pending.length === 2, 'the second write');
    j.pending[1]!.done.resolve(21);
    expect(await Promise.all([first, second])).toEqual([20, 21]);
    expect(j.pending.map((p) => p.route.state)).toEqual(['isolating', 'draining']);
    acme.stop();
  });

  it('a failed write does not block the next one, and fails only its own caller', async () => {
    const acme = tenantActor('acme');
    const j = journalOn({ 'orders/acme': acme });
    const first = j.journal.persist('orders/acme', 'isolating', []);
    const second = j.journal.persist('orders/acme', 'isolating', []);
    await waitUntil(() => j.pending.length === 1, 'the first write');
    j.pending[0]!.done.reject(new Error('broker blip'));
    await expect(first).rejects.toThrow('broker blip');
    await waitUntil(() => j.pending.length === 2, 'the second write');
    j.pending[1]!.done.resolve(30);
    expect(await second).toBe(30);
    acme.stop();
  });

  it("another tenant's write is not held behind a slow one", async () => {
    const acme = tenantActor('acme');
    const globex = tenantActor('globex');
    const j = journalOn({ 'orders/acme': acme, 'orders/globex': globex });
    void j.journal.persist('orders/acme', 'isolating', []);
    const other = j.journal.persist('orders/globex', 'isolating', []);
    await waitUntil(() => j.pending.length === 2, 'both writes');
    expect(j.pending.map((p) => p.route.tenant)).toEqual(['acme', 'globex']);
    j.pending[1]!.done.resolve(50);
    expect(await other).toBe(50);
    acme.stop();
    globex.stop();
  });

  it('refuses to write for a tenant that has no actor', async () => {
    const j = journalOn({});
    const e = await j.journal.persist('orders/ghost', 'isolating', []).catch((err: unknown) => err);
    expect(isTenantBalancerError(e, ErrorCode.TenantInvalid)).toBe(true);
    expect(j.pending).toEqual([]);
  });
});

/** A stand-in tenant actor whose context is `c` (the journal reads its context and persisted snapshot). */
const actorWith = (c: ReturnType<typeof ctx>): JournalActor => ({
  getSnapshot: () => ({ context: c }),
  getPersistedSnapshot: () => ({ status: 'active', output: undefined, error: undefined }),
});
const fenceOf = (epoch: number, offsets: Record<string, number>): Fence => ({ epoch, offsets });

describe('RouteJournal: fence history (consumer-gated moves)', () => {
  /** persists once for orders/acme whose actor's context is `c`; returns the route it wrote */
  async function persisted(
    c: ReturnType<typeof ctx>,
    state: TenantRoute['state'],
    partitions: number[],
    from?: number[],
    fence?: Record<string, number>,
  ): Promise<TenantRoute> {
    const written: TenantRoute[] = [];
    const fp = fakePorts({ now: () => 1, write: async (route) => (written.push(route), 5) });
    const actor = actorWith(c);
    const journal = new RouteJournal(
      fp.ports,
      () => 7,
      (key) => (key === 'orders/acme' ? actor : undefined),
      (_topic, _tenant, fn) => fn(),
    );
    expect(await journal.persist('orders/acme', state, partitions, from, fence)).toBe(5);
    expect(written).toHaveLength(1);
    return written[0]!;
  }

  it('"The fence is taken once and persisted with the settled route": the settled write appends {epoch, offsets}', async () => {
    const c = ctx({ epoch: 3, partitions: [5], fences: [fenceOf(1, { 2: 10 }), fenceOf(2, { 5: 20 })] });
    const r = await persisted(c, 'dedicated', [6], undefined, { 5: 70 });
    expect(r.fences).toEqual([fenceOf(1, { 2: 10 }), fenceOf(2, { 5: 20 }), fenceOf(3, { 5: 70 })]);
    expect(r).toMatchObject({ state: 'dedicated', partitions: [6], epoch: 3 });
    // the offsets are a copy, not the caller's object
    const fence = { 5: 70 };
    const again = await persisted(c, 'dedicated', [6], undefined, fence);
    fence[5] = 99;
    expect(again.fences?.at(-1)).toEqual(fenceOf(3, { 5: 70 }));
  });

  it('writes without a fence carry the history unchanged (a draining record, an isolating one)', async () => {
    const history = [fenceOf(1, { 2: 10 }), fenceOf(2, { 5: 20 })];
    const c = ctx({ epoch: 3, partitions: [5], fences: history });
    expect((await persisted(c, 'draining', [6], [5])).fences).toEqual(history);
    expect((await persisted(c, 'isolating', [5])).fences).toEqual(history);
    // no history: no `fences` field at all
    const bare = await persisted(ctx({ epoch: 0, fences: [] }), 'isolating', []);
    expect(bare).not.toHaveProperty('fences');
  });

  it('a re-settled epoch (a restarted controller commits again) replaces its own fence, never duplicates it', async () => {
    const c = ctx({ epoch: 2, partitions: [6], fences: [fenceOf(1, { 2: 10 }), fenceOf(2, { 5: 20 })] });
    const r = await persisted(c, 'dedicated', [6], undefined, { 5: 20 });
    expect(r.fences).toEqual([fenceOf(1, { 2: 10 }), fenceOf(2, { 5: 20 })]);
  });

  it(`keeps every earlier fence up to MAX_FENCES (${MAX_FENCES}), then drops the oldest`, async () => {
    const full = Array.from({ length: MAX_FENCES }, (_, i) => fenceOf(i + 1, { 6: i }));
    const below = await persisted(
      ctx({ epoch: MAX_FENCES, fences: full.slice(0, -1) }),
      'dedicated',
      [7],
      undefined,
      {
        6: 500,
      },
    );
    expect(below.fences).toHaveLength(MAX_FENCES);
    expect(below.fences?.[0]).toEqual(fenceOf(1, { 6: 0 }));
    const over = await persisted(ctx({ epoch: MAX_FENCES + 1, fences: full }), 'dedicated', [7], undefined, {
      6: 600,
    });
    expect(over.fences).toHaveLength(MAX_FENCES);
    expect(over.fences?.map((f) => f.epoch)).toEqual(Array.from({ length: MAX_FENCES }, (_, i) => i + 2));
    expect(over.fences?.at(-1)).toEqual(fenceOf(MAX_FENCES + 1, { 6: 600 }));
  });
});
