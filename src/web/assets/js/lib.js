// Shared helpers of every page. Every string from the API may have been written by an
// attacker: it reaches the page only as DOM text (createTextNode/textContent, never
// innerHTML), after visible() has turned control and bidirectional characters into
// escapes, and no link is ever built from it (see docs/web.md, "Security").

const HEX = '0123456789abcdef';

function hexByte(b) {
  return '\\x' + HEX[b >> 4] + HEX[b & 15];
}

function utf8Bytes(cp) {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

// Characters that reorder or hide text: bidi embeddings, overrides and isolates, marks,
// zero-width characters and the BOM. They are shown as \uXXXX instead of applied.
function isInvisible(cp) {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0x200e || cp === 0x200f || cp === 0x061c || (cp >= 0x200b && cp <= 0x200d) ||
    cp === 0x2028 || cp === 0x2029 || cp === 0xfeff || (cp >= 0xd800 && cp <= 0xdfff);
}

// The CLI's rule (src/tree/escape.h): C0 controls, DEL and C1 controls as \xNN per UTF-8
// byte; plus bidi/invisible characters as \uXXXX. Everything else is unchanged.
export function visible(value) {
  if (value === null || value === undefined) return '';
  const s = String(value);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const cp = s.charCodeAt(i);
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      for (const b of utf8Bytes(cp)) out += hexByte(b);
    } else if (isInvisible(cp)) {
      const hi = cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (hi >= 0xdc00 && hi <= 0xdfff) {  // a valid surrogate pair: an ordinary character
        out += s[i] + s[i + 1];
        i++;
        continue;
      }
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += s[i];
    }
  }
  return out;
}

export function text(value) {
  return document.createTextNode(visible(value));
}

// Creates an element. `attrs` takes only class, title (made visible), id, data-* and the
// attributes listed below; children are nodes or strings (strings become visible text).
const SAFE_ATTRS = new Set(['class', 'id', 'title', 'type', 'name', 'value', 'placeholder',
  'for', 'min', 'max', 'step', 'autocomplete', 'aria-label', 'colspan', 'role', 'disabled',
  'checked', 'selected', 'size', 'maxlength']);
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (!SAFE_ATTRS.has(k) && !k.startsWith('data-')) throw new Error('attribute not allowed: ' + k);
    e.setAttribute(k, k === 'title' ? visible(v) : String(v));
  }
  append(e, children);
  return e;
}

export function append(parent, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(c instanceof Node ? c : text(c));
  }
  return parent;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// Links: only to our own routes built from validated ids, or to VirusTotal's file page of
// a validated hash. Never from attacker data.
const ROUTE = /^\/(|samples|attacks|queue|quota|reports|status|login)(\/[0-9a-z_-]{1,64})?(\?[0-9A-Za-z_.~%&=+*-]*)?$/;
export function link(href, ...children) {
  if (!ROUTE.test(href)) throw new Error('refusing a link to ' + href);
  const a = el('a', {}, ...children);
  a.setAttribute('href', href);
  return a;
}

export function isHash(s) {
  return typeof s === 'string' && /^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/.test(s);
}

export function sampleLink(hash, label) {
  if (!isHash(hash)) return text(hash);
  return link('/samples/' + hash, label === undefined ? hash : label);
}

export function vtLink(hash, label) {
  if (!isHash(hash)) return text(label || '');
  const a = el('a', { class: 'vt', rel: undefined }, label || 'VirusTotal');
  a.setAttribute('href', 'https://www.virustotal.com/gui/file/' + hash);
  a.setAttribute('rel', 'noreferrer noopener');
  a.setAttribute('target', '_blank');
  return a;
}

// A URL an attacker offered: text only, defanged so it is never clickable or pasted by
// accident (hxxp://198.51.100[.]7/x.exe).
export function defang(url) {
  let s = String(url === null || url === undefined ? '' : url);
  s = s.replace(/^(h)(tt)(ps?:)/i, (m, h, t, rest) => h + 'xx' + rest)
    .replace(/^ftp:/i, 'fxp:');
  const start = s.indexOf('://');
  const authEnd = start < 0 ? -1 : s.indexOf('/', start + 3);
  if (start >= 0) {
    const end = authEnd < 0 ? s.length : authEnd;
    s = s.slice(0, start + 3) + s.slice(start + 3, end).replaceAll('.', '[.]') + s.slice(end);
  }
  return s;
}

export function urlText(url) {
  return el('span', { class: 'url' }, defang(url));
}

// ---- query string: every page keeps its filters and window in the URL ----

export function params() {
  return new URLSearchParams(location.search);
}

export function withParams(changes, path) {
  const p = params();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') p.delete(k); else p.set(k, v);
  }
  const q = p.toString();
  return (path || location.pathname) + (q ? '?' + q : '');
}

