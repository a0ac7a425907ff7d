// Getting in, in English and French on a 375 px phone: sign up on a server with `--signup
// open`, log out, forget the password, follow the e-mailed link (a real SMTP receiver in this
// file) to choose a new one, and log in with it; then the sessions of two browsers, one ending
// the other's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import {
  PASSWORD, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 740 };
let server;
let browser;
let smtp;

/** An SMTP server that accepts every message; `mails` holds each message's text. */
async function startSmtp() {
  const mails = [];
  const tcp = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.write('220 receiver ESMTP\r\n');
    let buffer = '';
    let data = null;
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === '.') { mails.push(data); data = null; socket.write('250 OK\r\n'); }
          else data += (line.startsWith('..') ? line.slice(1) : line) + '\n';
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'DATA') { data = ''; socket.write('354 go on\r\n'); }
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise((r) => tcp.listen(0, '127.0.0.1', r));
  return { port: tcp.address().port, mails, close: () => new Promise((r) => tcp.close(r)) };
}

/** The path and query of the reset link in the e-mail to `email`, once it has arrived. */
async function resetLinkFor(email) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const mail = smtp.mails.find((m) => m.includes(`To: ${email}`));
    if (mail) {
      const [head, ...body] = mail.split('\n\n');
      let text = body.join('\n\n');
      if (/quoted-printable/i.test(head)) {
        text = text.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
      } else if (/base64/i.test(head)) text = Buffer.from(text, 'base64').toString('utf8');
      const link = /https:\/\/duck\.example\.com(\/dashboard\/reset-password\?token=[0-9a-f]{64})/.exec(text);
      assert.ok(link, `a reset link in ${text}`);
      return link[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no e-mail to ${email}`);
}

before(async () => {
  smtp = await startSmtp();
  [server, browser] = await Promise.all([
    startServer(['--signup', 'open', '--smtp-url', `smtp://127.0.0.1:${smtp.port}`,
      '--smtp-from', 'dutyduck <duck@example.com>', '--public-url', 'https://duck.example.com']),
    launchBrowser(),
  ]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

