// Monitors and incidents in the dashboard, against the real binary and a local target that the
// test switches between up (200) and down (500). Checks run on the real clock every 5 s, so the
// walk waits on the UI (polling locators), never on fixed sleeps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  BIN, PASSWORD, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer, startTarget,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
let server;
let browser;
let target;
/** Set by the first test, used by the second. */
const seen = { monitor: null, incident: null };

before(async () => {
  [server, browser, target] = await Promise.all([startServer(), launchBrowser(), startTarget()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await target?.close();
});

/** Waits until `locator`'s text contains `text` (the pages refresh themselves). */
async function waitForText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor(WAIT);
}

describe('monitors and incidents', () => {
  test('create a monitor, see it go down, handle the incident, see it resolved', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Monitors' }).click();
    await page.getByText('No monitor yet').waitFor();
    await screenshot(page, 'en-desktop-monitors-empty');
    await page.getByRole('link', { name: 'Create your first monitor' }).click();
    await page.getByRole('heading', { name: 'New monitor' }).waitFor();

    // Defaults.
    assert.equal(await page.getByLabel('Interval', { exact: true }).inputValue(), '60');
    assert.equal(await page.getByLabel('Timeout (seconds)').inputValue(), '10');
    assert.equal(await page.getByLabel('Failures before down').inputValue(), '2');
    assert.equal(await page.getByLabel('Accepted status codes').inputValue(), '200-399');
    assert.equal(await page.getByLabel('Follow redirects').isChecked(), true);
    assert.equal(await page.getByLabel('Verify the TLS certificate').isChecked(), true);

    // A browser-side check, with the focus on the field.
    const url = page.getByLabel('URL', { exact: true });
    await url.fill('ftp://example.com');
    await page.getByRole('button', { name: 'Create the monitor' }).click();
    await page.getByText('Enter an http:// or https:// URL with a host.').waitFor();
    assert.equal(await url.evaluate((el) => el === document.activeElement), true, 'focus on the URL');

    await url.fill(target.url);
    await page.getByLabel('Name', { exact: true }).fill('Local target');
    await page.getByLabel('Interval', { exact: true }).selectOption('custom');
    await page.getByLabel('Interval in seconds').fill('5');
    await page.getByLabel('Failures before down').fill('1');
    await page.getByLabel('Successes before up').fill('1');
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await page.getByLabel('Tag 1', { exact: true }).fill('team');
    await page.getByLabel('Value 1', { exact: true }).fill('payments');

    // The server's 422 is shown next to the field it names.
    await page.getByLabel('Content check').selectOption('regex');
    await page.getByLabel('Regular expression').fill('(');
    await screenshot(page, 'en-desktop-monitor-form');
    await page.getByRole('button', { name: 'Create the monitor' }).click();
    await page.locator('#mf-assertion-error').filter({ hasText: 'invalid regular expression' }).waitFor(WAIT);
    await page.getByLabel('Content check').selectOption('none');
    await page.getByRole('button', { name: 'Create the monitor' }).click();

    // The monitor page: up after its first check, with a response-time chart.
    await page.waitForURL(/\/dashboard\/monitors\/[0-9a-f-]{36}$/, WAIT);
    seen.monitor = new URL(page.url()).pathname;
    await page.getByRole('heading', { name: 'Local target' }).waitFor();
    await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
    await waitForText(page.getByTestId('monitor-status'), 'Up');
    await page.locator('.chart canvas').first().waitFor(WAIT);
    await waitForText(page.getByTestId('checks').locator('.pill-ok'), 'OK');
    await screenshot(page, 'en-desktop-monitor');

    // Down: the incident opens, the badge counts it.
    target.setUp(false);
    await page.locator('[data-testid=monitor-status] [data-status=down]').waitFor(WAIT);
    await waitForText(page.getByTestId('open-incident'), 'HTTP 500');
    await waitForText(page.getByTestId('ongoing-badge'), '1');
    await screenshot(page, 'en-desktop-monitor-down');

    await nav.getByRole('link', { name: /Incidents/ }).click();
    const ongoing = page.getByTestId('incidents-ongoing');
    await waitForText(ongoing.getByTestId('incident-row'), 'Local target');
    await screenshot(page, 'en-desktop-incidents');
    await ongoing.getByRole('link', { name: 'Local target' }).click();
    await page.waitForURL(/\/dashboard\/incidents\/[0-9a-f-]{36}$/, WAIT);
    seen.incident = new URL(page.url()).pathname;
    await waitForText(page.getByTestId('incident-cause'), 'HTTP 500');
    await waitForText(page.getByTestId('incident-status'), 'Ongoing');

    // Acknowledge, then comment (text, never HTML).
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await waitForText(page.getByTestId('acknowledged-by'), 'Ada Lovelace');
    const comment = 'Looking into it: <b>not bold</b>';
    await page.getByLabel('Comment', { exact: true }).fill(comment);
    await page.getByRole('button', { name: 'Add the comment' }).click();
    const timeline = page.getByTestId('timeline');
    await waitForText(timeline.locator('[data-event=comment]'), comment);
    assert.equal(await timeline.locator('[data-event=comment] b').count(), 0, 'comment rendered as text');

    // Recovery: the incident resolves itself; the timeline tells the whole story.
    target.setUp(true);
    await page.locator('[data-testid=incident-status] [data-status=resolved]').waitFor(WAIT);
    await timeline.locator('[data-event=resolution]').waitFor(WAIT);
    const events = await timeline.locator('li').evaluateAll((items) => items.map((li) => li.dataset.event));
    for (const kind of ['creation', 'acknowledged', 'comment', 'resolution']) assert.ok(events.includes(kind), `${kind} in ${events}`);
    assert.ok(events.indexOf('creation') < events.indexOf('acknowledged'), events.join());
    assert.ok(events.indexOf('comment') < events.indexOf('resolution'), events.join());
    await waitForText(timeline.getByTestId('check-event'), 'HTTP 500');
    assert.ok(events.some((e) => e.startsWith('monitor')), `check events in ${events}`);
    await page.getByTestId('ongoing-badge').waitFor({ state: 'detached', ...WAIT });
    await screenshot(page, 'en-desktop-incident');

    // The deliberate 422 above is the only failed request.
    assert.deepEqual(page.problems.filter((p) => !p.includes('status of 422')), []);
    await page.context().close();
  });

  test('filters, phones and French: no horizontal scrolling, no console errors', async () => {
    assert.ok(seen.monitor && seen.incident, 'the first test created a monitor and an incident');
    for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
      for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 375, height: 740 }]]) {
        const page = await newPage(browser, { locale, viewport });
        const fr = lang === 'fr';
        const name = (what) => `${lang}-${device}-${what}`;
        await page.goto(server.base + '/dashboard/monitors');
        await loginInBrowser(page, { lang });
        const row = page.getByTestId('monitor-row');
        await row.filter({ hasText: 'Local target' }).waitFor(WAIT);
        await page.locator('.spark').first().waitFor(WAIT);
        if (lang === 'en' && device === 'desktop') {
          // Search (debounced, in the address) and status filter, server-side.
          await page.getByLabel('Search').fill('no such thing');
          await page.getByText('No monitor matches these filters.').waitFor(WAIT);
          assert.match(page.url(), /q=no\+such\+thing/);
          await page.getByRole('button', { name: 'Clear the filters' }).click();
          await row.first().waitFor(WAIT);
          await page.getByLabel('Status', { exact: true }).selectOption('down');
          await page.getByText('No monitor matches these filters.').waitFor(WAIT);
          await page.getByLabel('Status', { exact: true }).selectOption('up');
          await row.filter({ hasText: 'Local target' }).waitFor(WAIT);
        }
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name('monitors'));
        await screenshot(page, name('monitors'));

        await page.goto(server.base + seen.monitor);
        await page.locator('.chart canvas').first().waitFor(WAIT);
        await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
        if (device === 'phone') {
          assert.equal(await overflowsHorizontally(page), false, name('monitor'));
          const chartWidth = await page.locator('.chart canvas').first().evaluate((c) => c.getBoundingClientRect().right);
          assert.ok(chartWidth <= 375, `chart right edge ${chartWidth}`);
        }
        await screenshot(page, name('monitor'));

        await page.getByRole('link', { name: fr ? 'Modifier' : 'Edit' }).click();
        await page.getByRole('heading', { name: fr ? 'Modifier le moniteur' : 'Edit the monitor' }).waitFor(WAIT);
        assert.equal(await page.getByLabel(fr ? 'Intervalle en secondes' : 'Interval in seconds').inputValue(), '5');
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name('monitor-form'));
        await screenshot(page, name('monitor-form'));

        await page.goto(server.base + '/dashboard/incidents');
        await page.getByTestId('incidents-resolved').getByTestId('incident-row').first().waitFor(WAIT);
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name('incidents'));
        await screenshot(page, name('incidents'));

        await page.goto(server.base + seen.incident);
        await page.getByTestId('timeline').locator('[data-event=resolution]').waitFor(WAIT);
        await waitForText(page.getByTestId('incident-cause'), 'HTTP 500');
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name('incident'));
        await screenshot(page, name('incident'));
        assert.deepEqual(page.problems, [], name('problems'));
        await page.context().close();
      }
    }
  });

  test('declare an incident by hand, change its priority, resolve it', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/incidents');
    await loginInBrowser(page);
    await page.getByRole('button', { name: 'Declare an incident' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Title').fill('Payments are slow');
    await dialog.getByLabel('Priority').selectOption('critical');
    await dialog.getByLabel('Description').fill('Card payments take 30 s.\nWe are on it.');
    await screenshot(page, 'en-desktop-declare');
    await dialog.getByRole('button', { name: 'Declare' }).click();
    await page.getByRole('heading', { name: 'Payments are slow' }).waitFor(WAIT);
    await waitForText(page.getByTestId('incident-cause'), 'Card payments take 30 s.');
    await waitForText(page.getByTestId('ongoing-badge'), '1');
    await page.getByLabel('Change the priority').selectOption('minor');
    await page.getByTestId('timeline').locator('[data-event=prioritychanged]').waitFor(WAIT);
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('[data-testid=incident-status] [data-status=resolved]').waitFor(WAIT);
    await page.getByTestId('ongoing-badge').waitFor({ state: 'detached', ...WAIT });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('pause, resume, archive and delete a monitor, each behind a confirmation when it matters', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/monitors');
    await loginInBrowser(page);
    await page.getByTestId('monitor-row').first().waitFor(WAIT);
    const id = await page.evaluate(async (url) => {
      const response = await fetch('/monitors', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url, name: 'Spare', isActive: false }),
      });
      return (await response.json()).id;
    }, target.url);
    await page.goto(`${server.base}/dashboard/monitors/${id}`);
    const status = (s) => page.locator(`[data-testid=monitor-status] [data-status=${s}]`).waitFor(WAIT);
    await status('inactive');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Pause' }).click();
    let dialog = page.getByRole('dialog', { name: 'Pause this monitor?' });
    await dialog.getByRole('button', { name: 'Pause' }).click();
    await status('inactive');
    await page.getByRole('button', { name: 'Archive' }).click();
    dialog = page.getByRole('dialog', { name: 'Archive this monitor?' });
    await dialog.getByText('This cannot be undone.').waitFor();
    await dialog.getByRole('button', { name: 'Archive' }).click();
    await status('archived');
    assert.equal(await page.getByRole('link', { name: 'Edit' }).count(), 0);
    await page.getByRole('button', { name: 'Delete' }).click();
    dialog = page.getByRole('dialog', { name: 'Delete this monitor?' });
    await dialog.getByText('whole check history and all its incidents').waitFor();
    await screenshot(page, 'en-desktop-monitor-delete');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/dashboard\/monitors$/, WAIT);
    await page.getByTestId('monitor-row').first().waitFor(WAIT);
    assert.equal(await page.getByTestId('monitor-row').filter({ hasText: 'Spare' }).count(), 0);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a Reporter reads and comments, but cannot change monitors or handle incidents', async () => {
    assert.ok(seen.monitor && seen.incident, 'the first test created a monitor and an incident');
    execFileSync(BIN, ['user', 'create', '--data-dir', server.dataDir, '--email', 'rita@example.com', '--first-name', 'Rita',
      '--last-name', 'Reporter', '--org', 'Acme', '--role', 'Reporter', '--password-stdin'], { input: PASSWORD + '\n' });
    const page = await newPage(browser);
    await page.goto(server.base + seen.monitor);
    await loginInBrowser(page, { email: 'rita@example.com' });
    await page.getByRole('heading', { name: 'Local target' }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Recent checks' }).waitFor(WAIT);
    for (const name of ['Edit', 'Pause', 'Archive', 'Delete']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).count(), 0, name);
    }
    await page.goto(server.base + '/dashboard/monitors');
    await page.getByTestId('monitor-row').first().waitFor(WAIT);
    assert.equal(await page.getByRole('link', { name: 'New monitor' }).count(), 0);
    await page.goto(server.base + '/dashboard/monitors/new');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor(WAIT);

    await page.goto(server.base + seen.incident);
    await page.getByTestId('timeline').waitFor(WAIT);
    assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Resolve' }).count(), 0);
    assert.equal(await page.getByLabel('Change the priority').count(), 0);
    await page.getByLabel('Comment', { exact: true }).fill('Customers confirm it works again.');
    await page.getByRole('button', { name: 'Add the comment' }).click();
    await waitForText(page.getByTestId('timeline').locator('[data-event=comment]'), 'Rita Reporter');
    await page.goto(server.base + '/dashboard/incidents');
    assert.equal(await page.getByRole('button', { name: 'Declare an incident' }).count(), 0);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
