// Status pages: the page is complete without this script. It shows times in the visitor's
// zone and language, and refreshes the page in place when it changes: a server-sent `change`
// from `<page>/events`, or, when event streams fail, polling `<page>.json` every 30 s.
(() => {
  'use strict';
  const page = document.body.dataset.page;
  if (!page) return;
  const lang = document.documentElement.lang || undefined;

  const localTimes = (root) => {
    const format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    for (const el of root.querySelectorAll('time[datetime]')) {
      const when = new Date(el.getAttribute('datetime'));
      if (!Number.isNaN(when.getTime())) {
        el.title = el.textContent;
        el.textContent = format.format(when);
      }
    }
  };

  let refreshing = null;
  // A change that arrives during a refresh may not be in what that refresh fetched.
  let again = false;
  const refresh = async () => {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        const response = await fetch(page, { cache: 'no-cache', credentials: 'same-origin' });
        if (!response.ok) return;
        const html = new DOMParser().parseFromString(await response.text(), 'text/html');
        const fresh = html.getElementById('sp-main');
        const current = document.getElementById('sp-main');
        if (fresh && current) {
          const node = document.importNode(fresh, true);
          localTimes(node);
          current.replaceWith(node);
        }
      } catch {
        // Offline for a moment: the next change or poll tries again.
      } finally {
        refreshing = null;
        if (again) {
          again = false;
          refresh();
        }
      }
    })();
    return refreshing;
  };

  // What the JSON says, its time of rendering aside.
  const shown = (json) => JSON.stringify({ ...json, updatedAt: null });
  let polling = null;
  const poll = () => {
    if (polling) return;
    let last = null;
    polling = setInterval(async () => {
      try {
        const response = await fetch(`${page}.json`, { cache: 'no-cache', credentials: 'same-origin' });
        if (!response.ok) return;
        const now = shown(await response.json());
        if (last !== null && now !== last) await refresh();
        last = now;
      } catch {
        // Try again at the next tick.
      }
    }, 30000);
  };

  localTimes(document);
  if (!('EventSource' in window)) {
    poll();
    return;
  }
  let failures = 0;
  const listen = () => {
    const events = new EventSource(`${page}/events`);
    events.addEventListener('change', () => {
      failures = 0;
      refresh();
    });
    events.addEventListener('open', () => {
      // Reconnected: something may have changed while away.
      if (failures > 0) refresh();
      failures = 0;
    });
    events.addEventListener('error', () => {
      failures += 1;
      if (events.readyState === EventSource.CLOSED || failures > 3) {
        events.close();
        poll();
      }
    });
  };
  listen();
})();
