// Webhook templates and the chat and SMS kinds in the dashboard, against the real binary and a
// receiver started here: a webhook with a custom body (an unknown placeholder refused by the
// server next to the template, a field inserted by its button), a test that arrives as written;
// an SMS channel made in the form whose test reaches a Twilio-like path once per number; then
// the template form and the SMS form in French on a phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer } from './harness.mjs';

const WAIT = { timeout: 30000 };
let server;
let browser;
let receiver;

/** A receiver on 127.0.0.1 that records every request and answers 200. */
async function startReceiver() {
  const requests = [];
  const http = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${http.address().port}/alerts`,
    requests,
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

/** The server's refusal of the unknown placeholder (422) is on purpose. */
const expected = (problem) => /status of 422/.test(problem);

describe('chat channels', () => {
  test('a webhook with a custom body: refused placeholder, inserted field, a test sent as written', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/notifications/new');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'New channel' }).waitFor(WAIT);
    for (const kind of ['Microsoft Teams', 'Google Chat', 'Mattermost', 'Rocket.Chat', 'SMS']) {
      await page.getByRole('radio', { name: new RegExp('^' + kind.replace('.', '\\.')) }).waitFor();
    }
    await page.getByRole('radio', { name: /^Webhook/ }).check();
    await page.getByLabel('Name', { exact: true }).fill('Pager bridge');
    await page.getByLabel('URL', { exact: true }).fill(receiver.url);
    await page.getByText('Off: each request carries the JSON payload the README documents.').waitFor();
    await page.getByLabel('Send my own body instead of dutyduck’s JSON').check();
    await page.getByLabel('Method').selectOption('PUT');
    await page.getByLabel('Content type').selectOption('text/plain');
    await page.getByText('Values are inserted as they are.').waitFor();
    const template = page.getByLabel('Template', { exact: true });
    await template.fill('{{incident.name}} is down');
    await page.getByRole('button', { name: 'Add the channel' }).click();
    const error = page.locator('#nf-config-template-body-error');
    await error.filter({ hasText: '{{incident.name}} is not a field of the payload' }).waitFor(WAIT);
    assert.equal(await template.evaluate((el) => el === document.activeElement), true, 'focus on the template');
    await screenshot(page, 'en-desktop-webhook-template-form');

    await template.fill('[{{organization.name}}] ');
    await template.evaluate((el) => el.setSelectionRange(el.value.length, el.value.length));
    await page.getByRole('button', { name: 'Insert subject' }).click();
    assert.equal(await template.inputValue(), '[{{organization.name}}] {{subject}}');
    await page.getByRole('button', { name: 'Add the channel' }).click();
    await page.waitForURL(/\/dashboard\/notifications\/[0-9a-f-]{36}$/, WAIT);
    await page.getByRole('heading', { name: 'Pager bridge' }).waitFor();

    await page.getByRole('button', { name: 'Send a test' }).click();
    await page.getByTestId('test-outcome').filter({ hasText: 'Test message sent to Pager bridge.' }).waitFor(WAIT);
    assert.equal(receiver.requests.length, 1);
    const got = receiver.requests[0];
    assert.equal(got.method, 'PUT');
    assert.equal(got.url, '/alerts');
    assert.equal(got.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(got.headers['x-dutyduck-event'], 'test');
    assert.equal(got.body, '[Acme] [dutyduck] Test message');

    // Editing shows the template as saved.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Template', { exact: true }).waitFor(WAIT);
    assert.equal(await page.getByLabel('Template', { exact: true }).inputValue(), '[{{organization.name}}] {{subject}}');
    assert.equal(await page.getByLabel('Method').inputValue(), 'PUT');
    assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
  });

  test('an SMS channel through the form: a test reaches the Twilio-like API, one request per number', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/notifications/new');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'New channel' }).waitFor(WAIT);
      await page.getByRole('radio', { name: /^SMS/ }).check();
      await page.getByLabel('Name', { exact: true }).fill('On-call phones');
      const api = new URL(receiver.url).origin;
      await page.getByLabel('API', { exact: true }).fill(api);
      await page.getByLabel('Account SID').fill('AC0123456789abcdef');
      await page.getByLabel('Auth token').fill('twilio-token');
      await page.getByLabel('From', { exact: true }).fill('+14155550100');
      await page.getByLabel('Number 1', { exact: true }).fill('+33612345678');
      await page.getByRole('button', { name: 'Add a number' }).click();
      await page.getByLabel('Number 2', { exact: true }).fill('+447700900123');
      await screenshot(page, 'en-desktop-sms-form');
      await page.getByRole('button', { name: 'Add the channel' }).click();
      await page.getByRole('heading', { name: 'On-call phones' }).waitFor(WAIT);
      await page.getByTestId('channel-details').filter({ hasText: '+33612345678, +447700900123' }).waitFor();

      const before = receiver.requests.length;
      await page.getByRole('button', { name: 'Send a test' }).click();
      await page.getByTestId('test-outcome').filter({ hasText: 'Test message sent to On-call phones.' }).waitFor(WAIT);
      const sms = receiver.requests.slice(before);
      assert.equal(sms.length, 2);
      for (const [i, to] of ['+33612345678', '+447700900123'].entries()) {
        assert.equal(sms[i].method, 'POST');
        assert.equal(sms[i].url, '/2010-04-01/Accounts/AC0123456789abcdef/Messages.json');
        assert.equal(sms[i].headers.authorization, 'Basic ' + Buffer.from('AC0123456789abcdef:twilio-token').toString('base64'));
        const form = new URLSearchParams(sms[i].body);
        assert.deepEqual([...form.keys()], ['To', 'From', 'Body']);
        assert.equal(form.get('To'), to);
        assert.equal(form.get('Body'), '[dutyduck] Test message');
      }
      await screenshot(page, 'en-desktop-sms-channel');
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    });

  test('on a phone, in English and French: the template form and the SMS form fit', async () => {
    for (const lang of ['en', 'fr']) {
      const fr = lang === 'fr';
      const page = await newPage(browser, { locale: fr ? 'fr-FR' : 'en-US', viewport: { width: 375, height: 740 } });
      await page.goto(server.base + '/dashboard/notifications/new');
      await loginInBrowser(page, { lang });
      await page.getByRole('heading', { name: fr ? 'Nouveau canal' : 'New channel' }).waitFor(WAIT);
      await page.getByRole('radio', { name: /^Webhook/ }).check();
      await page.getByLabel(fr ? 'Envoyer mon propre corps au lieu du JSON de dutyduck' : 'Send my own body instead of dutyduck’s JSON').check();
      await page.getByLabel(fr ? 'Type de contenu' : 'Content type').selectOption('application/xml');
      await page.getByText(fr ? 'Les valeurs sont échappées pour XML' : 'Values are escaped for XML').waitFor();
      await page.getByRole('button', { name: (fr ? 'Insérer ' : 'Insert ') + 'incident.title' }).click();
      assert.equal(await page.getByLabel(fr ? 'Modèle' : 'Template', { exact: true }).inputValue(), '{{incident.title}}');
      assert.equal(await overflowsHorizontally(page), false, 'template form');
      await screenshot(page, `${lang}-phone-webhook-template-form`);

      await page.getByRole('radio', { name: /^SMS/ }).check();
      await page.getByLabel(fr ? 'Expéditeur' : 'From', { exact: true }).fill('0612');
      await page.getByRole('button', { name: fr ? 'Ajouter le canal' : 'Add the channel' }).click();
      const refusal = fr ? '«\u00a00612\u00a0» n’est pas au format international' : '“0612” is not in international format';
      await page.getByText(refusal).first().waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'SMS form');
      await screenshot(page, `${lang}-phone-sms-form`);
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    }
  });
});
