// trace.js - a batch's lineage as a graph drawn here from
// GET /v1/trace/{subject}?format=json: sources on the left, then the
// carriers of each line (one node per transport leg, a vehicle off the
// permit marked), receivers and disposal on the right (top to bottom on a
// phone), grams on the edges, anomalies and broken balances marked, each node
// a link to its manifest; export of the trace bundle.
import { L, qty, stateName, ruleName } from '../i18n.js';
import { html, $, esc, download, errorText } from '../ui.js';
import { get } from '../api.js';

const W = 230, CW = 190, H = 74, GX = 90, GY = 22, GYV = 44, PAD = 16;
const NARROW = 640; // below this width of the page the graph runs top to bottom

// The carrier stage (GET /v1/trace adds "carriers" to each line node): one
// node per transport leg, between the line (its filer) and what follows at
// its receiver (disposal, a collector's consolidated line), legs in order.
function withCarriers(t) {
  const nodes = [...t.nodes], edges = [];
  const last = new Map(); // line id -> id of its last leg's node
  const legCols = new Map(); // layer -> most legs of a line in it
  for (const n of t.nodes) {
    if (n.kind !== 'line' || !Array.isArray(n.carriers) || !n.carriers.length) continue;
    const legs = [...n.carriers].sort((a, b) => a.leg - b.leg);
    legCols.set(n.layer, Math.max(legCols.get(n.layer) || 0, legs.length));
    let prev = n.id;
    legs.forEach((c, i) => {
      const id = `${n.id}:leg${c.leg}`;
      nodes.push({ ...c, id, kind: 'carrier', of: n.id, step: i, layer: n.layer, manifest: n.manifest, start: false, broken: false });
      edges.push({ from: prev, to: id, kind: 'carry', qty_g: i === 0 ? (n.filed_g ?? n.in_g) : null });
      prev = id;
    });
    last.set(n.id, prev);
  }
  for (const e of t.edges) edges.push(last.has(e.from) ? { ...e, from: last.get(e.from) } : e);
  return { nodes, edges, legCols };
}

// Columns: each layer of the trace, then as many carrier columns as its
// lines have legs. A carrier node sits on its line's row.
function layout(g, vertical) {
  const layerKeys = [...new Set(g.nodes.filter((n) => n.kind !== 'carrier').map((n) => n.layer))].sort((a, b) => a - b);
  const cols = []; // { w, nodes }
  const colOf = new Map();
  for (const k of layerKeys) {
    colOf.set(`${k}`, cols.length);
    cols.push({ w: W, nodes: g.nodes.filter((n) => n.kind !== 'carrier' && n.layer === k) });
    for (let i = 0; i < (g.legCols.get(k) || 0); i++) {
      colOf.set(`${k}:${i}`, cols.length);
      cols.push({ w: CW, nodes: [], carriers: true });
    }
  }
  const maxRows = Math.max(1, ...cols.map((c) => c.nodes.length));
  const pos = new Map();
  // along: position across columns; across: position within a column
  let along = PAD;
  const starts = cols.map((c) => { const a = along; along += (vertical ? H + GYV : c.w + GX); return a; });
  const step = vertical ? W + GY : H + GY;
  cols.forEach((c, ci) => {
    const off = ((maxRows - c.nodes.length) * step) / 2;
    c.nodes.forEach((n, row) => {
      const across = PAD + off + row * step;
      const w = c.w, cx = vertical ? across + (W - w) / 2 : starts[ci];
      pos.set(n.id, vertical ? { x: cx, y: starts[ci], w, n } : { x: cx, y: across, w, n });
    });
  });
  for (const n of g.nodes) {
    if (n.kind !== 'carrier') continue;
    const line = pos.get(n.of), ci = colOf.get(`${n.layer}:${n.step}`);
    if (!line || ci == null) continue;
    pos.set(n.id, vertical ? { x: line.x + (W - CW) / 2, y: starts[ci], w: CW, n } : { x: starts[ci], y: line.y, w: CW, n });
  }
  const span = along - (vertical ? GYV : GX) + PAD;
  const breadth = PAD * 2 + maxRows * step - (vertical ? GY : GY);
  return vertical ? { pos, width: breadth, height: span } : { pos, width: span, height: breadth };
}

