// The Probes page: adding a probe shows its token once with the command that runs it; a new
// token; deleting after a confirmation; an instance-wide probe (from `dutyduck probes add`)
// listed read-only. In English and French at phone width.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer } from './harness.mjs';

const WAIT = { timeout: 30000 };
let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await setupAdmin(server.base);
  execFileSync(BIN, ['--data-dir', server.dataDir, 'probes', 'add', '--name', 'shared-eu', '--label', 'region=eu-west']);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const WORDS = {
  en: { add: 'Add a probe', name: 'Name', labels: 'Labels', submit: 'Add the probe', saved: 'I saved the token',
    waiting: 'Waiting', shared: 'instance-wide', newToken: 'New token', makeToken: 'Make a new token',
    remove: 'Delete', confirmRemove: 'Delete the probe' },
  fr: { add: 'Ajouter une sonde', name: 'Nom', labels: 'Étiquettes', submit: 'Ajouter la sonde', saved: 'J\u2019ai sauvegardé le jeton',
    waiting: 'En attente', shared: 'toute l\u2019instance', newToken: 'Nouveau jeton', makeToken: 'Créer un nouveau jeton',
    remove: 'Supprimer', confirmRemove: 'Supprimer la sonde' },
};

describe('probes page', () => {
  for (const lang of ['en', 'fr']) {
    test(`a probe is added with its token shown once, given a new token and deleted (${lang})`, async () => {
      const w = WORDS[lang];
      const name = `probe-${lang}`;
      const page = await newPage(browser, { viewport: { width: 375, height: 800 } });
      await page.goto(server.base + '/dashboard/login');
      await loginInBrowser(page);
      await page.waitForURL((url) => !url.pathname.endsWith('/login'), WAIT);
      await page.evaluate((l) => localStorage.setItem('dutyduck.lang', l), lang);
      await page.goto(server.base + '/dashboard/probes');
      const shared = page.getByTestId('probe-row').filter({ hasText: 'shared-eu' });
      await shared.waitFor(WAIT);
      assert.match(await shared.textContent(), new RegExp(w.shared));
      assert.equal(await shared.getByRole('button').count(), 0, 'an instance-wide probe is read-only');

      await page.getByRole('button', { name: w.add }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(w.name, { exact: true }).fill(name);
      await dialog.getByLabel(w.labels, { exact: true }).fill('region=eu-west, tier=Gold');
      await screenshot(page, `${lang}-phone-probe-add`);
      await dialog.getByRole('button', { name: w.submit }).click();
      const token = await page.getByTestId('probe-token').textContent(WAIT);
      assert.match(token, /^ddp_[0-9a-f]{32}_[0-9a-f]{64}$/);
      const command = await page.getByTestId('probe-command').textContent();
      assert.equal(command, `DUTYDUCK_PROBE_TOKEN=${token} dutyduck probe --server ${server.base}`);
      assert.equal(await overflowsHorizontally(page), false, 'the token panel at 375 px');
      await screenshot(page, `${lang}-phone-probe-token`);
      await page.getByRole('button', { name: w.saved }).click();
      assert.equal(await page.getByTestId('probe-token').count(), 0, 'shown once');

      const row = page.getByTestId('probe-row').filter({ hasText: name });
      await row.waitFor(WAIT);
      const text = await row.textContent();
      assert.match(text, /region=eu-west/);
      assert.match(text, /tier=Gold/);
      assert.match(text, new RegExp(w.waiting));
      assert.equal(await overflowsHorizontally(page), false, 'the list at 375 px');
      await screenshot(page, `${lang}-phone-probes`);

      // The new navigation entry keeps the header one row at 1280 px.
      await page.setViewportSize({ width: 1280, height: 800 });
      const bar = await page.locator('.topbar').boundingBox();
      await screenshot(page, `${lang}-desktop-probes`);
      assert.ok(bar.height < 80, `the header is one row at 1280 px (${bar.height} px high)`);
      await page.setViewportSize({ width: 375, height: 800 });
      await row.getByRole('button', { name: w.newToken }).click();
      await page.getByRole('dialog').getByRole('button', { name: w.makeToken }).click();
      const renewed = await page.getByTestId('probe-token').textContent(WAIT);
      assert.notEqual(renewed, token);
      await page.getByRole('button', { name: w.saved }).click();

      await row.getByRole('button', { name: w.remove }).click();
      await page.getByRole('dialog').getByRole('button', { name: w.confirmRemove }).click();
      await row.waitFor({ state: 'detached', ...WAIT });
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
