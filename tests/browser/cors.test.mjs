// The README's JavaScript example, run by a page of another origin in headless Chromium: the
// browser's CORS preflight and the real request against the real binary, with a token created
// in the dashboard.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  callWithToken, launchBrowser, loginInBrowser, newPage, screenshot, setupAdmin, startServer,
} from './harness.mjs';

let server;
let browser;
let otherOrigin;

/** A page of another origin (another port on 127.0.0.1) running the seed's `fetch` example. */
function toolPage(base, id, secret) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wall display</title>
<style>body { font: 16px sans-serif; margin: 2em; } li { margin: .3em 0; }</style></head>
<body>
<h1>Monitors seen from another origin</h1>
<p id="origin"></p>
<ul id="monitors"></ul>
<p id="status">Loading…</p>
<script>
document.getElementById('origin').textContent = 'This page: ' + location.origin + ' → API: ${base}';
fetch('${base}/monitors', {
    headers: {
        'X-Api-Token-Id': '${id}',
        'X-Api-Token-Secret-Key': '${secret}'
    }
})
  .then((response) => response.json())
  .then((page) => {
    for (const monitor of page.items) {
      const item = document.createElement('li');
      item.textContent = monitor.name + ' — ' + monitor.url;
      document.getElementById('monitors').append(item);
    }
    document.getElementById('status').textContent = page.items.length + ' monitors';
  })
  .catch((error) => { document.getElementById('status').textContent = 'Failed: ' + error; });
</script>
</body></html>`;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await setupAdmin(server.base);
});

after(async () => {
  await new Promise((r) => (otherOrigin ? otherOrigin.close(r) : r()));
  await browser?.close();
  await server?.stop();
});

describe('cors', () => {
  test("a page of another origin lists the monitors with the seed's fetch example", async () => {
    // A token created in the dashboard, as the seed tells.
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/account');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByRole('button', { name: 'Create a token' }).click();
    await page.getByLabel('Label').fill('wall display');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const id = (await page.getByTestId('issued-id').textContent()).trim();
    const secret = (await page.getByTestId('issued-secret').textContent()).trim();
    await page.context().close();

    for (const name of ['Shop', 'Blog']) {
      const response = await fetch(server.base + '/monitors', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Api-Token-Id': id, 'X-Api-Token-Secret-Key': secret },
        body: JSON.stringify({ name, url: `https://${name.toLowerCase()}.example.com/health`, isActive: false }),
      });
      assert.equal(response.status, 201, await response.text());
    }
    assert.equal((await callWithToken(server.base, '/monitors', id, secret)).status, 200);

    const html = toolPage(server.base, id, secret);
    otherOrigin = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    await new Promise((r) => otherOrigin.listen(0, '127.0.0.1', r));
    const toolBase = `http://127.0.0.1:${otherOrigin.address().port}`;
    assert.notEqual(toolBase, server.base);

    const tool = await newPage(browser);
    await tool.goto(toolBase + '/');
    await tool.getByText('2 monitors').waitFor();
    const items = await tool.locator('#monitors li').allTextContents();
    assert.deepEqual(items, [
      'Blog — https://blog.example.com/health',
      'Shop — https://shop.example.com/health',
    ]);
    await screenshot(tool, 'en-desktop-cors-other-origin');
    assert.deepEqual(tool.problems, []);
    await tool.context().close();
  });
});
