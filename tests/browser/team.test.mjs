// The Team page on a 375 px phone, in English and French: Ada invites someone and copies the
// link; the link opened in a SECOND browser context (a stranger, signed out) shows the offer,
// and accepting it with a name and a password signs the new member in; then Ada, in two
// organizations, switches between them in the header.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PASSWORD, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
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

/** The active organization's display name, asked from the page's own session. */
const activeOrg = (page) => page.evaluate(async () => (await (await fetch('/users/me')).json()).active_organization.displayName);

describe('team', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`invite, accept in a second browser, switch organizations (${lang}, phone)`, async () => {
      const page = await newPage(browser, { locale, viewport: PHONE });
      const shot = (p, what) => screenshot(p, `${lang}-phone-team-${what}`);
      await page.goto(server.base + '/dashboard');
      await loginInBrowser(page, { lang });
      await page.locator('.usermenu-button').click();
      await page.getByRole('menuitem', { name: fr ? 'Équipe' : 'Team', exact: true }).click();
      await page.getByTestId('member-row').first().waitFor(WAIT);

      const email = `bob-${lang}@example.com`;
      await page.getByLabel(fr ? 'Adresse e-mail' : 'E-mail address').fill(email);
      await page.getByLabel(fr ? 'Rôle' : 'Role', { exact: true }).selectOption('Editor');
      await page.getByRole('button', { name: fr ? 'Inviter' : 'Invite', exact: true }).click();
      const issued = page.getByTestId('invitation-link');
      await issued.waitFor(WAIT);
      const link = await issued.locator('code').textContent();
      assert.match(link, /\/dashboard\/invitation\?organizationId=.+&invitationId=.+&token=[0-9a-f]{64}$/);
      await issued.getByRole('button', { name: fr ? 'Copier le lien d’invitation' : 'Copy the invitation link' }).click();
      await page.getByTestId('invitation-row').filter({ hasText: email }).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'team page at 375 px');
      await shot(page, 'invited');

      // A stranger's browser: signed out, the link shows the offer and makes the account.
      const stranger = await newPage(browser, { locale, viewport: PHONE });
      await stranger.goto(link);
      const offer = stranger.getByTestId('invitation-offer');
      await offer.waitFor(WAIT);
      assert.match(await offer.textContent(), fr ? /Ada Lovelace vous invite à rejoindre Acme comme Éditeur/
        : /Ada Lovelace invites you to join Acme as Editor/);
      assert.equal(await overflowsHorizontally(stranger), false, 'invitation page at 375 px');
      await shot(stranger, 'invitation');
      await stranger.getByLabel(fr ? 'Prénom' : 'First name').fill('Bob');
      await stranger.getByLabel(fr ? 'Nom' : 'Last name', { exact: true }).fill('Martin');
      await stranger.getByLabel(fr ? 'Mot de passe' : 'Password', { exact: true }).fill(PASSWORD);
      await stranger.getByRole('button', { name: fr ? 'Accepter' : 'Accept', exact: true }).click();
      await stranger.getByRole('link', { name: fr ? 'Moniteurs' : 'Monitors', exact: true }).waitFor(WAIT);
      assert.equal(new URL(stranger.url()).pathname, '/dashboard');
      assert.equal(await activeOrg(stranger), 'Acme');
      await shot(stranger, 'accepted');
      assert.deepEqual(stranger.problems, []);
      await stranger.context().close();

      // Bob is a member now, no longer pending.
      await page.reload();
      await page.getByTestId('member-row').filter({ hasText: email }).waitFor(WAIT);
      assert.equal(await page.getByTestId('invitation-row').filter({ hasText: email }).count(), 0);

      // A second organization: the switcher appears in the header and moves the session.
      const other = `Beta ${lang}`;
      await page.evaluate(async (name) => {
        const r = await fetch('/organizations', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ displayName: name }) });
        if (r.status !== 201) throw new Error(await r.text());
      }, other);
      await page.reload();
      const switcher = page.getByTestId('org-switcher');
      await switcher.waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'header with the switcher at 375 px');
      await shot(page, 'switcher');
      await Promise.all([page.waitForEvent('load'), switcher.selectOption({ label: other })]);
      await switcher.waitFor(WAIT);
      assert.equal(await activeOrg(page), other);
      assert.equal(await switcher.evaluate((s) => s.selectedOptions[0].textContent), other);
      await page.getByRole('heading', { level: 1 }).filter({ hasText: other }).waitFor(WAIT);
      // And back, so the next language starts in Acme.
      await Promise.all([page.waitForEvent('load'), switcher.selectOption({ label: 'Acme' })]);
      await switcher.waitFor(WAIT);
      assert.equal(await activeOrg(page), 'Acme');
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});

