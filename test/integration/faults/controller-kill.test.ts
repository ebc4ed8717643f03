import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/kafka.js';
import { expectAllConsumedInOrder, killRig } from '../helpers/kill-rig.js';
import { pinOverHttp } from '../helpers/workload.js';

const TOKEN = 'kill-test-token-0123456789';
const steps = ['after-announce', 'after-fence', 'before-commit'] as const;

describe.each(steps)('controller SIGKILLed mid-drain (%s), then restarted', (step) => {
  const rig = killRig(`kill-${step}`, { token: TOKEN, others: ['a', 'b', 'c'] });

  it('completes the migration after the restart, in order, losing nothing', async () => {
    const { t, w } = rig;
    const first = await rig.start({ KTB_FAULT_HOLD: step });
    const c1 = first.p;
    const res = await pinOverHttp(first.port, t.topic, 'vip', TOKEN);
    expect(res.status).toBe(202);
    await c1.waitForOutput(new RegExp(`fault hold reached: ${step}`), `hold at ${step}`);
    await c1.kill('SIGKILL');
    const held = w.producer.routes.table.route(t.topic, 'vip');
    expect(held?.state).toBe('draining');

    const c2 = (await rig.start()).p;
    const settled = await waitFor(
      () => {
        const r = w.producer.routes.table.route(t.topic, 'vip');
        return r?.state === 'dedicated' ? r : undefined;
      },
      'vip dedicated after restart',
      40_000,
      100,
    );
    expect(settled.epoch).toBe(held!.epoch);
    expect(settled.partitions).toEqual(held!.partitions);
    await c2.waitForOutput(/resuming tenant from its persisted snapshot/, 'resume logged', 5000);

    await expectAllConsumedInOrder(w);
    expect(w.load.failed).toBe(0);
    expect(await c2.kill('SIGTERM')).toBe(0);
  });
});
