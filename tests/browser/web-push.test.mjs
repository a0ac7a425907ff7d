// Web push in the dashboard, end to end but for the vendor's push service: Chromium without
// internet has none, so the test STUBS `PushManager.prototype.subscribe` (an init script) to
// return a subscription whose endpoint is a push service run here on loopback, with keys the test
// made. The server encrypts each message for those keys and POSTs it there; the test decrypts it
// (ECDH P-256, HKDF-SHA256, AES-128-GCM: RFC 8291 with node's crypto) and hands the plaintext to
// the dashboard's real service worker with CDP `ServiceWorker.deliverPushMessage`, as a browser's
// push client would. Then the notification the worker shows is read back. English and French,
// 375 px wide.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SCREENSHOTS, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, setupAdmin, startServer } from './harness.mjs';

const WAIT = { timeout: 30000 };
let server;
let browser;
let pushService;

/** The browser's side of a subscription: a P-256 key pair and an auth secret. */
function subscriberKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey(), auth: randomBytes(16) };
}

/** RFC 8291 / RFC 8188 aes128gcm, one record: what a browser does with a push message. */
function decrypt(keys, body) {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const serverKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  const secret = keys.ecdh.computeSecret(serverKey);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), keys.p256dh, serverKey]);
  const ikm = Buffer.from(hkdfSync('sha256', secret, keys.auth, info, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  assert.equal(plain[plain.length - 1], 2, 'the last record ends with the delimiter 2');
  return plain.subarray(0, plain.length - 1).toString('utf8');
}

/** A push service on loopback: keeps each message's body and answers 201. */
async function startPushService() {
  const received = [];
  const http = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${http.address().port}`,
    url: (name) => `http://127.0.0.1:${http.address().port}/push/${name}`,
    received,
    async next(count) {
      for (let i = 0; i < 300 && received.length < count; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(received.length >= count, `${count} push message(s)`);
      return received[count - 1];
    },
    close: () => new Promise((r) => { http.closeAllConnections?.(); http.close(r); }),
  };
}

before(async () => {
  // The server sends only to browsers' push services and the hosts `--push-service` allows.
  pushService = await startPushService();
  [server, browser] = await Promise.all([startServer(['--push-service', pushService.host]), launchBrowser({ notifications: true })]);
  await setupAdmin(server.base);
});

/** The "Notifications on this device" section alone (My account is long). */
const shoot = (page, name) => page.locator('#push').screenshot({ path: join(SCREENSHOTS, name + '.png') });

after(async () => {
  await browser?.close();
  await server?.stop();
  await pushService?.close();
});

/** A page whose PushManager subscribes to the test's push service with `keys`. */
async function pushPage(lang, keys, name, viewport) {
  const page = await newPage(browser, { locale: lang === 'fr' ? 'fr-FR' : 'en-US', viewport });
  await page.context().grantPermissions(['notifications'], { origin: server.base });
  const b64 = (buffer) => buffer.toString('base64url');
  await page.addInitScript(({ endpoint, p256dh, auth }) => {
    // The stub: no vendor push service is reachable from this machine.
    let current = null;
    const fake = {
      endpoint,
      expirationTime: null,
      toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
      unsubscribe: async () => { current = null; return true; },
    };
    PushManager.prototype.subscribe = async function () { current = fake; return fake; };
    PushManager.prototype.getSubscription = async function () { return current; };
  }, { endpoint: pushService.url(name), p256dh: b64(keys.p256dh), auth: b64(keys.auth) });
  return page;
}

/** Delivers `data` to the page's service worker as its push client would. */
async function deliverPush(page, data) {
  // A push for a registration whose worker is still installing is dropped, and the stubbed
  // subscribe() above does not wait for activation as a real one does: wait for it here.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const cdp = await page.context().newCDPSession(page);
  const registrations = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  for (let i = 0; i < 100 && !registrations.some((r) => !r.isDeleted); i++) await new Promise((r) => setTimeout(r, 100));
  const registration = registrations.find((r) => !r.isDeleted && r.scopeURL === server.base + '/dashboard/');
  assert.ok(registration, 'the dashboard registered its service worker at /dashboard/');
  await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.base, registrationId: registration.registrationId, data });
}

