// One attack's tree: exactly what `honeyvt tree -c ID` prints, with its md5s linked to
// their samples (only the md5s the tree's downloads name, matched as whole words).
import { api, el, errorBox, exportBar, isHash, layout, link, section, text, visible } from './lib.js';

function linkedText(pre, textValue, md5s) {
  const wanted = new Set(md5s.filter(isHash));
  const lines = String(textValue).split('\n');
  lines.forEach((line, i) => {
    for (const part of line.split(/([0-9a-f]{32})/)) {
      if (wanted.has(part)) pre.appendChild(link('/samples/' + part, part));
      else if (part) pre.appendChild(text(part));
    }
    if (i + 1 < lines.length) pre.appendChild(document.createTextNode('\n'));
  });
}

async function main() {
  const id = location.pathname.split('/')[2] || '';
  const m = await layout('Attack ' + visible(id));
  if (!/^[0-9]{1,18}$/.test(id)) { m.appendChild(errorBox(new Error('not an attack id'))); return; }
  let d;
  try { d = await api('/api/v1/attacks/' + id); } catch (e) { m.appendChild(errorBox(e)); return; }
  const nav = el('p', { class: 'pager' });
  if (d.previous) nav.append(link('/attacks/' + d.previous, '← attack ' + d.previous), ' ');
  if (d.next) nav.append(link('/attacks/' + d.next, 'attack ' + d.next + ' →'));
  m.appendChild(nav);
  const pre = el('pre', { class: 'tree', id: 'tree' });
  linkedText(pre, d.text, d.md5s);
  m.appendChild(section('honeyvt tree', exportBar('/api/v1/attacks/' + id, null, d.command), pre));
}
main();
