// The dashboard as a user meets it, in headless Chromium against the real binary.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PASSWORD, callWithToken, launchBrowser, newPage, overflowsHorizontally, screenshot, startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function login(page, email = 'ada@example.com', password = PASSWORD) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('dashboard', () => {
  test('first run: setup, user menu, My account, a token shown once, delete', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/');
    await page.waitForURL('**/dashboard/setup');
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await screenshot(page, 'en-desktop-setup');

    await page.getByLabel('Organization name').fill('Acme');
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByLabel('E-mail').fill('ada@example.com');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByText('Strength: too short').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create the administrator' }).isDisabled(), true);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create the administrator' }).click();

    // Logged in on the overview; the user's name top right opens the menu.
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();
    await screenshot(page, 'en-desktop-home');
    await page.getByRole('button', { name: /Account menu: Ada Lovelace/ }).click();
    await screenshot(page, 'en-desktop-user-menu');
    await page.getByRole('menuitem', { name: 'My account' }).click();
    await page.waitForURL('**/dashboard/account');
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByText('You have no API token yet.').waitFor();

    // Create a token: label and expiry (default 90 days ahead, at most a year).
    await page.getByRole('button', { name: 'Create a token' }).click();
    const expiry = page.getByLabel('Expiry date');
    const [value, max] = [await expiry.inputValue(), await expiry.getAttribute('max')];
    const days = (new Date(value) - new Date(new Date().toISOString().slice(0, 10))) / 86400000;
    assert.ok(days >= 89 && days <= 91, `default expiry ${value}`);
    const nextYear = new Date();
    nextYear.setFullYear(nextYear.getFullYear() + 1);
    assert.ok(Math.abs(new Date(max) - new Date(nextYear.toISOString().slice(0, 10))) <= 86400000 * 1, `max ${max}`);
    await page.getByLabel('Label').fill('backup script');
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    const id = (await page.getByTestId('issued-id').textContent()).trim();
    const secret = (await page.getByTestId('issued-secret').textContent()).trim();
    assert.match(secret, /^[0-9a-f]{64}$/);
    await page.getByText('it is shown only this once').waitFor();
    const example = await page.locator('pre.example').textContent();
    assert.ok(example.includes(server.base) && example.includes(id) && example.includes(secret), example);
    await screenshot(page, 'en-desktop-token-created');

    // The shown secret works with the two headers.
    assert.equal((await callWithToken(server.base, '/users/me', id, secret)).status, 200);

    // After a reload the secret is nowhere on the page, but the token is listed.
    await page.reload();
    await page.getByTestId('token-row').first().waitFor();
    const content = await page.content();
    assert.ok(!content.includes(secret), 'secret still on the page after reload');
    assert.ok(content.includes(id));
    await screenshot(page, 'en-desktop-account');

    // Delete with a confirmation; the token is refused from then on.
    await page.getByRole('button', { name: 'Delete the token backup script' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('suspect it has been compromised').waitFor();
    await screenshot(page, 'en-desktop-delete-dialog');
    await dialog.getByRole('button', { name: 'Delete the token' }).click();
    await page.getByText('You have no API token yet.').waitFor();
    assert.equal((await callWithToken(server.base, '/users/me', id, secret)).status, 401);

    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a second setup is refused', async () => {
    const response = await fetch(server.base + '/setup', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Evil', firstName: 'E', lastName: 'V', email: 'eve@example.com', password: PASSWORD }),
    });
    assert.equal(response.status, 409);
    assert.equal((await response.json()).error.code, 'setup_done');

    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/setup');
    await page.waitForURL('**/dashboard/login*');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(await page.getByText('Create the first administrator').count(), 0);
    await page.context().close();
  });

  test('login errors, logout, and an expired session returns to the page asked for', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/account');
    await page.waitForURL('**/dashboard/login?next=*');
    await login(page, 'ada@example.com', 'not the password');
    await page.getByText('Wrong e-mail or password.').waitFor();
    await screenshot(page, 'en-desktop-login-error');
    await login(page);
    await page.waitForURL('**/dashboard/account');
    await page.getByRole('heading', { name: 'My account' }).waitFor();

    // The session ends behind the page's back (another tab logs out): the next request
    // lands on login, and logging in again returns to My account.
    await page.evaluate(() => fetch('/auth/logout', { method: 'POST' }));
    await page.getByRole('button', { name: 'Create a token' }).click();
    await page.getByLabel('Label').fill('x');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL('**/dashboard/login?next=*');
    await page.getByText('Your session has ended').waitFor();
    await login(page);
    await page.waitForURL('**/dashboard/account');

    // Log out from the menu, with the keyboard.
    await page.getByRole('button', { name: /Account menu/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'My account' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'My account', 'focus moves into the menu');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Team', 'then the team\'s pages');
    // Up from the first item wraps to the last.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Log out');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/dashboard/login');
    const me = await page.evaluate(() => fetch('/users/me').then((r) => r.status));
    assert.equal(me, 401);
    assert.deepEqual(page.problems.filter((p) => !p.includes('401')), []);
    await page.context().close();
  });

  test('French: the seed document\'s labels, remembered across reloads', async () => {
    const page = await newPage(browser, { locale: 'fr-FR' });
    await page.goto(server.base + '/dashboard/login');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await login_fr(page);
    await page.getByRole('heading', { name: 'Bonjour Ada' }).waitFor();
    await page.getByRole('button', { name: /Menu du compte/ }).click();
    await page.getByRole('menuitem', { name: 'Mon compte' }).waitFor();
    await page.getByRole('menuitem', { name: 'Se déconnecter' }).waitFor();
    await page.getByRole('menuitem', { name: 'Mon compte' }).click();
    await page.getByRole('heading', { name: 'Mon compte' }).waitFor();
    await page.getByRole('heading', { name: 'Jetons d\u2019API' }).waitFor();
    await page.getByRole('button', { name: 'Créer un jeton' }).click();
    await page.getByLabel('Libellé').fill('sauvegarde');
    await page.getByRole('button', { name: 'Créer', exact: true }).click();
    await page.getByText('Identifiant', { exact: true }).first().waitFor();
    await page.getByText('Clé secrète', { exact: true }).waitFor();
    await page.getByText('elle ne sera affichée qu\u2019une seule fois').waitFor();
    await screenshot(page, 'fr-desktop-token-created');

    // Switch to English in the UI; the choice survives a reload.
    await page.getByLabel('Langue').selectOption('en');
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Mon compte' }).waitFor();

    // Both languages have the same texts.
    const [en, fr] = await page.evaluate(async () => {
      const { messages } = await import('/dashboard/app/i18n.js');
      return [Object.keys(messages.en).sort(), Object.keys(messages.fr).sort()];
    });
    assert.deepEqual(fr, en);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a 375 px phone has no horizontal scrolling, in English and French', async () => {
    for (const locale of ['en-US', 'fr-FR']) {
      const page = await newPage(browser, { locale, viewport: { width: 375, height: 740 } });
      const lang = locale.slice(0, 2);
      await page.goto(server.base + '/dashboard/login');
      await page.locator('form').waitFor();
      assert.equal(await overflowsHorizontally(page), false, `${lang} login`);
      await screenshot(page, `${lang}-phone-login`);
      await (lang === 'fr' ? login_fr(page) : login(page));
      await page.getByRole('heading', { name: lang === 'fr' ? 'Bonjour Ada' : 'Hello Ada' }).waitFor();
      assert.equal(await overflowsHorizontally(page), false, `${lang} home`);
      await screenshot(page, `${lang}-phone-home`);
      await page.goto(server.base + '/dashboard/account');
      await page.getByTestId('token-row').first().waitFor();
      await page.locator('#api-tokens button').first().click();
      await page.locator('#api-tokens form button[type=submit]').waitFor();
      await page.locator('#api-tokens input').first().fill('phone');
      await page.locator('#api-tokens form button[type=submit]').click();
      await page.getByTestId('issued-secret').waitFor();
      assert.equal(await overflowsHorizontally(page), false, `${lang} account with a new token`);
      await screenshot(page, `${lang}-phone-account`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
  });

  test('the API docs page renders the OpenAPI document', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/docs');
    // RapiDoc parses the 450 KB OpenAPI document (about 6 s of CPU here: its resolver walks every
    // node; an inlined document with no $ref took as long) and then renders all 190 operations
    // into its shadow DOM (about 2 s). That is 8-12 s in this headless Chromium on an idle VM, and
    // took over 30 s in CI beside the cargo tests, so the bound is for a loaded machine. A text
    // locator would rescan that tree at every poll and slow it further: read its text twice a second.
    await page.waitForFunction(
      () => document.querySelector('rapi-doc')?.shadowRoot?.textContent.includes('/api-tokens'),
      null, { timeout: 90000, polling: 500 });
    assert.ok(await page.getByText('/api-tokens').first().isVisible());
    await screenshot(page, 'en-desktop-docs');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('security headers and caching of the dashboard', async () => {
    for (const path of ['/dashboard', '/dashboard/account', '/dashboard/app/main.js', '/docs']) {
      const response = await fetch(server.base + path, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(response.status, 200, path);
      const csp = response.headers.get('content-security-policy');
      const scriptSrc = /script-src ([^;]*)/.exec(csp)[1];
      assert.ok(!scriptSrc.includes('unsafe-inline') && !scriptSrc.includes('unsafe-eval'), `${path}: ${csp}`);
      assert.ok(csp.includes("frame-ancestors 'none'"), path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.ok(response.headers.get('referrer-policy'), path);
      // index.html carries the caller's boot facts (their profile): never stored, no ETag.
      if (path.endsWith('.js') || path === '/docs') assert.ok(response.headers.get('etag'), path);
      else assert.equal(response.headers.get('cache-control'), 'private, no-store', path);
    }
    const js = await fetch(server.base + '/dashboard/app/main.js');
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    const again = await fetch(server.base + '/dashboard/app/main.js', { headers: { 'If-None-Match': js.headers.get('etag') } });
    assert.equal(again.status, 304);
    const vendor = await fetch(server.base + '/dashboard/vendor/preact-htm-3.1.1.mjs');
    assert.match(vendor.headers.get('cache-control'), /immutable/);
    const missing = await fetch(server.base + '/dashboard/nope.js');
    assert.equal(missing.status, 404);
    const browserRoot = await fetch(server.base + '/', { headers: { Accept: 'text/html' }, redirect: 'manual' });
    assert.equal(browserRoot.status, 303);
    assert.equal(browserRoot.headers.get('location'), '/dashboard');
  });
});

async function login_fr(page) {
  await page.getByLabel('E-mail').fill('ada@example.com');
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}
