// The task form's kinds of schedule, against the real binary: a period task ("every N" with its
// grace) and an OnCalendar task made through the form, the next expected times previewed by the
// server as they are typed (and its complaint under the field), the saved schedule in words on
// the task page and the list; then French and a 375 px phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

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

/** Failed requests the test makes on purpose: free ids (HEAD 404), a bad expression (422). */
const expected = (problem) => /status of (404|422)/.test(problem);

async function newTask(page, id) {
  await page.goto(server.base + '/dashboard/tasks/new');
  await page.getByRole('heading', { name: 'New task' }).waitFor(WAIT);
  await page.getByLabel('Id', { exact: true }).fill(id);
  await page.getByText('This id is available.').waitFor(WAIT);
}

describe('schedule kinds', () => {
  test('a period task and an OnCalendar task through the form, previewed and saved', async () => {
    const page = await newPage(browser);
    await page.goto(server.base + '/dashboard/login');
    await loginInBrowser(page);
    await page.getByRole('heading', { name: 'Hello Ada' }).waitFor();

    // Every 2 hours with a 10-minute grace: in words, and five expected times from the server.
    await newTask(page, 'hourly-sync');
    await page.getByLabel('Every N').check();
    await page.getByLabel('Expected every').fill('2');
    await page.getByLabel('Unit').selectOption({ label: 'hours' });
    await page.getByLabel('Grace (seconds)').fill('600');
    const preview = page.getByTestId('schedule-preview');
    await preview.getByText('Every 2 h, counted from the last ping').waitFor(WAIT);
    await preview.getByTestId('occurrences').locator('tbody tr').nth(4).waitFor(WAIT);
    assert.equal(await preview.getByTestId('occurrences').locator('tbody tr').count(), 5);
    await screenshot(page, 'en-desktop-schedule-period-form');
    await page.getByRole('button', { name: 'Create the task' }).click();
    await page.waitForURL(/\/dashboard\/tasks\/hourly-sync$/, WAIT);
    const schedule = page.getByTestId('task-schedule');
    await schedule.getByText('Every 2 h, counted from the last ping').waitFor(WAIT);
    await schedule.getByText('grace 10 min').waitFor();
    await page.getByText('After the first ping').first().waitFor();
    await screenshot(page, 'en-desktop-schedule-period-task');

    // OnCalendar: a wrong hour is refused under the field, as a save would; two lines are fine.
    await newTask(page, 'weekday-report');
    await page.getByLabel('OnCalendar', { exact: true }).check();
    const lines = page.getByLabel('OnCalendar expressions, one per line');
    await lines.fill('Mon..Fri 25:00');
    await page.locator('#tf-onCalendar-error').filter({ hasText: 'hour' }).waitFor(WAIT);
    await lines.fill('Mon..Fri 09:00\nSat 10:30');
    await page.getByTestId('schedule-preview').getByTestId('occurrences').locator('tbody tr').nth(4).waitFor(WAIT);
    assert.equal(await page.locator('#tf-onCalendar-error').count(), 0);
    const first = await page.getByTestId('schedule-preview').getByTestId('occurrences').locator('tbody tr').first().innerText();
    assert.match(first, /09:00|10:30/);
    await screenshot(page, 'en-desktop-schedule-calendar-form');
    await page.getByRole('button', { name: 'Create the task' }).click();
    await page.waitForURL(/\/dashboard\/tasks\/weekday-report$/, WAIT);
    await page.getByTestId('task-schedule').getByText('Mon..Fri\u00a009:00').waitFor(WAIT);
    await page.getByRole('heading', { name: 'Next occurrences' }).waitFor();
    await screenshot(page, 'en-desktop-schedule-calendar-task');

    // The form opens on the saved kind, with its values.
    await page.goto(server.base + '/dashboard/tasks/hourly-sync/edit');
    await page.getByLabel('Expected every').waitFor(WAIT);
    assert.equal(await page.getByLabel('Every N').isChecked(), true);
    assert.equal(await page.getByLabel('Expected every').inputValue(), '2');
    assert.equal(await page.getByLabel('Grace (seconds)').inputValue(), '600');

    // The list says each schedule in words.
    await page.goto(server.base + '/dashboard/tasks');
    const row = (name) => page.getByTestId('task-row').filter({ hasText: name });
    await row('hourly-sync').getByText('Every 2 h').waitFor(WAIT);
    await row('weekday-report').getByText('Sat\u00a010:30').waitFor();
    assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
    await page.context().close();
  });

  test('French and a phone: the kinds, the preview, no horizontal scrolling', async () => {
    for (const [lang, locale, viewport] of [['fr', 'fr-FR', { width: 1280, height: 800 }], ['en', 'en-US', { width: 375, height: 740 }], ['fr', 'fr-FR', { width: 375, height: 740 }]]) {
      const fr = lang === 'fr';
      const name = `${lang}-${viewport.width}-schedule`;
      const page = await newPage(browser, { locale, viewport });
      await page.goto(server.base + '/dashboard/tasks/weekday-report/edit');
      await loginInBrowser(page, { lang });
      await page.getByLabel(fr ? 'Expressions OnCalendar, une par ligne' : 'OnCalendar expressions, one per line').waitFor(WAIT);
      await page.getByTestId('schedule-preview').getByTestId('occurrences').locator('tbody tr').nth(4).waitFor(WAIT);
      if (viewport.width === 375) assert.equal(await overflowsHorizontally(page), false, name + '-calendar');
      await screenshot(page, name + '-calendar-form');
      await page.getByLabel(fr ? 'Toutes les N' : 'Every N').check();
      await page.getByText(fr ? 'Toutes les 1 h, depuis le dernier ping' : 'Every 1 h, counted from the last ping').waitFor(WAIT);
      if (viewport.width === 375) assert.equal(await overflowsHorizontally(page), false, name + '-period');
      await screenshot(page, name + '-period-form');
      await page.goto(server.base + '/dashboard/tasks');
      await page.getByTestId('task-row').filter({ hasText: 'hourly-sync' }).waitFor(WAIT);
      if (viewport.width === 375) assert.equal(await overflowsHorizontally(page), false, name + '-list');
      await screenshot(page, name + '-list');
      assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
      await page.context().close();
    }
  });
});
