// The boot facts index.html carries (is the setup needed? who is logged in?): the first paint
// uses them without asking the API, and a link from another site, on which the SameSite=Strict
// session cookie stays behind, still finds the user logged in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, loginInBrowser, newPage, setupAdmin, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('boot facts', () => {
  test('a logged-in load asks neither /setup nor /auth/session; a link from another site keeps the session', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();

    const asked = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.goto(server.base + '/dashboard/monitors');
    await page.getByRole('heading', { name: 'Monitors', level: 1 }).waitFor();
    assert.ok(!asked.includes('/setup') && !asked.includes('/auth/session'), asked.join(' '));

    // A page of another site links to the dashboard (a notification's link does the same).
    await page.route('http://elsewhere.example/', (route) => route.fulfill({
      contentType: 'text/html', body: `<a href="${server.base}/dashboard/monitors">dashboard</a>`,
    }));
    await page.goto('http://elsewhere.example/');
    asked.length = 0;
    await page.getByRole('link', { name: 'dashboard' }).click();
    await page.getByRole('heading', { name: 'Monitors', level: 1 }).waitFor();
    assert.ok(asked.includes('/auth/session'), asked.join(' '));
    assert.match(page.url(), /\/dashboard\/monitors$/);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
