/* Praktijkbank: the /over page. Loads /api/coverage and /api/vocabularies and renders them.
 * Plain JS, no build step. API text is inserted as text nodes, never as HTML. */
'use strict';

(() => {
  const $ = (selector) => document.querySelector(selector);
  const LEVELS = 5; // heat-0 (empty) .. heat-4 (fullest), styled in style.css

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

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error('status ' + response.status);
    return response.json();
  }

  function heatClass(count, max) {
    if (count === 0 || max === 0) return 'heat heat-0';
    return 'heat heat-' + Math.max(1, Math.ceil((count / max) * (LEVELS - 1)));
  }

  function renderKrachtlijnen(vocab) {
    const list = $('#krachtlijnen');
    for (const term of vocab.krachtlijn || []) {
      list.append(el('dt', null, term.label), el('dd', null, term.description));
    }
  }

  function renderCoverage(data) {
    const table = $('#coverage');
    const max = Math.max(0, ...data.matrix.flat());
    const head = el('tr', null, el('th', { scope: 'col' }, 'Krachtlijn'));
    for (const region of data.regions) head.append(el('th', { scope: 'col' }, region.label));
    head.append(el('th', { scope: 'col' }, 'Totaal'));
    table.tHead.append(head);
    data.krachtlijnen.forEach((k, i) => {
      const row = el('tr', null, el('th', { scope: 'row' }, k.label));
      data.matrix[i].forEach((count, j) => {
        const label = `${k.label} in ${data.regions[j].label}: ${count} praktijken`;
        row.append(el('td', { className: heatClass(count, max), title: label }, count));
      });
      row.append(el('td', { className: 'total-cell' }, k.count));
      table.tBodies[0].append(row);
    });
    const totals = el('tr', { className: 'totals' }, el('th', { scope: 'row' }, 'Praktijken'));
    for (const region of data.regions) totals.append(el('td', null, region.count));
    totals.append(el('td', { className: 'total-cell' }, data.total));
    table.tBodies[0].append(totals);
    table.hidden = false;
    $('#coverage-summary').textContent = `${data.total} gepubliceerde praktijken in de catalogus.`;
    const labels = Object.fromEntries([...data.krachtlijnen, ...data.regions].map((t) => [t.key, t.label]));
    for (const cell of data.thinnest) {
      const n = cell.count === 1 ? '1 praktijk' : `${cell.count} praktijken`;
      $('#thinnest').append(el('li', null, `${labels[cell.krachtlijn]} in ${labels[cell.region]}: ${n}`));
    }
    for (const theme of data.themes || []) {
      const n = theme.count === 1 ? '1 praktijk' : `${theme.count} praktijken`;
      const link = el('a', { href: `/?q=${encodeURIComponent(theme.label)}` }, theme.label);
      $('#themes').append(el('li', null, link, `: ${n}`));
    }
  }

  async function start() {
    try {
      const [coverage, vocab] = await Promise.all([getJson('/api/coverage'), getJson('/api/vocabularies')]);
      renderKrachtlijnen(vocab);
      renderCoverage(coverage);
    } catch (err) {
      $('#coverage-summary').textContent = '';
      const box = $('#coverage-error');
      box.textContent = 'De dekking kon niet geladen worden. Probeer het later opnieuw.';
      box.hidden = false;
    }
  }

  start();
})();
