// Maintenance windows in the dashboard, on a 375 px phone in English and French: create a
// recurring window (Sundays 02:00 for 2 h, Paris time) and watch the live preview of what its
// selection covers; see it in the list and the calendar and on a covered task's page; a window
// in force shows on the monitor's page as "Maintenance", until ended from the list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer } from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 740 };
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

/** A call to the API from the logged-in page (its session cookie, its origin). */
async function call(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const response = await fetch(p, { method: m, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    return response.json();
  }, [method, path, body]);
}

describe('maintenance windows', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`a recurring window and the preview of what it covers (${lang}, phone)`, async () => {
      const page = await newPage(browser, { locale, viewport: PHONE });
      const shot = (what) => screenshot(page, `${lang}-phone-maintenance-${what}`);
      await page.goto(server.base + '/dashboard/maintenance/new');
      await loginInBrowser(page, { lang });
      await page.getByRole('heading', { name: fr ? 'Nouvelle fenêtre de maintenance' : 'New maintenance window' }).waitFor(WAIT);
      const monitor = await call(page, 'POST', '/monitors', {
        name: `Payments ${lang}`, url: 'http://127.0.0.1:1/health', intervalSeconds: 300, metadata: { team: `payments-${lang}` },
      });
      await call(page, 'POST', '/tasks', { id: `ledger-${lang}`, name: `Ledger export ${lang}` });
      await page.reload();

      // Checked in the browser first: the title, then what it covers.
      const create = page.getByRole('button', { name: fr ? 'Créer la fenêtre' : 'Create the window' });
      await create.click();
      await page.locator('#mw-title-error').waitFor(WAIT);
      await page.getByLabel(fr ? 'Titre' : 'Title', { exact: true }).fill(`Sunday upgrades ${lang}`);
      await page.getByLabel(fr ? 'Récurrente' : 'Recurring').check();
      await page.getByLabel(fr ? 'Débute à (cron)' : 'Starts at (cron)').fill('0 2 * * 0');
      await page.getByLabel(fr ? 'Durée (minutes)' : 'Lasts (minutes)').fill('120');
      assert.equal(await page.getByLabel(fr ? 'Fuseau horaire' : 'Time zone').inputValue(), 'Europe/Paris');
      // The next Sundays, each from 02:00 to 04:00 Paris time.
      const occurrences = page.getByTestId('window-occurrences');
      await occurrences.locator('li').first().waitFor(WAIT);
      assert.match(await occurrences.locator('li').first().innerText(), /02:00.*04:00/s);

      // The live preview follows the selection: the tag, then a task too.
      const coverage = page.getByTestId('coverage');
      await coverage.getByText(fr ? 'Ne couvre rien' : 'Covers nothing').waitFor(WAIT);
      await page.getByLabel(fr ? 'Étiquette (facultative)' : 'Tag (optional)').fill(`team=payments-${lang}`);
      await coverage.getByText(fr ? 'Couvre 1 moniteur(s) et 0 tâche(s)' : 'Covers 1 monitor(s) and 0 task(s)').waitFor(WAIT);
      await coverage.getByText(`Payments ${lang}`).waitFor(WAIT);
      await page.getByLabel(`Ledger export ${lang}`).check();
      await coverage.getByText(fr ? 'Couvre 1 moniteur(s) et 1 tâche(s)' : 'Covers 1 monitor(s) and 1 task(s)').waitFor(WAIT);
      await coverage.getByText(`Ledger export ${lang}`).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'form at 375 px');
      await shot('form');

      await create.click();
      await page.getByRole('heading', { name: fr ? 'Fenêtres de maintenance' : 'Maintenance windows' }).waitFor(WAIT);
      const row = page.getByTestId('maintenance-row').filter({ hasText: `Sunday upgrades ${lang}` });
      await row.waitFor(WAIT);
      await row.getByText(fr ? 'Étiquette team=payments' : 'Tagged team=payments').waitFor(WAIT);
      await page.getByTestId('maintenance-calendar').getByText(`Sunday upgrades ${lang}`).first().waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'list at 375 px');
      await shot('list');

      // The task's page names the next window covering it.
      await page.goto(`${server.base}/dashboard/tasks/ledger-${lang}`);
      await page.getByTestId('maintenance-note').getByText(`Sunday upgrades ${lang}`).waitFor(WAIT);

      // A window in force now: the monitor's page says so next to its status.
      const now = Date.now();
      await call(page, 'POST', '/maintenance-windows', {
        title: `Database move ${lang}`, startsAt: new Date(now - 60000).toISOString(), endsAt: new Date(now + 3600000).toISOString(),
        selection: { monitorIds: [monitor.id] },
      });
      await page.goto(`${server.base}/dashboard/monitors/${monitor.id}`);
      await page.locator('[data-testid=monitor-status] [data-quiet=maintenance]').waitFor(WAIT);
      await page.getByTestId('maintenance-note').getByText(`Database move ${lang}`).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'monitor page at 375 px');
      await shot('monitor');

      // Ended from the list: the monitor is no longer in maintenance.
      await page.goto(server.base + '/dashboard/maintenance');
      const active = page.getByTestId('maintenance-row').filter({ hasText: `Database move ${lang}` });
      await active.getByRole('button', { name: fr ? 'Terminer maintenant' : 'End now' }).click();
      await page.getByRole('dialog').getByRole('button', { name: fr ? 'Terminer maintenant' : 'End now' }).click();
      await active.getByText(fr ? 'Terminée' : 'Over').waitFor(WAIT);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
