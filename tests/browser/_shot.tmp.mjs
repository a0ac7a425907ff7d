import { startServer, launchBrowser, newPage, screenshot, setupAdmin, startTarget, PASSWORD, overflowsHorizontally } from './harness.mjs';
const server = await startServer();
const base = server.base;
await setupAdmin(base);
const login = await fetch(base + '/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: base }, body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }) });
const cookie = login.headers.get('set-cookie').split(';')[0];
const api = async (method, path, body) => {
  const r = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', Origin: base, Cookie: cookie }, body: body && JSON.stringify(body) });
  const t = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${t}`);
  return t ? JSON.parse(t) : null;
};
const up = await startTarget();
const down = await startTarget(); down.setUp(false);
const m1 = await api('POST', '/monitors', { name: 'api-1', url: up.url, intervalSeconds: 30 });
const m2 = await api('POST', '/monitors', { name: 'db-1', url: down.url, intervalSeconds: 30, downtimeConfirmationThreshold: 1 });
await api('POST', '/tasks', { id: 'backup', name: 'Backup' });
const page0 = await api('POST', '/status-pages', { slug: 'acme', title: 'Acme Cloud', description: 'Live status of Acme services', footer: 'Questions? support@acme.example', groups: [
  { name: 'Web', components: [{ sourceType: 'monitor', sourceId: m1.id, publicName: 'Website', show: 'uptime' }, { sourceType: 'monitor', sourceId: m2.id, publicName: 'Database', show: 'responseTime' }] },
  { name: 'Jobs', components: [{ sourceType: 'task', sourceId: 'backup', publicName: 'Backups', show: 'status' }] }] });
await api('POST', `/status-pages/${page0.id}/announcements`, { title: 'Database slow', impact: 'major', status: 'investigating', body: 'We are **looking** into it.' });
await new Promise((r) => setTimeout(r, 6000));
const browser = await launchBrowser();
for (const [name, locale, scheme, width] of [['en-light', 'en-US', 'light', 1280], ['fr-dark-375', 'fr-FR', 'dark', 375]]) {
  const page = await newPage(browser, { locale, viewport: { width, height: 800 } });
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(base + '/status/acme');
  await page.waitForTimeout(500);
  await screenshot(page, 'status-page-' + name);
  console.log(name, 'overflow', await overflowsHorizontally(page), page.problems);
  if (name === 'en-light') {
    await api('POST', `/status-pages/${page0.id}/announcements`, { title: 'Live one', impact: 'minor', status: 'monitoring', body: 'Appears live.' });
    await page.getByText('Live one').waitFor({ timeout: 5000 });
    console.log('live ok');
  }
}
await browser.close();
await up.close(); await down.close();
await server.stop();
