// Escalation in the dashboard, in English and French on a 375 px phone: a policy with two
// steps (a channel, then a member, urgent) made on the Escalation page, picked on a monitor's
// form (the API then lists the monitor among the policy's sources), its first step on the
// timeline of a task's incident, and quiet hours set in "My notifications" on the account page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

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

/** A request from the logged-in page (its session cookie). */
function call(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const response = await fetch(p, {
      method: m, headers: { 'Content-Type': 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${m} ${p}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }, [method, path, body]);
}

describe('escalation', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`a two-step policy, picked on a monitor, and quiet hours (${lang}, phone)`, async () => {
      const page = await newPage(browser, { locale, viewport: PHONE });
      const shot = (what) => screenshot(page, `${lang}-phone-escalation-${what}`);
      await page.goto(server.base + '/dashboard');
      await loginInBrowser(page, { lang });
      // The Escalation page is opened below from the Notifications page, which links to it.
      const navLink = page.getByRole('link', { name: 'Notifications', exact: true }).first();
      await navLink.waitFor(WAIT);
      const hook = `Ops hook ${lang}`;
      await call(page, 'POST', '/notification-channels', { name: hook, kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
      const monitor = await call(page, 'POST', '/monitors', { name: `Shop ${lang}`, url: 'http://127.0.0.1:9/', isActive: false });

      await navLink.click();
      await page.getByRole('link', { name: fr ? 'Politiques d’escalade' : 'Escalation policies', exact: true }).click();
      const name = `Night shift ${lang}`;
      await page.getByRole('heading', { name: fr ? 'Politiques d’escalade' : 'Escalation policies' }).waitFor(WAIT);
      await page.getByRole('button', { name: fr ? 'Nouvelle politique' : 'New policy' }).click();
      const form = page.getByTestId('escalation-form');
      await form.getByLabel(fr ? 'Nom' : 'Name', { exact: true }).fill(name);
      const steps = form.getByTestId('escalation-step');
      await steps.nth(0).getByLabel(hook).check();
      await steps.nth(0).getByLabel(fr ? 'Minutes d’attente d’une prise en charge' : 'Minutes to wait for an acknowledgement').fill('5');
      await form.getByRole('button', { name: fr ? 'Ajouter une étape' : 'Add a step' }).click();
      await steps.nth(1).getByLabel('ada@example.com').check();
      await steps.nth(1).getByLabel(fr ? /Urgente/ : /Urgent/).check();
      assert.equal(await overflowsHorizontally(page), false, 'policy form at 375 px');
      await shot('form');
      await form.getByRole('button', { name: fr ? 'Enregistrer la politique' : 'Save the policy' }).click();
      await page.getByTestId('escalation-policy').filter({ hasText: name }).waitFor(WAIT);
      await shot('list');
      const policies = await call(page, 'GET', '/escalation-policies');
      const policy = policies.items.find((p) => p.name === name);
      assert.equal(policy.steps.length, 2);
      assert.equal(policy.steps[0].afterMinutes, 5);
      assert.equal(policy.steps[1].urgent, true);
      assert.equal(policy.steps[1].members.length, 1);

      await page.goto(`${server.base}/dashboard/monitors/${monitor.id}/edit`);
      const picker = page.getByLabel(fr ? 'Politique d’escalade' : 'Escalation policy');
      await picker.waitFor(WAIT);
      await picker.selectOption({ label: name });
      await shot('picker');
      await page.getByRole('button', { name: fr ? 'Enregistrer' : 'Save', exact: true }).click();
      await page.waitForURL(new RegExp(`/dashboard/monitors/${monitor.id}$`), WAIT);
      const picked = await call(page, 'GET', `/escalation-policies/${policy.id}`);
      assert.deepEqual(picked.sources, [{ family: 'monitor', sourceId: monitor.id }]);

      // A task picking the policy fails: step 1 is on its incident's timeline.
      const task = `backup-${lang}`;
      await call(page, 'POST', '/tasks', { id: task, name: `Backup ${lang}`, escalationPolicy: policy.id });
      await call(page, 'POST', `/tasks/${task}/start`);
      await call(page, 'POST', `/tasks/${task}/finish`, { status: 'failure', exitCode: 1 });
      const incident = (await call(page, 'GET', `/incidents?sourceId=${task}`)).items[0];
      await page.goto(`${server.base}/dashboard/incidents/${incident.id}`);
      const note = page.getByTestId('escalation-event').first();
      await note.waitFor(WAIT);
      assert.equal(await note.textContent(), fr
        ? `Étape 1 de « ${name} » envoyée : 1 notification(s).`
        : `Step 1 of “${name}” sent: 1 notification(s).`);
      await note.scrollIntoViewIfNeeded();
      await shot('timeline');

      await page.goto(server.base + '/dashboard/account');
      const mine = page.getByTestId('my-notifications');
      await mine.getByLabel(fr ? 'Heures calmes' : 'Quiet hours').check();
      await mine.getByLabel(fr ? 'Fuseau horaire' : 'Time zone').fill('Europe/Paris');
      await mine.getByRole('button', { name: fr ? 'Enregistrer mes notifications' : 'Save my notifications' }).click();
      await mine.getByText(fr ? 'Enregistré.' : 'Saved.').waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'account page at 375 px');
      await mine.scrollIntoViewIfNeeded();
      await shot('mine');
      const prefs = await call(page, 'GET', '/users/me/notification-preferences');
      assert.deepEqual(prefs.quietHours, { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' });
      await page.close();
    });
  }
});
