/* Starts Swagger UI on /docs from the installed bundle (no inline script: the CSP forbids it). */
'use strict';

window.addEventListener('DOMContentLoaded', () => {
  const status = document.getElementById('docs-status');
  if (typeof window.SwaggerUIBundle !== 'function') {
    status.textContent = 'De documentatie kon niet geladen worden. Lees openapi.json rechtstreeks.';
    return;
  }
  // Swagger UI leaves a few things unnamed once an operation is opened: its parameter fields and
  // its scrolling code samples. Name them (attributes only; React keeps its own DOM structure).
  const label = (root) => {
    for (const field of root.querySelectorAll('tr[data-param-name] select, tr[data-param-name] input, tr[data-param-name] textarea')) {
      if (field.hasAttribute('aria-label') || field.labels?.length) continue;
      const name = field.closest('tr').dataset.paramName;
      field.setAttribute('aria-label', `Waarde voor ${name}`);
    }
    for (const button of root.querySelectorAll('.copy-to-clipboard button:not([aria-label])')) {
      button.setAttribute('aria-label', 'Kopiëren naar het klembord');
    }
    for (const code of root.querySelectorAll('.highlight-code pre, .microlight, .body-param__example')) {
      if (!code.hasAttribute('tabindex')) code.setAttribute('tabindex', '0');
    }
  };
  const target = document.getElementById('swagger-ui');
  new MutationObserver(() => label(target)).observe(target, { childList: true, subtree: true });

  window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: false, // a deep link is an <a> inside the operation's button (nested-interactive)
    validatorUrl: null, // no badge from an outside validator
    layout: 'BaseLayout',
    syntaxHighlight: { activated: false }, // its colours fail contrast on the dark code background
    onComplete: () => {
      status.textContent = '';
      status.hidden = true;
    },
  });
});
