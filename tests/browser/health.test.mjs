// The administrator's banner when the server falls behind: another process holds the database
// past the busy timeout, a write fails, every page says so; once the lock is gone, it goes away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { launchBrowser, loginInBrowser, newPage, screenshot, setupAdmin, startServer } from './harness.mjs';

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

/** Holds SQLite's write lock on the server's database (as a backup or a sqlite3 shell would). */
async function holdWriteLock(dataDir) {
  const script = [
    'import sqlite3, sys',
    `c = sqlite3.connect(${JSON.stringify(join(dataDir, 'dutyduck.db'))}, isolation_level=None)`,
    "c.execute('BEGIN IMMEDIATE')",
    "print('locked', flush=True)",
    'sys.stdin.read()',
  ].join('\n');
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return { release: () => new Promise((r) => { child.on('exit', r); child.stdin.end(); }) };
}

async function healthStatus() {
  return (await fetch(server.base + '/healthz')).status;
}

describe('health banner', () => {
  test('an administrator sees what is wrong while writes fail, and the banner goes once they work', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();
    assert.equal(await page.getByTestId('health-banner').count(), 0, 'no banner while healthy');

    const lock = await holdWriteLock(server.dataDir);
    // Any write now fails after the 5 s busy timeout: here, creating a monitor.
    const status = await page.evaluate(async () => (await fetch('/monitors', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'api', url: 'http://127.0.0.1:9/', isActive: false }),
    })).status);
    assert.equal(status, 503);
    assert.equal(await healthStatus(), 503);

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Monitors' }).click();
    const banner = page.getByTestId('health-banner');
    await banner.getByText('dutyduck is not keeping watch properly').waitFor(WAIT);
    await banner.getByText('the database refuses writes').waitFor();
    await screenshot(page, 'en-desktop-health-banner');

    await lock.release();
    // The watchdog writes a probe every 5 s while writes fail: once one goes through, healthy.
    const deadline = Date.now() + 30000;
    while (await healthStatus() !== 200) {
      assert.ok(Date.now() < deadline, '/healthz did not turn 200 again');
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Tasks' }).click();
    await banner.waitFor({ state: 'detached', ...WAIT });
    assert.deepEqual(page.problems.filter((p) => !/status of 503/.test(p)), []);
  });
});
