// Dependencies in the dashboard, in French on a 375 px phone: the monitor form picks an upstream
// from a searchable list, the monitor's page shows it (and the upstream's page its dependent);
// when both fail, the dependent reads "en panne (amont)" and the upstream's incident names it;
// a cycle is refused next to the field, naming it. Real local targets, real clock (5 s checks).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer, startTarget,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 740 };
let server;
let browser;
let routerTarget;
let shopTarget;

before(async () => {
  [server, browser, routerTarget, shopTarget] = await Promise.all([startServer(), launchBrowser(), startTarget(), startTarget()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await routerTarget?.close();
  await shopTarget?.close();
});

describe('dependencies in the dashboard', () => {
  test('picking an upstream and seeing it on both pages (fr, phone)', async () => {
    const page = await newPage(browser, { locale: 'fr-FR', viewport: PHONE });
    const shot = (what) => screenshot(page, `fr-phone-dependencies-${what}`);
    await page.goto(server.base + '/dashboard/monitors/new');
    await loginInBrowser(page, { lang: 'fr' });
    await page.getByRole('heading', { name: 'Nouveau moniteur' }).waitFor(WAIT);
    // The router exists already (made through the API with the page's session).
    const router = await page.evaluate(async (url) => {
      const response = await fetch('/monitors', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Routeur', url, intervalSeconds: 5, downtimeConfirmationThreshold: 1 }),
      });
      return (await response.json()).id;
    }, routerTarget.url);
    assert.ok(router);

    await page.getByLabel('URL', { exact: true }).fill(shopTarget.url);
    await page.getByLabel('Nom', { exact: true }).fill('Boutique');
    await page.getByLabel('Intervalle', { exact: true }).selectOption('custom');
    await page.getByLabel('Intervalle en secondes').fill('5');
    await page.getByLabel('Échecs avant la panne').fill('1');
    const field = page.getByTestId('upstreams-field');
    await field.getByText('Aucun amont : celui-ci alerte seul.').waitFor(WAIT);
    await field.getByLabel('Chercher un moniteur').fill('rout');
    await field.getByRole('checkbox', { name: /Routeur/ }).check();
    await field.getByRole('list', { name: 'Amonts choisis' }).getByText('Routeur').waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false, 'form at 375 px');
    await field.scrollIntoViewIfNeeded();
    await shot('form');
    await page.getByRole('button', { name: 'Créer le moniteur' }).click();

    // The dependent's page: its upstream, with its status, a link to it.
    await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
    const upstreams = page.getByTestId('upstreams');
    await upstreams.getByRole('link', { name: 'Routeur' }).waitFor(WAIT);
    await upstreams.locator('[data-status=up]').waitFor(WAIT);
    await page.getByText('Rien ne dépend de ce moniteur.').waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false, 'monitor page at 375 px');
    await page.getByTestId('dependencies').scrollIntoViewIfNeeded();
    await shot('monitor');

    // The router fails, then the shop (down at its first failure, it would page on its own if
    // checked before the router's failure was seen): the shop is "en panne (amont)", no incident.
    routerTarget.setUp(false);
    await upstreams.locator('[data-status=down]').waitFor(WAIT);
    shopTarget.setUp(false);
    await page.locator('[data-testid=monitor-status] [data-quiet=upstream]').filter({ hasText: 'en panne (amont)' }).waitFor(WAIT);
    await page.getByTestId('quiet-note').filter({ hasText: 'Routeur' }).waitFor(WAIT);
    assert.equal(await page.getByTestId('open-incident').count(), 0, 'no incident of its own');
    await shot('quiet');

    // The router's page lists its dependent, quiet; its incident names it on the timeline.
    await upstreams.getByRole('link', { name: 'Routeur' }).click();
    const dependents = page.getByTestId('dependents');
    await dependents.getByRole('link', { name: 'Boutique' }).waitFor(WAIT);
    await dependents.locator('[data-quiet=upstream]').waitFor(WAIT);
    await page.getByTestId('open-incident').getByRole('link').click();
    await page.getByTestId('dependents-affected').filter({ hasText: '1 dépendant touché : Boutique' }).waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false, 'incident at 375 px');
    await page.getByTestId('dependents-affected').scrollIntoViewIfNeeded();
    await shot('incident');

    // The router depending on the shop would make a cycle: refused next to the field, named.
    await page.goto(`${server.base}/dashboard/monitors/${router}/edit`);
    const routerField = page.getByTestId('upstreams-field');
    await routerField.getByLabel('Chercher un moniteur').fill('Bout');
    await routerField.getByRole('checkbox', { name: /Boutique/ }).check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.locator('#mf-upstreams-error').filter({ hasText: 'Routeur → Boutique → Routeur' }).waitFor(WAIT);
    await shot('cycle');
    // The refused save is the one request that failed.
    assert.deepEqual(page.problems.filter((p) => !p.includes('status of 422')), []);
    await page.context().close();
  });
});
