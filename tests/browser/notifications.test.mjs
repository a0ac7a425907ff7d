// Notifications in the dashboard, against the real binary and a webhook receiver started here:
// set up a signed webhook channel in the form, send tests (the receiver answers, then fails),
// pick the channel in a task's form, see an incident's notifications on its timeline; then
// French, phones, and an Editor's read-only view.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  BIN, PASSWORD, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
let server;
let browser;
let receiver;
/** Set by the first tests, used by the next ones. */
const seen = { channel: null, incident: null };

/** A webhook receiver on 127.0.0.1 that records every request; `setFailing(true)` makes it answer 500. */
async function startReceiver() {
  const requests = [];
  let failing = false;
  const http = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(failing ? 500 : 200, { 'Content-Type': 'text/plain' });
      res.end(failing ? 'receiver is down' : 'ok');
    });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${http.address().port}/hooks/dutyduck`,
    requests,
    setFailing(value) { failing = value; },
    close: () => new Promise((r) => { http.closeAllConnections?.(); http.close(r); }),
  };
}

before(async () => {
  [server, browser, receiver] = await Promise.all([startServer(), launchBrowser(), startReceiver()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

async function waitForText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor(WAIT);
}

/** Polls until `check()` returns something truthy. */
async function eventually(check, what) {
  const end = Date.now() + WAIT.timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The API from the logged-in page (its session cookie). */
const apiGet = (page, path) => page.evaluate(async (p) => (await fetch(p)).json(), path);

/** Failed requests the test makes on purpose: a header name refused (422), a free task id (HEAD 404). */
const expected = (problem) => /status of (422|404)/.test(problem);

describe('notifications', () => {
  test('settings, a signed webhook channel, a test that arrives, a test that fails, the deliveries', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor(WAIT);
    await page.getByTestId('channels-empty').getByText('No channel yet').waitFor(WAIT);

    // The organization's settings: French messages, a reminder every 30 minutes, digests after
    // 10 incidents in 2 minutes.
    const settings = page.getByTestId('notification-settings');
    await settings.getByLabel('Language of the messages').selectOption('fr');
    const remind = settings.getByLabel('Remind while unacknowledged');
    assert.equal(await remind.inputValue(), '');
    await remind.selectOption({ label: 'Every 30 minutes' });
    assert.equal(await settings.getByLabel('Digests after (incidents)').inputValue(), '5');
    await settings.getByLabel('Digests after (incidents)').fill('10');
    await settings.getByLabel('Within (seconds)').fill('120');
    await settings.getByRole('button', { name: 'Save the settings' }).click();
    await settings.getByText('Settings saved.').waitFor(WAIT);
    assert.deepEqual(await apiGet(page, '/notification-settings'),
      { language: 'fr', renotifyMinutes: 30, stormThreshold: 10, stormWindowSeconds: 120 });
    await screenshot(page, 'en-desktop-notifications-empty');

    // A webhook channel: URL, an extra header, a generated secret.
    await page.getByRole('link', { name: 'Add your first channel' }).click();
    await page.getByRole('heading', { name: 'New channel' }).waitFor();
    assert.equal(await page.getByRole('radio', { name: /^E-mail/ }).isChecked(), true, 'e-mail first');
    await page.getByRole('radio', { name: /^Webhook/ }).check();
    await page.getByLabel('Name', { exact: true }).fill('Ops webhook');
    const url = page.getByLabel('URL', { exact: true });
    await url.fill('ftp://example.com');
    await page.getByRole('button', { name: 'Add a header' }).click();
    await page.getByLabel('Header name 1', { exact: true }).fill('X-Team');
    await page.getByLabel('Value 1', { exact: true }).fill('ops');
    await page.getByRole('button', { name: 'Add a header' }).click();
    await page.getByLabel('Header name 2', { exact: true }).fill('bad name');
    await page.getByLabel('Value 2', { exact: true }).fill('x');
    await page.getByRole('button', { name: 'Generate' }).click();
    const secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    assert.match(secret, /^[0-9a-f]{48}$/);
    await page.getByText('How to verify the signature').click();
    await page.getByText('Webhook signatures').waitFor();

    // Checked in the browser first (the URL, with the focus on it), then by the server (the header).
    await page.getByRole('button', { name: 'Add the channel' }).click();
    await page.locator('#nf-config-url-error').filter({ hasText: 'Enter an http:// or https:// URL' }).waitFor();
    assert.equal(await url.evaluate((el) => el === document.activeElement), true, 'focus on the URL');
    await url.fill(receiver.url);
    await page.getByRole('button', { name: 'Add the channel' }).click();
    await page.locator('#nf-config-headers').filter({ hasText: 'is not a valid HTTP header' }).waitFor(WAIT);
    await screenshot(page, 'en-desktop-channel-form');
    await page.getByRole('button', { name: 'Remove Header name 2' }).click();
    await page.getByRole('button', { name: 'Add the channel' }).click();

    // The channel's page: where it sends, no delivery yet.
    await page.waitForURL(/\/dashboard\/notifications\/[0-9a-f-]{36}$/, WAIT);
    seen.channel = new URL(page.url()).pathname.split('/').pop();
    await page.getByRole('heading', { name: 'Ops webhook' }).waitFor();
    await waitForText(page.getByTestId('channel-details'), receiver.url);
    await waitForText(page.getByTestId('channel-details'), 'Signed (HMAC-SHA256)');
    await page.getByText('Nothing sent yet.').waitFor();

    // A test that arrives: JSON with event "test", the extra header, a signature that checks out.
    await page.getByRole('button', { name: 'Send a test' }).click();
    await waitForText(page.getByTestId('test-outcome'), 'Test message sent to Ops webhook.');
    assert.equal(receiver.requests.length, 1);
    const got = receiver.requests[0];
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/hooks/dutyduck');
    assert.match(got.headers['content-type'], /^application\/json/);
    assert.equal(got.headers['x-team'], 'ops');
    const body = JSON.parse(got.body);
    assert.equal(body.event, 'test');
    assert.equal(body.organization.name, 'Acme');
    const [, stamp, signature] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(got.headers['x-dutyduck-signature']);
    assert.equal(signature, createHmac('sha256', secret).update(`${stamp}.${got.body}`).digest('hex'));
    assert.ok(Math.abs(Date.now() / 1000 - Number(stamp)) < 60, 'a fresh timestamp');

    // A test that fails: the receiver's answer, in place.
    receiver.setFailing(true);
    await page.getByRole('button', { name: 'Send a test' }).click();
    await waitForText(page.getByTestId('test-outcome'), 'The test message could not be sent');
    await waitForText(page.getByTestId('test-outcome'), 'HTTP 500');
    await waitForText(page.getByTestId('test-outcome'), 'receiver is down');
    assert.equal(receiver.requests.length, 2);

    // Both in the deliveries, newest first.
    const rows = page.getByTestId('delivery-row');
    await rows.nth(1).waitFor(WAIT);
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.nth(0).getAttribute('data-status'), 'gaveup');
    await waitForText(rows.nth(0), 'Failed');
    await waitForText(rows.nth(0), 'HTTP 500');
    assert.equal(await rows.nth(1).getAttribute('data-status'), 'sent');
    await waitForText(rows.nth(1), 'Test message');
    await screenshot(page, 'en-desktop-notification-channel');

    // The list: kind, where it sends, the last delivery; disable and enable again.
    await page.getByRole('link', { name: 'Notifications', exact: true }).first().click();
    const card = page.getByTestId('channel-card').filter({ hasText: 'Ops webhook' });
    await waitForText(card, 'Webhook');
    const port = new URL(receiver.url).port;
    await waitForText(card, `POST 127.0.0.1:${port}/hooks/dutyduck · signed`);
    await waitForText(card.getByTestId('last-delivery'), 'Failed');
    await card.getByRole('button', { name: 'Disable' }).click();
    await card.getByTestId('disabled-pill').waitFor(WAIT);
    assert.equal((await apiGet(page, `/notification-channels/${seen.channel}`)).enabled, false);
    await card.getByRole('button', { name: 'Enable' }).click();
    await card.getByRole('button', { name: 'Disable' }).waitFor(WAIT);
    assert.equal(await card.getByTestId('disabled-pill').count(), 0);
    await screenshot(page, 'en-desktop-notifications');

    // Editing keeps the secret and the header.
    await card.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit the channel' }).waitFor(WAIT);
    assert.equal(await page.getByRole('textbox', { name: 'Signing secret' }).inputValue(), secret);
    assert.equal(await page.getByLabel('Header name 1', { exact: true }).inputValue(), 'X-Team');
    assert.equal(await page.getByRole('radio', { name: /^Webhook/ }).count(), 0, 'the kind cannot change');
    await page.getByLabel('Name', { exact: true }).fill('Ops webhook');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/dashboard\/notifications\/[0-9a-f-]{36}$/, WAIT);
    receiver.setFailing(false);
    assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    await page.context().close();
  });

  test('an e-mail channel: recipients as a list, every member, the missing relay said in place', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/notifications/new');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'New channel' }).waitFor(WAIT);
    // This server has no SMTP relay: said before the channel is even saved.
    await waitForText(page.getByTestId('no-relay'), 'This server has no SMTP relay, so this channel cannot send e-mails yet');
    await page.getByLabel('Name', { exact: true }).fill('On-call mail');
    await page.getByLabel('Recipient 1', { exact: true }).fill('oncall@example.com');
    await page.getByRole('button', { name: 'Add a recipient' }).click();
    await page.getByLabel('Recipient 2', { exact: true }).fill('not an address');
    await page.getByRole('button', { name: 'Add the channel' }).click();
    await page.getByText('“not an address” is not an e-mail address.').waitFor();
    assert.equal(await page.getByLabel('Recipient 2', { exact: true }).evaluate((el) => el === document.activeElement), true);
    await page.getByLabel('Recipient 2', { exact: true }).fill('boss@example.com');
    await page.getByLabel('Also send to every member of the organization').check();
    await screenshot(page, 'en-desktop-channel-form-email');
    await page.getByRole('button', { name: 'Add the channel' }).click();
    await page.waitForURL(/\/dashboard\/notifications\/[0-9a-f-]{36}$/, WAIT);
    await page.getByRole('heading', { name: 'On-call mail' }).waitFor();
    await waitForText(page.getByTestId('channel-details'), 'oncall@example.com, boss@example.com');

    // This server has no SMTP relay: the test says so, where the button is.
    await page.getByRole('button', { name: 'Send a test' }).click();
    await waitForText(page.getByTestId('test-outcome'), 'no SMTP server configured');

    // The list sums it up; delete it from there.
    await page.getByRole('link', { name: 'Notifications', exact: true }).first().click();
    const card = page.getByTestId('channel-card').filter({ hasText: 'On-call mail' });
    await waitForText(card, 'oncall@example.com, boss@example.com and every member');
    await waitForText(card.getByTestId('last-delivery'), 'Failed');
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this channel?' }).getByRole('button', { name: 'Delete' }).click();
    await card.waitFor({ state: 'detached', ...WAIT });
    await page.getByTestId('channel-card').filter({ hasText: 'Ops webhook' }).waitFor(WAIT);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('pick the channel in a task\'s form; the incident\'s timeline shows its notifications', async () => {
    assert.ok(seen.channel, 'the first test made a channel');
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/monitors/new');
    await loginInBrowser(page);

    // A monitor notifies every channel unless told otherwise.
    const monitorFields = page.getByTestId('notification-fields');
    await waitForText(monitorFields, 'Incidents notify every enabled channel: Ops webhook.');
    assert.equal(await monitorFields.getByLabel('All channels').isChecked(), true);
    assert.equal(await monitorFields.getByLabel('Remind while unacknowledged').inputValue(), '');
    await monitorFields.getByRole('option', { name: 'Organization default (every 30 minutes)' }).waitFor({ state: 'attached' });

    await page.goto(server.base + '/dashboard/tasks/new');
    await page.getByLabel('Id', { exact: true }).fill('nightly-export');
    await page.getByLabel('Ad hoc').check();
    const fields = page.getByTestId('notification-fields');
    await fields.getByLabel('Chosen channels').check();
    await fields.getByText('No channel ticked').waitFor();
    await fields.getByRole('checkbox', { name: /Ops webhook/ }).check();
    await fields.getByLabel('Remind while unacknowledged').selectOption('custom');
    await fields.getByLabel('Every N minutes').fill('3');
    await page.getByRole('button', { name: 'Create the task' }).click();
    await fields.getByText('Enter a whole number of minutes from 5 to 10,080.').waitFor();
    await fields.getByLabel('Every N minutes').fill('45');
    await screenshot(page, 'en-desktop-task-form-notifications');
    await page.getByRole('button', { name: 'Create the task' }).click();
    await page.waitForURL(/\/dashboard\/tasks\/nightly-export$/, WAIT);

    // Saved as picked, and shown as saved when editing.
    const { task } = await apiGet(page, '/tasks/nightly-export');
    assert.deepEqual(task.notificationChannels, [seen.channel]);
    assert.equal(task.renotifyMinutes, 45);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit the task' }).waitFor(WAIT);
    assert.equal(await fields.getByLabel('Chosen channels').isChecked(), true);
    assert.equal(await fields.getByRole('checkbox', { name: /Ops webhook/ }).isChecked(), true);
    assert.equal(await fields.getByLabel('Every N minutes').inputValue(), '45');

    // A failed run opens an incident: the webhook hears of it, the timeline says so.
    const before = receiver.requests.length;
    assert.equal((await fetch(`${server.base}/ping/${task.pingKey}/fail`, { method: 'POST', body: 'export failed' })).status, 200);
    const opened = await eventually(() => receiver.requests.slice(before).map((r) => JSON.parse(r.body))
      .find((b) => b.event === 'incident.opened'), 'the opened notification');
    assert.equal(opened.source.id, 'nightly-export');
    seen.incident = `/dashboard/incidents/${opened.incident.id}`;
    await page.goto(server.base + seen.incident);
    const timeline = page.getByTestId('timeline');
    const sent = timeline.locator('[data-event=notification]').filter({ hasText: 'Sent to Ops webhook (Webhook)' });
    await sent.waitFor(WAIT);
    await waitForText(sent, 'Notification sent');
    await waitForText(sent, 'About: Incident opened');

    // The receiver fails when the incident is acknowledged: the failure and the next attempt.
    receiver.setFailing(true);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    const failed = timeline.locator('[data-event=notification]').filter({ hasText: 'Failed to send to Ops webhook (Webhook), attempt 1' });
    await failed.waitFor(WAIT);
    await waitForText(failed, 'HTTP 500');
    await waitForText(failed, 'Next attempt at');
    await waitForText(failed, 'About: Incident acknowledged');
    assert.match(await failed.getAttribute('class'), /tl-warn/);
    await screenshot(page, 'en-desktop-incident-notifications');
    receiver.setFailing(false);
    assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    await page.context().close();
  });

  test('French and phones: no horizontal scrolling, no console errors', async () => {
    assert.ok(seen.incident, 'the second test made an incident');
    for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
      for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 375, height: 740 }]]) {
        const fr = lang === 'fr';
        const name = (what) => `${lang}-${device}-${what}`;
        const noScroll = async (what) => {
          if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name(what));
          await screenshot(page, name(what));
        };
        const page = await newPage(browser, { locale, viewport });
        await page.goto(server.base + '/dashboard/notifications');
        await loginInBrowser(page, { lang });
        await page.getByRole('heading', { name: fr ? 'Canaux' : 'Channels' }).waitFor(WAIT);
        await page.getByRole('heading', { name: fr ? 'Réglages de l’organisation' : 'Organization settings' }).waitFor();
        const card = page.getByTestId('channel-card').filter({ hasText: 'Ops webhook' });
        await card.getByRole('button', { name: fr ? 'Envoyer un test' : 'Send a test' }).click();
        await waitForText(card.getByTestId('test-outcome'), fr ? 'Message de test envoyé à Ops webhook.' : 'Test message sent to Ops webhook.');
        await waitForText(card.getByTestId('last-delivery'), fr ? 'Envoyé' : 'Sent');
        await noScroll('notifications');

        await card.getByRole('link', { name: 'Ops webhook' }).click();
        await page.getByRole('heading', { name: fr ? 'Envois' : 'Deliveries' }).waitFor(WAIT);
        await page.getByTestId('delivery-row').nth(2).waitFor(WAIT);
        await noScroll('notification-channel');

        await page.goto(server.base + '/dashboard/notifications/new');
        await page.getByRole('heading', { name: fr ? 'Nouveau canal' : 'New channel' }).waitFor(WAIT);
        await page.getByRole('radio', { name: /^Webhook/ }).check();
        await page.getByText(fr ? 'Comment vérifier la signature' : 'How to verify the signature').click();
        await page.getByRole('button', { name: fr ? 'Générer' : 'Generate' }).click();
        await noScroll('channel-form');

        await page.goto(server.base + '/dashboard/tasks/nightly-export/edit');
        const fields = page.getByTestId('notification-fields');
        await fields.getByRole('checkbox', { name: /Ops webhook/ }).waitFor(WAIT);
        await fields.getByLabel(fr ? 'Canaux choisis' : 'Chosen channels').waitFor();
        await noScroll('task-form-notifications');

        await page.goto(server.base + seen.incident);
        await waitForText(page.getByTestId('timeline').locator('[data-event=notification]'),
          fr ? 'Envoyée à Ops webhook (Webhook)' : 'Sent to Ops webhook (Webhook)');
        await noScroll('incident-notifications');
        assert.deepEqual(page.problems, [], name('problems'));
        await page.context().close();
      }
    }
  });

  test('an Editor sees the channels and settings, without the means to change them', async () => {
    execFileSync(BIN, ['user', 'create', '--data-dir', server.dataDir, '--email', 'eddie@example.com', '--first-name', 'Eddie',
      '--last-name', 'Editor', '--org', 'Acme', '--role', 'Editor', '--password-stdin'], { input: PASSWORD + '\n' });
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/notifications');
    await loginInBrowser(page, { email: 'eddie@example.com' });
    await page.getByText('Your role lets you see the notification settings, not change them.').waitFor(WAIT);
    const settings = page.getByTestId('notification-settings');
    await waitForText(settings, 'Every 30 minutes');
    await waitForText(settings, 'Français');
    assert.equal(await settings.getByRole('button').count(), 0);
    const card = page.getByTestId('channel-card').filter({ hasText: 'Ops webhook' });
    await card.getByTestId('last-delivery').waitFor(WAIT);
    for (const name of ['Add a channel', 'Send a test', 'Edit', 'Disable', 'Delete']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).count(), 0, name);
    }
    await screenshot(page, 'en-desktop-notifications-editor');
    await card.getByRole('link', { name: 'Ops webhook' }).click();
    await page.getByTestId('delivery-row').first().waitFor(WAIT);
    assert.equal(await page.getByRole('button', { name: 'Send a test' }).count(), 0);
    await page.goto(server.base + '/dashboard/notifications/new');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor(WAIT);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test('delete a channel behind a confirmation', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + `/dashboard/notifications/${seen.channel}`);
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Ops webhook' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this channel?' });
    await dialog.getByText('stop notifying it').waitFor();
    await screenshot(page, 'en-desktop-channel-delete');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/dashboard\/notifications$/, WAIT);
    await page.getByTestId('channels-empty').waitFor(WAIT);
    const { task } = await apiGet(page, '/tasks/nightly-export');
    assert.deepEqual(page.problems, []);
    // The task's form no longer offers it, and saving still works.
    await page.goto(server.base + '/dashboard/tasks/nightly-export/edit');
    await page.getByTestId('notification-fields').getByText('No channel is set up yet').waitFor(WAIT);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/dashboard\/tasks\/nightly-export$/, WAIT);
    assert.ok(task, 'the task is still there');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
