// Bulk actions in the dashboard, against the real binary: 20 incidents declared through the API,
// all selected at once ("all 20 matching") and acknowledged, seen acknowledged; the page size and
// the search box; then French on a phone, resolving one; monitors tagged and archived, a task
// deleted; on a phone, two failing tasks' incidents silenced for 4 h (fr) and two monitors put
// into maintenance for 1 h, then shown "Maintenance" on the list (en).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  BIN, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
let server;
let browser;
let token;

/** The API as Ada, with a token made by the CLI. */
async function call(method, path, body) {
  const response = await fetch(server.base + path, {
    method,
    headers: { 'X-Api-Token-Id': token.id, 'X-Api-Token-Secret-Key': token.secretKey, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  return response.json();
}

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await setupAdmin(server.base);
  const out = execFileSync(BIN, ['--data-dir', server.dataDir, 'token', 'create', '--user', 'ada@example.com',
    '--label', 'bulk test', '--expires-in', '30d', '--json']);
  token = JSON.parse(out);
  for (let i = 1; i <= 20; i++) {
    await call('POST', '/incidents', { title: `Disk full on node ${String(i).padStart(2, '0')}` });
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('bulk actions', () => {
  test('select all 20 incidents matching the filter and acknowledge them', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();
    await page.goto(server.base + '/dashboard/incidents');
    const ongoing = page.getByTestId('incidents-ongoing');
    await ongoing.getByTestId('incident-row').nth(9).waitFor(WAIT);
    assert.equal(await ongoing.getByTestId('incident-row').count(), 10);

    await ongoing.getByLabel('Select every row of this page').check();
    const bar = ongoing.getByTestId('bulk-bar');
    await bar.getByText('10 incidents selected').waitFor();
    await bar.getByRole('button', { name: 'Select all 20 incidents matching this filter' }).click();
    await bar.getByText('All 20 incidents matching this filter selected').waitFor();
    await screenshot(page, 'en-desktop-bulk-selected');
    await bar.getByRole('button', { name: 'Acknowledge' }).click();
    const dialog = page.getByTestId('bulk-dialog');
    await dialog.getByText('This applies to 20 incidents.').waitFor();
    await dialog.getByRole('button', { name: 'Apply to 20 incidents' }).click();
    await ongoing.getByTestId('bulk-result').getByText('20 of 20 incidents changed.').waitFor(WAIT);
    await screenshot(page, 'en-desktop-bulk-acknowledged');

    // Every row, on this page and the next, says who acknowledged it.
    await page.getByLabel('Per page').selectOption('20');
    await page.waitForURL(/size=20/, WAIT);
    await ongoing.getByTestId('incident-row').nth(19).waitFor(WAIT);
    const acknowledged = await ongoing.getByTestId('incident-row').filter({ hasText: 'Ada Lovelace' }).count();
    assert.equal(acknowledged, 20);
    const all = await call('GET', '/incidents?status=ongoing&itemsPerPage=50');
    assert.equal(all.items.filter((i) => i.acknowledgedBy.length === 1).length, 20);

    // The search box finds one by its title; sorting by title puts node 01 first.
    await page.getByLabel('Search').fill('node 07');
    await page.waitForURL(/q=node/, WAIT);
    await ongoing.getByText('(1)').waitFor(WAIT);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Sort by').selectOption('title');
    await page.getByLabel('Order').selectOption('asc');
    await page.waitForURL(/order=asc/, WAIT);
    await ongoing.getByText('(20)').waitFor(WAIT);
    await ongoing.getByTestId('incident-row').first().getByText('Disk full on node 01').waitFor(WAIT);
    assert.deepEqual(page.problems, []);
  });

  test('in French on a phone: pick one incident and resolve it', async () => {
    const page = await newPage(browser, { locale: 'fr-FR', viewport: { width: 375, height: 740 } });
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page, { lang: 'fr' });
    await page.getByRole('heading', { name: 'Bonjour Ada' }).waitFor(WAIT);
    await page.goto(server.base + '/dashboard/incidents?sort=title&order=asc');
    const ongoing = page.getByTestId('incidents-ongoing');
    await ongoing.getByTestId('incident-row').first().waitFor(WAIT);
    await ongoing.getByLabel('Sélectionner Disk full on node 01').check();
    const bar = ongoing.getByTestId('bulk-bar');
    await bar.getByText('1 incident sélectionné(s)').waitFor();
    assert.equal(await overflowsHorizontally(page), false, 'no horizontal scrolling at 375 px');
    await screenshot(page, 'fr-phone-bulk-selected');
    await bar.getByRole('button', { name: 'Résoudre' }).click();
    await page.getByTestId('bulk-dialog').getByRole('button', { name: 'Appliquer à 1 incident' }).click();
    await ongoing.getByTestId('bulk-result').getByText('1 sur 1 incident modifié(s).').waitFor(WAIT);
    await ongoing.getByText('(19)').waitFor(WAIT);
    await screenshot(page, 'fr-phone-bulk-resolved');
    assert.equal(await overflowsHorizontally(page), false, 'no horizontal scrolling at 375 px');
    assert.deepEqual(page.problems, []);
  });

  test('tag and archive monitors, delete a task, sorted lists', async () => {
    for (const name of ['web', 'api', 'db']) {
      await call('POST', '/monitors', { name, url: 'http://127.0.0.1:9/', isActive: false });
    }
    for (const id of ['backup', 'report']) await call('POST', '/tasks', { id });
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();
    await page.goto(server.base + '/dashboard/monitors?sort=name&order=desc');
    const rows = page.getByTestId('monitor-row');
    await rows.nth(2).waitFor(WAIT);
    assert.equal(await rows.first().getByRole('link').textContent(), 'web');
    await page.getByLabel('Select every row of this page').check();
    const bar = page.getByTestId('bulk-bar');
    await bar.getByText('3 monitors selected').waitFor();
    await bar.getByRole('button', { name: 'Tag' }).click();
    const dialog = page.getByTestId('bulk-dialog');
    await dialog.getByLabel('Tag key').fill('team');
    await dialog.getByLabel('Value').fill('core');
    await dialog.getByRole('button', { name: 'Apply to 3 monitors' }).click();
    await page.getByTestId('bulk-result').getByText('3 of 3 monitors changed.').waitFor(WAIT);
    const tagged = await call('GET', '/monitors');
    assert.deepEqual(tagged.items.map((m) => m.metadata.team), ['core', 'core', 'core']);

    await rows.first().getByLabel('Select web').check();
    await bar.getByRole('button', { name: 'Archive' }).click();
    await dialog.getByRole('button', { name: 'Apply to 1 monitor' }).click();
    await page.getByTestId('bulk-result').getByText('1 of 1 monitor changed.').waitFor(WAIT);
    await page.getByTestId('monitor-row').nth(1).waitFor(WAIT);
    assert.equal(await page.getByTestId('monitor-row').count(), 2);
    await screenshot(page, 'en-desktop-bulk-monitors');

    await page.goto(server.base + '/dashboard/tasks');
    await page.getByTestId('task-row').nth(1).waitFor(WAIT);
    await page.getByLabel('Select backup').check();
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Delete' }).click();
    await page.getByTestId('bulk-dialog').getByRole('button', { name: 'Apply to 1 task' }).click();
    await page.getByTestId('bulk-result').getByText('1 of 1 task changed.').waitFor(WAIT);
    await page.getByTestId('task-row').filter({ hasText: 'backup' }).waitFor({ state: 'detached', ...WAIT });
    assert.deepEqual(page.problems, []);
  });

  test('on a phone, in French: silence the incidents of two failing tasks for 4 h', async () => {
    for (const id of ['nightly-a', 'nightly-b']) {
      await call('POST', `/tasks/${id}/start`, { newTask: {} });
      await call('POST', `/tasks/${id}/finish`, { status: 'failure', exitCode: 1 });
    }
    const page = await newPage(browser, { locale: 'fr-FR', viewport: { width: 375, height: 740 } });
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page, { lang: 'fr' });
    await page.getByRole('heading', { name: 'Bonjour Ada' }).waitFor(WAIT);
    await page.goto(server.base + '/dashboard/incidents?q=nightly');
    const ongoing = page.getByTestId('incidents-ongoing');
    await ongoing.getByTestId('incident-row').nth(1).waitFor(WAIT);
    // On a phone the table's header (select the page) is hidden: pick each row.
    for (const i of [0, 1]) await ongoing.getByTestId('incident-row').nth(i).getByRole('checkbox').check();
    const bar = ongoing.getByTestId('bulk-bar');
    await bar.getByText('2 incidents sélectionné(s)').waitFor();
    await bar.getByRole('button', { name: 'Silence…' }).click();
    const dialog = page.getByTestId('bulk-dialog');
    await dialog.getByText('Un silence coupera les notifications des sources de 2 incidents').waitFor();
    await dialog.getByLabel('pendant 4 h').check();
    await dialog.getByLabel('Raison (facultatif)').fill('Changement de disque');
    assert.equal(await overflowsHorizontally(page), false, 'no horizontal scrolling at 375 px');
    await screenshot(page, 'fr-phone-bulk-silence-dialog');
    await dialog.getByRole('button', { name: 'Appliquer à 2 incidents' }).click();
    const result = ongoing.getByTestId('bulk-result');
    await result.getByText('2 sur 2 incidents modifié(s).').waitFor(WAIT);
    await result.getByRole('link', { name: 'Voir le silence' }).waitFor();
    await screenshot(page, 'fr-phone-bulk-silenced');
    for (const id of ['nightly-a', 'nightly-b']) {
      const covering = await call('GET', `/silences?sourceId=${id}`);
      assert.equal(covering.items.length, 1, id);
      assert.equal(covering.items[0].reason, 'Changement de disque');
      const hours = (new Date(covering.items[0].endsAt) - Date.now()) / 3600e3;
      assert.ok(hours > 3.9 && hours <= 4, `ends in 4 h: ${hours}`);
    }
    assert.deepEqual(page.problems, []);
  });

  test('on a phone: put two monitors into maintenance for 1 h and see them so on the list', async () => {
    const page = await newPage(browser, { viewport: { width: 375, height: 740 } });
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();
    await page.goto(server.base + '/dashboard/monitors?sort=name');
    const rows = page.getByTestId('monitor-row');
    await rows.nth(1).waitFor(WAIT);
    for (const i of [0, 1]) await rows.nth(i).getByRole('checkbox').check();
    const bar = page.getByTestId('bulk-bar');
    await bar.getByText('2 monitors selected').waitFor();
    await bar.getByRole('button', { name: 'Maintenance…' }).click();
    const dialog = page.getByTestId('bulk-dialog');
    await dialog.getByText('One maintenance window over 2 monitors').waitFor();
    await dialog.getByLabel('for 1 h').check();
    await dialog.getByLabel('Title (optional)').fill('Router swap');
    assert.equal(await overflowsHorizontally(page), false, 'no horizontal scrolling at 375 px');
    await screenshot(page, 'en-phone-bulk-maintenance-dialog');
    await dialog.getByRole('button', { name: 'Apply to 2 monitors' }).click();
    const result = page.getByTestId('bulk-result');
    await result.getByText('2 of 2 monitors changed.').waitFor(WAIT);
    await result.getByRole('link', { name: 'See the maintenance window' }).waitFor();
    // The list, reloaded, shows each in maintenance.
    await rows.nth(0).locator('[data-quiet="maintenance"]').waitFor(WAIT);
    await rows.nth(1).locator('[data-quiet="maintenance"]').waitFor(WAIT);
    assert.equal(await rows.filter({ hasText: 'Maintenance' }).count(), 2);
    assert.equal(await overflowsHorizontally(page), false, 'no horizontal scrolling at 375 px');
    await screenshot(page, 'en-phone-bulk-maintenance');
    const windows = await call('GET', '/maintenance-windows?active=true');
    assert.deepEqual(windows.items.map((w) => [w.title, w.selection.monitorIds.length]), [['Router swap', 2]]);
    assert.deepEqual(page.problems, []);
  });
});
