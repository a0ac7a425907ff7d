// Provider channels in the dashboard, against the real binary and a Telegram Bot API stand-in
// started here (it answers as Telegram does: 200 {"ok":true,…}, or 429 with retry_after): add a
// Telegram channel through the form (the browser checks the token's shape first), send a test
// that arrives, one Telegram refuses, see both in the deliveries; then French and a phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
let server;
let browser;
let telegram;

/** Telegram's Bot API on 127.0.0.1: records requests; `busy(true)` answers its documented 429. */
async function startTelegram() {
  const requests = [];
  let busy = false;
  const http = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const answer = busy
        ? { ok: false, error_code: 429, description: 'Too Many Requests: retry after 30', parameters: { retry_after: 30 } }
        : { ok: true, result: { message_id: requests.length, chat: { id: -1001234567890, type: 'supergroup' } } };
      res.writeHead(busy ? 429 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    requests,
    busy(value) { busy = value; },
    close: () => new Promise((r) => { http.closeAllConnections?.(); http.close(r); }),
  };
}

before(async () => {
  [server, browser, telegram] = await Promise.all([startServer(), launchBrowser(), startTelegram()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await telegram?.close();
});

async function waitForText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor(WAIT);
}

describe('provider channels', () => {
  test('a Telegram channel through the form, a test delivered, a test refused with 429', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/notifications/new');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'New channel' }).waitFor(WAIT);
    await page.getByRole('radio', { name: /^Telegram/ }).check();
    await page.getByLabel('Name', { exact: true }).fill('Ops Telegram');
    const token = page.getByLabel('Bot token', { exact: true });
    await token.fill('not a token');
    await page.getByLabel('Chat id', { exact: true }).fill('-1001234567890');
    await page.getByLabel('API server', { exact: true }).fill(telegram.url);

    // The token's shape is checked in the browser, with the focus on it.
    await page.getByRole('button', { name: 'Add the channel' }).click();
    await page.locator('#nf-config-botToken-error').filter({ hasText: 'A bot token looks like' }).waitFor(WAIT);
    assert.equal(await token.evaluate((el) => el === document.activeElement), true, 'focus on the token');
    await token.fill(TOKEN);
    await screenshot(page, 'en-desktop-telegram-form');
    await page.getByRole('button', { name: 'Add the channel' }).click();

    await page.waitForURL(/\/dashboard\/notifications\/[0-9a-f-]{36}$/, WAIT);
    await page.getByRole('heading', { name: 'Ops Telegram' }).waitFor(WAIT);
    await waitForText(page.getByTestId('channel-details'), '-1001234567890');

    // A test: Bot API sendMessage, HTML parse mode, to the chat.
    await page.getByRole('button', { name: 'Send a test' }).click();
    await waitForText(page.getByTestId('test-outcome'), 'Test message sent to Ops Telegram.');
    assert.equal(telegram.requests.length, 1);
    const got = telegram.requests[0];
    assert.equal(got.method, 'POST');
    assert.equal(got.url, `/bot${TOKEN}/sendMessage`);
    assert.match(got.headers['content-type'], /^application\/json/);
    const body = JSON.parse(got.body);
    assert.equal(body.chat_id, '-1001234567890');
    assert.equal(body.parse_mode, 'HTML');
    assert.match(body.text, /^<b>\[dutyduck\] Test message<\/b>\n/);

    // Telegram refuses: its answer in place, never the token (it is in the URL's path).
    telegram.busy(true);
    await page.getByRole('button', { name: 'Send a test' }).click();
    const outcome = page.getByTestId('test-outcome');
    await waitForText(outcome, 'The test message could not be sent');
    await waitForText(outcome, 'Too Many Requests: retry after 30');
    assert.equal((await outcome.textContent()).includes(TOKEN), false, 'no token in the error');
    telegram.busy(false);

    const rows = page.getByTestId('delivery-row');
    await rows.nth(1).waitFor(WAIT);
    assert.equal(await rows.nth(0).getAttribute('data-status'), 'gaveup');
    await waitForText(rows.nth(0), 'HTTP 429');
    assert.equal(await rows.nth(1).getAttribute('data-status'), 'sent');
    await screenshot(page, 'en-desktop-telegram-channel');

    // In the list: its kind and chat.
    await page.getByRole('link', { name: 'Notifications', exact: true }).first().click();
    const card = page.getByTestId('channel-card').filter({ hasText: 'Ops Telegram' });
    await waitForText(card, 'Chat -1001234567890');
    assert.deepEqual(page.problems.filter((p) => !/status of 4\d\d/.test(p)), []);
    await page.context().close();
  });

  test('French and a phone: the provider kinds in the picker, the Telegram form', async () => {
    for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
      const fr = lang === 'fr';
      const page = await newPage(browser, { locale, viewport: { width: 375, height: 740 } });
      await page.goto(server.base + '/dashboard/notifications/new');
      await loginInBrowser(page, { lang });
      await page.getByRole('heading', { name: fr ? 'Nouveau canal' : 'New channel' }).waitFor(WAIT);
      for (const kind of ['Telegram', 'Pushover', 'Gotify', 'PagerDuty', 'Opsgenie', 'Matrix']) {
        await page.getByRole('radio', { name: new RegExp('^' + kind) }).waitFor(WAIT);
      }
      await page.getByRole('radio', { name: /^Telegram/ }).check();
      await page.getByLabel(fr ? 'Jeton du bot' : 'Bot token', { exact: true }).waitFor(WAIT);
      await page.getByLabel(fr ? 'Identifiant de la discussion' : 'Chat id', { exact: true }).waitFor();
      assert.equal(await overflowsHorizontally(page), false, `${lang} phone`);
      await screenshot(page, `${lang}-phone-telegram-form`);
      await page.getByRole('radio', { name: /^Pushover/ }).check();
      const emergency = page.getByRole('checkbox', { name: fr ? /Priorité d’urgence/ : /Emergency priority/ });
      assert.equal(await emergency.isChecked(), true, 'emergency on by default, as the API');
      await screenshot(page, `${lang}-phone-pushover-form`);
      assert.deepEqual(page.problems, [], `${lang} problems`);
      await page.context().close();
    }
  });
});
