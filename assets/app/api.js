// Calls to the dutyduck API with the session cookie. Errors carry the server's {code, message}.
// Same-origin fetches send an Origin header, which the server requires for cookie writes.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

const listeners = new Set();
/** Called when a request finds the session gone; the app then shows the login page. */
export function onSessionExpired(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** `asText`: the body as text (an HTML preview) instead of parsed JSON; errors stay JSON. */
export async function api(method, path, body, { asText = false } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: asText ? 'text/html, application/json' : 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  const text = await response.text();
  const data = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = (data && data.error) || {};
    const err = new ApiError(response.status, error.code || 'http_' + response.status, error.message || response.statusText,
      Number(response.headers.get('Retry-After')) || 0);
    if (response.status === 401 && path !== '/auth/login') listeners.forEach((fn) => fn(err));
    // The organization requires two-factor sign-in of this session's user: pages/two-factor.js listens.
    if (err.code === 'two_factor_enrolment_required') window.dispatchEvent(new CustomEvent('dd:two-factor-enrolment-required'));
    throw err;
  }
  return asText ? text : data;
}

function safeJson(text) {
  try { return JSON.parse(text); } catch { return null; }
}
