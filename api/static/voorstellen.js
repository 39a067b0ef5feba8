/* Praktijkbank: the submission form (/voorstellen). It posts to POST /api/submissions, the same
 * code path (rate limit, duplicate check, draft status) as any API client. Plain JS, no build step. */
'use strict';

(() => {
  const $ = (selector) => document.querySelector(selector);
  const form = $('#submit-form');
  const NAMES = {
    title: 'Titel', summary: 'Korte samenvatting', description: 'Beschrijving', organisation: 'Organisatie',
    region: 'Regio', municipality: 'Gemeente', krachtlijnen: 'Krachtlijnen', sectors: 'Sectoren',
    target_groups: 'Doelgroepen', themes: "Thema's", website: 'Website', contact: 'Contact',
  };
  const LISTS = ['target_groups', 'themes'];
  const CHOICES = ['krachtlijnen', 'sectors'];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'className') node.className = value;
      else node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* ---------- choices from the vocabularies ---------- */

  async function loadChoices() {
    let vocab;
    try {
      const response = await fetch('/api/vocabularies', { headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(String(response.status));
      vocab = await response.json();
    } catch {
      showSummary('De lijsten met regio\'s, krachtlijnen en sectoren konden niet geladen worden. '
        + 'Herlaad de pagina om het opnieuw te proberen.', []);
      return;
    }
    const region = $('#f-region');
    for (const term of vocab.region || []) region.append(el('option', { value: term.key }, term.label || term.key));
    for (const list of document.querySelectorAll('.choice-list')) {
      const group = list.dataset.vocab;
      const name = list.closest('fieldset').dataset.name;
      list.replaceChildren(...(vocab[group] || []).map((term) => {
        const hint = term.description ? `${list.id || name}-${term.key}-hint` : null;
        return el('li', null,
          el('label', null, el('input', { type: 'checkbox', name, value: term.key }), ' ', term.label || term.key),
          group === 'krachtlijn' && term.description
            ? el('p', { className: 'hint facet-definition', id: hint }, term.description) : null);
      }));
      for (const box of list.querySelectorAll('input')) {
        const hint = box.closest('li').querySelector('.facet-definition');
        if (hint) box.setAttribute('aria-describedby', hint.id);
      }
    }
  }

  /* ---------- reading and checking the form ---------- */

  const value = (name) => (form.elements[name] ? String(form.elements[name].value || '').trim() : '');
  const checked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((b) => b.value);
  const splitList = (text) => text.split(/[,;]/).map((s) => s.trim()).filter(Boolean);

  function payload() {
    const data = {};
    for (const name of Object.keys(NAMES)) {
      if (CHOICES.includes(name)) data[name] = checked(name);
      else if (LISTS.includes(name)) data[name] = splitList(value(name));
      else if (value(name)) data[name] = value(name);
    }
    for (const name of [...CHOICES, ...LISTS]) if (!data[name].length) delete data[name];
    return data;
  }

  // The same rules the server checks, so most mistakes are named before anything is sent.
  function check(data) {
    const errors = [];
    const need = (name, message) => errors.push({ field: name, message });
    if (!data.title) need('title', 'vul een titel in.');
    else if (data.title.length < 2) need('title', 'te kort: minstens 2 tekens.');
    if (!data.summary) need('summary', 'vul een korte samenvatting in.');
    else if (data.summary.length < 10) need('summary', 'te kort: minstens 10 tekens.');
    if (!data.organisation) need('organisation', 'vul de organisatie in die de praktijk draagt.');
    else if (data.organisation.length < 2) need('organisation', 'te kort: minstens 2 tekens.');
    if (!data.region && !data.municipality) need('region', 'kies een regio of vul een gemeente in.');
    if (!data.krachtlijnen) need('krachtlijnen', 'kies minstens één krachtlijn.');
    if (!data.sectors) need('sectors', 'kies minstens één sector.');
    if (data.website && !/^https?:\/\/\S+\.\S+/i.test(data.website)) {
      need('website', 'geef een volledig webadres dat begint met http:// of https://.');
    }
    return errors;
  }

  /* ---------- showing errors next to the fields ---------- */

  function fieldNode(name) {
    return CHOICES.includes(name) ? document.getElementById(`f-${name}`) : form.elements[name] || null;
  }

  function clearErrors() {
    for (const node of form.querySelectorAll('.field-error')) node.remove();
    for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
    for (const node of form.querySelectorAll('[data-described]')) {
      node.setAttribute('aria-describedby', node.dataset.described);
      if (!node.dataset.described) node.removeAttribute('aria-describedby');
      delete node.dataset.described;
    }
    $('#error-summary').hidden = true;
  }

  function describeBy(node, id) {
    if (node.dataset.described === undefined) node.dataset.described = node.getAttribute('aria-describedby') || '';
    node.setAttribute('aria-describedby', [node.dataset.described, id].filter(Boolean).join(' '));
  }

  function markField(name, message) {
    const node = fieldNode(name);
    if (!node) return null;
    const id = `f-${name}-error`;
    if (document.getElementById(id)) return id;
    const text = `${NAMES[name] || name}: ${message}`;
    const error = el('p', { className: 'field-error', id }, text);
    if (node.tagName === 'FIELDSET') {
      node.querySelector('legend').after(error);
      for (const box of node.querySelectorAll('input')) describeBy(box, id);
    } else {
      node.before(error);
      node.setAttribute('aria-invalid', 'true');
      describeBy(node, id);
    }
    return id;
  }

  function focusTarget(name) {
    const node = fieldNode(name);
    return node && node.tagName === 'FIELDSET' ? node.querySelector('input') : node;
  }

  function showSummary(intro, errors) {
    const box = $('#error-summary');
    const items = errors.map(({ field, message }) => {
      const link = el('a', { href: `#f-${field}` }, `${NAMES[field] || field}: ${message}`);
      link.addEventListener('click', (event) => {
        const target = focusTarget(field);
        if (target) {
          event.preventDefault();
          target.focus();
        }
      });
      return el('li', null, link);
    });
    box.replaceChildren(el('p', null, el('strong', null, intro)), items.length ? el('ul', null, ...items) : null);
    box.hidden = false;
    box.focus();
  }

  function showErrors(errors, intro) {
    for (const { field, message } of errors) markField(field, message);
    showSummary(intro || 'Controleer het formulier:', errors);
  }

  // Server errors name a parameter ("title", "sectors.0", "website"); unknown ones go in the summary only.
  function serverErrors(body) {
    const items = Array.isArray(body && body.errors) ? body.errors : [];
    return items.map((item) => {
      const field = String(item.parameter || '').split('.')[0];
      return { field: NAMES[field] ? field : 'title', message: String(item.message || 'ongeldige waarde'), known: !!NAMES[field] };
    });
  }

  /* ---------- sending ---------- */

  function showSuccess(body) {
    const result = $('#result');
    const parts = [el('h2', null, 'Bedankt voor je voorstel'),
      el('p', { className: 'success' }, body.message || 'Een curator bekijkt je inzending voor ze verschijnt.')];
    const similar = Array.isArray(body.possible_duplicates) ? body.possible_duplicates : [];
    if (similar.length) {
      parts.push(el('p', null, 'Deze praktijken in de catalogus lijken sterk op je voorstel:'));
      parts.push(el('ul', { className: 'possible-duplicates' }, ...similar.map((d) => el('li', null,
        el('a', { href: `/praktijk/${encodeURIComponent(d.id)}` }, d.title || d.id)))));
    }
    parts.push(el('p', null, el('a', { href: '/voorstellen' }, 'Nog een praktijk voorstellen'), ' · ',
      el('a', { href: '/' }, 'Terug naar zoeken')));
    result.replaceChildren(...parts);
    result.hidden = false;
    form.hidden = true;
    result.focus();
  }

  async function submit(event) {
    event.preventDefault();
    clearErrors();
    const data = payload();
    const errors = check(data);
    if (errors.length) {
      showErrors(errors);
      return;
    }
    const button = $('#submit-button');
    button.disabled = true;
    button.textContent = 'Bezig met versturen…';
    try {
      let response;
      try {
        response = await fetch('/api/submissions', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(data),
        });
      } catch {
        showSummary('De Praktijkbank is even niet bereikbaar. Je gegevens staan nog in het formulier; probeer opnieuw.', []);
        return;
      }
      const body = await response.json().catch(() => null);
      if (response.ok && body) {
        showSuccess(body);
        return;
      }
      const detail = body && typeof body.detail === 'string' ? body.detail : 'Je voorstel kon niet bewaard worden.';
      const found = serverErrors(body).filter((e) => e.known);
      if (response.status === 422 && found.length) showErrors(found, 'De Praktijkbank kon je voorstel niet aanvaarden:');
      else showSummary(detail, []);
    } finally {
      button.disabled = false;
      button.textContent = 'Voorstel versturen';
    }
  }

  form.addEventListener('submit', submit);
  loadChoices();
})();
