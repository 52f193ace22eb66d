// Status: version, configuration (no secrets), databases and sizes, how far ingest, the
// rollups and the report replica have read logsql, the last VirusTotal success, uptime.
import { api, autoRefresh, clear, el, errorBox, fmtAge, fmtInt, fmtTime, layout, section, table } from './lib.js';

function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = Number(n);
  let u = 0;
  while (v >= 1000 && u + 1 < units.length) { v /= 1000; u++; }
  return (u === 0 ? String(v) : v.toFixed(1)) + ' ' + units[u];
}

function kv(pairs) {
  const dl = el('dl', { class: 'kv' });
  for (const [k, v] of pairs) {
    dl.appendChild(el('dt', {}, k));
    dl.appendChild(el('dd', {}, v));
  }
  return dl;
}

async function render(box) {
  let s;
  try { s = await api('/api/v1/status'); } catch (e) { clear(box).appendChild(errorBox(e)); return; }
  clear(box);
  for (const e of s.errors) box.appendChild(el('p', { class: 'error', role: 'alert' }, e));
  box.appendChild(section('honeyvt', kv([
    ['version', s.version + ' (' + s.revision + ')'],
    ['served by', s.in_daemon ? 'honeyvt run' : 'honeyvt web'],
    ['VirusTotal', (s.simulated ? 'simulated (vtsim), ' : '') + 'API v' + s.api_version],
    ['up for', fmtAge(s.uptime_seconds) + ' (since ' + fmtTime(s.started_at) + ')'],
    ['last VirusTotal success', s.last_vt_success ? fmtTime(s.last_vt_success) + ' (' + fmtAge(s.now - s.last_vt_success) + ' ago)' : 'never'],
    ['last VirusTotal request', s.last_vt_request ? fmtTime(s.last_vt_request) : 'never'],
    ['last sample queued', s.last_enqueue ? fmtTime(s.last_enqueue) : 'never'],
    ['actions', s.actions_enabled ? 'enabled (log in)' : 'off (read-only state database)'],
  ])));
  box.appendChild(section('Databases', table([
    { key: 'name', label: 'database' }, { key: 'path', label: 'path', render: (r) => el('span', { class: 'mono' }, r.path) },
    { key: 'bytes', label: 'size (with journal)', render: (r) => (r.exists ? bytes(r.bytes) : 'missing') }], s.databases)));
  const lag = [];
  for (const c of s.ingest || []) lag.push({ what: 'ingest follower (downloads)', cursor: c.last_download, lag: c.lag_rows, at: c.updated_at });
  for (const c of (s.rollups && s.rollups.cursors) || []) lag.push({ what: 'dashboard rollups (' + c.table + ')', cursor: c.cursor, lag: c.lag_rows, at: c.updated_at });
  for (const c of (s.report_replica && s.report_replica.tables) || []) lag.push({ what: 'report replica (' + c.table + ')', cursor: c.cursor, lag: c.lag_rows });
  box.appendChild(section('How far logsql has been read', table([
    { key: 'what', label: 'reader' }, { key: 'cursor', label: 'last id read', num: true },
    { key: 'lag', label: 'rows behind', num: true },
    { key: 'at', label: 'updated', render: (r) => (r.at ? fmtTime(r.at) : '–') }], lag, { empty: 'nothing has read logsql yet' }),
  el('p', { class: 'notes' }, 'newest logsql rows: ' + Object.entries(s.logsql_last_rows || {}).map(([k, v]) => k + ' ' + fmtInt(v)).join(', ') +
    (s.report_replica ? ' · report replica ' + (s.report_replica.caught_up ? 'complete' : 'being copied') : ''))));
  const reads = Object.entries(s.logsql_longest_read_seconds).map(([reader, v]) => ({ reader, ms: Math.round(v * 10000) / 10 }));
  box.appendChild(section('The dashboard\'s reads of logsql', table([
    { key: 'reader', label: 'reader' }, { key: 'ms', label: 'longest read transaction (ms)', num: true }], reads),
  el('p', { class: 'notes' }, fmtInt(s.logsql_busy) + ' read(s) found logsql locked by dionaea past the busy timeout')));
  box.appendChild(section('Configuration', table([
    { key: 'key', label: 'key' }, { key: 'value', label: 'value' }], s.config)));
}

async function main() {
  const m = await layout('Status');
  const box = el('div', { id: 'status' });
  m.appendChild(box);
  autoRefresh(() => render(box), 30);
}
main();