async function shownNotifications(page, count) {
  for (let i = 0; i < 100; i++) {
    const shown = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
      .map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })));
    if (shown.length >= count) return shown;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${count} notification(s) shown`);
}

describe('web push', () => {
  test('turn on notifications, receive an incident, its click opens the incident (en)', async () => {
    const keys = subscriberKeys();
    const page = await pushPage('en', keys, 'ada-laptop');
    await page.goto(server.base + '/dashboard/');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: /^Hello / }).waitFor(WAIT);
    await page.goto(server.base + '/dashboard/account#push');
    await page.getByRole('heading', { name: 'Notifications on this device' }).waitFor(WAIT);
    await page.getByLabel('Device name').fill('Laptop');
    await page.getByRole('button', { name: 'Turn on notifications' }).click();
    await page.getByText('On for this device').waitFor(WAIT);
    await page.getByTestId('push-device').filter({ hasText: 'Laptop' }).waitFor(WAIT);
    await shoot(page, 'web-push-en');

    // A webPush channel, added through the form (it has no field: the members' devices).
    await page.goto(server.base + '/dashboard/notifications/new');
    await page.getByRole('heading', { name: 'New channel' }).waitFor(WAIT);
    await page.getByRole('radio', { name: /^Web push/ }).check();
    await page.getByLabel('Name', { exact: true }).fill('Phones');
    await page.getByText('Each member turns notifications on in their own browsers').waitFor(WAIT);
    await page.screenshot({ path: join(SCREENSHOTS, 'web-push-channel-form-en.png') });
    await page.getByRole('button', { name: 'Add the channel' }).click();
    await page.getByText('Every member\u2019s devices').first().waitFor(WAIT);

    // A failed task run opens an incident: the server pushes it.
    const incident = await page.evaluate(async () => {
      const call = async (method, path, body) => {
        const r = await fetch(path, { method, headers: { 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
        if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
        return r.json();
      };
      await call('POST', '/tasks', { id: 'nightly-backup', name: 'Nightly backup' });
      await call('POST', '/tasks/nightly-backup/start', {});
      await call('POST', '/tasks/nightly-backup/finish', { status: 'failure', exitCode: 1 });
      const list = await call('GET', '/incidents?sourceId=nightly-backup');
      return list.items[0].id;
    });
    const message = await pushService.next(1);
    assert.equal(message.path, '/push/ada-laptop');
    assert.equal(message.headers['content-encoding'], 'aes128gcm');
    assert.match(message.headers.authorization, /^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    const plaintext = decrypt(keys, message.body);
    assert.equal(JSON.parse(plaintext).url, `/dashboard/incidents/${incident}`);

    await deliverPush(page, plaintext);
    const [shown] = await shownNotifications(page, 1);
    assert.equal(shown.title, '[dutyduck] Incident opened: Nightly backup');
    assert.equal(shown.tag, incident);
    assert.equal(shown.data.url, `/dashboard/incidents/${incident}`, 'what notificationclick opens');

    // Signing out ends this browser's subscription (a shared computer): the next test sees no Laptop.
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.getByLabel('E-mail').waitFor(WAIT);
    const left = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/dashboard/')).pushManager.getSubscription());
    assert.equal(left, null);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('a test from My account, in French, 375 px wide', async () => {
    const keys = subscriberKeys();
    const page = await pushPage('fr', keys, 'ada-phone', { width: 375, height: 800 });
    await page.goto(server.base + '/dashboard/');
    await loginInBrowser(page, { lang: 'fr' });
    await page.getByRole('heading', { name: /^Bonjour / }).waitFor(WAIT);
    await page.goto(server.base + '/dashboard/account#push');
    await page.getByRole('heading', { name: 'Notifications sur cet appareil' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Activer les notifications' }).click();
    await page.getByText('Activées sur cet appareil').waitFor(WAIT);
    const before = pushService.received.length;
    await page.getByRole('button', { name: 'Envoyer un test à mes appareils' }).click();
    await page.getByText('Envoyé à 1 appareil(s).').waitFor(WAIT);
    const message = await pushService.next(before + 1);
    assert.equal(message.path, '/push/ada-phone', 'the laptop signed out');
    const plaintext = decrypt(keys, message.body);
    await deliverPush(page, plaintext);
    const [shown] = await shownNotifications(page, 1);
    assert.equal(shown.data.url, '/dashboard/account');
    await shoot(page, 'web-push-fr-375');
    assert.equal(await overflowsHorizontally(page), false);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
