// Status pages in the dashboard, against the real server: build a page in the editor (two
// groups, a component dragged from one to the other, the live preview following), read it as an
// anonymous visitor in a fresh browser context (English and French, light and dark, 375 px);
// a private page answers 404 to that visitor until a share link opens it, and not once revoked;
// an announcement posted in the dashboard appears on the open public page without a reload.
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
let admin; // the logged-in dashboard page, shared by the tests in order
let pageId; // the public page built by the first test

before(async () => {
  [server, browser, target] = await Promise.all([startServer(), launchBrowser(), startTarget()]);
  await setupAdmin(server.base);
  admin = await newPage(browser);
  await admin.goto(server.base + '/dashboard/status-pages');
  await loginInBrowser(admin);
  await admin.getByRole('heading', { name: 'Status pages' }).waitFor(WAIT);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await target?.close();
});

/** A call to the API from the logged-in page (its session cookie, its origin). */
async function call(method, path, body) {
  return admin.evaluate(async ([m, p, b]) => {
    const response = await fetch(p, { method: m, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    return response.json();
  }, [method, path, body]);
}

/** A visitor with no session: a new browser context, its console errors recorded. */
async function visitor({ locale = 'en-US', colorScheme = 'light', viewport = PHONE } = {}) {
  const context = await browser.newContext({ locale, colorScheme, viewport, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.problems = [];
  // The resource's address says which one failed (a "Failed to load resource" text does not).
  page.on('console', (msg) => msg.type() === 'error' && page.problems.push(`console: ${msg.text()} ${msg.location().url}`));
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  return page;
}

/** Adds a monitor or task to the `group`th group through its picker. */
async function pick(group, label) {
  const row = admin.getByTestId('sp-group').nth(group);
  const select = row.getByLabel('Add a monitor or task');
  const value = await select.locator('option', { hasText: label }).getAttribute('value');
  await select.selectOption(value);
  await row.getByRole('button', { name: 'Add', exact: true }).click();
}

const names = (locator) => locator.evaluateAll((rows) => rows.map((r) => r.querySelector('input').value));

describe('status pages', () => {
  test('build a page in the editor, then read it as a visitor (en, fr, light, dark, phone)', async () => {
    await call('POST', '/monitors', { name: 'Checkout API', url: target.url + '?secret-path', intervalSeconds: 60 });
    await call('POST', '/monitors', { name: 'Search API', url: target.url, intervalSeconds: 60 });
    await call('POST', '/tasks', { id: 'nightly-backup', name: 'Nightly backup' });
    await admin.getByRole('link', { name: 'New status page' }).click();
    await admin.getByRole('heading', { name: 'New status page' }).waitFor(WAIT);

    // Checked in the browser first: the title (and so the address) is missing.
    await admin.getByRole('button', { name: 'Create the page' }).click();
    await admin.locator('#sp-title-error').waitFor(WAIT);
    await admin.getByLabel('Title', { exact: true }).fill('Acme status');
    assert.equal(await admin.getByLabel('Address').inputValue(), 'acme-status');
    assert.equal(await admin.locator('#sp-title-error, #sp-slug-error').count(), 0, 'typing answers the complaints');
    await admin.getByLabel('Description (optional)').fill('How our shop is doing.');
    // The logo: too big is refused in the browser, a small SVG is kept as a data URL.
    const logo = admin.getByLabel('Logo (optional)');
    await logo.setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(90 * 1024, 1) });
    await admin.getByText(/the logo may be at most 100 KB/).waitFor(WAIT);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#f59e0b"/></svg>';
    await logo.setInputFiles({ name: 'duck.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) });
    await admin.getByTestId('logo-preview').waitFor(WAIT);
    await admin.getByLabel('Group name').first().fill('Website');
    await pick(0, 'Checkout API');
    // The picker's search asks the server (for organizations beyond the first 50).
    await admin.getByTestId('sp-group').first().getByLabel('Search by name').fill('Search');
    await admin.getByTestId('sp-group').first().locator('option', { hasText: 'Checkout API' }).waitFor({ state: 'detached', ...WAIT });
    await pick(0, 'Search API');
    await admin.getByRole('button', { name: 'Add a group' }).click();
    await admin.getByLabel('Group name').nth(1).fill('Back office');
    await pick(1, 'Nightly backup');

    // The public name starts as the monitor's name.
    const groups = admin.getByTestId('sp-group');
    assert.deepEqual(await names(groups.nth(0).getByTestId('sp-component')), ['Checkout API', 'Search API']);
    await groups.nth(0).getByTestId('sp-component').first().getByLabel('Public name').fill('Checkout');

    // Dragged by its handle onto the backup: "Search API" moves to the second group, before it.
    const search = groups.nth(0).getByTestId('sp-component').nth(1);
    await search.locator('.drag-handle').dragTo(groups.nth(1).getByTestId('sp-component').first());
    assert.deepEqual(await names(groups.nth(0).getByTestId('sp-component')), ['Checkout']);
    assert.deepEqual(await names(groups.nth(1).getByTestId('sp-component')), ['Search API', 'Nightly backup']);
    // The keyboard way: its buttons move it down, then up again; the focus stays on it.
    await admin.getByRole('button', { name: 'Move “Search API” down' }).focus();
    await admin.keyboard.press('Enter');
    assert.deepEqual(await names(groups.nth(1).getByTestId('sp-component')), ['Nightly backup', 'Search API']);
    // At the bottom, "down" is disabled: the focus is on "up", and Enter moves it back.
    await admin.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Move “Search API” up');
    await admin.keyboard.press('Enter');
    assert.deepEqual(await names(groups.nth(1).getByTestId('sp-component')), ['Search API', 'Nightly backup']);

    // The preview follows the draft.
    const preview = admin.frameLocator('[data-testid=preview]');
    await preview.getByText('Checkout', { exact: true }).first().waitFor(WAIT);
    await preview.getByText('Back office').first().waitFor(WAIT);
    await screenshot(admin, 'en-status-page-editor');

    await admin.getByRole('button', { name: 'Create the page' }).click();
    await admin.getByRole('heading', { name: 'Edit status page' }).waitFor(WAIT);
    pageId = admin.url().split('/').pop();
    const saved = await call('GET', `/status-pages/${pageId}`);
    assert.equal(saved.slug, 'acme-status');
    assert.deepEqual(saved.groups.map((g) => [g.name, g.components.map((c) => c.publicName)]),
      [['Website', ['Checkout']], ['Back office', ['Search API', 'Nightly backup']]]);

    for (const [locale, colorScheme, lang] of [['en-US', 'light', 'en'], ['fr-FR', 'dark', 'fr'], ['en-US', 'dark', 'en'], ['fr-FR', 'light', 'fr']]) {
      const page = await visitor({ locale, colorScheme });
      const response = await page.goto(server.base + '/status/acme-status');
      assert.equal(response.status(), 200);
      await page.getByText('Checkout', { exact: true }).first().waitFor(WAIT);
      await page.getByText('Back office').first().waitFor(WAIT);
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      const logoWidth = await page.locator('img[src*="/status/acme-status/logo"]').evaluate((img) => (img.complete
        ? img.naturalWidth : new Promise((done) => { img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })));
      assert.equal(logoWidth, 40, 'the logo is served');
      const text = await page.content();
      assert.ok(!text.includes('secret-path') && !text.includes(target.url), 'no monitor URL on the public page');
      assert.ok(!text.includes('Checkout API'), 'the public name, not the monitor name');
      assert.equal(await overflowsHorizontally(page), false, `public page at 375 px (${lang}, ${colorScheme})`);
      await screenshot(page, `${lang}-${colorScheme}-phone-status-page`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
    assert.deepEqual(admin.problems, []);
  });

  test('a private page: 404 for a visitor, open with a share link, closed again once revoked', async () => {
    await admin.goto(server.base + '/dashboard/status-pages/new');
    // An address already taken: the server's 409 lands on the address field.
    await admin.getByLabel('Title', { exact: true }).fill('Acme status');
    await admin.getByRole('button', { name: 'Create the page' }).click();
    await admin.locator('#sp-slug-error').waitFor(WAIT);
    // The browser logs that refusal; it is the one expected.
    const refused = (p) => p.includes('status of 409');
    assert.equal(admin.problems.filter(refused).length, 1);
    admin.problems = admin.problems.filter((p) => !refused(p));
    await admin.getByLabel('Title', { exact: true }).fill('Internal tools');
    assert.equal(await admin.locator('#sp-slug-error').count(), 0);
    await admin.getByLabel('Visibility').selectOption('private');
    await admin.getByRole('button', { name: 'Create the page' }).click();
    await admin.getByRole('heading', { name: 'Edit status page' }).waitFor(WAIT);

    const stranger = await visitor();
    assert.equal((await stranger.goto(server.base + '/status/internal-tools')).status(), 404);

    const panel = admin.getByTestId('share-links');
    await panel.getByLabel('Who is it for?').fill('Auditor');
    await panel.getByRole('button', { name: 'Create a share link' }).click();
    const url = await panel.getByTestId('share-secret').locator('code').innerText();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/status\/internal-tools/);
    await panel.getByTestId('share-link').filter({ hasText: 'Auditor' }).waitFor(WAIT);
    await screenshot(admin, 'en-status-page-share');

    const guest = await visitor();
    assert.equal((await guest.goto(url)).status(), 200);
    await guest.getByText('Internal tools').first().waitFor(WAIT);
    await guest.context().close();

    await panel.getByTestId('share-link').filter({ hasText: 'Auditor' }).getByRole('button', { name: 'Revoke' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await panel.getByTestId('share-link').filter({ hasText: 'Auditor' }).getByText('Revoked').waitFor(WAIT);
    const late = await visitor();
    assert.equal((await late.goto(url)).status(), 404);
    await late.context().close();
    await stranger.context().close();
    assert.deepEqual(admin.problems, []);
  });

  test('the editor in French on a phone', async () => {
    const page = await newPage(browser, { locale: 'fr-FR', viewport: PHONE });
    await page.goto(`${server.base}/dashboard/status-pages/${pageId}`);
    await loginInBrowser(page, { lang: 'fr' });
    await page.getByRole('heading', { name: 'Modifier la page de statut' }).waitFor(WAIT);
    await page.getByRole('link', { name: 'Pages de statut' }).first().waitFor(WAIT);
    await page.getByTestId('sp-component').first().waitFor(WAIT);
    await page.frameLocator('[data-testid=preview]').getByText('Checkout', { exact: true }).first().waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false, 'editor at 375 px');
    await screenshot(page, 'fr-phone-status-page-editor');
    // The groups alone, big enough to read in review.
    await page.locator('#sp-groups').screenshot({ path: join(SCREENSHOTS, 'fr-phone-status-page-groups.png') });
    await page.goto(server.base + '/dashboard/status-pages');
    await page.getByTestId('status-page-row').first().waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false, 'list at 375 px');
    await screenshot(page, 'fr-phone-status-pages');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('an announcement posted in the dashboard appears on the open public page', async () => {
    const reader = await visitor({ viewport: { width: 1024, height: 800 } });
    await reader.goto(server.base + '/status/acme-status');
    await reader.getByText('Checkout', { exact: true }).first().waitFor(WAIT);

    await admin.goto(`${server.base}/dashboard/status-pages/${pageId}/announcements`);
    await admin.getByRole('button', { name: 'New announcement' }).click();
    const form = admin.getByTestId('new-announcement');
    await form.getByLabel('Title').fill('Checkout is slow');
    await form.getByLabel('Impact').selectOption('major');
    await form.getByLabel('Message (Markdown)').fill('We are **looking** into it. <script>alert(1)</script>');
    await form.getByLabel('Checkout').check();
    await form.getByRole('button', { name: 'Publish' }).click();
    const card = admin.getByTestId('announcement').filter({ hasText: 'Checkout is slow' });
    await card.waitFor(WAIT);

    // No reload: the page's own script brings it in.
    await reader.getByText('Checkout is slow').first().waitFor({ timeout: 10000 });
    await reader.locator('strong', { hasText: 'looking' }).first().waitFor(WAIT);

    await card.getByLabel('Message (Markdown)').fill('A slow query; the fix is rolling out.');
    assert.equal(await card.getByLabel('Status').inputValue(), 'identified');
    await card.getByRole('button', { name: 'Post the update' }).click();
    await card.getByTestId('announcement-timeline').locator('li').nth(1).waitFor(WAIT);
    const steps = await card.getByTestId('announcement-timeline').locator('li .strong').allInnerTexts();
    assert.deepEqual(steps, ['Investigating', 'Identified']);
    await reader.getByText('A slow query; the fix is rolling out.').waitFor({ timeout: 10000 });
    assert.equal(await reader.locator('script', { hasText: 'alert(1)' }).count(), 0, 'raw HTML in Markdown is escaped');
    await screenshot(admin, 'en-status-page-announcements');
    await screenshot(reader, 'en-status-page-announced');
    assert.deepEqual(reader.problems, []);
    assert.deepEqual(admin.problems, []);
    await reader.context().close();
  });
});
