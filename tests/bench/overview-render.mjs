// Times the Overview in headless Chromium against a running server (started by
// `BENCH_RENDER=1 cargo bench --bench overview`, which passes its address): logs in as the
// bench user, then loads /dashboard ten times, from navigation start to the monitors' counts
// on screen. Uses the browser tests' playwright-core (`cd tests/browser && npm ci`).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const base = process.argv[2];
const LOADS = 10;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(base + '/dashboard/login');
  await page.getByLabel('E-mail').fill('bench@example.com');
  await page.getByLabel('Password', { exact: true }).fill('tarte tatin du dimanche');
  await page.getByRole('button', { name: 'Log in' }).click();
  const counts = page.locator('[data-testid=count-monitors-up] strong');
  await counts.waitFor({ timeout: 30000 });
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const start = Date.now();
    await page.goto(base + '/dashboard');
    await counts.waitFor({ timeout: 30000 });
    times.push(Date.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`Overview in Chromium, navigation to counts shown, ${LOADS} loads: ` +
    `median ${times[LOADS / 2]} ms, max ${times[LOADS - 1]} ms (shows ${await counts.textContent()} up)`);
} finally {
  await browser.close();
}