// The time window: ?window=24h (live, moves with time) or ?from=&to= (Unix seconds,
// fixed: a shared link shows the same rows). Default: live 24 h.
export function windowParams() {
  const p = params();
  const out = {};
  if (p.get('from')) out.from = p.get('from');
  if (p.get('to')) out.to = p.get('to');
  if (!out.from && !out.to) out.window = p.get('window') || '24h';
  return out;
}

// ---- the API ----

let session = null;

export async function getSession() {
  if (!session) session = await api('/api/v1/session');
  return session;
}

export async function api(path, query) {
  const q = query ? '?' + new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString() : '';
  const res = await fetch(path + (q === '?' ? '' : q), { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new Error((body && body.error) || ('HTTP ' + res.status));
  return body;
}

export async function post(path, body) {
  const s = await getSession();
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Honeyvt-CSRF': s.csrf || '' },
    body: JSON.stringify(body || {}),
  });
  let out = null;
  try { out = await res.json(); } catch (e) { out = null; }
  if (!res.ok) throw new Error((out && out.error) || ('HTTP ' + res.status));
  return out;
}

// ---- formatting ----

export function fmtInt(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en-US');
}

export function fmtTime(unix) {
  if (!unix) return '–';
  return new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function fmtAge(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return s + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  if (s < 172800) return (s / 3600).toFixed(1) + ' h';
  return (s / 86400).toFixed(1) + ' d';
}

export function fmtPercent(x) {
  if (x === null || x === undefined) return '–';
  return (100 * x).toFixed(1) + ' %';
}

// ---- building blocks ----

const NAV = [
  ['/', 'Overview'], ['/samples', 'Samples'], ['/attacks', 'Attacks'], ['/queue', 'Queue'],
  ['/quota', 'Quota'], ['/reports', 'Reports'], ['/status', 'Status'],
];

// The page frame: top bar (navigation, window picker, chips), title, and the main area.
export async function layout(title, opts) {
  const options = opts || {};
  const body = document.body;
  clear(body);
  const s = await getSession().catch(() => ({}));
  const nav = el('nav', { class: 'nav' });
  for (const [href, label] of NAV) {
    const a = link(href, label);
    const here = href === '/' ? location.pathname === '/' : location.pathname.startsWith(href);
    if (here) a.setAttribute('aria-current', 'page');
    nav.appendChild(a);
  }
  const chips = el('div', { class: 'chips', id: 'chips' });
  const brand = el('div', { class: 'brand' }, 'honeyvt');
  if (s.simulated) brand.appendChild(el('span', { class: 'badge sim', title: 'base_url points to a loopback simulator (vtsim)' }, 'simulated VirusTotal'));
  const top = el('header', { class: 'top' }, brand, nav, chips);
  if (s.actions_enabled) {
    if (s.logged_in) {
      const out = el('button', { class: 'link', type: 'button' }, 'log out');
      out.addEventListener('click', async () => { await post('/logout'); location.reload(); });
      top.appendChild(out);
    } else {
      top.appendChild(link('/login', 'log in to act'));
    }
  }
  body.appendChild(top);
  const main = el('main', { id: 'main' });
  const head = el('div', { class: 'head' }, el('h1', {}, title));
  if (options.window) head.appendChild(windowPicker());
  main.appendChild(head);
  body.appendChild(main);
  refreshChips(chips);
  return main;
}

function windowPicker() {
  const w = windowParams();
  const box = el('div', { class: 'window' });
  for (const span of ['1h', '24h', '7d', '30d', 'all']) {
    const a = link(withParams({ window: span, from: null, to: null, before: null, after: null }), span);
    if (w.window === span) a.setAttribute('aria-current', 'true');
    box.appendChild(a);
  }
  if (w.window) {
    const pin = el('button', { type: 'button', class: 'link', title: 'replace the moving window by fixed times, so this link always shows these rows' }, 'pin');
    pin.addEventListener('click', () => {
      const span = { '1h': 3600, '24h': 86400, '7d': 604800, '30d': 2592000 }[w.window];
      const to = Math.ceil(Date.now() / 1000);
      location.href = withParams({ window: null, from: span ? to - span : 0, to });
    });
    box.appendChild(pin);
  } else {
    box.appendChild(el('span', { class: 'muted' }, fmtTime(Number(w.from)) + ' – ' + fmtTime(Number(w.to))));
  }
  return box;
}

async function refreshChips(chips) {
  try {
    const q = await api('/api/v1/queue/summary');
    clear(chips);
    for (const w of q.quota) {
      chips.appendChild(el('span', { class: 'chip', title: 'quota window ' + w.window }, 'quota ' + fmtInt(w.used) + '/' + fmtInt(w.limit) + ' ' + w.window.split('/')[1]));
    }
    chips.appendChild(link('/queue', el('span', { class: 'chip' }, fmtInt(q.active) + ' queued')));
    if (q.active > 0 && q.eta) chips.appendChild(el('span', { class: 'chip', title: 'backlog done at the configured quota' }, 'ETA ' + fmtAge(q.eta - q.now)));
    chips.appendChild(el('span', { class: 'chip muted', title: 'dashboard aggregates updated' }, 'data as of ' + (q.rollups_as_of ? fmtAge(q.now - q.rollups_as_of) + ' ago' : 'pending')));
  } catch (e) {
    clear(chips).appendChild(el('span', { class: 'chip error' }, 'status unavailable'));
  }
}

export function section(title, ...children) {
  return el('section', { class: 'card' }, el('h2', {}, title), ...children);
}

export function errorBox(err) {
  return el('p', { class: 'error', role: 'alert' }, 'Could not load: ' + (err && err.message ? err.message : String(err)));
}

export function empty(message) {
  return el('p', { class: 'empty' }, message);
}

// Text of a table cell. Long text (attackers send 10 kB strings) is clamped to a few lines
// that scroll inside the cell; every character stays in the page.
const CLAMP_AT = 160;
export function clamped(value) {
  const t = visible(value);
  if (t.length <= CLAMP_AT) return document.createTextNode(t);
  const box = el('div', { class: 'clamp', title: t.length.toLocaleString('en-US') + ' characters' });
  box.appendChild(document.createTextNode(t));
  return box;
}

// A table from column specs {key, label, num, render(row) -> Node|string}.
export function table(columns, rows, opts) {
  const options = opts || {};
  const t = el('table', { class: 'grid' });
  const head = el('tr', {});
  for (const c of columns) head.appendChild(el('th', { class: c.num ? 'num' : undefined }, c.label || c.key));
  t.appendChild(el('thead', {}, head));
  const tb = el('tbody', {});
  for (const row of rows) {
    const tr = el('tr', {});
    for (const c of columns) {
      const v = c.render ? c.render(row) : row[c.key];
      const cell = el('td', { class: c.num ? 'num' : undefined });
      if (v instanceof Node) cell.appendChild(v); else cell.appendChild(clamped(c.num && typeof v === 'number' ? fmtInt(v) : v));
      tr.appendChild(cell);
    }
    tb.appendChild(tr);
  }
  t.appendChild(tb);
  if (!rows.length) return empty(options.empty || 'nothing here');
  return el('div', { class: 'scroll' }, t);
}

// The equivalent command line and CSV/JSON export of the same query.
export function exportBar(apiPath, query, command) {
  const bar = el('div', { class: 'export' });
  if (command) {
    const code = el('code', { class: 'cmd' }, command);
    const copy = el('button', { type: 'button', class: 'link' }, 'copy');
    copy.addEventListener('click', () => navigator.clipboard && navigator.clipboard.writeText(command));
    bar.appendChild(el('span', {}, '$ ', code, ' ', copy));
  }
  for (const fmt of query ? ['csv', 'json'] : []) {
    const q = new URLSearchParams(Object.entries(Object.assign({}, query, { format: fmt })).filter(([, v]) => v !== undefined && v !== null && v !== ''));
    const a = el('a', { class: 'dl' }, fmt.toUpperCase());
    const href = apiPath + '?' + q.toString();
    if (!/^\/api\/v1\/[a-z0-9/_-]+\?[0-9A-Za-z_.~%&=+-]*$/.test(href)) continue;
    a.setAttribute('href', href);
    a.setAttribute('download', '');
    bar.appendChild(a);
  }
  return bar;
}

// Runs `render` now and, for a live window, again every `seconds`.
export function autoRefresh(render, seconds) {
  render();
  if (windowParams().window) setInterval(render, (seconds || 60) * 1000);
}

export function stateBadge(state, reason) {
  const b = el('span', { class: 'badge state-' + (/^[a-z_]+$/.test(state) ? state : 'unknown') }, state || 'not queued');
  if (reason) b.setAttribute('title', visible(reason));
  return b;
}

export function ratioBar(positives, total) {
  if (total === null || total === undefined) return el('span', { class: 'muted' }, 'no verdict');
  const box = el('span', { class: 'ratio' });
  const bar = el('span', { class: 'bar' });
  const fill = el('span', { class: 'fill' + (positives === 0 ? ' zero' : '') });
  fill.style.setProperty('width', (total > 0 ? Math.round(100 * positives / total) : 0) + '%');
  bar.appendChild(fill);
  box.appendChild(bar);
  box.appendChild(text(' ' + positives + '/' + total));
  return box;
}

// A list of keyset pages: "older" link carrying the cursor.
export function pager(next, key) {
  if (next === null || next === undefined) return null;
  return el('p', { class: 'pager' }, link(withParams({ [key || 'before']: next }), 'older →'));
}
