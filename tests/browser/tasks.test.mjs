// Tasks in the dashboard, against the real binary: create a task in the form (cron preview from
// the server), run it with the real `dutyduck run` wrapper, report a failure through its ping
// URL, follow the incident; then French, phones, a Reporter's view and a new ping key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  BIN, PASSWORD, launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const TASK = '/dashboard/tasks/nightly-backup';
let server;
let browser;
/** Set by the first test, used by the next ones. */
const seen = { incident: null };

before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await setupAdmin(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function waitForText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor(WAIT);
}

/** Failed requests the test makes on purpose: a free id (HEAD 404) and a bad cron (400). */
const expected = (problem) => /status of (404|400)/.test(problem);

describe('tasks', () => {
  test('create a task, run it with dutyduck run, report a failure by ping URL, follow the incident', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Tasks' }).click();
    const empty = page.getByTestId('tasks-empty');
    await empty.getByText('No task yet').waitFor(WAIT);
    await empty.getByText('dutyduck run --task').waitFor();
    await empty.getByText(`curl -fsS -m 10 --retry 5 ${server.base}/ping/`).waitFor();
    await screenshot(page, 'en-desktop-tasks-empty');
    await page.getByRole('link', { name: 'Create your first task' }).click();
    await page.getByRole('heading', { name: 'New task' }).waitFor();

    // Defaults: the browser's time zone, the server's windows.
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/Paris');
    assert.equal(await page.getByLabel('Start window (seconds)').inputValue(), '120');
    assert.equal(await page.getByLabel('Lateness window (seconds)').inputValue(), '240');
    assert.equal(await page.getByLabel('Heartbeat timeout (seconds)').inputValue(), '30');

    await page.getByLabel('Id', { exact: true }).fill('nightly-backup');
    await page.getByText('This id is available.').waitFor(WAIT);
    await page.getByLabel('Name', { exact: true }).fill('Nightly backup');
    await page.getByLabel('Description').fill('Dumps the database to the backup disk.');

    // A bad expression: the server's complaint under the field; then a good one in words, with
    // its next five occurrences from the server.
    const cron = page.getByLabel('Cron expression');
    await cron.fill('61 * * * *');
    await page.locator('#tf-cronSchedule-error').filter({ hasText: '61 * * * *' }).waitFor(WAIT);
    await cron.fill('30 2 * * *');
    const preview = page.getByTestId('cron-preview');
    await waitForText(preview, 'Every day at 02:30');
    await preview.getByTestId('occurrences').locator('tbody tr').nth(4).waitFor(WAIT);
    assert.equal(await preview.getByTestId('occurrences').locator('tbody tr').count(), 5);
    assert.equal(await page.locator('#tf-cronSchedule-error').count(), 0);
    await waitForText(preview.getByTestId('occurrences').locator('tbody tr').first(), '02:30');
    await screenshot(page, 'en-desktop-task-form');
    await page.getByRole('button', { name: 'Create the task' }).click();

    // The task page: healthy, its schedule in words, the ping URL.
    await page.waitForURL(/\/dashboard\/tasks\/nightly-backup$/, WAIT);
    await page.getByRole('heading', { name: 'Nightly backup' }).waitFor();
    await page.locator('[data-testid=task-status] [data-status=healthy]').waitFor(WAIT);
    await waitForText(page.getByTestId('task-schedule'), 'Every day at 02:30');
    await page.getByText('No run reported yet.').waitFor();
    const ping = (await page.getByTestId('ping-url').textContent()).trim();
    assert.match(ping, new RegExp(`^${server.base}/ping/[0-9a-f]{32}$`));

    // The same id again is refused as it is typed.
    await page.goto(server.base + '/dashboard/tasks/new');
    await page.getByLabel('Id', { exact: true }).fill('nightly-backup');
    await page.locator('#tf-id-error').filter({ hasText: 'This id is taken' }).waitFor(WAIT);
    await page.goto(server.base + TASK);

    // A run through the real wrapper, with a token made over the API.
    const token = await page.evaluate(async () => {
      const expiresAt = new Date(Date.now() + 7 * 86400000).toISOString();
      const response = await fetch('/api-tokens', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ label: 'cron', expiresAt }),
      });
      return response.json();
    });
    const run = await promisify(execFile)(BIN, ['run', '--task', 'nightly-backup', '--', 'sh', '-c', 'echo hello from the job; exit 0'], {
      env: { ...process.env, DUTYDUCK_SERVER: server.base, DUTYDUCK_TOKEN_ID: token.id, DUTYDUCK_TOKEN_SECRET: token.secretKey },
    });
    assert.match(run.stdout, /hello from the job/);
    const runs = page.getByTestId('runs');
    const finished = runs.locator('[data-testid=run-row][data-status=finished]');
    await finished.waitFor(WAIT);
    await finished.locator('summary').click();
    await waitForText(finished.getByTestId('run-output'), 'hello from the job');
    assert.equal((await finished.locator('td').nth(3).textContent()).trim(), '0');
    await screenshot(page, 'en-desktop-task');

    // A failure through the ping URL, with its output: failing, an incident, a link to it.
    const fail = await fetch(`${ping}/fail`, { method: 'POST', body: 'disk full\nbackup aborted' });
    assert.equal(await fail.text(), 'OK');
    const failed = runs.locator('[data-testid=run-row][data-status=failed]');
    await failed.waitFor(WAIT);
    await page.locator('[data-testid=task-status] [data-status=failing]').waitFor(WAIT);
    await failed.locator('summary').click();
    await waitForText(failed.getByTestId('run-output'), 'disk full');
    // A ping with no start before it: from healthy straight to failing, never "running".
    await waitForText(page.getByTestId('status-change'), /Healthy[\s\S]*Failing/);
    await waitForText(page.getByTestId('open-incident'), 'failed');
    await page.getByTestId('task-incidents').getByTestId('incident-row').first().waitFor(WAIT);
    await waitForText(page.getByTestId('ongoing-badge'), '1');
    await screenshot(page, 'en-desktop-task-failing');

    await page.getByTestId('open-incident').getByRole('link', { name: 'View the incident' }).click();
    await page.waitForURL(/\/dashboard\/incidents\/[0-9a-f-]{36}$/, WAIT);
    seen.incident = new URL(page.url()).pathname;
    await waitForText(page.getByTestId('incident-cause'), 'failed (no exit code)');
    const timeline = page.getByTestId('timeline');
    await waitForText(timeline.locator('[data-event=taskrunfailed]'), 'Run failed');
    await screenshot(page, 'en-desktop-task-incident');
    await page.getByRole('link', { name: 'Nightly backup' }).click();
    await page.waitForURL(/\/dashboard\/tasks\/nightly-backup$/, WAIT);

    // The list: failing, the last run failed, two squares in the strip.
    await page.goto(server.base + '/dashboard/tasks');
    const row = page.getByTestId('task-row').filter({ hasText: 'Nightly backup' });
    await row.locator('[data-status=failing]').waitFor(WAIT);
    await waitForText(row, 'Every day at 02:30');
    assert.equal(await row.getByTestId('run-strip').locator('[data-status]').count(), 2);
    await page.getByLabel('Status', { exact: true }).selectOption('healthy');
    await page.getByText('No task matches these filters.').waitFor(WAIT);
    await page.getByLabel('Status', { exact: true }).selectOption('problems');
    await row.waitFor(WAIT);
    await screenshot(page, 'en-desktop-tasks-filtered');

    assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    await page.context().close();
  });

  test('French and phones: no horizontal scrolling, no console errors', async () => {
    assert.ok(seen.incident, 'the first test made a task and an incident');
    for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
      for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 375, height: 740 }]]) {
        const fr = lang === 'fr';
        const name = (what) => `${lang}-${device}-${what}`;
        const page = await newPage(browser, { locale, viewport });
        await page.goto(server.base + '/dashboard/tasks');
        await loginInBrowser(page, { lang });
        await page.getByRole('heading', { name: fr ? 'Tâches' : 'Tasks' }).waitFor(WAIT);
        const row = page.getByTestId('task-row').filter({ hasText: 'Nightly backup' });
        await waitForText(row, fr ? 'Tous les jours à 02:30' : 'Every day at 02:30');
        await waitForText(row, fr ? 'En échec' : 'Failing');
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name('tasks'));
        await screenshot(page, name('tasks'));

        await page.goto(server.base + TASK);
        await page.getByTestId('runs').locator('[data-testid=run-row]').nth(1).waitFor(WAIT);
        await page.getByRole('heading', { name: fr ? 'Comment signaler les exécutions' : 'How to report runs' }).waitFor();
        await waitForText(page.getByTestId('open-incident'), fr ? 'a échoué' : 'failed');
        await page.getByTestId('runs').locator('summary').first().click();
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name('task'));
        await screenshot(page, name('task'));

        await page.getByRole('link', { name: fr ? 'Modifier' : 'Edit' }).click();
        await page.getByRole('heading', { name: fr ? 'Modifier la tâche' : 'Edit the task' }).waitFor(WAIT);
        assert.equal(await page.getByLabel(fr ? 'Expression cron' : 'Cron expression').inputValue(), '30 2 * * *');
        await page.getByTestId('occurrences').locator('tbody tr').nth(4).waitFor(WAIT);
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name('task-form'));
        await screenshot(page, name('task-form'));

        await page.goto(server.base + seen.incident);
        await waitForText(page.getByTestId('timeline').locator('[data-event=taskrunfailed]'), fr ? 'Exécution échouée' : 'Run failed');
        await waitForText(page.getByTestId('incident-cause'), fr ? 'a échoué (sans code de sortie)' : 'failed (no exit code)');
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, name('task-incident'));
        await screenshot(page, name('task-incident'));
        assert.deepEqual(page.problems, [], name('problems'));
        await page.context().close();
      }
    }
  });

  test('edit the schedule to ad hoc, regenerate the ping key, delete behind a confirmation', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/tasks/new');
    await loginInBrowser(page);
    await page.getByLabel('Id', { exact: true }).fill('spare');
    await page.getByText('This id is available.').waitFor(WAIT);
    await page.getByLabel('Ad hoc').check();
    await page.getByRole('button', { name: 'Create the task' }).click();
    await page.waitForURL(/\/dashboard\/tasks\/spare$/, WAIT);
    await waitForText(page.getByTestId('task-schedule'), 'Ad hoc');

    // Edit: a schedule from a preset, then back to ad hoc.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('On a schedule (cron)').check();
    await page.getByRole('button', { name: 'Every 5 minutes' }).click();
    assert.equal(await page.getByLabel('Cron expression').inputValue(), '*/5 * * * *');
    await page.getByLabel('Time zone').fill('UTC');
    await page.getByTestId('occurrences').locator('tbody tr').nth(4).waitFor(WAIT);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/dashboard\/tasks\/spare$/, WAIT);
    await waitForText(page.getByTestId('task-schedule'), 'Every 5 minutes');
    await waitForText(page.getByTestId('task-schedule'), 'UTC');

    // A new ping key: the old URL stops working.
    const old = (await page.getByTestId('ping-url').textContent()).trim();
    await page.getByRole('button', { name: 'Regenerate the ping key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate the ping key?' });
    await dialog.getByText('stop working at once').waitFor();
    await dialog.getByRole('button', { name: 'Regenerate the ping key' }).click();
    await page.getByText('New ping key saved.').waitFor(WAIT);
    const fresh = (await page.getByTestId('ping-url').textContent()).trim();
    assert.notEqual(fresh, old);
    assert.equal((await fetch(old)).status, 404);
    assert.equal((await fetch(fresh)).status, 200);

    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this task?' });
    await confirm.getByText('with all its runs').waitFor();
    await screenshot(page, 'en-desktop-task-delete');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/dashboard\/tasks$/, WAIT);
    await page.getByTestId('task-row').first().waitFor(WAIT);
    assert.equal(await page.getByTestId('task-row').filter({ hasText: 'spare' }).count(), 0);
    assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    await page.context().close();
  });

  test('a Reporter sees tasks and runs, but no ping URL and no way to change them', async () => {
    execFileSync(BIN, ['user', 'create', '--data-dir', server.dataDir, '--email', 'rita@example.com', '--first-name', 'Rita',
      '--last-name', 'Reporter', '--org', 'Acme', '--role', 'Reporter', '--password-stdin'], { input: PASSWORD + '\n' });
    const page = await newPage(browser);
    await page.goto(server.base + TASK);
    await loginInBrowser(page, { email: 'rita@example.com' });
    await page.getByRole('heading', { name: 'Nightly backup' }).waitFor(WAIT);
    await page.getByTestId('runs').locator('[data-testid=run-row]').first().waitFor(WAIT);
    await page.getByText('Your role does not allow reporting runs').waitFor();
    assert.equal(await page.getByTestId('ping-url').count(), 0);
    assert.ok(!(await page.content()).includes('/ping/'), 'no ping key on the page');
    for (const name of ['Edit', 'Delete', 'Regenerate the ping key']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).count(), 0, name);
    }
    await page.goto(server.base + '/dashboard/tasks');
    await page.getByTestId('task-row').first().waitFor(WAIT);
    assert.equal(await page.getByRole('link', { name: 'New task' }).count(), 0);
    await page.goto(server.base + '/dashboard/tasks/new');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor(WAIT);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
