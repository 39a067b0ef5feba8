/* <praktijk-zoeker>: the Praktijkbank search box for other websites.
 *
 *   <script src="https://HOST/widget.js"></script>
 *   <praktijk-zoeker region="limburg" results="3"></praktijk-zoeker>
 *
 * Attributes: api, region, krachtlijn, sector (comma-separated), results, label, placeholder, mode, target.
 * Everything renders inside an open Shadow DOM; API text is only ever inserted as text. */
(() => {
  'use strict';
  if (!('customElements' in window) || customElements.get('praktijk-zoeker')) return;

  const UNREACHABLE = 'De Praktijkbank is niet bereikbaar. Probeer het later opnieuw.';
  const TIMED_OUT = 'De Praktijkbank antwoordt niet. Controleer je verbinding en probeer het opnieuw.';
  const TIMEOUT_MS = 8000;
  const DEFAULT_LABEL = 'Zoek een inspirerende praktijk';
  const FILTERS = ['krachtlijn', 'region', 'sector'];
  const DEFAULT_RESULTS = 5;
  const MAX_RESULTS = 50;

  // The default API host is wherever this script was loaded from (known only while it runs).
  const DEFAULT_API = (() => {
    try {
      const origin = new URL(document.currentScript.src, location.href).origin;
      return origin && origin !== 'null' ? origin : location.origin;
    } catch {
      return location.origin;
    }
  })();

  const CSS = `
    :host {
      all: initial;
      display: block;
      max-width: 40rem;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      font-size: 16px;
      line-height: 1.5;
      color: #1b1f23;
    }
    :host([hidden]) { display: none; }
    [hidden] { display: none !important; }
    * { box-sizing: border-box; }
    .box { padding: 1rem; background: #fff; border: 1px solid #c8cfd6; border-radius: 8px; }
    label { display: block; margin-bottom: .35rem; font-weight: 700; }
    .row { display: flex; flex-wrap: wrap; gap: .5rem; }
    input {
      flex: 1 1 9rem; min-width: 0; width: 100%; padding: .55rem .7rem; font: inherit; color: inherit;
      background: #fff; border: 2px solid #4f5760; border-radius: 6px;
    }
    button {
      flex: none; padding: .55rem 1rem; font: inherit; font-weight: 600; color: #fff; cursor: pointer;
      background: #0a5687; border: 2px solid #0a5687; border-radius: 6px;
    }
    button:hover { background: #073b5c; border-color: #073b5c; }
    :focus-visible { outline: 3px solid #b54b00; outline-offset: 2px; }
    .status { margin: .75rem 0 0; color: #4f5760; }
    .status:empty { display: none; }
    .status.error { padding: .5rem .75rem; color: #8a1c12; background: #fdecea; border-radius: 6px; }
    ul { margin: .5rem 0 0; padding: 0; list-style: none; }
    li { padding: .65rem 0; border-top: 1px solid #e1e5e9; }
    a { color: #0a5687; text-underline-offset: .15em; }
    a:hover { color: #073b5c; }
    .result-title { font-weight: 700; font-size: 1.05rem; }
    .meta { display: block; font-size: .9rem; color: #4f5760; }
    .text { margin: .2rem 0 0; }
    mark { padding: 0 .1em; color: inherit; background: #ffe27a; border-radius: 2px; }
    .more { margin: .5rem 0 0; font-size: .95rem; }
    .help:empty { display: none; }
    .help p { margin: .5rem 0 0; }
    .retry {
      margin-top: .5rem; color: #0a5687; background: #fff; border-color: #0a5687;
    }
    .retry:hover { color: #fff; }
    @media (max-width: 22rem) { .box { padding: .75rem; } }
  `;

  // One constructed stylesheet shared by all instances; a <style> element as fallback.
  let sharedSheet = null;
  function applyStyles(root) {
    try {
      if (!sharedSheet) {
        sharedSheet = new CSSStyleSheet();
        sharedSheet.replaceSync(CSS);
      }
      root.adoptedStyleSheets = [sharedSheet];
    } catch {
      const style = document.createElement('style');
      style.textContent = CSS;
      root.append(style);
    }
  }

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== '') node.append(child);
    }
    return node;
  }

  const isHttpUrl = (url) => typeof url === 'string' && /^https?:\/\//i.test(url.trim());
  const listAttr = (value) => (value || '').split(',').map((s) => s.trim()).filter(Boolean);
  // 'oost-vlaanderen' -> 'Oost-Vlaanderen' when no label is known.
  const prettyKey = (key) => String(key).replace(/(^|[-\s])(\p{L})/gu, (m, sep, ch) => sep + ch.toUpperCase());

  // Snippet with [start, end) highlights (code point offsets) in <mark>, built from text nodes.
  function highlighted(text, ranges) {
    const chars = Array.from(String(text || ''));
    const fragment = document.createDocumentFragment();
    const spans = (Array.isArray(ranges) ? ranges : [])
      .filter((r) => Array.isArray(r) && Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[1] > r[0])
      .sort((a, b) => a[0] - b[0]);
    let pos = 0;
    for (const [rawStart, rawEnd] of spans) {
      const start = Math.max(rawStart, pos);
      const end = Math.min(rawEnd, chars.length);
      if (start >= end) continue;
      if (start > pos) fragment.append(chars.slice(pos, start).join(''));
      fragment.append(h('mark', null, chars.slice(start, end).join('')));
      pos = end;
    }
    if (pos < chars.length) fragment.append(chars.slice(pos).join(''));
    return fragment;
  }

  // Region labels per API host, fetched once.
  const regionLabelCache = new Map();
  function regionLabels(base) {
    if (!regionLabelCache.has(base)) {
      const labels = fetch(base + '/api/vocabularies', { headers: { Accept: 'application/json' } })
        .then((r) => (r.ok ? r.json() : {}))
        .then((v) => new Map((Array.isArray(v.region) ? v.region : []).map((t) => [t.key, t.label])))
        .catch(() => new Map());
      regionLabelCache.set(base, labels);
    }
    return regionLabelCache.get(base);
  }

  class PraktijkZoeker extends HTMLElement {
    static get observedAttributes() {
      return ['placeholder', 'label', 'region'];
    }

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      applyStyles(root);
      this._input = h('input', { type: 'search', id: 'q', name: 'q', autocomplete: 'off', part: 'input' });
      this._label = h('label', { for: 'q', id: 'label', part: 'label' }, DEFAULT_LABEL);
      // The landmark is named by the visible label; the `label` attribute keeps several apart.
      this._form = h('form', { role: 'search', 'aria-labelledby': 'label', part: 'form' },
        this._label,
        h('div', { class: 'row' }, this._input, h('button', { type: 'submit', part: 'button' }, 'Zoeken')));
      this._status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
      this._retry = h('button', { type: 'button', class: 'retry', part: 'retry', hidden: '' }, 'Opnieuw proberen');
      this._retry.addEventListener('click', () => this.search(this._lastQuery || this._input.value));
      this._help = h('div', { class: 'help', part: 'help' });
      this._list = h('ul', { class: 'results', part: 'results' });
      this._more = h('p', { class: 'more' });
      root.append(h('div', { class: 'box', part: 'box' },
        this._form, this._status, this._retry, this._help, this._list, this._more));

      this._timer = 0;
      this._controller = null;
      this._lastQuery = null;
      this._form.addEventListener('submit', (event) => {
        event.preventDefault();
        this.search(this._input.value);
      });
      this._input.addEventListener('input', () => this._onInput());
    }

    connectedCallback() {
      this._applyPlaceholder();
    }

    disconnectedCallback() {
      clearTimeout(this._timer);
      if (this._controller) this._controller.abort();
    }

    attributeChangedCallback() {
      this._applyPlaceholder();
    }

    _applyPlaceholder() {
      this._input.placeholder = this.getAttribute('placeholder') || 'bv. eenzaamheid bij ouderen';
      // Without a label, a regional widget says its region, so two widgets on a page differ.
      const regions = listAttr(this.getAttribute('region')).map(prettyKey);
      const fallback = regions.length ? `${DEFAULT_LABEL} in ${regions.join(', ')}` : DEFAULT_LABEL;
      this._label.textContent = (this.getAttribute('label') || '').trim() || fallback;
    }

    get apiBase() {
      return (this.getAttribute('api') || DEFAULT_API).trim().replace(/\/+$/, '');
    }

    get resultCount() {
      const n = parseInt(this.getAttribute('results'), 10);
      return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_RESULTS) : DEFAULT_RESULTS;
    }

    // Search while typing: at least 2 characters, 300 ms after the last key.
    _onInput() {
      clearTimeout(this._timer);
      const q = this._input.value.trim();
      if (q.length < 2) return;
      this._timer = setTimeout(() => {
        if (q !== this._lastQuery) this.search(q);
      }, 300);
    }

    _params(q) {
      const params = new URLSearchParams();
      params.set('q', q);
      for (const name of FILTERS) for (const value of listAttr(this.getAttribute(name))) params.append(name, value);
      return params;
    }

    async search(raw) {
      const q = String(raw || '').trim();
      clearTimeout(this._timer);
      this._lastQuery = q;
      if (this._controller) this._controller.abort();
      const controller = (this._controller = new AbortController());
      const base = this.apiBase;
      const params = this._params(q);
      const mode = (this.getAttribute('mode') || '').trim();
      if (mode) params.set('mode', mode);
      params.set('page', '1');
      params.set('per_page', String(this.resultCount));
      params.set('facets', ''); // the widget shows no filters: no facet counts, a faster answer

      this._showStatus('Zoeken…');
      this._retry.hidden = true;
      this._list.setAttribute('aria-busy', 'true');
      // An API that never answers must not leave "Zoeken…" standing: give up after TIMEOUT_MS.
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, TIMEOUT_MS);
      try {
        const response = await fetch(base + '/api/search?' + params, {
          headers: { Accept: 'application/json' },
          signal: controller.signal,
        });
        const body = await response.json().catch(() => null);
        if (controller.signal.aborted) {
          if (timedOut) this._showError(TIMED_OUT, true);
          return;
        }
        if (!response.ok || !body) {
          const detail = body && typeof body.detail === 'string' ? body.detail : '';
          this._showError(response.status < 500 && detail ? detail : UNREACHABLE);
          return;
        }
        const labels = await regionLabels(base);
        if (controller.signal.aborted) return;
        this._render(body, labels, base, q);
      } catch (err) {
        if (timedOut) this._showError(TIMED_OUT, true);
        else if (err.name !== 'AbortError') this._showError(UNREACHABLE, true);
      } finally {
        clearTimeout(timer);
        if (this._controller === controller) this._list.removeAttribute('aria-busy');
      }
    }

    _showStatus(message, isError = false) {
      this._status.textContent = message;
      this._status.classList.toggle('error', isError);
    }

    _showError(message, canRetry = false) {
      this._list.replaceChildren();
      this._more.replaceChildren();
      this._help.replaceChildren();
      this._showStatus(message, true);
      this._retry.hidden = !canRetry;
    }

    // "match" and "did_you_mean" may be absent (older servers): then nothing is shown.
    _renderHelp(data, q) {
      const parts = [];
      const suggestion = typeof data.did_you_mean === 'string' ? data.did_you_mean.trim() : '';
      if (suggestion && suggestion !== q) {
        const link = h('a', { href: '#', part: 'link' }, suggestion);
        link.addEventListener('click', (event) => {
          event.preventDefault();
          this._input.value = suggestion;
          this.search(suggestion);
        });
        parts.push(h('p', { class: 'did-you-mean' }, 'Bedoelde je ', link, '?'));
      }
      if (data.match === 'nearest' && q) {
        parts.push(h('p', { class: 'nearest' },
          `Geen praktijk gaat precies over ‘${q}’. Deze liggen het dichtst in de buurt.`));
      }
      this._help.replaceChildren(...parts);
    }

    _render(data, labels, base, q) {
      const items = (Array.isArray(data.results) ? data.results : []).slice(0, this.resultCount);
      const total = Number(data.total) || items.length;
      this._list.replaceChildren(...items.map((item) => this._renderItem(item, labels, base)));
      this._renderHelp(data, q);
      if (!items.length) this._showStatus('Geen praktijken gevonden.');
      else this._showStatus(total === 1 ? '1 praktijk gevonden' : `${total} praktijken gevonden`);

      // Link to the full search on the Praktijkbank when there is more to see.
      this._more.replaceChildren();
      if (total > items.length && isHttpUrl(base)) {
        const params = this._params(q);
        if (!q) params.delete('q');
        this._more.append(this._link(`${base}/?${params}`, `Bekijk alle ${total} praktijken in de Praktijkbank`));
      }
    }

    _link(href, text, className) {
      const a = h('a', { href, class: className || null, part: 'link' }, text);
      const target = (this.getAttribute('target') || '').trim();
      if (target) {
        a.target = target;
        a.rel = 'noopener noreferrer';
      }
      return a;
    }

    _renderItem(item, labels, base) {
      const title = String(item.title || item.id || '');
      const href = isHttpUrl(item.url) ? item.url.trim()
        : isHttpUrl(base) ? `${base}/praktijk/${encodeURIComponent(item.id)}` : null;
      const heading = href ? this._link(href, title, 'result-title') : h('span', { class: 'result-title' }, title);

      const region = item.region ? labels.get(item.region) || prettyKey(item.region) : '';
      const meta = [item.organisation, region].filter((p) => typeof p === 'string' && p).join(' · ');
      const text = item.snippet ? highlighted(item.snippet, item.highlights) : String(item.summary || '');

      return h('li', { class: 'result', part: 'result', 'data-id': item.id },
        heading,
        meta ? h('span', { class: 'meta' }, meta) : null,
        h('p', { class: 'text' }, text));
    }
  }

  customElements.define('praktijk-zoeker', PraktijkZoeker);
})();
