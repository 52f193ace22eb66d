// The queue: counts and ages per state, backlog progress, stuck and failed samples, and
// retry (one or every failed sample of a reason).
import { api, clear, el, errorBox, fmtAge, fmtInt, fmtTime, getSession, layout, link, post, sampleLink, section, stateBadge, table, autoRefresh } from './lib.js';
import { timeChart } from './chart.js';

function hashOf(r) { return r.md5 || r.sha256 || r.sha1; }

async function render(box) {
  let d;
  try { d = await api('/api/v1/queue'); } catch (e) { clear(box).appendChild(errorBox(e)); return; }
  const s = await getSession().catch(() => ({}));
  clear(box);
  const now = d.now;
  box.appendChild(section('Jobs per state', table([
    { key: 'state', label: 'state', render: (r) => stateBadge(r.state) },
    { key: 'count', label: 'samples', num: true },
    { key: 'oldest_created', label: 'oldest queued', render: (r) => (r.oldest_created ? fmtAge(now - r.oldest_created) + ' ago' : '–') },
    { key: 'oldest_update', label: 'longest without progress', render: (r) => (r.oldest_update ? fmtAge(now - r.oldest_update) : '–') },
    { key: 'overdue', label: 'overdue > 1 h', num: true }], d.states)));
  const p = d.progress;
  const progress = el('p', {}, fmtInt(p.done) + ' of ' + fmtInt(p.total) + ' samples have a verdict; ' + fmtInt(d.verdicts_last_24h) + ' verdicts in the last 24 h; about ' + fmtInt(d.backlog_requests) + ' requests to go' + (d.eta ? ', done in ' + fmtAge(d.eta - now) + ' at the configured quota' : '') + '.');
  box.appendChild(section('Backlog', progress, timeChart([0, 1, 2, 3, 4, 5, 6, 7], [{ label: 'active samples by age (days)', values: d.age_days }], { bars: true, time: false, height: 160 })));
  const canAct = s.actions_enabled && s.logged_in;
  const msg = el('span', { class: 'muted', id: 'queue-msg' });
  const retry = async (body) => {
    try {
      const r = await post('/api/v1/actions/retry', body);
      clear(msg).appendChild(document.createTextNode('retried ' + r.changed + ' sample(s)'));
      setTimeout(() => render(box), 500);
    } catch (e) { clear(msg).appendChild(document.createTextNode('retry refused: ' + e.message)); }
  };
  const reasons = table([
    { key: 'reason', label: 'reason' }, { key: 'count', label: 'samples', num: true },
    { key: 'act', label: '', render: (r) => { const b = el('button', { type: 'button', disabled: !canAct, 'data-reason': r.reason }, 'retry all'); b.addEventListener('click', () => retry({ failed_reason: r.reason })); return b; } }],
  d.failed_reasons, { empty: 'no failed samples' });
  const failedSection = section('Failed samples', reasons, msg);
  if (!s.logged_in && s.actions_enabled) failedSection.appendChild(el('p', {}, link('/login', 'log in to retry')));
  failedSection.appendChild(table([
    { key: 'hash', label: 'sample', render: (r) => sampleLink(hashOf(r)) },
    { key: 'last_error', label: 'reason' },
    { key: 'path', label: 'file' },
    { key: 'updated_at', label: 'failed', render: (r) => fmtTime(r.updated_at) },
    { key: 'act', label: '', render: (r) => { const b = el('button', { type: 'button', disabled: !canAct, 'data-hash': hashOf(r) }, 'retry'); b.addEventListener('click', () => retry({ hash: hashOf(r) })); return b; } }],
  d.failed, { empty: 'no failed samples' }));
  box.appendChild(failedSection);
  box.appendChild(section('Overdue by more than an hour', table([
    { key: 'hash', label: 'sample', render: (r) => sampleLink(hashOf(r)) },
    { key: 'state', label: 'state', render: (r) => stateBadge(r.state) },
    { key: 'next_action_at', label: 'due since', render: (r) => fmtAge(now - r.next_action_at) },
    { key: 'attempts', label: 'attempts', num: true },
    { key: 'last_error', label: 'last error' }], d.stuck, { empty: 'nothing is overdue' })));
}

async function main() {
  const m = await layout('Queue');
  const box = el('div', { id: 'queue' });
  m.appendChild(box);
  autoRefresh(() => render(box), 30);
}
main();
