/* Starts Redoc on /redoc from the installed standalone bundle (no inline script: the CSP forbids it). */
'use strict';

window.addEventListener('DOMContentLoaded', () => {
  const status = document.getElementById('docs-status');
  const root = document.getElementById('redoc');
  if (!window.Redoc || typeof window.Redoc.init !== 'function') {
    status.textContent = 'De documentatie kon niet geladen worden. Lees openapi.json rechtstreeks.';
    return;
  }
  // Search runs in a blob: worker, which the CSP does not allow; the page itself is complete without it.
  window.Redoc.init('/openapi.json', { disableSearch: true, hideDownloadButton: false }, root, () => {
    status.textContent = '';
    status.hidden = true;
  });
});
