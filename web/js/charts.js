// charts.js - inline SVG bar charts (no library).
import { esc } from './ui.js';

// data: [{label, value, title?, href?}]; value in any unit, fmt formats it.
export function barChart(data, { fmt = String, height = 220, horizontal = false, label = '' } = {}) {
  if (!data.length) return '<p class="muted">—</p>';
  const max = Math.max(...data.map((d) => d.value), 1);
  if (horizontal) {
    const rowH = 22, w = 560, lw = 150, vw = 90;
    const h = data.length * rowH + 8;
    const bars = data.map((d, i) => {
      const bw = Math.max(1, ((w - lw - vw) * d.value) / max);
      const y = 4 + i * rowH;
      const bar = `<rect class="bar" x="${lw}" y="${y + 3}" width="${bw.toFixed(1)}" height="${rowH - 7}"><title>${esc(d.title || d.label)}: ${esc(fmt(d.value))}</title></rect>`;
      return `<text x="${lw - 6}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(d.label)}</text>` +
        (d.href ? `<a href="${esc(d.href)}">${bar}</a>` : bar) +
        `<text x="${lw + bw + 4}" y="${y + rowH / 2 + 4}">${esc(fmt(d.value))}</text>`;
    }).join('');
    return `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(label)}">${bars}</svg>`;
  }
  const w = 560, pad = 34, bw = (w - pad - 4) / data.length;
  const ticks = [0, 0.5, 1].map((f) => {
    const y = height - 20 - f * (height - 36);
    return `<line x1="${pad}" x2="${w}" y1="${y}" y2="${y}" stroke="#e3e7ec"/><text x="${pad - 4}" y="${y + 4}" text-anchor="end">${esc(fmt(max * f, true))}</text>`;
  }).join('');
  const bars = data.map((d, i) => {
    const bh = ((height - 36) * d.value) / max;
    const x = pad + i * bw;
    return `<rect class="bar" x="${(x + bw * 0.15).toFixed(1)}" y="${(height - 20 - bh).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${bh.toFixed(1)}"><title>${esc(d.title || d.label)}: ${esc(fmt(d.value))}</title></rect>` +
      `<text x="${(x + bw / 2).toFixed(1)}" y="${height - 5}" text-anchor="middle">${esc(d.label)}</text>`;
  }).join('');
  return `<svg class="chart" viewBox="0 0 ${w} ${height}" role="img" aria-label="${esc(label)}">${ticks}${bars}</svg>`;
}
