// The Organizations page's configuration export: the current organization's document downloaded
// as dutyduck.yaml, secrets as ${…} references, in English and French at phone width.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer } from './harness.mjs';

const WAIT = { timeout: 30000 };
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

describe('configuration export', () => {
  for (const lang of ['en', 'fr']) {
    test(`the organization's document downloads as YAML (${lang})`, async () => {
      const page = await newPage(browser, { viewport: { width: 375, height: 800 } });
      await page.goto(server.base + '/dashboard/login');
      await loginInBrowser(page);
      await page.waitForURL((url) => !url.pathname.endsWith('/login'), WAIT);
      if (lang === 'en') {
        const status = await page.evaluate(async () => (await fetch('/notification-channels', {
          method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: 'Ops hook', kind: 'webhook', config: { url: 'https://hooks.example.com/x', secret: 'whsec-0123456789abcdef0123456789' } }),
        })).status);
        assert.equal(status, 201);
      }
      await page.evaluate((l) => localStorage.setItem('dutyduck.lang', l), lang);
      await page.goto(server.base + '/dashboard/organizations');
      const card = page.getByTestId('config-export');
      await card.getByText(lang === 'fr' ? 'Configuration sous forme de code' : 'Configuration as code').waitFor(WAIT);
      assert.match(await card.textContent(), /\$\{NAME\}/);
      assert.equal(await overflowsHorizontally(page), false, 'organizations page at 375 px');
      await screenshot(page, `config-export-${lang}`);

      const [download] = await Promise.all([
        page.waitForEvent('download', WAIT),
        card.getByRole('link', { name: lang === 'fr' ? 'Télécharger dutyduck.yaml' : 'Download dutyduck.yaml' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'dutyduck.yaml');
      const yaml = await readFile(await download.path(), 'utf8');
      assert.match(yaml, /^version: 1\nchannels:\n/);
      assert.match(yaml, /secret: "\$\{CHANNEL_OPS_HOOK_SECRET\}"/);
      assert.doesNotMatch(yaml, /whsec-0123/);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
