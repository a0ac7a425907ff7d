// The audit log in the dashboard, in English and French, on a desktop and a 375 px phone: make a
// monitor, find its creation in the Audit log (reached from the navigation), filter by resource
// and action, follow the person's name to their changes, and export the selection as CSV.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

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

/** Creates a paused monitor from the logged-in page; returns its id. */
async function makeMonitor(page, name) {
  return page.evaluate(async (monitorName) => {
    const response = await fetch('/monitors', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: monitorName, url: 'https://example.com/health', isActive: false }),
    });
    if (!response.ok) throw new Error(`monitor: ${response.status} ${await response.text()}`);
    return (await response.json()).id;
  }, name);
}

describe('audit log', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 375, height: 740 }]]) {
      test(`a new monitor in the audit log, filtered and exported (${lang}, ${device})`, async () => {
        const page = await newPage(browser, { locale, viewport });
        const shot = (what) => screenshot(page, `${lang}-${device}-audit-${what}`);
        await page.goto(server.base + '/dashboard');
        await loginInBrowser(page, { lang });
        await page.locator('.usermenu-button').waitFor(WAIT);
        if (device === 'desktop') {
          const bar = await page.locator('.topbar').boundingBox();
          assert.ok(bar.height < 80, `the header is one row at 1280 px (${bar.height} px high)`);
        }
        const id = await makeMonitor(page, `Shop ${lang} ${device}`);

        // The team's and organization's pages are in the user menu, keeping the header one row.
        await page.locator('.usermenu-button').click();
        await page.getByRole('menuitem', { name: fr ? 'Journal d’audit' : 'Audit log', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: fr ? 'Journal d’audit' : 'Audit log' }).waitFor(WAIT);
        const created = page.getByTestId('audit-row').filter({ hasText: id });
        await created.waitFor(WAIT);
        assert.match(await created.innerText(), fr ? /Création · moniteur/ : /Created · monitor/);
        assert.match(await created.innerText(), /Ada Lovelace/);
        assert.match(await created.innerText(), /127\.0\.0\.1/);
        // The sign-in just made is there too.
        await page.getByTestId('audit-row').filter({ hasText: fr ? 'Connexion' : 'Signed in' }).first().waitFor(WAIT);
        assert.equal(await overflowsHorizontally(page), false, `audit log at ${viewport.width} px`);
        await shot('list');

        // Filters: monitors, created; only monitor creations remain, and the address says so.
        await page.getByLabel(fr ? 'Ressource' : 'Resource', { exact: true }).selectOption('monitor');
        await page.getByLabel('Action', { exact: true }).selectOption('create');
        await page.waitForURL(/resourceType=monitor&action=create/, WAIT);
        await page.getByTestId('audit-row').filter({ hasText: fr ? 'Connexion' : 'Signed in' }).waitFor({ state: 'detached', ...WAIT });
        // The sign-in rows go as the filtered page loads; the monitor's row is on that page.
        await created.waitFor(WAIT);
        const rows = await page.getByTestId('audit-row').allInnerTexts();
        assert.ok(rows.length >= 1 && rows.every((r) => (fr ? /Création · moniteur/ : /Created · monitor/).test(r)), rows.join('\n'));
        await shot('filtered');

        // The person's name filters by them.
        await created.getByRole('button', { name: 'Ada Lovelace' }).click();
        await page.waitForURL(/userId=/, WAIT);
        await page.getByRole('button', { name: fr ? 'Tout le monde' : 'Everyone' }).waitFor(WAIT);

        // The export is the same selection, as CSV with a header row.
        const [download] = await Promise.all([
          page.waitForEvent('download', WAIT),
          page.getByTestId('audit-export-csv').click(),
        ]);
        assert.equal(download.suggestedFilename(), 'audit-log.csv');
        const csv = await readFile(await download.path(), 'utf8');
        const lines = csv.trim().split('\r\n');
        assert.match(lines[0], /^id,at,actorKind,userId,actorName,tokenId,address,resourceType,resourceId,action,fields,details$/);
        assert.ok(lines.slice(1).some((l) => l.includes(`,monitor,${id},create,`)), csv);
        assert.ok(lines.slice(1).every((l) => l.includes(',monitor,') && l.includes(',create,')), csv);
        assert.deepEqual(page.problems, []);
        await page.context().close();
      });
    }
  }
});
