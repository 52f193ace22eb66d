// Overview: tiles, connections per hour with downloads and new verdicts, top lists,
// and what needs attention.
import { api, autoRefresh, clear, el, errorBox, fmtInt, fmtPercent, fmtAge, layout, link, section, table, windowParams, withParams, sampleLink, ratioBar } from './lib.js';
import { timeChart } from './chart.js';

function tile(label, value, href, title) {
  const v = el('span', { class: 'v' }, value);
  const t = el('div', { class: 'tile', title }, href ? link(href, v) : v, el('span', { class: 'k' }, label));
  return t;
}

function meterRow(value, max) {
  const m = el('span', { class: 'meter' });
  m.style.setProperty('width', Math.max(2, Math.round(120 * value / Math.max(1, max))) + 'px');
  return el('span', {}, m, fmtInt(value));
}

async function render(main, box) {
  let o;
  try {
    o = await api('/api/v1/overview', windowParams());
  } catch (e) {
    clear(box).appendChild(errorBox(e));
    return;
  }
  clear(box);
  const w = windowParams();
  const t = o.tiles;
  const tiles = el('div', { class: 'tiles' },
    tile('connections', fmtInt(t.connections), withParams({}, '/attacks')),
    tile('attackers', fmtInt(t.attackers)),
    tile('downloads', fmtInt(t.downloads)),
    tile('samples', fmtInt(t.samples), withParams({}, '/samples')),
    tile('VirusTotal coverage', fmtPercent(t.coverage), null, t.samples_with_verdict + ' of ' + t.samples + ' samples have a verdict'),
    tile('detected', fmtPercent(t.detected_share), null, 'samples with a verdict that at least one engine detects'),
    tile('queue', fmtInt(t.queue_depth), '/queue'),
    tile('backlog ETA', t.queue_depth > 0 ? fmtAge(t.eta_seconds) : 'done', '/queue'));
  for (const q of t.quota) tiles.appendChild(tile('quota ' + q.window, fmtInt(q.used) + ' / ' + fmtInt(q.limit), '/quota'));
  box.appendChild(tiles);
  const h = o.hourly;
  box.appendChild(section('Connections per hour (' + o.window.label + ')',
    h.hours.length && [h.connections, h.downloads, h.verdicts].some((vs) => vs.some((v) => v > 0)) ? timeChart(h.hours, [
      { label: 'connections', values: h.connections },
      { label: 'downloads', values: h.downloads },
      { label: 'new verdicts', values: h.verdicts }]) : el('p', { class: 'empty' }, 'no connections in this window')));
  const cols = el('div', { class: 'cols' });
  const maxS = Math.max(1, ...o.top_services.map((r) => r.connections));
  cols.appendChild(section('Top services', table([
    { key: 'protocol', label: 'service', render: (r) => link(withParams({ protocol: r.protocol, port: r.port }, '/attacks'), r.protocol + ' / ' + r.port) },
    { key: 'connections', label: 'connections', render: (r) => meterRow(r.connections, maxS) }], o.top_services, { empty: 'no connections in this window' })));
  const maxA = Math.max(1, ...o.top_attackers.map((r) => r.connections));
  cols.appendChild(section('Top attackers', table([
    { key: 'host', label: 'address', render: (r) => link(withParams({ host: r.host }, '/attacks'), r.host) },
    { key: 'connections', label: 'connections', render: (r) => meterRow(r.connections, maxA) },
    { key: 'downloads', label: 'downloads', num: true }], o.top_attackers, { empty: 'no attackers in this window' })));
  cols.appendChild(section('Top families', table([
    { key: 'family', label: 'family' },
    { key: 'samples', label: 'samples', num: true }], o.top_families, { empty: 'no verdicts for samples of this window' })));
  box.appendChild(cols);
  const att = o.attention;
  const items = el('ul', { class: 'attention' });
  if (att.honeypot_silent) items.appendChild(el('li', { class: 'error' }, 'dionaea has not logged a connection for ' + fmtAge(att.silent_seconds) + ' (last: ' + (att.last_connection ? new Date(att.last_connection * 1000).toISOString() : 'never') + ')'));
  if (att.failed > 0) items.appendChild(el('li', {}, link('/queue', fmtInt(att.failed) + ' failed sample(s)'), ' — retry them from the queue page'));
  if (att.stuck > 0) items.appendChild(el('li', {}, link('/queue', fmtInt(att.stuck) + ' sample(s) overdue by more than an hour')));
  for (const s of att.undetected) items.appendChild(el('li', {}, 'no engine detects ', sampleLink(s.md5), ' ', ratioBar(s.positives, s.total)));
  for (const f of att.new_families) items.appendChild(el('li', {}, 'new family ', el('strong', {}, f.family), ' (' + fmtInt(f.samples) + ' sample(s))'));
  box.appendChild(section('Needs attention', items.childNodes.length ? items : el('p', { class: 'empty' }, 'nothing needs attention')));
  main.dataset.loaded = String(w.window || 'fixed');
}

async function main() {
  const m = await layout('Overview', { window: true });
  const box = el('div', { id: 'overview' });
  m.appendChild(box);
  autoRefresh(() => render(m, box), 60);
}
main();
