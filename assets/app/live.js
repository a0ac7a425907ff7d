// Live changes: one EventSource on /events, shared by every page, tells pages what changed in
// the organization ("monitors", "tasks", "incidents", "maintenance", "silences",
// "statusPages"); each page re-fetches what it shows. Reloads are batched (at most one per
// page every 300 ms, whatever the storm) and wait while the tab is hidden. When the stream
// fails (a proxy that buffers, an old browser), pages are polled every 30 s instead, and once
// it is back every page reloads once, for what changed meanwhile.
import { useEffect, useRef } from './lib.js';

const POLL_EVERY = 30000;
const BATCH = 300;

const pages = new Set();
let source = null;
let poller = null;
let opened = false;

/** "stream" while the event stream is open, "polling" otherwise (shown to tests as data-live). */
export function liveMode() {
  return source && source.readyState === 1 ? 'stream' : 'polling';
}

function everyPage() {
  pages.forEach((p) => p.fire());
}

function startPolling() {
  if (!poller) poller = setInterval(everyPage, POLL_EVERY);
  window.dispatchEvent(new Event('dd:live'));
}

function stopPolling() {
  clearInterval(poller);
  poller = null;
  window.dispatchEvent(new Event('dd:live'));
}

function connect() {
  if (source) return;
  if (typeof EventSource === 'undefined') {
    startPolling();
    return;
  }
  source = new EventSource('/events');
  source.addEventListener('change', (e) => {
    let subject = null;
    try { subject = JSON.parse(e.data).subject; } catch { /* a malformed event: everything */ }
    pages.forEach((p) => { if (!subject || p.subjects.has(subject)) p.fire(); });
  });
  source.addEventListener('open', () => {
    stopPolling();
    if (opened) everyPage();
    opened = true;
  });
  source.addEventListener('error', () => {
    startPolling();
    // CLOSED: the browser gave up (401 after logging out, not an event stream): try again
    // later; otherwise it reconnects by itself after the server's `retry:`.
    if (source && source.readyState === 2) {
      source = null;
      setTimeout(() => { if (pages.size) connect(); }, POLL_EVERY);
    }
  });
}

/**
 * Calls `reload` when one of `subjects` changes (or every 30 s while the stream is down).
 * Reloads are batched, and skipped while the tab is hidden (one reload when it shows again).
 */
export function useLive(subjects, reload) {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    let timer = null;
    let missed = false;
    const run = () => {
      timer = null;
      if (document.hidden) missed = true;
      else latest.current();
    };
    const page = {
      subjects: new Set(subjects),
      fire: () => { if (!timer) timer = setTimeout(run, BATCH); },
    };
    const shown = () => { if (!document.hidden && missed) { missed = false; latest.current(); } };
    pages.add(page);
    document.addEventListener('visibilitychange', shown);
    connect();
    return () => {
      pages.delete(page);
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', shown);
    };
  }, [subjects.join()]);
}
