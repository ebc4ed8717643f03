import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/logger.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { launchChromium } from '../helpers/browser.js';
import { testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

/**
 * With --ha, the dashboard of a standby says so and where the leader is (the URL the leader
 * advertised in the election group), and turns into the leader's when it takes over.
 */
describe('dashboard on a standby controller (--ha)', () => {
  let t: Topology;
  let a: RunningController | undefined;
  let b: RunningController | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    t = await createTopology('dash-ha', 2, 1);
    a = await startControllerService(testControllerConfig(t, { ha: true }), { logger: silentLogger() });
    await waitFor(() => a!.isLeader(), 'A leads', 20_000);
    b = await startControllerService(testControllerConfig(t, { ha: true }), { logger: silentLogger() });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.setDefaultTimeout(500);
    page.setDefaultNavigationTimeout(15_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await a?.stop();
    await b?.stop();
    await t?.close();
  });

  it("shows 'standby' and the leader's address on the standby, then 'leader' once it takes over", async () => {
    expect(b!.isLeader()).toBe(false);
    const leader = a!.advertisedUrl!;
    expect(leader).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(leader).not.toBe(b!.advertisedUrl);
    await page.goto(`${b!.url}/`);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 10_000 }).toBe('live');
    await expect
      .poll(() => page.getByTestId('role').textContent(), { timeout: 10_000 })
      .toBe(`standby (leader: ${leader})`);
    expect(await page.getByTestId('leader').getAttribute('href')).toBe(leader);
    await a!.stop();
    a = undefined;
    await waitFor(() => b!.isLeader(), 'B takes over', 30_000, 100);
    await expect.poll(() => page.getByTestId('role').textContent(), { timeout: 5_000 }).toBe('leader');
  }, 60_000);
});
