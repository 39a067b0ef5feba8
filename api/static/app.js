/* Praktijkbank: search page (/) and practice page (/praktijk/{id}).
 * Plain JS, no build step. All API text is inserted as text nodes, never as HTML. */
'use strict';

(() => {
  const PER_PAGE = 10;
  const FILTER_GROUPS = [
    { name: 'krachtlijn', legend: 'Krachtlijn' },
    { name: 'region', legend: 'Regio' },
    { name: 'sector', legend: 'Sector' },
  ];
  // Filters the API accepts without checkboxes here; they survive in the URL.
  const EXTRA_FILTERS = ['target_group', 'theme'];
  const ALL_FILTERS = [...FILTER_GROUPS.map((g) => g.name), ...EXTRA_FILTERS];
  const LAST_SEARCH_KEY = 'praktijkbank:lastSearch';
  const WIDE_SCREEN = window.matchMedia('(min-width: 52em)');
  const DATE_FORMAT = new Intl.DateTimeFormat('nl-BE', { dateStyle: 'long', timeZone: 'UTC' });

  const $ = (selector) => document.querySelector(selector);

  /* ---------- DOM and API helpers ---------- */

  // Create an element; strings among the children become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'className') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false || child === '') continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const isHttpUrl = (url) => typeof url === 'string' && /^https?:\/\//i.test(url.trim());
  const practiceHref = (id) => '/praktijk/' + encodeURIComponent(id);
  const uniq = (values) => [...new Set(values)];

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  // Turn an error body ({"detail": ...}) into a friendly Dutch message.
  function errorMessage(body, status) {
    const detail = body && body.detail;
    if (typeof detail === 'string' && detail.trim()) return detail;
    if (Array.isArray(detail)) {
      const messages = detail.map((d) => (d && typeof d.msg === 'string' ? d.msg : '')).filter(Boolean);
      if (messages.length) return messages.join(' ');
    }
    if (status === 404) return 'Deze praktijk bestaat niet (meer).';
    if (status >= 500) return 'Er ging iets mis bij de Praktijkbank. Probeer het later opnieuw.';
    return 'Je zoekopdracht kon niet uitgevoerd worden.';
  }

  async function apiGet(path, signal) {
    let response;
    try {
      response = await fetch(path, { headers: { Accept: 'application/json' }, signal });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError('De Praktijkbank is even niet bereikbaar. Controleer je verbinding en probeer opnieuw.', 0);
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      /* not JSON: handled below */
    }
    if (!response.ok) throw new ApiError(errorMessage(body, response.status), response.status);
    if (body === null) throw new ApiError('Het antwoord van de Praktijkbank was onleesbaar.', response.status);
    return body;
  }

  /* ---------- vocabularies (labels for keys) ---------- */

  const labels = {}; // group name -> Map(key -> label)
  const descriptions = {}; // group name -> Map(key -> definition)

  async function loadVocabulary() {
    let vocab = null;
    try {
      vocab = await apiGet('/api/vocabularies');
    } catch {
      return null; // keys are shown instead of labels
    }
    for (const [group, terms] of Object.entries(vocab || {})) {
      if (!Array.isArray(terms)) continue;
      labels[group] = new Map(terms.map((t) => [t.key, t.label || t.key]));
      descriptions[group] = new Map(terms.filter((t) => t.description).map((t) => [t.key, t.description]));
    }
    return vocab;
  }

  const label = (group, key) => (labels[group] && labels[group].get(key)) || key;

  /* ---------- text rendering ---------- */

  // Snippet with [start, end) highlight offsets (Unicode code points) wrapped in <mark>.
  function highlighted(text, ranges) {
    const chars = Array.from(String(text || ''));
    const fragment = document.createDocumentFragment();
    const spans = (Array.isArray(ranges) ? ranges : [])
      .filter((r) => Array.isArray(r) && r.length >= 2)
      .map((r) => [Number(r[0]), Number(r[1])])
      .filter(([start, end]) => Number.isInteger(start) && Number.isInteger(end) && end > start)
      .sort((a, b) => a[0] - b[0]);
    let pos = 0;
    for (const [rawStart, rawEnd] of spans) {
      const start = Math.max(rawStart, pos);
      const end = Math.min(rawEnd, chars.length);
      if (start >= end) continue;
      if (start > pos) fragment.append(chars.slice(pos, start).join(''));
      fragment.append(el('mark', null, chars.slice(start, end).join('')));
      pos = end;
    }
    if (pos < chars.length) fragment.append(chars.slice(pos).join(''));
    return fragment;
  }

  function metaLine(item) {
    const region = item.region ? label('region', item.region) : '';
    const parts = [item.organisation, region, item.municipality !== region ? item.municipality : ''];
    return parts.filter((p) => typeof p === 'string' && p.trim()).join(' · ');
  }

  // Labels as badges. Spans rather than a list, so that "#results li" only matches results.
  function badges(group, keys, prefix) {
    const values = Array.isArray(keys) ? keys : [];
    if (!values.length) return null;
    const box = el('p', { className: 'badges' });
    if (prefix) box.append(el('span', { className: 'visually-hidden' }, prefix + ': '));
    values.forEach((key, i) => {
      if (i) box.append(' ');
      box.append(el('span', { className: 'badge' }, label(group, key)));
    });
    return box;
  }

  // One result (search list or similar list).
  function renderResult(item, { heading = 'h2', useSummary = false } = {}) {
    const li = el('li', { className: 'result', 'data-id': item.id });
    li.append(el(heading, { className: 'result-heading' },
      el('a', { className: 'result-title', href: practiceHref(item.id) }, item.title || item.id)));
    const meta = metaLine(item);
    if (meta) li.append(el('p', { className: 'meta' }, meta));
    const text = !useSummary && item.snippet
      ? highlighted(item.snippet, item.highlights)
      : item.summary || item.snippet || '';
    li.append(el('p', { className: 'snippet' }, text));
    const krachtlijnen = badges('krachtlijn', item.krachtlijnen, 'Krachtlijnen');
    if (krachtlijnen) li.append(krachtlijnen);
    return li;
  }

  // A blank line starts a new paragraph; a single newline is a hard wrap and flows on.
  function paragraphs(text) {
    return String(text || '').split(/\r?\n[ \t]*\r?\n/)
      .map((block) => block.replace(/\s*\r?\n\s*/g, ' ').trim())
      .filter(Boolean);
  }

  // "2019-2023", "sinds 2019, lopend", or '' without a start year.
  function period(p) {
    const start = Number.isInteger(p.start_year) ? p.start_year : null;
    const end = p.end_year;
    if (start === null) return Number.isInteger(end) ? `tot ${end}` : '';
    if (end === 'lopend' || end === null || end === undefined || end === '') {
      return end === 'lopend' ? `sinds ${start}, lopend` : `sinds ${start}`;
    }
    return end === start ? String(start) : `${start}–${end}`;
  }

  function formatDate(value) {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value || ''));
    if (!match) return value || '';
    const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    return Number.isNaN(date.getTime()) ? value : DATE_FORMAT.format(date);
  }

  function linkOrText(url) {
    if (!url) return null;
    if (!isHttpUrl(url)) return document.createTextNode(url);
    // 'url-text': the link shows its own address, so print needs not write it out again.
    return el('a', { href: url.trim(), rel: 'noopener noreferrer', className: 'url-text' }, url);
  }

  /* ---------- search state <-> URL ---------- */

  function emptyState() {
    const state = { q: '', page: 1 };
    for (const name of ALL_FILTERS) state[name] = [];
    return state;
  }

  function stateFromUrl() {
    const params = new URLSearchParams(location.search);
    const state = emptyState();
    state.q = (params.get('q') || '').trim();
    for (const name of ALL_FILTERS) state[name] = uniq(params.getAll(name).filter(Boolean));
    const page = parseInt(params.get('page'), 10);
    state.page = Number.isFinite(page) && page > 0 ? page : 1;
    return state;
  }

  function filterParams(state) {
    const params = new URLSearchParams();
    if (state.q) params.set('q', state.q);
    for (const name of ALL_FILTERS) for (const value of state[name]) params.append(name, value);
    return params;
  }

  function pageUrl(state) {
    const params = filterParams(state);
    if (state.page > 1) params.set('page', String(state.page));
    const query = params.toString();
    return '/' + (query ? '?' + query : '');
  }

  function apiSearchUrl(state) {
    const params = filterParams(state);
    params.set('q', state.q);
    params.set('mode', 'hybrid');
    params.set('page', String(state.page));
    params.set('per_page', String(PER_PAGE));
    // The counts next to the checkboxes: only the kinds the page shows.
    params.set('facets', FILTER_GROUPS.map((g) => g.name).join(','));
    return '/api/search?' + params.toString();
  }

  const activeFilterCount = (state) => ALL_FILTERS.reduce((n, name) => n + state[name].length, 0);

  /* ---------- search page ---------- */

  let current = emptyState();
  let lastPageCount = 1;
  let controller = null;
  let vocabReady = Promise.resolve();

  function buildFilters(vocab) {
    const container = $('#filter-groups');
    const fieldsets = [];
    for (const group of FILTER_GROUPS) {
      const terms = Array.isArray(vocab[group.name]) ? vocab[group.name] : [];
      if (!terms.length) continue;
      // Definitions (the krachtlijnen have them) are text under the option, shown on request and
      // always tied to the checkbox as its description: not a hover-only title.
      const withDefinitions = group.name === 'krachtlijn' && terms.some((t) => t.description);
      const items = terms.map((term) => {
        const defId = withDefinitions && term.description ? `def-${group.name}-${term.key}` : null;
        return el('li', { className: 'facet-value' },
          el('label', null,
            el('input', { type: 'checkbox', name: group.name, value: term.key, 'aria-describedby': defId }),
            el('span', { className: 'facet-label' }, term.label || term.key), ' ',
            el('span', { className: 'count' }, term.count ?? '')),
          defId ? el('p', { className: 'facet-definition', id: defId, hidden: true }, term.description) : null);
      });
      const fieldset = el('fieldset', { className: 'facet' },
        el('legend', { className: 'visually-hidden' }, group.legend));
      if (withDefinitions) {
        const toggle = el('button', { type: 'button', className: 'link-button definitions-toggle',
          'aria-expanded': 'false' }, 'Uitleg bij de krachtlijnen');
        toggle.addEventListener('click', () => {
          const show = toggle.getAttribute('aria-expanded') !== 'true';
          toggle.setAttribute('aria-expanded', String(show));
          for (const def of fieldset.querySelectorAll('.facet-definition')) def.hidden = !show;
        });
        fieldset.append(toggle);
      }
      fieldset.append(el('ul', { className: 'facet-list' }, ...items));
      // Each group folds (fewer Tab stops); it opens again by its heading.
      fieldsets.push(el('details', { className: 'facet-group', 'data-group': group.name, open: true },
        el('summary', null, group.legend), fieldset));
    }
    container.replaceChildren(...fieldsets);
    syncCheckboxes(current);
  }

  // Without vocabularies, build the filters from the facet keys of the first answer.
  function vocabFromFacets(facets, state) {
    const vocab = {};
    for (const group of FILTER_GROUPS) {
      const keys = uniq([...Object.keys((facets && facets[group.name]) || {}), ...state[group.name]]);
      vocab[group.name] = keys.sort().map((key) => ({ key, label: key }));
    }
    return vocab;
  }

  function checkboxes() {
    return document.querySelectorAll('#filter-groups input[type=checkbox]');
  }

  function syncCheckboxes(state) {
    for (const box of checkboxes()) box.checked = state[box.name].includes(box.value);
  }

  function updateFacetCounts(facets) {
    for (const box of checkboxes()) {
      const counts = facets && facets[box.name];
      if (!counts) continue;
      const count = Number(counts[box.value]) || 0;
      box.parentElement.querySelector('.count').textContent = String(count);
      box.closest('li').classList.toggle('zero', count === 0 && !box.checked);
    }
  }

  function setBusy(busy) {
    const section = $('#results-section');
    section.setAttribute('aria-busy', busy ? 'true' : 'false');
    section.classList.toggle('loading', busy);
  }

  function rememberSearch(url) {
    try {
      sessionStorage.setItem(LAST_SEARCH_KEY, url);
    } catch {
      /* storage unavailable: the back link goes to "/" */
    }
  }

  function lastSearchUrl() {
    let url = null;
    try {
      url = sessionStorage.getItem(LAST_SEARCH_KEY);
    } catch {
      /* ignore */
    }
    return url && /^\/(\?.*)?$/.test(url) ? url : '/';
  }

  async function search(state, { push = false, focusResults = false } = {}) {
    current = state;
    const url = pageUrl(state);
    if (push && url !== location.pathname + location.search) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
    rememberSearch(url);

    if (controller) controller.abort();
    controller = new AbortController();
    const { signal } = controller;
    setBusy(true);
    try {
      const [data] = await Promise.all([apiGet(apiSearchUrl(state), signal), vocabReady]);
      if (signal.aborted) return;
      renderSearch(data, state);
      if (focusResults) {
        $('#total').focus();
        $('#results-section').scrollIntoView({ block: 'start' });
      }
    } catch (err) {
      if (err.name === 'AbortError' || signal.aborted) return;
      showSearchError(err.message);
    } finally {
      if (!signal.aborted) setBusy(false);
    }
  }

  function renderSearch(data, state) {
    if (!$('#filter-groups').children.length) buildFilters(vocabFromFacets(data.facets, state));
    syncCheckboxes(state);
    updateFacetCounts(data.facets);

    const total = Number(data.total) || 0;
    const results = Array.isArray(data.results) ? data.results : [];
    const page = Number(data.page) || state.page;
    state.page = page; // the API may clamp the page number
    const perPage = Number(data.per_page) || PER_PAGE;

    $('#search-error').hidden = true;
    $('#total').textContent = total === 1 ? '1 praktijk gevonden' : `${total} praktijken gevonden`;
    $('#show-results').textContent = total === 1 ? 'Toon 1 resultaat' : `Toon ${total} resultaten`;
    renderQueryHelp(data, state);
    $('#results').replaceChildren(...results.map((item) => renderResult(item)));
    $('#empty').hidden = results.length > 0;
    $('#empty-hint').textContent = total > 0
      ? 'Deze pagina bevat geen praktijken meer. Ga terug naar een vorige pagina.'
      : 'Probeer andere woorden of zet een paar filters uit.';

    lastPageCount = Math.max(1, Math.ceil(total / perPage));
    $('#pagination').hidden = lastPageCount <= 1 && page <= 1;
    $('#prev').disabled = page <= 1;
    $('#next').disabled = page >= lastPageCount;
    $('#page-info').textContent = `pagina ${page} van ${lastPageCount}`;

    const active = activeFilterCount(state);
    $('#filter-active').textContent = active ? `(${active} actief)` : '';
    $('#clear-filters').hidden = active === 0;
    document.title = searchTitle(state, total);
  }

  const DEFAULT_TITLE = document.title;

  function searchTitle(state, total) {
    const found = total === 1 ? '1 praktijk' : `${total} praktijken`;
    if (state.q) return `${state.q} (${found}) – Zoeken – Praktijkbank`;
    if (activeFilterCount(state)) return `Gefilterd: ${found} – Praktijkbank`;
    return DEFAULT_TITLE;
  }

  // A link that searches for another query, keeping the filters.
  function searchLink(state, q) {
    const link = el('a', { href: pageUrl({ ...state, q, page: 1 }) }, q);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      $('#q').value = q;
      search({ ...state, q, page: 1 }, { push: true });
    });
    return link;
  }

  // "match" and "did_you_mean" may be absent (older servers): then nothing is shown.
  function renderQueryHelp(data, state) {
    const box = $('#query-help');
    const parts = [];
    const suggestion = typeof data.did_you_mean === 'string' ? data.did_you_mean.trim() : '';
    if (suggestion && suggestion !== state.q) {
      parts.push(el('p', { className: 'did-you-mean' }, 'Bedoelde je ', searchLink(state, suggestion), '?'));
    }
    if (data.match === 'nearest' && state.q) {
      parts.push(el('p', { className: 'nearest' },
        `Geen praktijk gaat precies over ‘${state.q}’. Deze liggen het dichtst in de buurt.`));
    }
    box.replaceChildren(...parts);
    box.hidden = parts.length === 0;
  }

  function showSearchError(message) {
    const box = $('#search-error');
    box.textContent = message;
    box.hidden = false;
    $('#total').textContent = 'Zoeken is niet gelukt.';
    $('#results').replaceChildren();
    $('#empty').hidden = true;
    $('#pagination').hidden = true;
    $('#query-help').hidden = true;
  }

  // Phones: the filters sit above the results; this button closes them and goes to the results.
  function showResults() {
    if (!WIDE_SCREEN.matches) $('#filters').open = false;
    $('#total').focus();
    $('#results-section').scrollIntoView({ block: 'start' });
  }

  function setupFilterToggle() {
    // Filters sit next to the results on wide screens and collapse above them on phones.
    const details = $('#filters');
    const apply = () => {
      details.open = WIDE_SCREEN.matches;
    };
    apply();
    WIDE_SCREEN.addEventListener('change', apply);
  }

  function setupSearchPage() {
    vocabReady = loadVocabulary().then((vocab) => {
      if (vocab) buildFilters(vocab);
    });
    setupFilterToggle();
    $('#show-results').addEventListener('click', showResults);

    $('#search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      search({ ...current, q: $('#q').value.trim(), page: 1 }, { push: true });
    });

    $('#filter-groups').addEventListener('change', (event) => {
      if (!event.target.matches('input[type=checkbox]')) return;
      // Keep the order in which values were chosen: earlier ones first, the new one last.
      const box = event.target;
      const values = current[box.name].filter((v) => v !== box.value);
      search({ ...current, [box.name]: box.checked ? [...values, box.value] : values, page: 1 }, { push: true });
    });

    $('#clear-filters').addEventListener('click', () => {
      search({ ...emptyState(), q: current.q }, { push: true });
      $('#q').focus();
    });

    $('#prev').addEventListener('click', () => {
      const page = Math.max(1, Math.min(current.page - 1, lastPageCount));
      search({ ...current, page }, { push: true, focusResults: true });
    });
    $('#next').addEventListener('click', () => {
      search({ ...current, page: current.page + 1 }, { push: true, focusResults: true });
    });

    window.addEventListener('popstate', () => {
      // A skip link changes only the #fragment: same search, so the results must stay (and keep focus).
      if (location.pathname + location.search === pageUrl(current)) return;
      const state = stateFromUrl();
      $('#q').value = state.q;
      syncCheckboxes(state);
      search(state);
    });

    const initial = stateFromUrl();
    $('#q').value = initial.q;
    search(initial);
  }

  /* ---------- practice page ---------- */

  // The site name is the page heading on the search page only; here the practice title is.
  function demoteBrand() {
    const brand = $('#brand');
    if (!brand || brand.tagName !== 'H1') return;
    const replacement = el('p', { id: 'brand', className: brand.className });
    replacement.append(...brand.childNodes);
    brand.replaceWith(replacement);
  }

  function backNav() {
    return el('nav', { className: 'back', 'aria-label': 'Terug' },
      el('a', { href: lastSearchUrl() }, '← Terug naar zoeken'));
  }

  function fieldRows(p) {
    const join = (group, keys) => (Array.isArray(keys) ? keys.map((k) => (group ? label(group, k) : k)) : []);
    const rows = [
      ['Organisatie', p.organisation],
      ['Regio', p.region ? label('region', p.region) : ''],
      ['Gemeente', p.municipality],
      ['Krachtlijnen', krachtlijnenField(p.krachtlijnen)],
      ['Sectoren', join('sector', p.sectors).join(', ')],
      ['Doelgroepen', join(null, p.target_groups).join(', ')],
      ["Thema's", join(null, p.themes).join(', ')],
      ['Website', linkOrText(p.website)],
      ['Bron', linkOrText(p.source_url)],
      ['Contact', p.contact],
      ['Periode', period(p)],
      ['Laatst nagekeken', formatDate(p.last_reviewed)],
      ['Toegevoegd', formatDate(p.created)],
      ['Bijgewerkt', formatDate(p.updated)],
    ];
    const list = el('dl', { className: 'fields' });
    for (const [name, value] of rows) {
      if (value === null || value === undefined || value === '') continue;
      list.append(el('div', { className: 'field' }, el('dt', null, name), el('dd', null, value)));
    }
    return list;
  }

  // Badges plus the definitions, readable by touch and keyboard (a disclosure, not a tooltip).
  function krachtlijnenField(keys) {
    const box = badges('krachtlijn', keys);
    if (!box) return null;
    const defs = (Array.isArray(keys) ? keys : [])
      .filter((k) => descriptions.krachtlijn && descriptions.krachtlijn.get(k))
      .flatMap((k) => [el('dt', null, label('krachtlijn', k)), el('dd', null, descriptions.krachtlijn.get(k))]);
    const wrap = document.createDocumentFragment();
    wrap.append(box);
    if (defs.length) {
      wrap.append(el('details', { className: 'definitions' },
        el('summary', null, 'Wat betekenen deze krachtlijnen?'), el('dl', null, ...defs)));
    }
    return wrap;
  }

  function renderPractice(root, p) {
    document.title = `${p.title} – Praktijkbank`;
    const parts = [backNav(), el('h1', null, p.title)];
    if (p.status === 'archived') parts.push(el('p', { className: 'notice' }, 'Deze praktijk is gearchiveerd en loopt mogelijk niet meer.'));
    else if (p.status === 'draft') parts.push(el('p', { className: 'notice' }, 'Dit is een ontwerp: deze praktijk is nog niet gepubliceerd.'));
    if (p.summary) parts.push(el('p', { className: 'lead' }, p.summary));
    parts.push(fieldRows(p));

    const blocks = paragraphs(p.description);
    if (blocks.length) {
      parts.push(el('section', { className: 'description', 'aria-labelledby': 'description-heading' },
        el('h2', { id: 'description-heading' }, 'Beschrijving'),
        ...blocks.map((text) => el('p', null, text))));
    }

    const similar = el('section', { className: 'similar', 'aria-labelledby': 'similar-heading' },
      el('h2', { id: 'similar-heading' }, 'Gelijkaardige praktijken'),
      el('p', { className: 'muted', id: 'similar-status', role: 'status' }, 'Gelijkaardige praktijken worden gezocht…'),
      el('ul', { id: 'similar', className: 'results compact' }));
    parts.push(similar);
    root.replaceChildren(...parts);
  }

  async function loadSimilar(id) {
    const status = $('#similar-status');
    try {
      const data = await apiGet(`/api/practices/${encodeURIComponent(id)}/similar?limit=5`);
      const items = Array.isArray(data.results) ? data.results : [];
      $('#similar').replaceChildren(...items.map((item) => renderResult(item, { heading: 'h3', useSummary: true })));
      status.textContent = items.length ? '' : 'Geen gelijkaardige praktijken gevonden.';
      status.hidden = items.length > 0;
    } catch (err) {
      status.textContent = err.message;
    }
  }

  async function showPractice(id) {
    $('#search-view').hidden = true;
    demoteBrand();
    const root = $('#practice');
    root.hidden = false;
    root.replaceChildren(backNav(), el('p', { className: 'muted', role: 'status' }, 'Praktijk wordt geladen…'));

    let practice;
    try {
      [practice] = await Promise.all([apiGet(`/api/practices/${encodeURIComponent(id)}`), loadVocabulary()]);
    } catch (err) {
      const heading = err.status === 404 ? 'Praktijk niet gevonden' : 'Praktijk kon niet geladen worden';
      document.title = `${heading} – Praktijkbank`;
      root.replaceChildren(backNav(), el('h1', null, heading), el('p', { className: 'error', role: 'alert' }, err.message));
      return;
    }
    renderPractice(root, practice);
    loadSimilar(practice.id || id);
  }

  /* ---------- start ---------- */

  function practiceIdFromPath() {
    const match = /^\/praktijk\/([^/]+)\/?$/.exec(location.pathname);
    if (!match) return null;
    try {
      return decodeURIComponent(match[1]);
    } catch {
      return match[1];
    }
  }

  const practiceId = practiceIdFromPath();
  if (practiceId !== null) showPractice(practiceId);
  else setupSearchPage();
})();
