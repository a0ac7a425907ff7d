// Dashboard polish against the real binary: the theme switch (remembered across reloads,
// applied before the app draws), the keyboard shortcuts and their help dialog, and tag chips
// that filter the monitors list. Every page is screenshotted in dark for a reviewer to look at.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer } from './harness.mjs';

const WAIT = { timeout: 15000 };
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

/** A signed-in page on the overview. */
async function signedIn() {
  const page = await newPage(browser);
  await page.goto(server.base + '/dashboard/login');
  await loginInBrowser(page);
  await page.getByRole('heading', { name: 'Hello Ada' }).waitFor(WAIT);
  return page;
}

/** POST to the API with the page's session (same origin). */
async function post(page, path, body) {
  return page.evaluate(async ([p, b]) => {
    const r = await fetch(p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    return { status: r.status, body: await r.json() };
  }, [path, body]);
}

const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

describe('dashboard polish', () => {
  test('the theme switch is remembered across reloads and applies before the app draws', async () => {
    const page = await signedIn();
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background(page);
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitemradio', { name: 'Dark' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    const dark = await background(page);
    assert.notEqual(dark, light);

    // After a reload, the theme is there at the first parse, before any module ran.
    await page.reload({ waitUntil: 'commit' });
    await page.waitForFunction(() => document.body);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor(WAIT);
    assert.equal(await background(page), dark);
    await page.getByRole('button', { name: /Account menu/ }).click();
    assert.equal(await page.getByRole('menuitemradio', { name: 'Dark' }).getAttribute('aria-checked'), 'true');
    await screenshot(page, 'polish-dark-user-menu');

    // "System" follows the system's preference.
    await page.getByRole('menuitemradio', { name: 'System' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), undefined);
    assert.equal(await background(page), light);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await background(page), dark);
    await page.reload();
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor(WAIT);
    assert.equal(await page.evaluate(() => localStorage.getItem('dutyduck.theme')), null);
    assert.deepEqual(page.problems, []);
  });

  test('keyboard shortcuts: ? help, g m, / and a on an incident', async () => {
    const page = await signedIn();
    // A list with a search box (an empty list shows none).
    assert.equal((await post(page, '/monitors', { name: 'queue', url: 'http://127.0.0.1:9/', isActive: false })).status, 201);
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor(WAIT);
    await screenshot(page, 'polish-shortcuts-help');
    // The dialog is modal: focus is inside, and stays there as Tab moves it.
    for (let i = 0; i < 3; i++) {
      assert.equal(await help.evaluate((d) => d.contains(document.activeElement)), true, `focus in the dialog after ${i} Tab`);
      await page.keyboard.press('Tab');
    }
    // Shortcuts sleep while it is open; Escape closes it.
    await page.keyboard.press('g');
    await page.keyboard.press('m');
    assert.match(page.url(), /\/dashboard$/);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    await page.keyboard.press('g');
    await page.keyboard.press('m');
    await page.getByRole('heading', { name: 'Monitors', level: 1 }).waitFor(WAIT);
    await page.keyboard.press('/');
    const search = page.getByRole('searchbox').first();
    assert.equal(await search.evaluate((el) => el === document.activeElement), true, '/ focuses the search');
    // Typed into a field, `g t` is text, not a shortcut.
    await page.keyboard.type('gt');
    assert.equal(await search.inputValue(), 'gt');
    assert.match(page.url(), /\/dashboard\/monitors/);
    await page.keyboard.press('Escape');
    await search.evaluate((el) => el.blur());
    await page.keyboard.press('n');
    await page.getByRole('heading', { name: 'New monitor' }).waitFor(WAIT);

    const { body: incident } = await post(page, '/incidents', { title: 'Printer on fire', priority: 'minor' });
    await page.goto(`${server.base}/dashboard/incidents/${incident.id}`);
    await page.getByRole('heading', { name: 'Printer on fire' }).waitFor(WAIT);
    await page.keyboard.press('a');
    await page.getByTestId('acknowledged-by').filter({ hasText: 'Ada' }).waitFor(WAIT);
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor(WAIT);
    // `n` on a list whose "new" is a dialog opens it.
    await page.keyboard.press('n');
    await page.getByRole('dialog').waitFor(WAIT);
    await page.keyboard.press('Escape');
    assert.deepEqual(page.problems, []);
  });

  test('a tag chip filters the monitors list, and the filter is in the address', async () => {
    const page = await signedIn();
    for (const [name, metadata] of [['api', { team: 'core', env: 'prod' }], ['web', { team: 'front' }], ['db', { team: 'core' }]]) {
      const { status } = await post(page, '/monitors', { name, url: 'http://127.0.0.1:9/', isActive: false, metadata });
      assert.equal(status, 201);
    }
    await page.goto(server.base + '/dashboard/monitors');
    const rows = page.getByTestId('monitor-row');
    await rows.nth(3).waitFor(WAIT);
    await rows.filter({ hasText: 'api' }).getByRole('button', { name: 'team:core' }).click();
    await page.waitForURL(/tag=team%3Acore/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=monitor-row]').length === 2);
    assert.deepEqual(await rows.locator('a.strong').allTextContents(), ['api', 'db']);
    await screenshot(page, 'polish-tag-filter');

    // A second tag narrows (every one must hold); typed in the filter field this time.
    await page.getByLabel('Tag filter', { exact: true }).fill('env:prod');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=monitor-row]').length === 1);
    await page.getByLabel('Tag filter', { exact: true }).fill(':nokey');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Write key:value, or key alone.').waitFor(WAIT);

    // The address keeps the filter across a reload; removing a chip widens the list again.
    await page.reload();
    await rows.first().waitFor(WAIT);
    assert.deepEqual(await rows.locator('a.strong').allTextContents(), ['api']);
    await page.getByRole('button', { name: 'Remove the filter env:prod' }).click();
    await page.getByRole('button', { name: 'Remove the filter team:core' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=monitor-row]').length === 4);
    assert.deepEqual(page.problems, []);
  });

  test('every page in dark', async () => {
    const page = await signedIn();
    await page.emulateMedia({ colorScheme: 'dark' });
    const { body: incident } = await post(page, '/incidents', { title: 'Dark incident', priority: 'critical' });
    const { body: monitor } = await post(page, '/monitors', { name: 'dark', url: 'http://127.0.0.1:9/', isActive: false, metadata: { team: 'core' } });
    const pages = {
      overview: '', monitors: '/monitors', monitor: `/monitors/${monitor.id}`, 'monitor-form': '/monitors/new',
      tasks: '/tasks', 'task-form': '/tasks/new', incidents: '/incidents', incident: `/incidents/${incident.id}`,
      silences: '/silences', maintenance: '/maintenance', 'maintenance-form': '/maintenance/new',
      notifications: '/notifications', 'notification-form': '/notifications/new', account: '/account',
    };
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(server.base + '/dashboard' + path);
      await page.locator('main h1').first().waitFor(WAIT);
      await page.waitForFunction(() => !document.querySelector('main .loading'), null, WAIT);
      await screenshot(page, `polish-dark-${name}`);
    }
    // A phone: the tag chips and the tag filter wrap, nothing scrolls sideways.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(server.base + '/dashboard/monitors?tag=team');
    await page.getByTestId('monitor-row').first().waitFor(WAIT);
    await screenshot(page, 'polish-dark-375-monitors');
    assert.equal(await overflowsHorizontally(page), false);
    // Signed out with no dashboard page open: a request of the last page still in flight when
    // the cookie goes would be answered 401 (and logged) whatever the theme.
    await page.goto('about:blank');
    await page.context().clearCookies();
    await page.goto(server.base + '/dashboard/login');
    await page.getByRole('heading', { name: 'Log in' }).waitFor(WAIT);
    await screenshot(page, 'polish-dark-login');
    assert.deepEqual(page.problems, []);
  });
});
