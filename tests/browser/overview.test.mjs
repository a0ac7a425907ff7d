// The Overview with monitors going down against a real local target: counts, the incident and
// the last 24 hours change without a reload (live changes over /events), counts link to the
// filtered lists, and the incident page follows its incident live. Phone width in French.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer, startTarget } from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 800 };
let server;
let browser;
let target;

before(async () => {
  [server, browser, target] = await Promise.all([startServer(), launchBrowser(), startTarget()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await target?.close();
});

/** Creates a monitor with the page's session. */
function createMonitor(page, body) {
  return page.evaluate(async (b) => {
    const response = await fetch('/monitors', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b),
    });
    return (await response.json()).id;
  }, body);
}

const count = (page, testid) => page.getByTestId(testid).locator('strong');

describe('overview', () => {
  test('monitors going down show on the overview and the incident page without a reload', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor(WAIT);
    await page.locator('main.overview[data-live=stream]').waitFor(WAIT);
    await page.getByText('No ongoing incident. All quiet.').waitFor(WAIT);

    for (const name of ['Shop', 'Payments']) {
      await createMonitor(page, { name, url: target.url, intervalSeconds: 5, downtimeConfirmationThreshold: 1, recoveryConfirmationThreshold: 1 });
    }
    await createMonitor(page, { name: 'Blog', url: target.url, isActive: false });
    // Nothing reloads the page from here on: this mark would be gone.
    await page.evaluate(() => { window.notReloaded = true; });
    await page.waitForFunction(() => document.querySelector('[data-testid=count-monitors-up] strong')?.textContent === '2', null, WAIT);
    assert.equal(await count(page, 'count-monitors-paused').textContent(), '1');
    await screenshot(page, 'en-desktop-overview-up');

    target.setUp(false);
    await page.waitForFunction(() => document.querySelector('[data-testid=count-monitors-down] strong')?.textContent === '2', null, WAIT);
    const incidents = page.getByTestId('overview-incidents');
    await incidents.getByRole('link', { name: /Shop/ }).waitFor(WAIT);
    await incidents.getByRole('link', { name: /Payments/ }).waitFor(WAIT);
    await incidents.getByText('2 not acknowledged').waitFor(WAIT);
    await page.getByTestId('overview-changes').getByRole('link', { name: /Shop/ }).first().waitFor(WAIT);
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'updated without a reload');
    assert.equal(await page.locator('main.overview').getAttribute('data-live'), 'stream');
    await screenshot(page, 'en-desktop-overview-down');

    // A count is a link to the list it counts, filtered.
    await page.getByTestId('count-monitors-down').click();
    await page.waitForURL(/\/dashboard\/monitors\?status=down$/);
    await page.getByRole('link', { name: 'Shop', exact: true }).waitFor(WAIT);
    await page.getByRole('link', { name: 'Payments', exact: true }).waitFor(WAIT);
    assert.equal(await page.getByRole('link', { name: 'Blog', exact: true }).count(), 0, 'the paused one is filtered out');

    // The incident page follows its incident: the target recovers, it shows resolved.
    await page.goto(server.base + '/dashboard');
    await incidents.getByRole('link', { name: /Shop/ }).click();
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor(WAIT);
    await page.evaluate(() => { window.notReloaded = true; });
    target.setUp(true);
    await page.locator('[data-status=resolved]').first().waitFor(WAIT);
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'resolved shown without a reload');
    assert.deepEqual(page.problems, []);
  });

  test('the overview at phone width in French', async () => {
    const page = await newPage(browser, { locale: 'fr-FR', viewport: PHONE });
    await page.goto(server.base + '/dashboard');
    await loginInBrowser(page, { lang: 'fr' });
    await page.getByRole('heading', { name: 'Bonjour Ada' }).waitFor(WAIT);
    await page.getByTestId('overview-monitors').getByText('Moniteurs (3)').waitFor(WAIT);
    await page.getByTestId('overview-changes').getByText('Dernières 24 heures').waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false, 'overview at 375 px');
    await screenshot(page, 'fr-phone-overview');
    assert.deepEqual(page.problems, []);
  });
});
