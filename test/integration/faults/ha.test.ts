import { describe, expect, it } from 'vitest';
import { decodeRoutingRecord } from '../../../src/domain/route-record.js';
import { collect } from '../helpers/collect.js';
import { waitFor } from '../helpers/kafka.js';
import { expectAllConsumedInOrder, killRig } from '../helpers/kill-rig.js';
import { pinOverHttp } from '../helpers/workload.js';

const TOKEN = 'ha-test-token-0123456789ab';

describe('highly available controller: the leader is killed mid-drain', () => {
  const rig = killRig('ha', { token: TOKEN, others: ['a', 'b'], controllerArgs: ['--ha'] });

  it('a warm standby takes over within 10 s, finishes the drain, and no route is written by two leaders', async () => {
    const { t, w } = rig;
    const a = await rig.start({ KTB_FAULT_HOLD: 'after-fence' });
    await a.p.waitForOutput(/became leader/, 'A leads');
    const b = await rig.start();
    await b.p.waitForOutput(/standing by|became leader/, 'B joins the election').catch((e: unknown) => {
      console.error('A:', a.p.output.slice(-10).join('\n'), '\nB:', b.p.output.slice(-10).join('\n'));
      throw e;
    });
    expect(b.p.output.some((l) => /became leader/.test(l))).toBe(false);
    expect((await fetch(`http://127.0.0.1:${b.port}/readyz`)).status).toBe(503);

    const res = await pinOverHttp(a.port, t.topic, 'vip', TOKEN);
    expect(res.status).toBe(202);
    await a.p.waitForOutput(/fault hold reached: after-fence/, 'A holds mid-drain');
    const killedAt = Date.now();
    await a.p.kill('SIGKILL');

    await b.p.waitForOutput(/leading: control plane started/, 'B takes over', 15_000);
    const takeover = Date.now() - killedAt;
    console.log(`[measure] standby took over ${takeover} ms after the leader was killed`);
    expect(takeover).toBeLessThan(10_000);
    await waitFor(
      () => w.producer.routes.table.route(t.topic, 'vip')?.state === 'dedicated',
      'vip dedicated by B',
      20_000,
      100,
    );

    await expectAllConsumedInOrder(w);

    // Every route write carries its leader's epoch; epochs never go back, so two leaders never interleave.
    const routing = await collect(t.kafka, t.names.routingTopic);
    const entries = await waitFor(() => {
      const es = routing.seen.map((s) =>
        decodeRoutingRecord(
          s.key === null ? null : Buffer.from(s.key),
          s.value === null ? null : Buffer.from(s.value),
        ),
      );
      const vip = es.flatMap((e) =>
        e.ok && e.entry.kind === 'route' && e.entry.tenant === 'vip' ? [e.entry] : [],
      );
      return vip.some((v) => v.state === 'dedicated') ? vip : undefined;
    }, 'vip routes read back');
    await routing.stop();
    const epochs = entries.map((e) => e.writerEpoch);
    expect(epochs).toEqual([...epochs].sort((x, y) => x - y));
    expect(new Set(epochs).size).toBe(2);
    expect(entries.at(-1)?.writerEpoch).toBeGreaterThan(entries[0]!.writerEpoch);
    expect(await b.p.kill('SIGTERM')).toBe(0);
  });
});
