// Applies the theme the user chose (light or dark; otherwise the system's, through the CSS
// `color-scheme: light dark`) before the first paint. A classic script loaded by <head>, since the
// CSP forbids inline ones; app/theme.js changes the choice under the same storage key.
try {
  const chosen = localStorage.getItem('dutyduck.theme');
  if (chosen === 'light' || chosen === 'dark') document.documentElement.dataset.theme = chosen;
} catch {
  // Storage disabled: the system's theme.
}
