// Quota: each window's use and reset, requests by endpoint and status, polls per upload.
import { api, clear, el, errorBox, fmtAge, fmtInt, layout, section, table, windowParams, autoRefresh } from './lib.js';
import { timeChart } from './chart.js';

async function render(box) {
  let d;
  try { d = await api('/api/v1/quota', windowParams()); } catch (e) { clear(box).appendChild(errorBox(e)); return; }
  clear(box);
  const now = Date.now() / 1000;
  box.appendChild(section('Quota windows', table([
    { key: 'window', label: 'window' }, { key: 'used', label: 'used', num: true },
    { key: 'limit', label: 'limit', num: true },
    { key: 'next', label: 'next request', render: (r) => (r.next_request_at > now + 1 ? 'in ' + fmtAge(r.next_request_at - now) : 'now') },
    { key: 'resets_at', label: 'frees up', render: (r) => (r.used > 0 ? 'in ' + fmtAge(r.resets_at - now) : '–') }], d.windows)));
  const h = d.per_hour;
  box.appendChild(section('Requests over time', h.requests.some((v) => v > 0) ? timeChart(h.at, [
    { label: 'requests', values: h.requests }, { label: 'quota replies (429/204)', values: h.quota_replies }]) : el('p', { class: 'empty' }, 'no requests in this window')));
  box.appendChild(section('Requests by endpoint and status', table([
    { key: 'api', label: 'API' }, { key: 'endpoint', label: 'endpoint' }, { key: 'code', label: 'status' },
    { key: 'requests', label: 'requests', num: true },
    { key: 'avg_ms', label: 'mean ms', render: (r) => fmtInt(Math.round(r.avg_ms)) },
    { key: 'max_ms', label: 'max ms', num: true }], d.requests, { empty: 'no requests in this window' })));
  const polls = el('p', {}, d.mean_polls_per_upload === null ? 'No analysis completed in this window.' : 'Mean polls per upload: ' + d.mean_polls_per_upload.toFixed(2) + '.');
  if (d.v2_hashes_per_request !== null) polls.appendChild(document.createTextNode(' v2: ' + d.v2_hashes_per_request.toFixed(2) + ' hashes per file/report request.'));
  box.appendChild(section('Polls per upload', polls, table([
    { key: 'polls', label: 'polls', num: true }, { key: 'samples', label: 'samples', num: true }], d.polls_per_upload, { empty: 'no uploads completed in this window' })));
}

async function main() {
  const m = await layout('Quota', { window: true });
  const box = el('div', { id: 'quota' });
  m.appendChild(box);
  autoRefresh(() => render(box), 60);
}
main();
