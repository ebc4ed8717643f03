import { describe, expect, it } from 'vitest';
import { MovesLog } from '../../../../src/app/dashboard/moves-log.js';

const at = (t: { now: number }) => () => t.now;
const tr = (tenant: string, from: string, to: string, reason = '') => ({
  topic: 't',
  tenant,
  from,
  to,
  reason,
  numbers: {},
});

describe('MovesLog', () => {
  it('follows one move from the state it left to the one it settled in, with its drain steps and hold', () => {
    const clock = { now: 1000 };
    const log = new MovesLog(at(clock));
    const h = log.telemetry;
    h.transition!(tr('acme', 'shared', 'isolating', 'rate 900/s'));
    clock.now = 1100;
    h.transition!(tr('acme', 'isolating', 'draining.announcing'));
    h.migrationStep!({
      topic: 't',
      tenant: 'acme',
      epoch: 2,
      step: 'acks',
      phase: 'start',
      detail: { producers: 2 },
    });
    clock.now = 1300;
    h.migrationStep!({ topic: 't', tenant: 'acme', epoch: 2, step: 'acks', phase: 'end' });
    h.transition!(tr('acme', 'draining.announcing', 'draining.waiting'));
    h.migrationStep!({
      topic: 't',
      tenant: 'acme',
      epoch: 2,
      step: 'drain',
      phase: 'start',
      detail: { groups: 3 },
    });
    h.migrationStep!({
      topic: 't',
      tenant: 'acme',
      epoch: 2,
      step: 'drain',
      phase: 'progress',
      detail: { remaining: 40 },
    });
    const running = log.views(() => true)[0]!;
    expect(running).toMatchObject({
      from: 'shared',
      reason: 'rate 900/s',
      groups: 3,
      remaining: 40,
      stuck: true,
    });
    expect(running.endedAt).toBeUndefined();
    clock.now = 1600;
    h.transition!(tr('acme', 'draining.waiting', 'committing'));
    h.migrationStep!({ topic: 't', tenant: 'acme', epoch: 2, step: 'commit', phase: 'end' });
    clock.now = 1650;
    h.transition!(tr('acme', 'committing', 'dedicated'));
    const [m] = log.views(() => true);
    expect(m).toMatchObject({
      to: 'dedicated',
      startedAt: 1000,
      endedAt: 1650,
      epoch: 2,
      holdMs: 500,
      stuck: false,
    });
    expect(m!.steps.map((s) => s.name)).toEqual([
      'isolating',
      'draining.announcing',
      'acks',
      'draining.waiting',
      'drain',
      'committing',
    ]);
    expect(m!.steps.find((s) => s.name === 'isolating')).toMatchObject({ at: 1000, endedAt: 1100 });
    expect(m!.steps.find((s) => s.name === 'acks')).toMatchObject({ at: 1100, endedAt: 1300 });
  });

  it('ignores steps of tenants not moving, and keeps at most its capacity of finished moves', () => {
    const log = new MovesLog(() => 0, 2);
    log.telemetry.migrationStep!({ topic: 't', tenant: 'x', epoch: 1, step: 'acks', phase: 'start' });
    expect(log.views(() => false)).toEqual([]);
    for (const t of ['a', 'b', 'c']) {
      log.telemetry.transition!(tr(t, 'shared', 'isolating'));
      log.telemetry.transition!(tr(t, 'committing', 'dedicated'));
    }
    expect(log.views(() => false).map((m) => m.tenant)).toEqual(['b', 'c']);
  });

  it('returns the same object for an unchanged move, so deltas skip it', () => {
    const log = new MovesLog(() => 0);
    log.telemetry.transition!(tr('a', 'shared', 'isolating'));
    expect(log.views(() => false)[0]).toBe(log.views(() => false)[0]);
  });
});