const clip = (s, k) => (s.length > k ? s.slice(0, k - 1) + '…' : s);
const day = (t) => (t ? new Date(Date.parse(t) + 8 * 3600e3).toISOString().slice(0, 16).replace('T', ' ') : '');

function carrierNode({ x, y, w, n }) {
  const bad = n.in_fleet === false;
  const cls = ['node', 'carrier', bad ? 'anomaly' : ''].join(' ');
  const plates = n.vehicle + (n.trailer ? ' + ' + n.trailer : '');
  const title = `${L('运输', 'Transport')} ${L(`第${n.leg}程`, `leg ${n.leg}`)} · ${n.name || n.carrier} (${n.carrier}) · ${plates}` +
    (bad ? ' · ' + ruleName('vehicle.not_in_fleet') : '');
  const k = Math.floor((w - 16) / 6.6);
  return `<g class="${cls}" data-id="${esc(n.id)}" data-carrier="${esc(n.carrier)}" data-vehicle="${esc(n.vehicle)}" data-in-fleet="${n.in_fleet ? 'true' : 'false'}">` +
    `<a href="#/m/${esc(n.manifest)}"><title>${esc(title)}</title>` +
    `<rect x="${x}" y="${y}" width="${w}" height="${H}" rx="4"/>` +
    `<text x="${x + 8}" y="${y + 16}" font-weight="600">${esc(clip((bad ? '⚠ ' : '') + (n.name || n.carrier), Math.floor((w - 16) / 11.5)))}</text>` +
    `<text x="${x + 8}" y="${y + 32}" class="plate">${esc(clip(plates, k))}</text>` +
    `<text x="${x + 8}" y="${y + 48}">${esc(clip(`${L(`第${n.leg}程`, `leg ${n.leg}`)} · ${day(n.started_at)}`, k))}</text>` +
    `<text x="${x + 8}" y="${y + 64}"${bad ? ' class="warn"' : ''}>${esc(clip(bad ? ruleName('vehicle.not_in_fleet') : L('许可车辆', 'vehicle in permit'), k))}</text></a></g>`;
}

