// Badges in the dashboard, against the real binary: a monitor's Badge panel creates a key, its
// images load (served by the server, read back anonymously), the snippets carry the address;
// regenerating changes every address and the old one stops; deleting stops them all. Then a
// task's panel in French on a 375 px phone: no response-time nor certificate badge.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  SCREENSHOTS, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer, startTarget,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 740 };
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

/** A panel without a key asks for it and gets a 404: that is the "no badges yet" answer. */
const unexpected = (page) => page.problems.filter((p) => !/status of 404/.test(p));

/** Creates through the API with the page's session cookie. */
async function createWithSession(page, path, body) {
  return page.evaluate(async ([path, body]) => {
    const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return response.json();
  }, [path, body]);
}

/** Waits until the badge image `testid` has been loaded and drawn (a broken image has no width). */
async function imageLoaded(page, testid) {
  await page.waitForFunction((id) => {
    const img = document.querySelector(`[data-testid="${id}"]`);
    return img && img.complete && img.naturalWidth > 20;
  }, testid, WAIT);
}

describe('badges in the dashboard', () => {
  test('a monitor: create, preview, copy, regenerate and delete its badges', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor(WAIT);
    const monitor = await createWithSession(page, '/monitors', { name: 'Shop', url: target.url, intervalSeconds: 5 });
    await page.goto(`${server.base}/dashboard/monitors/${monitor.id}`);
    await page.getByRole('heading', { name: 'Shop' }).waitFor(WAIT);
    await page.getByTestId('monitor-status').getByText('Up').waitFor(WAIT);

    const panel = page.getByTestId('badge-panel');
    await panel.getByText('Badges', { exact: true }).click();
    await panel.getByText('No badges yet.').waitFor(WAIT);
    await panel.getByRole('button', { name: 'Create badges' }).click();
    for (const metric of ['status', 'uptime24h', 'uptime90d', 'responseTime', 'certificate']) {
      await imageLoaded(page, 'badge-' + metric);
    }
    const url = await panel.getByTestId('badge-url').textContent();
    assert.match(url, new RegExp(`^${server.base}/badge/[0-9a-f]{64}/status\\.svg$`));
    assert.equal(await panel.getByTestId('badge-markdown').textContent(), `![Shop: Status](${url})`);
    // What a README's viewer gets: the image, without any session.
    const svg = await fetch(url);
    assert.equal(svg.status, 200);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
    assert.match(await svg.text(), /<title>status: up<\/title>/);
    // Snippets follow the chosen badge.
    await panel.getByLabel('Snippets for').selectOption('uptime7d');
    assert.equal(await panel.getByTestId('badge-url').textContent(), url.replace('status.svg', 'uptime-7d.svg'));
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'en-desktop-badges-monitor');
    await panel.screenshot({ path: join(SCREENSHOTS, 'en-desktop-badges-panel.png') });

    await panel.getByRole('button', { name: 'Regenerate the key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Regenerate the key' }).click();
    await page.waitForFunction((old) => {
      const code = document.querySelector('[data-testid="badge-url"]');
      return code && !code.textContent.startsWith(old);
    }, url.replace('status.svg', ''), WAIT);
    assert.equal((await fetch(url)).status, 404, 'the old address stops');
    await imageLoaded(page, 'badge-status');
    const current = await panel.getByTestId('badge-url').textContent();

    await panel.getByRole('button', { name: 'Delete the badges' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete the badges' }).click();
    await panel.getByText('No badges yet.').waitFor(WAIT);
    assert.equal((await fetch(current)).status, 404);
    assert.deepEqual(unexpected(page), []);
  });

  test('a task in French on a phone: status and uptime badges only', async () => {
    const page = await newPage(browser, { locale: 'fr-FR', viewport: PHONE });
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page, { lang: 'fr' });
    await page.getByRole('heading', { name: /Bonjour/ }).waitFor(WAIT);
    await createWithSession(page, '/tasks', { id: 'nightly-backup', name: 'Sauvegarde nocturne' });
    await page.goto(`${server.base}/dashboard/tasks/nightly-backup`);
    await page.getByRole('heading', { name: 'Sauvegarde nocturne' }).waitFor(WAIT);
    const panel = page.getByTestId('badge-panel');
    await panel.getByText('Badges', { exact: true }).click();
    await panel.getByRole('button', { name: 'Créer les badges' }).click();
    await imageLoaded(page, 'badge-status');
    await imageLoaded(page, 'badge-uptime30d');
    assert.equal(await panel.getByTestId('badge-responseTime').count(), 0);
    assert.equal(await panel.getByTestId('badge-certificate').count(), 0);
    assert.match(await panel.getByTestId('badge-markdown').textContent(), /^!\[Sauvegarde nocturne: Statut\]\(http.*\/status\.svg\)$/);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'fr-phone-badges-task');
    await panel.screenshot({ path: join(SCREENSHOTS, 'fr-phone-badges-panel.png') });
    assert.equal(await overflowsHorizontally(page), false);
    assert.deepEqual(unexpected(page), []);
  });
});
