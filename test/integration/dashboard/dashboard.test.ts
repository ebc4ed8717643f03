import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/logger.js';
import type { ControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { freePort } from '../../support/free-port.js';
import { launchChromium } from '../helpers/browser.js';
import { defaultPartitionOf } from '../../../src/domain/partition-choice.js';
import { startLoad, testControllerConfig } from '../helpers/controller.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const TOKEN = 'dashboard-test-token';
const XSS = '<img src=x onerror=alert(1)>';
const SHARED = 3;

describe('dashboard in headless Chromium against a real controller on the real broker', () => {
  let t: Topology;
  let config: ControllerConfig;
  let svc: RunningController | undefined;
  let load: Awaited<ReturnType<typeof startLoad>> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let base: string;
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];

  const api = async (tenant: string, op: 'pin' | 'unpin', body: object = {}) => {
    const r = await fetch(
      `${base}/tenants/${encodeURIComponent(t.topic)}/${encodeURIComponent(tenant)}/${op}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
    );
    expect(r.status).toBe(202);
  };
  /** the tenant's state and partitions as the API reports them, once it is in `state` */
  const apiShows = (tenant: string, state: string) =>
    waitFor(async () => {
      const r = (await (await fetch(`${base}/tenants`)).json()) as {
        tenants: { tenant: string; state: string; partitions: number[] }[];
      };
      return r.tenants.find((x) => x.tenant === tenant && x.state === state);
    }, `${tenant} ${state} on /tenants`);
  const row = (tenant: string) => page.locator('[data-testid=tenants] .trow').filter({ hasText: tenant });

  beforeAll(async () => {
    t = await createTopology('dash', SHARED, 3);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    config = testControllerConfig(t, { http: { port, host: '127.0.0.1' }, authToken: TOKEN });
    svc = await startControllerService(config, { logger: silentLogger() });
    browser = await launchChromium();
    page = await browser.context.newPage();
    // Short: every wait below is an expect.poll with its own deadline, which a locator's own wait must not outlast.
    page.setDefaultTimeout(500);
    page.setDefaultNavigationTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await load?.load.stop();
    await load?.producer.disconnect();
    await svc?.stop();
    await t?.close();
  });

  it('loads with a CSP and no console errors, and goes live over SSE', async () => {
    const events = page.waitForResponse((r) => r.url().endsWith('/dashboard/events'), { timeout: 10_000 });
    const res = await page.goto(base);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    // the event stream is compressed for the browser (it asks for gzip)
    expect((await events).headers()['content-encoding']).toBe('gzip');
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 10_000 }).toBe('live');
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('leader');
    await expect.poll(() => page.locator('[data-testid=machine] [data-state]').count()).toBeGreaterThan(8);
    expect(consoleErrors).toEqual([]);
  });

  it('lists a tenant below the actor floor as shared on its hash partition, with its rate', async () => {
    load = await startLoad(t, config.routeLeaseMs);
    load.load.set('small-fry', { rate: 4 }); // the actor floor is 10/s
    load.load.start();
    const small = row('small-fry');
    // the producer connects and reports, a window closes, the page gets the delta
    await expect
      .poll(() => small.locator('[data-col=state]').textContent(), { timeout: 20_000 })
      .toBe('shared');
    expect(await small.locator('[data-col=partitions]').textContent()).toBe(
      `[${defaultPartitionOf('small-fry', SHARED)}]`,
    );
    expect(await small.locator('[data-col=epoch]').textContent()).toBe('0');
    await expect
      .poll(() => small.locator('[data-col=rate]').textContent(), { timeout: 5_000 })
      .toMatch(/^[1-9]/);
    // it has no actor: the API, which lists followed tenants, does not know it
    const r = (await (await fetch(`${base}/tenants`)).json()) as { tenants: { tenant: string }[] };
    expect(r.tenants.map((x) => x.tenant)).not.toContain('small-fry');
  });

  it('shows a pin made through the API (state and partitions) within 2 s', async () => {
    await api('acme', 'pin');
    const status = await apiShows('acme', 'dedicated');
    expect(status.partitions[0]).toBeGreaterThanOrEqual(SHARED);
    await expect
      .poll(() => row('acme').locator('[data-col=state]').textContent(), { timeout: 2_000 })
      .toBe('dedicated');
    await expect
      .poll(() => row('acme').locator('[data-col=partitions]').textContent(), { timeout: 2_000 })
      .toBe(`[${status.partitions.join(',')}]`);
    // its machine, drawn from the definition, lights the state it is in
    await row('acme').click();
    await expect
      .poll(() => page.locator('[data-testid=machine] g.lit').getAttribute('data-state'))
      .toBe('dedicated');
    // the move is on the timeline, finished
    await expect
      .poll(() => page.locator('[data-testid=moves] .move').filter({ hasText: 'acme' }).count())
      .toBe(1);
  });

  it('refuses a pin from the page without a token, visibly, and moves nothing', async () => {
    await page.locator('input[name=tenant]').fill('bystander');
    await page.locator('input[name=token]').fill('');
    await page.locator('button[data-op=pin]').click();
    await expect
      .poll(() => page.getByTestId('command-result').textContent(), { timeout: 5_000 })
      .toBe('refused (401): missing or wrong bearer token');
    const r = (await (await fetch(`${base}/tenants`)).json()) as { tenants: { tenant: string }[] };
    expect(r.tenants.map((x) => x.tenant)).not.toContain('bystander');
  });

  it('pins from the page with the token, which goes only in the request header: not in a URL, storage or a cookie', async () => {
    const urls: string[] = [];
    const authHeaders: string[] = [];
    const onRequest = (r: { url(): string; headers(): Record<string, string> }) => {
      urls.push(r.url());
      const a = r.headers()['authorization'];
      if (a !== undefined) authHeaders.push(a);
    };
    page.on('request', onRequest);
    try {
      await page.locator('input[name=tenant]').fill('from-page');
      await page.locator('input[name=token]').fill(TOKEN);
      await page.locator('button[data-op=pin]').click();
      await expect
        .poll(() => page.getByTestId('command-result').textContent(), { timeout: 5_000 })
        .toMatch(/^pin accepted: from-page is /);
      await apiShows('from-page', 'dedicated');
    } finally {
      page.off('request', onRequest);
    }
    expect(authHeaders).toEqual([`Bearer ${TOKEN}`]);
    expect(urls.filter((u) => u.includes(TOKEN))).toEqual([]);
    // a string: the test project has no DOM types
    const kept = await page.evaluate(
      '({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie, href: location.href })',
    );
    expect(kept).toEqual({ local: 0, session: 0, cookie: '', href: `${base}/` });
  });

  it('renders a tenant id made of HTML as text, and no script runs', async () => {
    await api(XSS, 'pin');
    await apiShows(XSS, 'dedicated');
    await expect.poll(() => row(XSS).locator('span.mono').textContent(), { timeout: 2_000 }).toBe(XSS);
    await row(XSS).click();
    await expect.poll(() => page.getByTestId('tenant-detail').isVisible()).toBe(true);
    expect(await page.locator('#app img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('recovers after the controller restarts on the same port: reconnects, resyncs, follows changes', async () => {
    await svc!.stop();
    svc = undefined;
    await expect
      .poll(() => page.getByTestId('connection').textContent(), { timeout: 10_000 })
      .toBe('reconnecting');
    svc = await startControllerService(config, { logger: silentLogger() });
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toBe('live');
    // The page holds the new controller's snapshot, not the old one patched: the moves log is the new
    // process's (empty; the old one listed acme's move), and acme resumed as dedicated.
    await expect.poll(() => page.locator('[data-testid=moves] .move').count()).toBe(0);
    await expect.poll(() => row('acme').locator('[data-col=state]').textContent()).toBe('dedicated');
    // then a change made after the restart
    await api('acme', 'unpin');
    await apiShows('acme', 'shared');
    await expect
      .poll(() => row('acme').locator('[data-col=state]').textContent(), { timeout: 2_000 })
      .toBe('shared');
  });
});
