import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createActor } from 'xstate';
import { tenantMachine } from '../../../machines/tenant.machine.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import { startInspector, type RunningInspector } from '../../../src/adapters/inspector.js';
import { freePort } from '../../support/free-port.js';
import { closed, input } from '../machines/tenant-harness.js';

describe('Stately inspector relay', () => {
  let inspector: RunningInspector | undefined;
  let client: WebSocket | undefined;
  afterAll(async () => {
    client?.close();
    await inspector?.stop();
  });

  it('delivers a tenant actor, its events and its snapshots over a local websocket for a real transition', async () => {
    const port = await freePort();
    inspector = await startInspector(silentLogger(), port);
    const received: {
      type?: string;
      event?: { type?: string };
      snapshot?: { value?: unknown };
      actorRef?: unknown;
      sessionId?: string;
    }[] = [];
    client = await new Promise<WebSocket>((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const attempt = () => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}`);
        ws.once('open', () => resolve(ws));
        ws.once('error', () =>
          Date.now() > deadline ? reject(new Error('relay not reachable')) : setTimeout(attempt, 100),
        );
      };
      attempt();
    });
    client.on('message', (m) => {
      try {
        const parsed = JSON.parse(m.toString()) as { json?: unknown } & Record<string, unknown>;
        received.push((parsed.json ?? parsed) as (typeof received)[number]);
      } catch {
        /* not an inspection event */
      }
    });
    const actor = createActor(tenantMachine, {
      input: input(),
      inspect: inspector.inspect,
      id: 'orders/whale',
    });
    actor.start();
    for (let i = 0; i < 3; i++) actor.send(closed(1500));
    expect(actor.getSnapshot().value).toBe('isolating');

    const deadline = Date.now() + 10_000;
    const has = () =>
      received.some((r) => r.type === '@xstate.actor') &&
      received.some((r) => r.type === '@xstate.event' && r.event?.type === 'window.closed') &&
      received.some((r) => r.type === '@xstate.snapshot' && r.snapshot?.value === 'isolating');
    while (!has() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(has()).toBe(true);
    actor.stop();
  });
});
