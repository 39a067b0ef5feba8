/* Starts Swagger UI on /docs from the installed bundle (no inline script: the CSP forbids it). */
'use strict';

window.addEventListener('DOMContentLoaded', () => {
  const status = document.getElementById('docs-status');
  if (typeof window.SwaggerUIBundle !== 'function') {
    status.textContent = 'De documentatie kon niet geladen worden. Lees openapi.json rechtstreeks.';
    return;
  }
  window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: false, // a deep link is an <a> inside the operation's button (nested-interactive)
    validatorUrl: null, // no badge from an outside validator
    layout: 'BaseLayout',
    onComplete: () => {
      status.textContent = '';
      status.hidden = true;
    },
  });
});
