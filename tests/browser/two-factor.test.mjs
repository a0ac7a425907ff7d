// Two-factor sign-in in the dashboard: enrol with the key the page shows (the code computed here
// with node's HMAC-SHA1, RFC 6238), sign out, sign in with a code and with a recovery code, and a
// member sent to enrolment by the Owner's requirement, and sign-in by a reverse proxy's header; English and French, 375 px wide.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { BIN, PASSWORD, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer } from './harness.mjs';

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

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/**
 * The code of the current 30 s step plus `ahead` (the server accepts one step either side; a
 * code works once, so a sign-in right after the enrolment uses the next step's code).
 */
function totp(secret, ahead = 0) {
  const step = BigInt(Math.floor(Date.now() / 1000 / 30) + ahead);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(step);
  const hash = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = hash[19] & 0x0f;
  return String((hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Enrols the signed-in user on the page; returns the key and the recovery codes shown. */
async function enrol(page, { fr = false, shot = null } = {}) {
  await page.getByRole('button', { name: fr ? 'Configurer l\'authentification à deux facteurs' : 'Set up two-factor authentication' }).click();
  const secret = (await page.getByTestId('two-factor-secret').textContent()).trim();
  await page.getByLabel(fr ? 'Code de l\'application' : 'Code from the app').fill(totp(secret));
  if (shot) await screenshot(page, shot);
  await page.getByRole('button', { name: fr ? 'Activer' : 'Turn on', exact: true }).click();
  await page.getByTestId('recovery-codes').waitFor(WAIT);
  const codes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
  return { secret, codes };
}

async function logout(page, fr = false) {
  await page.getByRole('button', { name: fr ? /Menu du compte/ : /Account menu/ }).click();
  await page.getByRole('menuitem', { name: fr ? 'Se déconnecter' : 'Log out' }).click();
  await page.getByRole('heading', { name: fr ? 'Connexion' : 'Log in' }).waitFor(WAIT);
}

let ada;

describe('two-factor sign-in', () => {
  test('enrol on the account page, sign out, sign in with a code', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: /^Hello / }).waitFor(WAIT);
    await page.goto(server.base + '/dashboard/account#two-factor');
    await page.getByRole('heading', { name: 'Two-factor authentication', exact: true }).waitFor(WAIT);
    ada = await enrol(page);
    assert.equal(ada.codes.length, 10);
    assert.match(ada.codes[0], /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    await screenshot(page, 'two-factor-recovery-codes-en');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('On: signing in asks for a code').waitFor(WAIT);
    await page.getByText('10 unused recovery codes left.').waitFor(WAIT);

    await logout(page);
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Two-factor authentication', exact: true }).waitFor(WAIT);
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That code is not right.').waitFor(WAIT);
    await screenshot(page, 'two-factor-step-en');
    await page.getByLabel('Code from the app').fill(totp(ada.secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: /^Hello / }).waitFor(WAIT);
    assert.deepEqual(page.problems.filter((p) => !p.includes('401')), []);
  });

  test('in French at 375 px: sign in with a recovery code', async () => {
    const page = await newPage(browser, { locale: 'fr-FR', viewport: { width: 375, height: 740 } });
    await page.goto(server.base + '/dashboard/login');
    await page.evaluate(() => localStorage.setItem('dutyduck.lang', 'fr'));
    await page.reload();
    await loginInBrowser(page, { lang: 'fr' });
    await page.getByRole('heading', { name: 'Authentification à deux facteurs', exact: true }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Utiliser plutôt un code de secours' }).click();
    await page.getByLabel('Code de secours').fill(ada.codes[0]);
    assert.equal(await overflowsHorizontally(page), false);
    await screenshot(page, 'two-factor-step-fr-375');
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.getByRole('heading', { name: /^Bonjour / }).waitFor(WAIT);
    await page.goto(server.base + '/dashboard/account#two-factor');
    await page.getByText('9 codes de secours encore inutilisés.').waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false);
    await screenshot(page, 'two-factor-account-fr-375');
  });

  test('the Owner requires it: a member is sent to enrolment first', async () => {
    execFileSync(BIN, ['--data-dir', server.dataDir, 'user', 'create', '--email', 'bob@example.com', '--first-name', 'Bob',
      '--last-name', 'Babbage', '--org', 'Acme', '--role', 'Editor', '--password-stdin'], { input: PASSWORD + '\n' });
    const owner = await newPage(browser);
    await owner.goto(server.base + '/dashboard/login');
    await loginInBrowser(owner);
    await owner.getByRole('heading', { name: 'Two-factor authentication', exact: true }).waitFor(WAIT);
    // Both steps' codes may be used by now: a recovery code.
    await owner.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await owner.getByLabel('Recovery code').fill(ada.codes[1]);
    await owner.getByRole('button', { name: 'Verify' }).click();
    await owner.getByRole('heading', { name: /^Hello / }).waitFor(WAIT);
    await owner.goto(server.base + '/dashboard/team');
    await owner.getByLabel('Require it of every member of this organization').check();
    await owner.getByText('Saved.').waitFor(WAIT);

    const bob = await newPage(browser, { viewport: { width: 375, height: 740 } });
    await bob.goto(server.base + '/dashboard/login');
    await loginInBrowser(bob, { email: 'bob@example.com' });
    await bob.getByText('Your organization requires two-factor authentication.').waitFor(WAIT);
    assert.match(bob.url(), /\/dashboard\/two-factor$/);
    assert.equal(await overflowsHorizontally(bob), false);
    await screenshot(bob, 'two-factor-required-en-375');
    await enrol(bob, { shot: 'two-factor-qr-en-375' });
    await screenshot(bob, 'two-factor-required-codes-en-375');
    await bob.getByRole('button', { name: 'I have saved them' }).click();
    await bob.getByRole('link', { name: 'Continue to the dashboard' }).click();
    await bob.getByRole('heading', { name: /^Hello / }).waitFor(WAIT);
    await bob.goto(server.base + '/dashboard/monitors');
    await bob.getByRole('heading', { name: 'Monitors' }).waitFor(WAIT);
  });
});

describe('reverse-proxy sign-in', () => {
  test('behind a trusted proxy, the dashboard opens on the header\'s user without a password', async () => {
    const proxied = await startServer(['--trusted-proxy', '127.0.0.1/32', '--auth-proxy-header', 'Remote-User']);
    try {
      await setupAdmin(proxied.base);
      // The test's browser is the proxy: it connects from 127.0.0.1 and adds the header.
      const page = await newPage(browser, { viewport: { width: 375, height: 740 } });
      await page.context().setExtraHTTPHeaders({ 'Remote-User': 'ada@example.com' });
      await page.goto(proxied.base + '/dashboard/monitors');
      await page.getByRole('heading', { name: 'Monitors' }).waitFor(WAIT);
      await screenshot(page, 'auth-proxy-signed-in-en-375');

      const stranger = await newPage(browser);
      await stranger.context().setExtraHTTPHeaders({ 'Remote-User': 'eve@example.com' });
      const refused = await stranger.goto(proxied.base + '/auth/session');
      assert.equal(refused.status(), 403);
      assert.equal((await refused.json()).error.code, 'auth_proxy_user_refused');
    } finally {
      await proxied.stop();
    }
  });
});
