// Silencing an incident from its page for 1 h, in English and French on a 375 px phone: the
// quick buttons, the silence in force with its end and "End now", the same silence on the
// task's page and in the Silences list (reached from the navigation), and a silence of every
// task made and ended from the list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchBrowser, loginInBrowser, newPage, overflowsHorizontally, screenshot, setupAdmin, startServer,
} from './harness.mjs';

const WAIT = { timeout: 30000 };
const PHONE = { width: 375, height: 740 };
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

/** Creates a task and reports a failed run of it, from the logged-in page; returns the incident id. */
async function failingTask(page, id) {
  return page.evaluate(async (taskId) => {
    const post = (path, body) => fetch(path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const [path, body] of [['/tasks', { id: taskId, name: `Backup ${taskId}` }], [`/tasks/${taskId}/start`],
      [`/tasks/${taskId}/finish`, { status: 'failure', exitCode: 1 }]]) {
      const response = await post(path, body);
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    }
    const list = await (await fetch(`/incidents?sourceId=${taskId}`)).json();
    return list.items[0].id;
  }, id);
}

describe('silences', () => {
  for (const [lang, locale] of [['en', 'en-US'], ['fr', 'fr-FR']]) {
    const fr = lang === 'fr';
    test(`silence an incident for 1 h (${lang}, phone), see it on the task and in the list, end it`, async () => {
      const page = await newPage(browser, { locale, viewport: PHONE });
      const shot = (what) => screenshot(page, `${lang}-phone-silence-${what}`);
      await page.goto(server.base + '/dashboard');
      await loginInBrowser(page, { lang });
      await page.getByRole('link', { name: 'Silences', exact: true }).waitFor(WAIT);
      const incident = await failingTask(page, `backup-${lang}`);

      await page.goto(`${server.base}/dashboard/incidents/${incident}`);
      const panel = page.getByTestId('silence-panel');
      const started = Date.now();
      await panel.getByRole('button', { name: fr ? 'pendant 1 h' : 'for 1 h' }).click();
      const active = panel.getByTestId('silence-active');
      await active.getByText(fr ? /Notifications en silence jusqu’au/ : /Notifications silenced until/).waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'incident page at 375 px');
      await shot('incident');

      // The API has it ending in an hour, covering the task.
      const silences = await page.evaluate(async () => (await (await fetch('/silences?active=true')).json()).items);
      const mine = silences.find((s) => s.matchers.sourceIds.includes(`backup-${lang}`));
      assert.ok(mine, JSON.stringify(silences));
      const minutes = (new Date(mine.endsAt).getTime() - started) / 60000;
      assert.ok(minutes > 59 && minutes <= 61, `ends in ${minutes} min`);

      // The task's page shows it too.
      await page.goto(`${server.base}/dashboard/tasks/backup-${lang}`);
      await page.getByTestId('silence-active').waitFor(WAIT);

      // The Silences page, from the navigation.
      await page.getByRole('link', { name: 'Silences', exact: true }).click();
      const row = page.getByTestId('silence-row').filter({ hasText: `backup-${lang}` });
      await row.waitFor(WAIT);
      assert.equal(await overflowsHorizontally(page), false, 'silences page at 375 px');
      await shot('list');

      // A silence of every task, for 4 h, from the list.
      await page.getByRole('button', { name: fr ? 'Nouveau silence' : 'New silence' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(fr ? 'Quoi mettre en silence' : 'What to silence').selectOption('kind');
      await dialog.getByLabel(fr ? 'Type' : 'Kind', { exact: true }).selectOption('task');
      await dialog.getByLabel(fr ? 'Jusqu’à' : 'Until', { exact: true }).selectOption('for4h');
      await dialog.getByLabel(fr ? 'Raison' : 'Reason').fill(`Scheduler move ${lang}`);
      await shot('new');
      await dialog.getByRole('button', { name: fr ? 'Mettre en silence' : 'Silence', exact: true }).click();
      const kindRow = page.getByTestId('silence-row').filter({ hasText: `Scheduler move ${lang}` });
      await kindRow.getByText(fr ? 'Types : task' : 'Kinds: task').waitFor(WAIT);
      await kindRow.getByRole('button', { name: fr ? 'Terminer maintenant' : 'End now' }).click();
      await kindRow.waitFor({ state: 'detached', ...WAIT });

      // Ended now from the incident: the quick buttons are back.
      await page.goto(`${server.base}/dashboard/incidents/${incident}`);
      await panel.getByRole('button', { name: fr ? 'Terminer maintenant' : 'End now' }).click();
      await panel.getByRole('button', { name: fr ? 'jusqu’à demain' : 'until tomorrow' }).waitFor(WAIT);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
