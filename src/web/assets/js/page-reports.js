// The `honeyvt report` commands: same parameters (in the query string), same rows as
// `--format json`, CSV/JSON export and the equivalent command line. Reports run in the
// background on the server: a first request answers "pending" and the page asks again.
import { api, clear, el, errorBox, exportBar, fmtTime, layout, link, params, section, table, withParams } from './lib.js';

const REPORTS = {
  summary: [], families: [], undetected: ['vendor', 'vuln_only', 'include_absent'],
  aliases: ['pattern', 'family'], signatures: ['pattern', 'family'], history: ['md5'],
};
const COMMON = ['since', 'until', 'limit'];
// Reports with a row per sample or name show the first 100 rows unless asked otherwise
// (limit 0 = every row, as --limit 0); the command line shown says so.
const DEFAULT_LIMIT = { families: '100', undetected: '100', aliases: '100' };

function form(name) {
  const p = params();
  const f = el('form', { class: 'filters' });
  const inputs = {};
  for (const k of REPORTS[name].concat(COMMON)) {
    const flag = ['vuln_only', 'include_absent', 'family'].includes(k);
    const value = p.get(k) || (k === 'limit' ? DEFAULT_LIMIT[name] || '' : '');
    const input = flag ? el('input', { type: 'checkbox', name: k, checked: p.get(k) === '1' }) : el('input', { name: k, value, size: k === 'md5' ? 34 : 12, placeholder: k === 'since' ? '7d' : '' });
    inputs[k] = input;
    f.appendChild(el('label', {}, k.replace('_', ' '), input));
  }
  f.appendChild(el('button', { type: 'submit' }, 'run'));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const changes = {};
    for (const [k, input] of Object.entries(inputs)) changes[k] = input.type === 'checkbox' ? (input.checked ? '1' : '') : input.value.trim();
    location.href = withParams(changes);
  });
  return f;
}

function render(box, name, d, query) {
  box.appendChild(exportBar('/api/v1/reports/' + name, query, d.command));
  box.appendChild(el('p', { class: 'notes' }, 'computed ' + fmtTime(d.computed_at) + (d.stale ? ' · the data changed since; a fresh run is under way' : '')));
  for (const n of d.notes) box.appendChild(el('p', { class: 'notes' }, 'note: ' + n));
  const tables = Array.isArray(d.result) ? { [name]: d.result } : d.result;
  for (const [title, rows] of Object.entries(tables || {})) {
    const cols = rows.length ? Object.keys(rows[0]) : [];
    box.appendChild(section(title, table(cols.map((c) => ({ key: c, label: c, num: rows.length && typeof rows[0][c] === 'number' })), rows, { empty: 'no rows' })));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const name = location.pathname.split('/')[2] || 'summary';
  const m = await layout('Reports');
  const nav = el('p', { class: 'window' });
  for (const r of Object.keys(REPORTS)) {
    const a = link('/reports/' + r, r);
    if (r === name) a.setAttribute('aria-current', 'true');
    nav.appendChild(a);
  }
  m.appendChild(nav);
  if (!REPORTS[name]) { m.appendChild(errorBox(new Error('no such report'))); return; }
  m.appendChild(form(name));
  const box = el('div', { id: 'report' });
  m.appendChild(box);
  const p = params();
  const query = {};
  for (const k of REPORTS[name].concat(COMMON)) if (p.get(k)) query[k] = p.get(k);
  if (!p.has('limit') && DEFAULT_LIMIT[name]) query.limit = DEFAULT_LIMIT[name];
  const needs = { undetected: 'vendor', aliases: 'pattern', signatures: 'pattern', history: 'md5' }[name];
  if (needs && !query[needs]) { box.appendChild(el('p', { class: 'empty' }, 'Give a ' + needs + ' and run.')); return; }
  try {
    // A report the server has not computed yet answers "pending": show why, ask again.
    for (let attempt = 0; ; attempt++) {
      const d = await api('/api/v1/reports/' + name, query);
      if (!d.pending) { clear(box); render(box, name, d, query); break; }
      clear(box).appendChild(el('p', { class: 'empty', role: 'status' }, 'Computing this report in the background (' + d.progress + ')…'));
      box.appendChild(el('p', { class: 'notes' }, '$ ' + d.command));
      await sleep(Math.min(3000, d.retry_after_ms * (1 + attempt / 4)));
    }
  } catch (e) { clear(box).appendChild(errorBox(e)); }
}
main();
