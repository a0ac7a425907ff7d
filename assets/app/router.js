// A tiny history router for /dashboard/* paths.
import { useEffect, useState } from './lib.js';

export const BASE = '/dashboard';

export function currentPath() {
  return location.pathname + location.search;
}

export function navigate(to, { replace = false } = {}) {
  if (to === currentPath()) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  window.dispatchEvent(new Event('dd:navigate'));
  window.scrollTo(0, 0);
}

export function useLocation() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('popstate', update);
    window.addEventListener('dd:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('dd:navigate', update);
    };
  }, []);
  return path;
}

/**
 * Matches a path against a pattern such as "/dashboard/monitors/:id": the decoded parameters
 * ({id: "…"}) when every segment matches, otherwise null. Literal segments must match exactly.
 */
export function matchRoute(pattern, path) {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (!got[i]) return null;
      try { params[want[i].slice(1)] = decodeURIComponent(got[i]); } catch { return null; }
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** The current query string's parameters. */
export function queryParams() {
  return new URLSearchParams(location.search);
}

/** Replaces the query string (filters, page numbers) without a new history entry. */
export function setQueryParams(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    for (const v of [].concat(value)) if (v !== '' && v !== null && v !== undefined) params.append(key, v);
  }
  const qs = params.toString();
  const to = location.pathname + (qs ? '?' + qs : '');
  if (to === currentPath()) return;
  history.replaceState(null, '', to);
  window.dispatchEvent(new Event('dd:navigate'));
}

/** Same-page links handled by the router; a modified click opens normally. */
export function linkClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = event.currentTarget.getAttribute('href');
  if (!href || !href.startsWith(BASE)) return;
  event.preventDefault();
  navigate(href);
}
