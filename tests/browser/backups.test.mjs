// Scheduled backups on the home page: administrators see when the last one was written, in
// English and French.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, loginInBrowser, newPage, setupAdmin, startServer } from './harness.mjs';

const WAIT = { timeout: 30000 };
let server;
let browser;

before(async () => {
  // The first scheduled backup is written at start (the folder is empty).
  [server, browser] = await Promise.all([startServer(['--backup-every', '24h']), launchBrowser()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('backup status', () => {
  test('the home page tells an administrator when the last backup was written', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    const line = page.getByTestId('backup-status');
    await line.getByText('Last scheduled backup:').waitFor(WAIT);
    await line.locator('time').waitFor(WAIT);
    assert.doesNotMatch(await line.textContent(), /failed/);

    await page.evaluate(() => localStorage.setItem('dutyduck.lang', 'fr'));
    await page.reload();
    await page.getByTestId('backup-status').getByText('Dernière sauvegarde planifiée :').waitFor(WAIT);
  });
});
