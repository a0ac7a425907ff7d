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

/** Same-page links handled by the router; a modified click opens normally. */
export function linkClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = event.currentTarget.getAttribute('href');
  if (!href || !href.startsWith(BASE)) return;
  event.preventDefault();
  navigate(href);
}
