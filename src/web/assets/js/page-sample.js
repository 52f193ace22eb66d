// One sample: verdict, engines, report history, downloads with their attacks, the
// pipeline timeline, and the actions.
import { api, clear, el, errorBox, fmtTime, fmtInt, getSession, isHash, layout, link, post, ratioBar, section, stateBadge, table, urlText, vtLink } from './lib.js';
import { timeChart } from './chart.js';

async function main() {
  const hash = location.pathname.split('/')[2] || '';
  const m = await layout('Sample');
  const box = el('div', { id: 'sample' });
  m.appendChild(box);
  if (!isHash(hash)) { box.appendChild(errorBox(new Error('not a hash'))); return; }
  let d;
  try { d = await api('/api/v1/samples/' + hash); } catch (e) { box.appendChild(errorBox(e)); return; }
  const s = await getSession().catch(() => ({}));
  const job = d.job;
  const v = d.verdict;
  const kv = el('dl', { class: 'kv' });
  const add = (k, ...val) => { kv.appendChild(el('dt', {}, k)); kv.appendChild(el('dd', {}, ...val)); };
  add('md5', el('span', { class: 'mono' }, d.md5 || '–'));
  if (d.sha256 || (job && job.sha256)) add('sha256', el('span', { class: 'mono' }, d.sha256 || job.sha256));
  add('state', job ? stateBadge(job.state, job.last_error) : stateBadge(null), job && job.last_error ? ' ' + job.last_error : '');
  add('detection', v ? ratioBar(v.positives, v.total) : 'no verdict stored', v ? ' scanned ' + fmtTime(v.scan_date) : '');
  if (d.type) add('type', d.type);
  if (d.size !== undefined && d.size !== null) add('size', fmtInt(d.size) + ' bytes');
  const vt = d.sha256 || (job && job.sha256) || d.md5;
  if (isHash(vt)) add('VirusTotal', vtLink(vt, 'https://www.virustotal.com/gui/file/' + vt));
  if (job) add('queued by', job.source, ' at ' + fmtTime(job.created_at), ' · ' + fmtInt(job.requests) + ' request(s) spent');
  const summary = section('Summary', kv);
  if (s.actions_enabled) {
    const msg = el('span', { class: 'muted', id: 'action-msg' });
    const bar = el('div', { class: 'actions' });
    for (const [action, label] of [['retry', 'Retry'], ['refresh', 'Refresh now'], ['skip', 'Skip']]) {
      const b = el('button', { type: 'button', 'data-action': action, disabled: !s.logged_in || !job }, label);
      b.addEventListener('click', async () => {
        try {
          const r = await post('/api/v1/actions/' + action, { hash: d.md5 || hash });
          clear(msg).appendChild(document.createTextNode(label + ': ' + r.changed + ' sample(s) changed'));
          setTimeout(() => location.reload(), 600);
        } catch (e) { clear(msg).appendChild(document.createTextNode(label + ' refused: ' + e.message)); }
      });
      bar.appendChild(b);
    }
    if (!s.logged_in) bar.appendChild(link('/login', 'log in to act'));
    bar.appendChild(msg);
    summary.appendChild(bar);
  }
  box.appendChild(summary);
  if (d.reports.length > 1) {
    box.appendChild(section('Detection over time', timeChart(d.reports.map((r) => r.analysis_date), [
      { label: 'detecting engines', values: d.reports.map((r) => r.positives) },
      { label: 'engines', values: d.reports.map((r) => r.total) }], { height: 180 })));
  }
  box.appendChild(section('Report history', table([
    { key: 'analysis_date', label: 'analysed', render: (r) => fmtTime(r.analysis_date) },
    { key: 'positives', label: 'detection', render: (r) => ratioBar(r.positives, r.total) },
    { key: 'label', label: 'label' },
    { key: 'fetched_at', label: 'fetched', render: (r) => fmtTime(r.fetched_at) },
    { key: 'api_version', label: 'API', num: true }], d.reports, { empty: 'honeyvt has stored no report of this sample' })));
  const details = d.engine_details || d.engines.map((e) => ({ engine: e.engine, category: e.detected ? 'malicious' : 'undetected', result: e.result }));
  box.appendChild(section('Engines (newest report)', table([
    { key: 'engine', label: 'engine' }, { key: 'category', label: 'category' },
    { key: 'result', label: 'result' }, { key: 'version', label: 'version' },
    { key: 'update', label: 'update' }], details, { empty: 'no engine results' })));
  box.appendChild(section('Downloads that delivered it', table([
    { key: 'time', label: 'time', render: (r) => fmtTime(r.time) },
    { key: 'url', label: 'URL (defanged, not a link)', render: (r) => urlText(r.url) },
    { key: 'remote_host', label: 'attacker' },
    { key: 'protocol', label: 'service', render: (r) => (r.protocol || '') + ' / ' + (r.port === null ? '' : r.port) },
    { key: 'root', label: 'attack', render: (r) => (Number.isInteger(r.root) ? link('/attacks/' + r.root, 'attack ' + r.root) : '–') }],
  d.downloads, { empty: 'no download of this md5 in logsql' })));
  box.appendChild(section('Pipeline timeline', table([
    { key: 'at', label: 'time', render: (r) => fmtTime(r.at) },
    { key: 'step', label: 'step' }, { key: 'outcome', label: 'result' },
    { key: 'requests', label: 'quota cost', num: true },
    { key: 'polls', label: 'polls', num: true },
    { key: 'detail', label: 'detail' }], d.timeline, { empty: 'this sample is not in the queue' })));
}
main();