function draw(t, flagged, vertical) {
  const g = withCarriers(t);
  const { pos, width, height } = layout(g, vertical);
  const edges = g.edges.map((e) => {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) return '';
    const label = (e.qty_g == null ? '' : qty(e.qty_g)) + (e.kind === 'reject' ? ' ' + L('拒收', 'rejected') : '');
    let d, lx, ly;
    if (vertical) {
      const x1 = a.x + a.w / 2, y1 = a.y + H, x2 = b.x + b.w / 2, y2 = b.y, my = (y1 + y2) / 2;
      d = `M${x1} ${y1} C${x1} ${my} ${x2} ${my} ${x2} ${y2 - 6}`;
      lx = (x1 + x2) / 2 + 6; ly = my + 4;
    } else {
      const x1 = a.x + a.w, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
      d = `M${x1} ${y1} C${mx} ${y1} ${mx} ${y2} ${x2 - 6} ${y2}`;
      lx = mx; ly = (y1 + y2) / 2 - 4;
    }
    return `<g class="edge-g" data-from="${esc(e.from)}" data-to="${esc(e.to)}"><path class="edge ${esc(e.kind)}" d="${d}" marker-end="url(#arrow)"/>` +
      (label ? `<text class="qty" x="${lx}" y="${ly}" text-anchor="${vertical ? 'start' : 'middle'}">${esc(label)}</text>` : '') + '</g>';
  }).join('');
  const nodes = [...pos.values()].map((p) => {
    const { x, y, n } = p;
    if (n.kind === 'carrier') return carrierNode(p);
    const bad = n.broken || flagged.has(String(n.manifest));
    const cls = ['node', n.kind, n.start ? 'start' : '', n.broken ? 'broken' : '', flagged.has(String(n.manifest)) ? 'anomaly' : ''].join(' ');
    const title = n.kind === 'disposal'
      ? `${L('处置', 'Disposal')} ${n.method || ''} · ${n.receiver_name || n.receiver || ''}`
      : `${n.id} · ${n.name || ''}`;
    const line2 = n.kind === 'disposal' ? qty(n.disposed_g) : `${n.code || ''} ${n.filer_name || n.filer || ''}`;
    const line3 = n.kind === 'disposal' ? '' : `→ ${n.receiver_name || n.receiver || ''}`;
    const line4 = n.kind === 'disposal' ? (n.state ? stateName(n.state) : '') : `${L('入', 'in')} ${qty(n.in_g)} · ${L('余', 'left')} ${qty(n.left_g)}${n.state ? ' · ' + stateName(n.state) : ''}`;
    return `<g class="${cls}" data-id="${esc(n.id)}"><a href="#/m/${esc(n.manifest)}"><title>${esc(title)}</title>` +
      `<rect x="${x}" y="${y}" width="${W}" height="${H}" rx="4"/>` +
      `<text x="${x + 8}" y="${y + 16}" font-weight="600">${esc(clip(n.kind === 'disposal' ? title : n.id + (bad ? ' ⚠' : ''), 34))}</text>` +
      `<text x="${x + 8}" y="${y + 32}">${esc(clip(line2, 34))}</text>` +
      `<text x="${x + 8}" y="${y + 48}">${esc(clip(line3, 34))}</text>` +
      `<text x="${x + 8}" y="${y + 64}">${esc(clip(line4, 38))}</text></a></g>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="trace${vertical ? ' vertical' : ''}" id="trace-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#8793a0"/></marker></defs>` +
    `<style>.node rect{fill:#fff;stroke:#6b7785}.node.start rect{stroke:#0f6b5c;stroke-width:2}.node.carrier rect{fill:#eef3fb;stroke:#5a7bb0}.node.broken rect,.node.anomaly rect,.node.carrier.anomaly rect{stroke:#b3261e;stroke-width:2;fill:#fdecea}.node.disposal rect{fill:#e3f1e7}.node text{font-size:11px}.node text.plate{font-family:monospace}.node text.warn{fill:#b3261e;font-weight:600}.edge{fill:none;stroke:#8793a0;stroke-width:1.5}.edge.carry{stroke:#5a7bb0}.edge.reject{stroke:#b3261e;stroke-dasharray:4 3}.qty{font-size:10px;fill:#5b6775}</style>` +
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
      <p class="small muted">${L('左：来源；中：运输单位与车辆（每程一个）；右：去向与处置（手机上自上而下）。边上为转移量；红框为有异常或物料不平衡的批次，或不在许可内的车辆；点击节点查看联单。', 'Left: sources; middle: the carriers and vehicles (one per leg); right: where it went and its disposal (top to bottom on a phone). Edges carry quantities; red boxes are batches with anomalies or broken balances, or vehicles not in the permit; click a node for its manifest.')}</p></section>
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
  // A phone gets the graph top to bottom (one column of a batch's stages).
  const graph = $('#graph');
  const narrow = () => graph.clientWidth < NARROW;
  let vertical = narrow();
  graph.innerHTML = draw(t, flagged, vertical);
  const onResize = () => {
    if (!graph.isConnected) { removeEventListener('resize', onResize); return; }
    if (narrow() !== vertical) { vertical = !vertical; graph.innerHTML = draw(t, flagged, vertical); }
  };
  addEventListener('resize', onResize);
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
