// Time series with the vendored uPlot (a classic script that defines the global uPlot;
// the page shell loads it before the modules). Series names are ours, never attacker data;
// uPlot writes legend text with textContent.
import { el } from './lib.js';

const COLORS = ['#2f6fb3', '#d9822b', '#3b9a57', '#b3412f', '#7a5cb8', '#888'];

// series: [{label, values}], xs: Unix seconds. `bars` draws bars instead of lines.
export function timeChart(xs, series, opts) {
  const options = opts || {};
  const box = el('div', { class: 'chart' });
  if (typeof uPlot === 'undefined') return box;  // eslint-disable-line no-undef
  const width = Math.max(320, Math.min(1320, (document.getElementById('main') || document.body).clientWidth - 48));
  const u = new uPlot({  // eslint-disable-line no-undef
    width,
    height: options.height || 220,
    series: [{}].concat(series.map((s, i) => ({
      label: s.label,
      stroke: COLORS[i % COLORS.length],
      fill: options.bars ? COLORS[i % COLORS.length] + '55' : undefined,
      width: 1.5,
      paths: options.bars && uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined,  // eslint-disable-line no-undef
      points: { show: xs.length <= 50 },
    }))),
    axes: [{}, { size: 60 }],
    scales: { x: { time: options.time !== false } },
    legend: { show: true },
  }, [xs].concat(series.map((s) => s.values)), box);
  box.dataset.series = String(series.length);
  return box;
}
