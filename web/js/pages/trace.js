// trace.js - a batch's lineage as a graph drawn here from
// GET /v1/trace/{subject}?format=json: sources on the left, disposal on the
// right, grams on the edges, anomalies and broken balances marked, each node
// a link to its manifest; export of the trace bundle.
import { L, qty, stateName, ruleName } from '../i18n.js';
import { html, $, esc, download, errorText } from '../ui.js';
import { get } from '../api.js';

const W = 230, H = 74, GX = 90, GY = 22, PAD = 16;

function layout(t) {
  const layers = new Map();
  for (const n of t.nodes) {
    if (!layers.has(n.layer)) layers.set(n.layer, []);
    layers.get(n.layer).push(n);
  }
  const keys = [...layers.keys()].sort((a, b) => a - b);
  const pos = new Map();
  let maxRows = 0;
  keys.forEach((k, col) => {
    const ns = layers.get(k);
    maxRows = Math.max(maxRows, ns.length);
    ns.forEach((n, row) => pos.set(n.id, { x: PAD + col * (W + GX), y: PAD + row * (H + GY), n }));
  });
  // Centre short columns vertically.
  keys.forEach((k) => {
    const ns = layers.get(k), off = ((maxRows - ns.length) * (H + GY)) / 2;
    ns.forEach((n) => { pos.get(n.id).y += off; });
  });
  return { pos, width: PAD * 2 + keys.length * (W + GX) - GX, height: PAD * 2 + maxRows * (H + GY) - GY };
}

