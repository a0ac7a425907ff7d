// A monitor's locations in the dashboard: the form's "This server" checkbox, probe labels and
// quorum are saved and read back on edit; a bad label is refused next to the field; the
// monitor's page shows its Locations section (this server's result, a label no probe answers
// yet "waiting"). In English on a desktop and in French on a 375 px phone. Real local target,
// real clock (the remote slot decides a few seconds after the check).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer, startTarget,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 740 };
let server;
let browser;
let target;

before(async () => {
  [server, browser, target] = await Promise.all([startServer(), launchBrowser(), startTarget()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await target?.close();
});

const WORDS = {
  en: {
    title: 'New monitor', name: 'Name', timeout: 'Timeout (seconds)', local: 'This server', labels: 'Probe labels',
    quorum: 'Quorum', create: 'Create the monitor', save: 'Save', edit: 'Edit', section: 'Locations', up: 'Up',
    waiting: 'Waiting', bad: 'is not a label key=value',
  },
  fr: {
    title: 'Nouveau moniteur', name: 'Nom', timeout: 'Délai d’attente (secondes)', local: 'Ce serveur',
    labels: 'Étiquettes de sondes', quorum: 'Quorum', create: 'Créer le moniteur', save: 'Enregistrer',
    edit: 'Modifier', section: 'Emplacements', up: 'Opérationnel', waiting: 'En attente',
    bad: 'n’est pas une étiquette clé=valeur',
  },
};

for (const [lang, viewport, where] of [['en', undefined, 'desktop'], ['fr', PHONE, 'phone']]) {
  describe(`locations in the dashboard (${lang}, ${where})`, () => {
    test('the form saves locations and a quorum, the page shows each location', async () => {
      const w = WORDS[lang];
      const page = await newPage(browser, { locale: lang === 'fr' ? 'fr-FR' : 'en-US', ...(viewport ? { viewport } : {}) });
      const shot = (what) => screenshot(page, `${lang}-${where}-locations-${what}`);
      await page.goto(server.base + '/dashboard/monitors/new');
      await loginInBrowser(page, { lang });
      await page.getByRole('heading', { name: w.title }).waitFor(WAIT);
      await page.getByLabel('URL', { exact: true }).fill(target.url);
      await page.getByLabel(w.name, { exact: true }).fill(`Shop ${lang}`);
      await page.getByLabel(w.timeout).fill('2');
      const field = page.getByTestId('locations-field');
      assert.equal(await field.getByLabel(w.local).isChecked(), true, 'this server by default');
      await field.getByLabel(w.labels).fill('Region=EU');
      await page.getByRole('button', { name: w.create }).click();
      await field.getByText(w.bad).waitFor(WAIT);
      await field.getByLabel(w.labels).fill('region=eu-west, tier=edge');
      await field.getByLabel(w.quorum).fill('2');
      assert.equal(await overflowsHorizontally(page), false, 'form');
      // A full-page screenshot with a focused input scrolls the phone's page back to it while
      // the next click lands: the quorum is left first.
      await field.getByLabel(w.quorum).blur();
      await field.scrollIntoViewIfNeeded();
      await shot('form');
      await page.getByRole('button', { name: w.create }).click();

      // The page: this server checked, each label waiting for a probe.
      const section = page.getByTestId('locations');
      await section.getByRole('heading', { name: w.section }).waitFor(WAIT);
      await section.locator('tr', { hasText: w.local }).locator('[data-status=up]').waitFor(WAIT);
      await section.locator('tr', { hasText: 'region=eu-west' }).getByText(w.waiting).waitFor(WAIT);
      await section.locator('tr', { hasText: 'tier=edge' }).getByText(w.waiting).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'monitor page');
      await section.scrollIntoViewIfNeeded();
      await shot('monitor');

      // Edit: what was saved comes back.
      await page.getByRole('link', { name: w.edit }).click();
      const again = page.getByTestId('locations-field');
      await again.waitFor(WAIT);
      assert.equal(await again.getByLabel(w.local).isChecked(), true);
      assert.equal(await again.getByLabel(w.labels).inputValue(), 'region=eu-west\ntier=edge');
      assert.equal(await again.getByLabel(w.quorum).inputValue(), '2');
      await again.getByLabel(w.local).uncheck();
      await again.getByLabel(w.quorum).fill('');
      await page.getByRole('button', { name: w.save }).click();
      await page.getByTestId('locations').waitFor(WAIT);
      const saved = await page.evaluate(async () => {
        const id = location.pathname.split('/').pop();
        return (await (await fetch(`/monitors/${id}`)).json()).monitor;
      });
      assert.deepEqual([saved.locations, saved.quorum], [['region=eu-west', 'tier=edge'], null]);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  });
}
