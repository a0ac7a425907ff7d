// The slug form of ping URLs on a task's page, against the real binary: an editor makes the
// organization's ping key, the page shows `/ping/<key>/<task id>`, which reports a run; a new
// key retires the old URL. Then French on a phone: no horizontal scrolling.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const TASK = '/dashboard/tasks/nightly-db';
let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('ping URLs by the organization key', () => {
  test('an editor makes the key; the slug URL reports runs; a new key retires it', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor(WAIT);
    const status = await page.evaluate(async () => (await fetch('/tasks', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'nightly-db', name: 'Nightly DB dump' }),
    })).status);
    assert.equal(status, 201);
    await page.goto(server.base + TASK);
    const slug = page.getByTestId('slug-url');
    await slug.getByText('Your organization has no ping key yet.').waitFor(WAIT);
    await slug.getByRole('button', { name: 'Make the organization’s ping key' }).click();

    const url = slug.getByTestId('slug-ping-url');
    await url.waitFor(WAIT);
    const first = (await url.textContent()).trim();
    assert.match(first, new RegExp(`^${server.base}/ping/[A-Za-z0-9_-]{22}/nightly-db$`));
    const key = (await slug.getByTestId('org-ping-key').textContent()).trim();
    assert.ok(first.includes(`/ping/${key}/`));
    await screenshot(page, 'en-desktop-task-slug-url');

    // The URL as shown reports a run, which the page then lists.
    const answer = await fetch(first);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('ping-body-limit'), '10240');
    await page.reload();
    await page.getByTestId('runs').locator('[data-testid=run-row][data-status=finished]').waitFor(WAIT);

    await slug.getByRole('button', { name: 'Regenerate the organization’s ping key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate the organization’s ping key?' });
    await dialog.getByText('stops working at once').waitFor();
    await dialog.getByRole('button', { name: 'Regenerate the organization’s ping key' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await page.waitForFunction((old) => document.querySelector('[data-testid=slug-ping-url]')?.textContent.trim() !== old, first, WAIT);
    const fresh = (await url.textContent()).trim();
    assert.equal((await fetch(first)).status, 404);
    assert.equal((await fetch(fresh)).status, 200);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('in French on a phone: the slug URL fits the screen', async () => {
    const page = await newPage(browser, { locale: 'fr-FR', viewport: { width: 375, height: 740 } });
    await page.goto(server.base + TASK);
    await loginInBrowser(page, { lang: 'fr' });
    const slug = page.getByTestId('slug-url');
    await slug.getByText('URL de ping par identifiant').waitFor(WAIT);
    await slug.getByRole('button', { name: 'Régénérer la clé de ping de l’organisation' }).waitFor();
    assert.equal(await overflowsHorizontally(page), false);
    await screenshot(page, 'fr-phone-task-slug-url');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