function draw(t, flagged) {
  const { pos, width, height } = layout(t);
  const edges = t.edges.map((e) => {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) return '';
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
    return `<g class="edge-g" data-from="${esc(e.from)}" data-to="${esc(e.to)}"><path class="edge ${esc(e.kind)}" d="M${x1} ${y1} C${mx} ${y1} ${mx} ${y2} ${x2 - 6} ${y2}" marker-end="url(#arrow)"/>` +
      `<text class="qty" x="${mx}" y="${(y1 + y2) / 2 - 4}" text-anchor="middle">${esc(qty(e.qty_g))}${e.kind === 'reject' ? ' ' + esc(L('拒收', 'rejected')) : ''}</text></g>`;
  }).join('');
  const nodes = [...pos.values()].map(({ x, y, n }) => {
    const bad = n.broken || flagged.has(String(n.manifest));
    const cls = ['node', n.kind, n.start ? 'start' : '', n.broken ? 'broken' : '', flagged.has(String(n.manifest)) ? 'anomaly' : ''].join(' ');
    const title = n.kind === 'disposal'
      ? `${L('处置', 'Disposal')} ${n.method || ''} · ${n.receiver_name || n.receiver || ''}`
      : `${n.id} · ${n.name || ''}`;
    const line2 = n.kind === 'disposal' ? qty(n.disposed_g) : `${n.code || ''} ${n.filer_name || n.filer || ''}`;
    const line3 = n.kind === 'disposal' ? '' : `→ ${n.receiver_name || n.receiver || ''}`;
    const line4 = n.kind === 'disposal' ? (n.state ? stateName(n.state) : '') : `${L('入', 'in')} ${qty(n.in_g)} · ${L('余', 'left')} ${qty(n.left_g)}${n.state ? ' · ' + stateName(n.state) : ''}`;
    const clip = (s, k) => (s.length > k ? s.slice(0, k - 1) + '…' : s);
    return `<g class="${cls}" data-id="${esc(n.id)}"><a href="#/m/${esc(n.manifest)}"><title>${esc(title)}</title>` +
      `<rect x="${x}" y="${y}" width="${W}" height="${H}" rx="4"/>` +
      `<text x="${x + 8}" y="${y + 16}" font-weight="600">${esc(clip(n.kind === 'disposal' ? title : n.id + (bad ? ' ⚠' : ''), 34))}</text>` +
      `<text x="${x + 8}" y="${y + 32}">${esc(clip(line2, 34))}</text>` +
      `<text x="${x + 8}" y="${y + 48}">${esc(clip(line3, 34))}</text>` +
      `<text x="${x + 8}" y="${y + 64}">${esc(clip(line4, 38))}</text></a></g>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="trace" id="trace-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#8793a0"/></marker></defs>` +
    `<style>.node rect{fill:#fff;stroke:#6b7785}.node.start rect{stroke:#0f6b5c;stroke-width:2}.node.broken rect,.node.anomaly rect{stroke:#b3261e;stroke-width:2;fill:#fdecea}.node.disposal rect{fill:#e3f1e7}.node text{font-size:11px}.edge{fill:none;stroke:#8793a0;stroke-width:1.5}.edge.reject{stroke:#b3261e;stroke-dasharray:4 3}.qty{font-size:10px;fill:#5b6775}</style>` +
    edges + nodes + '</svg>';
}

export async function render(main, params) {
  const subject = params.s;
  main.innerHTML = String(html`
    <div class="inline"><h1>${L('追溯', 'Trace')} <span class="mono">${subject}</span></h1></div>
    <section class="panel no-print"><form id="trace-form" class="inline">
      <input name="s" value="${subject}" class="mono" style="max-width:16rem" aria-label="${L('批次或联单号', 'batch or manifest number')}">
      <button type="submit">${L('追溯', 'Trace')}</button>
      <button type="button" id="bundle">${L('导出追溯证据包', 'Export trace bundle')}</button>
      <button type="button" id="svg-export">${L('导出图 (SVG)', 'Export graph (SVG)')}</button>
      <a class="button" id="server-svg" href="/v1/trace/${encodeURIComponent(subject)}?format=svg" target="_blank" hidden>${L('服务器绘制', 'Server drawing')}</a>
      <span id="export-status" class="small" role="status"></span>
    </form></section>
    <section class="panel"><div id="summary"></div><div class="trace-wrap" id="graph">…</div>
      <p class="small muted">${L('左：来源；右：去向与处置。边上为转移量；红框为有异常或物料不平衡的批次；点击节点查看联单。', 'Left: sources; right: where it went and its disposal. Edges carry quantities; red boxes are batches with anomalies or broken balances; click a node for its manifest.')}</p></section>
    <section class="panel"><h2>${L('相关异常', 'Related anomalies')}</h2><div id="trace-anomalies">…</div></section>`);
  $('#trace-form').addEventListener('submit', (e) => { e.preventDefault(); location.hash = '#/trace/' + encodeURIComponent(new FormData(e.target).get('s').trim()); });
  const t = await get(`/v1/trace/${encodeURIComponent(subject)}?format=json`);
  const manifests = [...new Set(t.nodes.map((n) => String(n.manifest)))];
  // GET /v1/anomalies filters by rule only: take them all, keep this lineage's.
  const inTrace = new Set(manifests);
  const anomalies = ((await get('/v1/anomalies').catch(() => ({ items: [] }))).items || []).filter((a) => inTrace.has(String(a.manifest)));
  const seen = new Set();
  const uniq = anomalies.filter((a) => { const k = `${a.rule}|${a.manifest}|${a.batch}|${a.detail}`; if (seen.has(k)) return false; seen.add(k); return true; });
  const flagged = new Set(uniq.map((a) => String(a.manifest)));
  $('#summary').innerHTML = String(html`<p>${t.balanced ? html`<span class="ok">${L('✔ 物料平衡', '✔ balanced')}</span>` : html`<span class="bad">${L('✘ 物料不平衡', '✘ balance broken')} (${t.broken})</span>`}
    · ${t.nodes.length} ${L('个节点', 'nodes')} · ${manifests.length} ${L('份联单', 'manifests')}</p>`);
  $('#graph').innerHTML = draw(t, flagged);
  $('#trace-anomalies').innerHTML = uniq.length ? String(html`<ul>${uniq.map((a) => html`<li><strong>${ruleName(a.rule)}</strong> <a class="mono" href="#/m/${a.manifest}">${a.manifest}</a> ${a.detail}</li>`)}</ul>`) : String(html`<p class="muted">${L('没有异常', 'No anomalies')}</p>`);
  $('#server-svg').hidden = false;
  $('#svg-export').addEventListener('click', () => download(`trace-${subject}.svg`, $('#trace-svg').outerHTML, 'image/svg+xml'));
  $('#bundle').addEventListener('click', async () => {
    const st = $('#export-status');
    st.textContent = '…';
    try {
      const res = await get(`/v1/trace/${encodeURIComponent(subject)}/bundle`, { raw: true });
      const text = await res.text();
      download(`trace-${subject}.bundle.json`, text, 'application/json');
      st.textContent = L(`已导出 ${text.length} 字节`, `exported ${text.length} bytes`);
      st.className = 'small ok';
    } catch (e) {
      st.textContent = errorText(e);
      st.className = 'small bad';
    }
  });
}
