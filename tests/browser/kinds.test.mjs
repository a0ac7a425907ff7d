// Each check kind through the dashboard: picked first in the form, its own fields, its icon in
// the list and what its last check saw on its page, in English and French on a 375 px phone.
// Targets are real local servers started here; checks run on the real clock every 5 s.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 740 };
let server;
let browser;
let mail;

/** A TCP server greeting like a mail relay. */
function startMailRelay() {
  return new Promise((resolve) => {
    const sockets = new Set();
    const srv = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      socket.write('220 relay.test ESMTP ready\r\n');
    });
    srv.listen(0, '127.0.0.1', () => resolve({
      port: srv.address().port,
      close: () => new Promise((done) => { sockets.forEach((s) => s.destroy()); srv.close(done); }),
    }));
  });
}

before(async () => {
  [server, browser, mail] = await Promise.all([startServer(), launchBrowser(), startMailRelay()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await mail?.close();
});

/** Fills the common part of the form: a name, checked every 5 s, down and up at once. */
async function common(page, name, fr) {
  await page.getByLabel(fr ? 'Nom' : 'Name', { exact: true }).fill(name);
  await page.getByLabel(fr ? 'Intervalle' : 'Interval', { exact: true }).selectOption('custom');
  await page.getByLabel(fr ? 'Intervalle en secondes' : 'Interval in seconds').fill('5');
  await page.getByLabel(fr ? 'Échecs avant la panne' : 'Failures before down').fill('1');
}

describe('check kinds in the dashboard', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`a TCP monitor (${lang}, phone): the kind picked first, its fields, icon and reply`, async () => {
      const page = await newPage(browser, { locale, viewport: PHONE });
      const shot = (what) => screenshot(page, `${lang}-phone-kind-tcp-${what}`);
      await page.goto(server.base + '/dashboard/monitors/new');
      await loginInBrowser(page, { lang });
      await page.getByRole('heading', { name: fr ? 'Nouveau moniteur' : 'New monitor' }).waitFor(WAIT);
      await page.getByLabel(fr ? 'Type de contrôle' : 'Kind of check').selectOption('tcp');
      assert.equal(await page.getByLabel('URL', { exact: true }).count(), 0, 'no URL for a TCP check');

      // Checked in the browser first, the focus on the first field at fault.
      await page.getByRole('button', { name: fr ? 'Créer le moniteur' : 'Create the monitor' }).click();
      const host = page.getByLabel(fr ? 'Hôte' : 'Host', { exact: true });
      await page.locator('#mf-host-error').waitFor(WAIT);
      await page.locator('#mf-port-error').waitFor(WAIT);
      assert.equal(await host.evaluate((el) => el === document.activeElement), true, 'focus on the host');

      await host.fill('127.0.0.1');
      await page.getByLabel('Port', { exact: true }).fill(String(mail.port));
      await page.getByLabel(fr ? 'Attendu dans la réponse (facultatif)' : 'Expected in the reply (optional)').fill('220');
      await common(page, `Mail relay ${lang}`, fr);
      assert.equal(await overflowsHorizontally(page), false, 'form at 375 px');
      await shot('form');
      await page.getByRole('button', { name: fr ? 'Créer le moniteur' : 'Create the monitor' }).click();

      // Its page: what is checked, up, and the reply the check read.
      await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
      assert.equal(await page.getByTestId('monitor-target').innerText(), `TCP 127.0.0.1:${mail.port}`);
      const details = page.getByTestId('kind-details');
      await details.filter({ hasText: '220 relay.test ESMTP ready' }).waitFor(WAIT);
      await details.getByText(fr ? 'Réponse' : 'Reply', { exact: true }).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'monitor page at 375 px');
      await shot('monitor');

      // The list: its icon, named in full for screen readers.
      await page.goto(server.base + '/dashboard/monitors');
      const row = page.getByTestId('monitor-row').filter({ hasText: `Mail relay ${lang}` });
      await row.waitFor(WAIT);
      const icon = row.locator('.kind-icon');
      assert.equal(await icon.innerText(), 'TCP');
      assert.equal(await icon.getAttribute('aria-label'), fr ? 'Port TCP' : 'TCP port');
      await row.getByText(`127.0.0.1:${mail.port}`).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'list at 375 px');
      await shot('list');

      // Edit: the kind's fields come back filled; no certificate field for TCP.
      await row.getByRole('link', { name: `Mail relay ${lang}` }).click();
      await page.getByRole('link', { name: fr ? 'Modifier' : 'Edit' }).click();
      assert.equal(await page.getByLabel('Port', { exact: true }).inputValue(), String(mail.port));
      assert.equal(await page.locator('#mf-tlsExpiryWarningDays').count(), 0);
      assert.equal(await page.locator('#mf-kind').count(), 0, 'the kind is not changed on edit');
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  test('an upside-down HTTP monitor with Basic credentials (en, phone)', async () => {
    const page = await newPage(browser, { viewport: PHONE });
    await page.goto(server.base + '/dashboard/monitors/new');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'New monitor' }).waitFor(WAIT);
    // Nothing listens on port 1 of loopback: the check fails, so the monitor is up.
    await page.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:1/admin');
    await page.getByLabel('Authentication').selectOption('basic');
    await page.getByRole('button', { name: 'Create the monitor' }).click();
    await page.locator('#mf-auth-error').filter({ hasText: 'Enter a user name without a colon.' }).waitFor(WAIT);
    await page.getByLabel('User name').fill('ops');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.getByLabel(/Upside down/).check();
    await common(page, 'Admin stays closed', false);
    await screenshot(page, 'en-phone-kind-http-upside-down-form');
    await page.getByRole('button', { name: 'Create the monitor' }).click();

    await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
    const details = page.getByTestId('kind-details');
    await details.getByText('Up because the check failed').waitFor(WAIT);
    await details.getByText('connection refused').waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false);
    await screenshot(page, 'en-phone-kind-http-upside-down-monitor');

    await page.getByRole('link', { name: 'Edit' }).click();
    assert.equal(await page.getByLabel('Authentication').inputValue(), 'basic');
    assert.equal(await page.getByLabel('User name').inputValue(), 'ops');
    assert.equal(await page.getByLabel(/Upside down/).isChecked(), true);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
