// Takes docs/img/dashboard.png: runs `tenant-balancer demo` (its own controller, on KAFKA_BROKERS or
// the embedded broker), waits for the whale's spike to be isolated, and photographs the dashboard in
// headless Chromium (/usr/bin/chromium, or KTB_CHROMIUM). Run after `npm run build`:
//   KAFKA_BROKERS=127.0.0.1:19092 node scripts/dashboard-screenshot.mjs [out.png]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { launchChromium } from '../dist/bench/chromium.js';

const out = process.argv[2] ?? 'docs/img/dashboard.png';
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const base = `http://127.0.0.1:${port}`;
const demo = spawn(
  process.execPath,
  ['dist/src/main.js', 'demo', '--duration', '60', '--no-ui', '--http-port', String(port)],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const exited = new Promise((r) => demo.once('exit', r));

const waitFor = async (probe, what, ms = 60_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};
const whale = async () => {
  const r = await fetch(`${base}/tenants`);
  return (await r.json()).tenants.find((t) => t.tenant === 'whale');
};

let browser;
try {
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 'the demo controller');
  browser = await launchChromium();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1500, height: 1200 });
  await page.goto(base);
  // The spike: the whale leaves the shared pool; photograph it once it sits on its own partition.
  await waitFor(async () => (await whale())?.state === 'dedicated', 'the whale isolated');
  await page.locator('[data-testid=tenants] .trow', { hasText: 'whale' }).first().click();
  await page.waitForTimeout(2500); // let the rate chart draw a few points after the move
  await page.screenshot({ path: out, fullPage: true });
  console.error(`wrote ${out}`);
} finally {
  await browser?.close();
  demo.kill('SIGINT');
  await exited;
}