describe('access', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`sign up, forget the password, reset it by e-mail, log in (${lang}, phone)`, async () => {
      const page = await newPage(browser, { locale, viewport: PHONE });
      const shot = (what) => screenshot(page, `${lang}-phone-access-${what}`);
      const email = `grace-${lang}@example.com`;
      const newPassword = 'une tarte aux poires';

      await page.goto(server.base + '/dashboard/login');
      const signupLink = page.getByRole('link', { name: fr ? 'Pas encore de compte ? Inscrivez-vous' : 'No account yet? Sign up' });
      await signupLink.waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'login page at 375 px');
      await shot('login');
      await signupLink.click();
      await page.getByRole('heading', { name: fr ? 'Inscription' : 'Sign up' }).waitFor(WAIT);
      await page.getByLabel(fr ? 'Nom de l’organisation' : 'Organization name').fill(`Navy ${lang}`);
      await page.getByLabel(fr ? 'Prénom' : 'First name').fill('Grace');
      await page.getByLabel(fr ? 'Nom' : 'Last name', { exact: true }).fill('Hopper');
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel(fr ? 'Mot de passe' : 'Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel(fr ? 'Mot de passe (confirmation)' : 'Password again').fill(PASSWORD);
      assert.equal(await overflowsHorizontally(page), false, 'sign-up page at 375 px');
      await shot('signup');
      await page.getByRole('button', { name: fr ? 'S’inscrire' : 'Sign up' }).click();
      await page.getByRole('heading', { name: fr ? 'Bonjour Grace' : 'Hello Grace' }).waitFor(WAIT);

      // Signed out, the password forgotten.
      await page.getByRole('button', { name: /Grace Hopper/ }).click();
      await page.getByRole('menuitem', { name: fr ? 'Se déconnecter' : 'Log out' }).click();
      await page.getByRole('link', { name: fr ? 'Mot de passe oublié ?' : 'Forgot your password?' }).click();
      await page.getByLabel('E-mail').fill(email);
      await page.getByRole('button', { name: fr ? 'Envoyer le lien' : 'Send the link' }).click();
      await page.getByText(fr ? /un lien pour choisir un nouveau mot de passe lui a été envoyé/ : /a link to choose a new password is on its way/).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'request page at 375 px');
      await shot('forgot');

      await page.goto(server.base + await resetLinkFor(email));
      await page.getByRole('heading', { name: fr ? 'Choisir un nouveau mot de passe' : 'Choose a new password' }).waitFor(WAIT);
      await page.getByLabel(fr ? 'Nouveau mot de passe' : 'New password').fill(newPassword);
      await page.getByLabel(fr ? 'Mot de passe (confirmation)' : 'Password again').fill(newPassword);
      await page.getByRole('button', { name: fr ? 'Enregistrer le mot de passe' : 'Set the password' }).click();
      await page.getByText(fr ? /Votre mot de passe est enregistré/ : /Your password is set/).waitFor(WAIT);
      assert.doesNotMatch(page.url(), /token=/, 'the secret leaves the address bar');
      await shot('reset');

      await page.getByRole('link', { name: fr ? 'Retour à la connexion' : 'Back to log in' }).click();
      await loginInBrowser(page, { lang, email, password: newPassword });
      await page.getByRole('heading', { name: fr ? 'Bonjour Grace' : 'Hello Grace' }).waitFor(WAIT);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  for (const [lang, locale, viewport] of [['en', 'en-US', undefined], ['fr', 'fr-FR', PHONE]]) {
    const fr = lang === 'fr';
    test(`two browsers' sessions, the first ending the other's (${lang}${viewport ? ', phone' : ''})`, async () => {
      const [laptop, phone] = [await newPage(browser, { locale, viewport }), await newPage(browser, { locale })];
      for (const page of [laptop, phone]) {
        await page.goto(server.base + '/dashboard');
        await loginInBrowser(page, { lang });
        await page.getByRole('heading', { name: fr ? 'Bonjour Ada' : 'Hello Ada' }).waitFor(WAIT);
      }
      await laptop.goto(server.base + '/dashboard/account#sessions');
      const rows = laptop.getByTestId('session-row');
      await rows.nth(1).waitFor(WAIT);
      const count = await rows.count();
      await rows.filter({ hasText: fr ? 'Ce navigateur' : 'This browser' }).waitFor(WAIT);
      if (viewport) assert.equal(await overflowsHorizontally(laptop), false, 'sessions at 375 px');
      await screenshot(laptop, `${lang}${viewport ? '-phone' : ''}-sessions`);

      // Newest first: the phone signed in last, so its session heads the list.
      const phoneRow = rows.first();
      assert.doesNotMatch(await phoneRow.textContent(), fr ? /Ce navigateur/ : /This browser/);
      await phoneRow.getByRole('button', { name: fr ? /^Fermer la session de Chrome/ : /^End the session of Chrome/ }).click();
      await laptop.getByRole('dialog').getByRole('button', { name: fr ? 'Fermer la session' : 'End the session', exact: true }).click();
      await laptop.waitForFunction((n) => document.querySelectorAll('[data-testid=session-row]').length === n - 1, count, WAIT);

      // The other browser, at its next request, is signed out.
      await phone.reload();
      await phone.getByRole('button', { name: fr ? 'Se connecter' : 'Log in' }).waitFor(WAIT);
      if (count === 2) {
        await laptop.getByText(fr ? 'C’est votre seule session.' : 'This is your only session.').waitFor(WAIT);
      }
      for (const page of [laptop, phone]) {
        assert.deepEqual(page.problems.filter((p) => !p.includes('401')), []);
        await page.context().close();
      }
    });
  }
});
