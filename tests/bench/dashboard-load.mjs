// How fast the dashboard's monitors list shows its first row over a slow link, cold (empty
// cache) and warm (a reload with the cache filled), and how many requests the warm reload makes
// besides the API calls (the goal: one, index.html, as every other file is immutable).
//
//   cargo build && node tests/bench/dashboard-load.mjs
//   BENCH_RTT_MS=100 BENCH_RUNS=5 BENCH_MONITORS=20 node tests/bench/dashboard-load.mjs
//
// The real binary (target/debug/dutyduck, or DUTYDUCK_BIN) on 127.0.0.1 and headless Chromium
// through playwright-core (installed in tests/browser: `cd tests/browser && npm ci`), with
// Chrome's own network emulation (CDP Network.emulateNetworkConditions) adding the round-trip
// time to every request. The first row's time is taken in the page (performance.now() since the
// navigation started) by a mutation observer, so the harness' polling adds nothing.
import { launchBrowser, loginInBrowser, newPage, setupAdmin, startServer } from '../browser/harness.mjs';

const RTT = Number(process.env.BENCH_RTT_MS || 100);
const RUNS = Number(process.env.BENCH_RUNS || 5);
const MONITORS = Number(process.env.BENCH_MONITORS || 20);

/** Records, in the page, when the first monitor row appears. */
const WATCH_FIRST_ROW = () => {
  const seen = () => {
    if (window.__firstRow === undefined && document.querySelector('[data-testid=monitor-row]')) {
      window.__firstRow = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
};

async function throttled(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: RTT, downloadThroughput: -1, uploadThroughput: -1,
  });
  // Requests that reach the network (not answered by the memory or disk cache).
  const sent = new Map();
  cdp.on('Network.requestWillBeSent', (e) => sent.set(e.requestId, e.request.url));
  cdp.on('Network.requestServedFromCache', (e) => sent.delete(e.requestId));
  cdp.on('Network.responseReceived', (e) => { if (e.response.fromDiskCache || e.response.fromPrefetchCache) sent.delete(e.requestId); });
  return { sent };
}

/** [first row, modules run (DOMContentLoaded: module scripts run before it)] in ms. */
async function firstRow(page, go) {
  await go();
  await page.waitForFunction(() => window.__firstRow !== undefined, null, { timeout: 30000 });
  return page.evaluate(() => [window.__firstRow, performance.getEntriesByType('navigation')[0].domContentLoadedEventStart]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${Math.round(ms)} ms`;

const server = await startServer();
const browser = await launchBrowser();
try {
  await setupAdmin(server.base);
  const setup = await newPage(browser);
  await setup.goto(server.base + '/dashboard/login');
  await loginInBrowser(setup);
  await setup.getByRole('heading', { name: 'Hello Ada' }).waitFor();
  await setup.evaluate(async (n) => {
    for (let i = 0; i < n; i++) {
      await fetch('/monitors', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `monitor ${String(i).padStart(3, '0')}`, url: 'http://127.0.0.1:9/', isActive: false }),
      });
    }
  }, MONITORS);
  const storageState = await setup.context().storageState();
  const url = server.base + '/dashboard/monitors';

  const cold = [];
  const warm = [];
  const coldModules = [];
  const warmModules = [];
  let warmRequests = [];
  for (let run = 0; run < RUNS; run++) {
    // A fresh context each run: empty cache, the same session cookie.
    const context = await browser.newContext({ storageState });
    const page = await context.newPage();
    await page.addInitScript(WATCH_FIRST_ROW);
    const { sent } = await throttled(context, page);
    const [c, cm] = await firstRow(page, () => page.goto(url));
    cold.push(c);
    coldModules.push(cm);
    await page.waitForLoadState('networkidle');
    sent.clear();
    const [w, wm] = await firstRow(page, () => page.reload());
    warm.push(w);
    warmModules.push(wm);
    await page.waitForLoadState('networkidle');
    warmRequests = [...sent.values()].map((u) => new URL(u).pathname);
    await context.close();
  }
  const files = warmRequests.filter((p) => p.startsWith('/dashboard/'));
  const api = warmRequests.filter((p) => !p.startsWith('/dashboard/'));
  console.log(`dashboard load, ${MONITORS} monitors, ${RTT} ms RTT (Chromium network emulation), ${RUNS} runs`);
  console.log(`  cold (empty cache) to first row: median ${fmt(median(cold))}, runs ${cold.map(fmt).join(', ')}`);
  console.log(`    of which loading and running the modules: median ${fmt(median(coldModules))}`);
  console.log(`  warm (reload) to first row:      median ${fmt(median(warm))}, runs ${warm.map(fmt).join(', ')}`);
  console.log(`    of which loading and running the modules: median ${fmt(median(warmModules))}`);
  console.log(`  warm reload requests: ${files.length} for files (${files.join(', ')}), ${api.length} API calls`);
  console.log(`    API: ${[...new Set(api)].join(', ')}`);
} finally {
  await browser.close();
  await server.stop();
}
