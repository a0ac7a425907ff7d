// Each check kind through the dashboard: picked first in the form, its own fields, its icon in
// the list and what its last check saw on its page, in English and French on a 375 px phone.
// Targets are real local servers started here; checks run on the real clock every 5 s.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 740 };
let server;
let browser;
let mail;
let dns;
let tlsServer;

/** A TCP server greeting like a mail relay. */
function startMailRelay() {
  return new Promise((resolve) => {
    const sockets = new Set();
    const srv = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      socket.write('220 relay.test ESMTP ready\r\n');
    });
    srv.listen(0, '127.0.0.1', () => resolve({
      port: srv.address().port,
      close: () => new Promise((done) => { sockets.forEach((s) => s.destroy()); srv.close(done); }),
    }));
  });
}

/** A DNS server on UDP answering every A question with 192.0.2.10 (a hand-made answer). */
function startDns() {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (query, peer) => {
      let end = 12;
      while (end < query.length && query[end] !== 0) end += query[end] + 1;
      const question = query.subarray(12, end + 5);
      const header = Buffer.from([query[0], query[1], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
      const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 10]);
      socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
    });
    socket.bind(0, '127.0.0.1', () => resolve({ port: socket.address().port, close: () => socket.close() }));
  });
}

/** A TLS server with a self-signed certificate for "status.test", made by openssl. */
function startTls() {
  const dir = mkdtempSync(join(tmpdir(), 'dd-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '90',
    '-subj', '/CN=status.test', '-addext', 'subjectAltName=DNS:status.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
  { stdio: 'ignore' });
  const srv = tls.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (s) => s.end());
  srv.on('tlsClientError', () => {});
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
    port: srv.address().port, close: () => new Promise((done) => srv.close(done)),
  })));
}

