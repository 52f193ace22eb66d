// Samples downloaded in the window: state, ratio, family; filters in the query string.
import { api, clear, el, errorBox, exportBar, fmtInt, fmtTime, layout, link, pager, params, ratioBar, sampleLink, section, stateBadge, table, windowParams, withParams, autoRefresh } from './lib.js';

function filters() {
  const p = params();
  const form = el('form', { class: 'filters' });
  const state = el('select', { name: 'state' });
  for (const s of ['', 'lookup', 'upload', 'comment', 'poll', 'relookup', 'done', 'failed']) {
    state.appendChild(el('option', { value: s, selected: p.get('state') === s }, s || 'any state'));
  }
  const verdict = el('select', { name: 'verdict' });
  for (const [v, label] of [['', 'any verdict'], ['detected', 'detected'], ['undetected', 'no engine detects'], ['none', 'no verdict yet']]) {
    verdict.appendChild(el('option', { value: v, selected: p.get('verdict') === v }, label));
  }
  const family = el('input', { name: 'family', value: p.get('family') || '', placeholder: 'family', size: 14 });
  const missed = el('input', { name: 'missed_by', value: p.get('missed_by') || '', placeholder: 'e.g. Kaspersky', size: 14, title: 'samples whose latest report has this engine\'s row without a detection name (as `honeyvt report undetected VENDOR`); engine names are case-sensitive' });
  const go = el('button', { type: 'submit' }, 'filter');
  form.append(el('label', {}, 'state', state), el('label', {}, 'verdict', verdict), el('label', {}, 'family', family),
    el('label', {}, 'missed by vendor', missed), go);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.href = withParams({ state: state.value, verdict: verdict.value, family: family.value.trim(), missed_by: missed.value.trim(), before: null });
  });
  return form;
}

async function render(box) {
  const p = params();
  const query = Object.assign(windowParams(), { state: p.get('state'), verdict: p.get('verdict'), family: p.get('family'), missed_by: p.get('missed_by'), before: p.get('before') });
  let d;
  try { d = await api('/api/v1/samples', query); } catch (e) { clear(box).appendChild(errorBox(e)); return; }
  clear(box);
  box.appendChild(exportBar('/api/v1/samples', query, null));
  if (p.get('missed_by')) {
    box.appendChild(el('p', { class: 'notes' }, 'Samples ', el('strong', {}, p.get('missed_by')), ' misses; grouped by the DCERPC vulnerability that delivered them: ',
      link('/reports/undetected?' + new URLSearchParams({ vendor: p.get('missed_by') }).toString(), 'report undetected')));
  }
  box.appendChild(section('Samples downloaded in the window', table([
    { key: 'md5', label: 'md5', render: (r) => sampleLink(r.md5) },
    { key: 'state', label: 'state', render: (r) => stateBadge(r.state, r.reason) },
    { key: 'ratio', label: 'detection', render: (r) => ratioBar(r.positives, r.total) },
    { key: 'scan_date', label: 'scanned', render: (r) => fmtTime(r.scan_date) },
    { key: 'family', label: 'family' },
    { key: 'downloads', label: 'downloads', num: true },
    { key: 'first_seen', label: 'first seen', render: (r) => fmtTime(r.first_seen) },
    { key: 'last_seen', label: 'last seen', render: (r) => fmtTime(r.last_seen) }],
  d.rows, { empty: 'no samples were downloaded in this window' }), pager(d.next_before)));
  box.dataset.rows = fmtInt(d.rows.length);
}

async function main() {
  const m = await layout('Samples', { window: true });
  m.appendChild(filters());
  const box = el('div', { id: 'samples' });
  m.appendChild(box);
  autoRefresh(() => render(box), 60);
}
main();