/** Calls the API from node as the dashboard would (the session cookie and our Origin). */
async function call(cookie, method, path, body) {
  const headers = { Origin: server.base, 'Content-Type': 'application/json' };
  if (cookie) headers.Cookie = cookie;
  const response = await fetch(server.base + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return { data: text ? JSON.parse(text) : null, cookie: response.headers.get('set-cookie')?.split(';')[0] };
}

describe('team, existing accounts', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`an existing user logs in from the link and accepts; an organization is deleted by typing its name (${lang})`, async () => {
      // Carol already has an account (in Acme); Ada invites her into a new organization.
      const ada = (await call(null, 'POST', '/auth/login', { email: 'ada@example.com', password: PASSWORD })).cookie;
      const acme = (await call(ada, 'GET', '/users/me')).data.active_organization.id;
      const carol = `carol-${lang}@example.com`;
      const first = (await call(ada, 'POST', `/organizations/${acme}/members/invite`, { email: carol, role: 'Reporter' })).data;
      const firstPath = new URL(first.link).searchParams;
      await call(null, 'POST', `/organizations/${acme}/invitations/${firstPath.get('invitationId')}/accept`,
        { token: firstPath.get('token'), userDetails: { firstName: 'Carol', lastName: 'Shaw', password: PASSWORD } });
      const gamma = `Gamma ${lang}`;
      const org = (await call(ada, 'POST', '/organizations', { displayName: gamma })).data;
      await call(ada, 'PUT', '/auth/session/organization', { organizationId: org.id });
      const { link } = (await call(ada, 'POST', `/organizations/${org.id}/members/invite`, { email: carol, role: 'Editor' })).data;

      const page = await newPage(browser, { locale });
      await page.goto(link);
      await page.getByTestId('invitation-offer').waitFor(WAIT);
      await page.getByRole('link', { name: fr ? 'Se connecter' : 'Log in', exact: true }).click();
      await loginInBrowser(page, { lang, email: carol });
      const accept = page.getByRole('button', { name: fr ? 'Accepter' : 'Accept', exact: true });
      await accept.waitFor(WAIT);
      assert.equal(new URL(page.url()).pathname, '/dashboard/invitation');
      await screenshot(page, `${lang}-desktop-team-invitation-signed-in`);
      await accept.click();
      await page.getByTestId('org-switcher').waitFor(WAIT);
      assert.equal(await activeOrg(page), gamma);
      assert.deepEqual(page.problems, []);
      await page.context().close();

      // Ada deletes Gamma from the Organizations page: the button waits for the name typed.
      const owner = await newPage(browser, { locale });
      await owner.goto(server.base + '/dashboard/organizations');
      await loginInBrowser(owner, { lang });
      const row = owner.getByTestId('org-row').filter({ hasText: gamma });
      await row.getByRole('button', { name: fr ? 'Supprimer' : 'Delete', exact: true }).click();
      const dialog = owner.getByRole('dialog');
      const confirm = dialog.getByRole('button', { name: fr ? 'Supprimer définitivement' : 'Delete for good' });
      assert.equal(await confirm.isDisabled(), true);
      await dialog.getByLabel(fr ? `Tapez ${gamma} pour confirmer` : `Type ${gamma} to confirm`).fill(gamma);
      await screenshot(owner, `${lang}-desktop-team-delete-organization`);
      await Promise.all([owner.waitForEvent('load'), confirm.click()]);
      await owner.goto(server.base + '/dashboard/organizations');
      await owner.getByTestId('org-row').first().waitFor(WAIT);
      assert.equal(await owner.getByTestId('org-row').filter({ hasText: gamma }).count(), 0);
      assert.deepEqual(owner.problems, []);
      await owner.context().close();
    });
  }
});