before(async () => {
  [server, browser, mail, dns, tlsServer] = await Promise.all([startServer(), launchBrowser(), startMailRelay(), startDns(), startTls()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await mail?.close();
  dns?.close();
  await tlsServer?.close();
});

/** Fills the common part of the form: a name, checked every 5 s, down and up at once. */
async function common(page, name, fr) {
  await page.getByLabel(fr ? 'Nom' : 'Name', { exact: true }).fill(name);
  await page.getByLabel(fr ? 'Intervalle' : 'Interval', { exact: true }).selectOption('custom');
  await page.getByLabel(fr ? 'Intervalle en secondes' : 'Interval in seconds').fill('5');
  await page.getByLabel(fr ? 'Échecs avant la panne' : 'Failures before down').fill('1');
}

describe('check kinds in the dashboard', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`a TCP monitor (${lang}, phone): the kind picked first, its fields, icon and reply`, async () => {
      const page = await newPage(browser, { locale, viewport: PHONE });
      const shot = (what) => screenshot(page, `${lang}-phone-kind-tcp-${what}`);
      await page.goto(server.base + '/dashboard/monitors/new');
      await loginInBrowser(page, { lang });
      await page.getByRole('heading', { name: fr ? 'Nouveau moniteur' : 'New monitor' }).waitFor(WAIT);
      await page.getByLabel(fr ? 'Type de contrôle' : 'Kind of check').selectOption('tcp');
      assert.equal(await page.getByLabel('URL', { exact: true }).count(), 0, 'no URL for a TCP check');

      // Checked in the browser first, the focus on the first field at fault.
      await page.getByRole('button', { name: fr ? 'Créer le moniteur' : 'Create the monitor' }).click();
      const host = page.getByLabel(fr ? 'Hôte' : 'Host', { exact: true });
      await page.locator('#mf-host-error').waitFor(WAIT);
      await page.locator('#mf-port-error').waitFor(WAIT);
      assert.equal(await host.evaluate((el) => el === document.activeElement), true, 'focus on the host');

      await host.fill('127.0.0.1');
      await page.getByLabel('Port', { exact: true }).fill(String(mail.port));
      await page.getByLabel(fr ? 'Attendu dans la réponse (facultatif)' : 'Expected in the reply (optional)').fill('220');
      await common(page, `Mail relay ${lang}`, fr);
      assert.equal(await overflowsHorizontally(page), false, 'form at 375 px');
      await shot('form');
      await page.getByRole('button', { name: fr ? 'Créer le moniteur' : 'Create the monitor' }).click();

      // Its page: what is checked, up, and the reply the check read.
      await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
      assert.equal(await page.getByTestId('monitor-target').innerText(), `TCP 127.0.0.1:${mail.port}`);
      const details = page.getByTestId('kind-details');
      await details.filter({ hasText: '220 relay.test ESMTP ready' }).waitFor(WAIT);
      await details.getByText(fr ? 'Réponse' : 'Reply', { exact: true }).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'monitor page at 375 px');
      await shot('monitor');

      // The list: its icon, named in full for screen readers.
      await page.goto(server.base + '/dashboard/monitors');
      const row = page.getByTestId('monitor-row').filter({ hasText: `Mail relay ${lang}` });
      await row.waitFor(WAIT);
      const icon = row.locator('.kind-icon');
      assert.equal(await icon.innerText(), 'TCP');
      assert.equal(await icon.getAttribute('aria-label'), fr ? 'Port TCP' : 'TCP port');
      await row.getByText(`127.0.0.1:${mail.port}`).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'list at 375 px');
      await shot('list');

      // Edit: the kind's fields come back filled; no certificate field for TCP.
      await row.getByRole('link', { name: `Mail relay ${lang}` }).click();
      await page.getByRole('link', { name: fr ? 'Modifier' : 'Edit' }).click();
      assert.equal(await page.getByLabel('Port', { exact: true }).inputValue(), String(mail.port));
      assert.equal(await page.locator('#mf-tlsExpiryWarningDays').count(), 0);
      assert.equal(await page.locator('#mf-kind').count(), 0, 'the kind is not changed on edit');
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  test('an upside-down HTTP monitor with Basic credentials (en, phone)', async () => {
    const page = await newPage(browser, { viewport: PHONE });
    await page.goto(server.base + '/dashboard/monitors/new');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'New monitor' }).waitFor(WAIT);
    // Nothing listens on port 1 of loopback: the check fails, so the monitor is up.
    await page.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:1/admin');
    await page.getByLabel('Authentication').selectOption('basic');
    await page.getByRole('button', { name: 'Create the monitor' }).click();
    await page.locator('#mf-auth-error').filter({ hasText: 'Enter a user name without a colon.' }).waitFor(WAIT);
    await page.getByLabel('User name').fill('ops');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.getByLabel(/Upside down/).check();
    await common(page, 'Admin stays closed', false);
    await screenshot(page, 'en-phone-kind-http-upside-down-form');
    await page.getByRole('button', { name: 'Create the monitor' }).click();

    await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
    const details = page.getByTestId('kind-details');
    await details.getByText('Up because the check failed').waitFor(WAIT);
    await details.getByText('connection refused').waitFor(WAIT);
    assert.equal(await overflowsHorizontally(page), false);
    await screenshot(page, 'en-phone-kind-http-upside-down-monitor');

    await page.getByRole('link', { name: 'Edit' }).click();
    assert.equal(await page.getByLabel('Authentication').inputValue(), 'basic');
    assert.equal(await page.getByLabel('User name').inputValue(), 'ops');
    assert.equal(await page.getByLabel(/Upside down/).isChecked(), true);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`a DNS, a TLS and a ping monitor (${lang}, phone): their fields and what their checks saw`, async () => {
      const page = await newPage(browser, { locale, viewport: PHONE });
      const create = fr ? 'Créer le moniteur' : 'Create the monitor';
      await page.goto(server.base + '/dashboard/monitors/new');
      await loginInBrowser(page, { lang });
      await page.getByLabel(fr ? 'Type de contrôle' : 'Kind of check').selectOption('dns');
      await page.getByLabel(fr ? 'Nom à résoudre' : 'Name to resolve').fill('www.status.test');
      await page.getByLabel(fr ? 'Type d’enregistrement' : 'Record type').selectOption('A');
      await page.getByLabel(fr ? 'Résolveur (facultatif)' : 'Resolver (optional)').fill(`127.0.0.1:${dns.port}`);
      await page.getByLabel(fr ? 'Valeurs attendues (facultatif)' : 'Expected values (optional)').fill('192.0.2.10');
      await common(page, `Website DNS ${lang}`, fr);
      assert.equal(await overflowsHorizontally(page), false, 'DNS form at 375 px');
      await screenshot(page, `${lang}-phone-kind-dns-form`);
      await page.getByRole('button', { name: create }).click();
      await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
      assert.equal(await page.getByTestId('monitor-target').innerText(), `DNS A www.status.test @ 127.0.0.1:${dns.port}`);
      const dnsDetails = page.getByTestId('kind-details');
      await dnsDetails.getByText('192.0.2.10').waitFor(WAIT);
      await dnsDetails.getByText('NOERROR').waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'DNS monitor at 375 px');
      await screenshot(page, `${lang}-phone-kind-dns-monitor`);

      await page.goto(server.base + '/dashboard/monitors/new');
      await page.getByLabel(fr ? 'Type de contrôle' : 'Kind of check').selectOption('tls');
      await page.getByLabel(fr ? 'Hôte' : 'Host', { exact: true }).fill('127.0.0.1');
      await page.getByLabel('Port', { exact: true }).fill(String(tlsServer.port));
      await page.getByLabel(fr ? 'Nom sur le certificat (facultatif)' : 'Name on the certificate (optional)').fill('status.test');
      // Self-signed: not verified, but its certificate is shown and its expiry watched.
      await page.getByLabel(fr ? /Vérifier le certificat/ : /Verify the certificate/).uncheck();
      await common(page, `Status TLS ${lang}`, fr);
      assert.equal(await overflowsHorizontally(page), false, 'TLS form at 375 px');
      await screenshot(page, `${lang}-phone-kind-tls-form`);
      await page.getByRole('button', { name: create }).click();
      await page.locator('[data-testid=monitor-status] [data-status=up]').waitFor(WAIT);
      const tlsDetails = page.getByTestId('kind-details');
      await tlsDetails.getByText('CN=status.test').first().waitFor(WAIT);
      await tlsDetails.getByText('TLS 1.3', { exact: false }).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'TLS monitor at 375 px');
      await screenshot(page, `${lang}-phone-kind-tls-monitor`);

      // A ping to loopback: the replies and round trips, or, where the machine allows no ICMP
      // socket, the reason and the sysctl or capability to grant.
      await page.goto(server.base + '/dashboard/monitors/new');
      await page.getByLabel(fr ? 'Type de contrôle' : 'Kind of check').selectOption('icmp');
      await page.getByLabel(fr ? 'Hôte' : 'Host', { exact: true }).fill('127.0.0.1');
      await page.getByLabel(fr ? 'Pings par vérification' : 'Pings per check').fill('2');
      await common(page, `Loopback ping ${lang}`, fr);
      assert.equal(await overflowsHorizontally(page), false, 'ping form at 375 px');
      await screenshot(page, `${lang}-phone-kind-icmp-form`);
      await page.getByRole('button', { name: create }).click();
      await page.locator('[data-testid=monitor-status] [data-status=up], [data-testid=monitor-status] [data-status=down]').first().waitFor(WAIT);
      if (await page.locator('[data-testid=monitor-status] [data-status=up]').count()) {
        await page.getByTestId('kind-details').getByText(fr ? '2 sur 2 (0 % perdus)' : '2 of 2 (0 % lost)').waitFor(WAIT);
      } else {
        await page.getByText('ping_group_range').first().waitFor(WAIT);
      }
      assert.equal(await overflowsHorizontally(page), false, 'ping monitor at 375 px');
      await screenshot(page, `${lang}-phone-kind-icmp-monitor`);

      // Each kind's failures in words, as the monitor page, its checks and incidents show them.
      const words = await page.evaluate(async (failures) => {
        const { checkText } = await import('/dashboard/app/monitoring.js');
        return failures.map(([errorKind, error]) => checkText({ errorKind, error }));
      }, [
        ['assertion', 'answered NXDOMAIN, expected NOERROR'],
        ['assertion', 'expected one of ["192.0.2.10"], got ["198.51.100.7"]'],
        ['assertion', 'expected "220" in the reply, got "554 go away"'],
        ['tls', 'certificate expired on 2026-12-04 14:41 UTC'],
        ['tls', 'certificate not valid for name a.test (valid for b.test)'],
        ['connect', 'connection refused'],
        ['loss', '2 of 3 pings lost (66.7%), over the 50% allowed'],
        // An HTTP assertion quoting the user's text is not mistaken for another kind's failure.
        ['assertion', 'body does not contain "STARTTLS refused in the reply, got "'],
      ]);
      assert.deepEqual(words, fr
        ? ['Le nom n’existe pas (NXDOMAIN)', 'Mauvaise réponse', 'Réponse inattendue', 'Certificat expiré', 'Certificat pour un autre nom', 'Connexion refusée', 'Paquets perdus', 'Contrôle du contenu en échec']
        : ['Name does not exist (NXDOMAIN)', 'Wrong answer', 'Unexpected reply', 'Certificate expired', 'Certificate for another name', 'Connection refused', 'Packets lost', 'Content check failed']);

      await page.goto(server.base + '/dashboard/monitors');
      for (const [name, icon] of [[`Website DNS ${lang}`, 'DNS'], [`Status TLS ${lang}`, 'TLS']]) {
        const row = page.getByTestId('monitor-row').filter({ hasText: name });
        await row.waitFor(WAIT);
        assert.equal(await row.locator('.kind-icon').innerText(), icon);
      }
      // The kind filter: only DNS monitors, kept in the address.
      await page.getByLabel(fr ? 'Type' : 'Kind', { exact: true }).selectOption('dns');
      await page.waitForURL(/kind=dns/);
      await page.getByTestId('monitor-row').filter({ hasText: 'Website DNS' }).first().waitFor(WAIT);
      await page.getByTestId('monitor-row').filter({ hasText: 'Status TLS' }).first().waitFor({ state: 'detached', ...WAIT });
      assert.ok((await page.locator('.kind-icon').allInnerTexts()).every((text) => text === 'DNS'));
      assert.equal(await overflowsHorizontally(page), false, 'filtered list at 375 px');
      await screenshot(page, `${lang}-phone-kind-filter`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
