// Root connections of the window with filters; each opens its attack tree.
import { api, clear, el, errorBox, exportBar, fmtTime, layout, link, pager, params, section, table, windowParams, withParams, autoRefresh } from './lib.js';

function filters() {
  const p = params();
  const form = el('form', { class: 'filters' });
  const protocol = el('input', { name: 'protocol', value: p.get('protocol') || '', placeholder: 'smbd', size: 12 });
  const port = el('input', { name: 'port', value: p.get('port') || '', placeholder: '445', size: 6 });
  const host = el('input', { name: 'host', value: p.get('host') || '', placeholder: '198.51.100.7', size: 16 });
  form.append(el('label', {}, 'protocol', protocol), el('label', {}, 'port', port), el('label', {}, 'attacker', host), el('button', { type: 'submit' }, 'filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.href = withParams({ protocol: protocol.value.trim(), port: port.value.trim(), host: host.value.trim(), before: null });
  });
  return form;
}

async function render(box) {
  const p = params();
  const query = Object.assign(windowParams(), { protocol: p.get('protocol'), port: p.get('port'), host: p.get('host'), before: p.get('before') });
  let d;
  try { d = await api('/api/v1/attacks', query); } catch (e) { clear(box).appendChild(errorBox(e)); return; }
  clear(box);
  box.appendChild(exportBar('/api/v1/attacks', query, null));
  const s = section('Attacks (root connections)', table([
    { key: 'connection', label: 'attack', render: (r) => link('/attacks/' + r.connection, String(r.connection)) },
    { key: 'time', label: 'time', render: (r) => fmtTime(r.time) },
    { key: 'protocol', label: 'protocol' }, { key: 'transport', label: 'transport' },
    { key: 'type', label: 'type' }, { key: 'port', label: 'port', num: true },
    { key: 'remote_host', label: 'attacker' }, { key: 'remote_hostname', label: 'hostname' },
    { key: 'children', label: 'child connections', num: true }], d.rows, { empty: 'no attacks in this window' }));
  if (d.partial) s.appendChild(el('p', { class: 'notes' }, 'Stopped reading to keep dionaea unblocked; older rows follow on the next page.'));
  const pg = pager(d.next_before);
  if (pg) s.appendChild(pg);
  box.appendChild(s);
}

async function main() {
  const m = await layout('Attacks', { window: true });
  m.appendChild(filters());
  const box = el('div', { id: 'attacks' });
  m.appendChild(box);
  autoRefresh(() => render(box), 60);
}
main();
