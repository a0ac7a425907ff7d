// Shared setup for the browser tests: the real dutyduck binary on 127.0.0.1:0 with a fresh data
// dir, headless Debian Chromium through playwright-core, console errors collected per page, and
// screenshots saved under target/screenshots/ for a reviewer to look at.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.DUTYDUCK_BIN || join(root, 'target/debug/dutyduck');
export const SCREENSHOTS = join(root, 'target/screenshots');
export const PASSWORD = 'tarte tatin du dimanche';

/** Starts `dutyduck serve`; resolves once it logs its address. */
export async function startServer(extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'dutyduck-browser-'));
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dataDir, 'data'), ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const base = await new Promise((resolveBase, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + log)), 20000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolveBase(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return {
    base,
    dataDir: join(dataDir, 'data'),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Debian's Chromium built as a headless shell (package chromium-headless-shell: the engine of
 * `chromium` without its windowing and UI layers, what Playwright itself runs for headless
 * tests) when installed, else Debian's `chromium`. The shell ran these tests in two thirds of
 * the time. It shows no notifications, so the web push tests ask for the whole `chromium`
 * (`{ notifications: true }`). `CHROMIUM` names another for every test.
 */
const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
const FULL_CHROMIUM = '/usr/bin/chromium';

export async function launchBrowser({ notifications = false } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const shell = !notifications && existsSync(HEADLESS_SHELL);
  return chromium.launch({
    executablePath: process.env.CHROMIUM || (shell ? HEADLESS_SHELL : FULL_CHROMIUM),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A new page whose console errors and failed requests are recorded in `page.problems`. */
export async function newPage(browser, { locale = 'en-US', viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ locale, viewport, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  return page;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, name + '.png'), fullPage: true });
}

/** True when the page is wider than its viewport (horizontal scrolling). */
export async function overflowsHorizontally(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** Calls the API from node with token headers. */
export async function callWithToken(base, path, id, secret) {
  return fetch(base + path, { headers: { 'X-Api-Token-Id': id, 'X-Api-Token-Secret-Key': secret } });
}

/** Creates the first administrator through the API (POST /setup). */
export async function setupAdmin(base, { email = 'ada@example.com', password = PASSWORD } = {}) {
  const response = await fetch(base + '/setup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: base },
    body: JSON.stringify({ organizationName: 'Acme', firstName: 'Ada', lastName: 'Lovelace', email, password }),
  });
  if (response.status !== 200 && response.status !== 201) throw new Error(`setup: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Logs in on the login page (English or French labels). */
export async function loginInBrowser(page, { lang = 'en', email = 'ada@example.com', password = PASSWORD } = {}) {
  const fr = lang === 'fr';
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel(fr ? 'Mot de passe' : 'Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: fr ? 'Se connecter' : 'Log in' }).click();
}

/**
 * A local HTTP target on 127.0.0.1 for monitors to check: `up` answers 200 "ok", `down` 500.
 * `target.setUp(false)` switches it; `target.url` is its address.
 */
export async function startTarget() {
  let up = true;
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    res.writeHead(up ? 200 : 500, { 'Content-Type': 'text/plain' });
    res.end(up ? 'ok' : 'boom');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/health`,
    get hits() { return hits; },
    setUp(value) { up = value; },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
