// dashboard.js - the regulator's overview: manifests by state, tonnage per
// month and per category, anomalies with filters, receivers' licensed
// capacity used this year, and the latest checkpoint verified here.
import { L, stateName, STATE_ORDER, ruleName, anomalyText, qty } from '../i18n.js';
import { html, $, $$, errorText } from '../ui.js';
import { get, logKeys } from '../api.js';
import { barChart } from '../charts.js';
import { verifyNote } from '../crypto.js';

// GET /v1/stats answers {"by","year","rows":[{"key",...}],"total":{...}}.
export const statRows = (res) => (res?.rows || []).filter((it) => it.key != null && it.key !== '');
const tonnes = (g, axis) => (axis ? (g / 1e6).toFixed(g / 1e6 >= 100 ? 0 : 1) : (g / 1e6).toFixed(3) + ' t');

export async function render(main, params, query) {
  const year = Number(query.get('year')) || new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
  main.innerHTML = String(html`
    <div class="inline no-print"><h1>${L('监管总览', 'Regulator dashboard')}</h1>
      <span class="muted">${year}</span></div>
    <section class="panel"><h2>${L('联单状态', 'Manifests by state')}</h2><div id="states" class="cards">…</div></section>
    <div class="grid">
      <section class="panel"><h2>${L('每月转移量（吨，按填报月份）', 'Tonnes per month (by filing month)')}</h2><div id="months">…</div></section>
      <section class="panel"><h2>${L('各类别转移量（吨）', 'Tonnes per waste category')}</h2><div id="cats">…</div></section>
    </div>
    <section class="panel" id="anomalies-panel"><h2>${L('异常', 'Anomalies')}</h2>
      <div class="inline" id="rule-chips"></div>
      <div class="inline no-print" style="margin:.5rem 0"><input id="anom-filter" type="search" placeholder="${L('按单位、联单号或批次筛选', 'Filter by party, manifest or batch')}" style="max-width:24rem"></div>
      <div id="anomalies">…</div></section>
    <div class="grid">
      <section class="panel"><h2>${L('接受单位年度许可能力使用', 'Receivers: licensed capacity used this year')}</h2><div id="capacity">…</div></section>
      <section class="panel"><h2>${L('最新检查点', 'Latest checkpoint')}</h2><div id="checkpoint">…</div></section>
    </div>`);

  const fail = (id) => (e) => { $(id).innerHTML = String(html`<p class="bad">${errorText(e)}</p>`); };

  const jobs = [];
  // Every state, cancelled included: GET /v1/stats?by=state.
  jobs.push(get('/v1/stats?by=state').then((r) => {
    const counts = Object.fromEntries(statRows(r).map((x) => [x.key, x.manifests]));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    $('#states').innerHTML = String(html`<a class="card" href="#/manifests"><div class="n" data-state="total">${total}</div>${L('全部', 'all')}</a>` +
      STATE_ORDER.map((s) => html`<a class="card ${['arrived', 'rejected', 'received_with_discrepancy'].includes(s) ? 'warn' : ''}" href="#/manifests?state=${s}"><div class="n" data-state="${s}">${counts[s] || 0}</div>${stateName(s)}</a>`).join(''));
  }).catch(fail('#states')));

  jobs.push(get(`/v1/stats?by=month&year=${year}`).then((r) => {
    const items = statRows(r);
    $('#months').innerHTML = barChart(items.map((x) => ({ label: String(x.key).slice(5) || x.key, title: x.key, value: x.filed_g ?? 0 })), { fmt: tonnes, label: 'month' });
  }).catch(fail('#months')));

  jobs.push(get(`/v1/stats?by=category&year=${year}`).then((r) => {
    const items = statRows(r).sort((a, b) => (b.filed_g ?? 0) - (a.filed_g ?? 0)).slice(0, 15);
    $('#cats').innerHTML = barChart(items.map((x) => ({ label: x.key, value: x.filed_g ?? 0, href: `#/manifests?code=${encodeURIComponent(x.key)}` })), { fmt: tonnes, horizontal: true, label: 'category' });
  }).catch(fail('#cats')));

  let anomalies = [];
  let rule = query.get('rule') || '';
  let showAll = false;
  const drawAnomalies = () => {
    const f = $('#anom-filter').value.trim();
    const list = anomalies.filter((a) => (!rule || a.rule === rule) &&
      (!f || [a.manifest, a.batch, a.party, a.detail, anomalyText(a)].some((x) => String(x ?? '').includes(f))));
    const counts = {};
    for (const a of anomalies) counts[a.rule] = (counts[a.rule] || 0) + 1;
    $('#rule-chips').innerHTML = String(html`<button type="button" class="chip" aria-pressed="${!rule}" data-rule="">${L('全部', 'all')} ${anomalies.length}</button>` +
      Object.entries(counts).map(([r, n]) => html`<button type="button" class="chip" aria-pressed="${rule === r}" data-rule="${r}">${ruleName(r)} ${n}</button>`).join(''));
    $$('#rule-chips .chip').forEach((b) => b.addEventListener('click', () => {
      rule = b.dataset.rule;
      history.replaceState(null, '', '#/dashboard' + (rule ? '?rule=' + rule : ''));
      drawAnomalies();
    }));
    $('#anomalies').innerHTML = list.length ? String(html`<div class="table-wrap"><table class="stack"><thead><tr>
      <th>${L('规则', 'Rule')}</th><th>${L('联单', 'Manifest')}</th><th>${L('单位', 'Party')}</th><th>${L('说明', 'Detail')}</th><th>${L('期限', 'Deadline')}</th><th></th></tr></thead><tbody>
      ${list.slice(0, showAll ? 500 : 25).map((a) => html`<tr class="anomaly" data-rule="${a.rule}">
        <td data-label="${L('规则', 'Rule')}">${ruleName(a.rule)}${a.provisional ? html` <span class="muted small">(${L('暂定', 'provisional')})</span>` : ''}</td>
        <td data-label="${L('联单', 'Manifest')}">${a.manifest ? html`<a class="mono" href="#/m/${a.manifest}">${a.manifest}</a>` : '—'}${a.batch ? html` <span class="mono small">${a.batch}</span>` : ''}</td>
        <td data-label="${L('单位', 'Party')}" class="mono small">${a.party ?? ''}</td>
        <td data-label="${L('说明', 'Detail')}" class="small detail" title="${a.detail}">${anomalyText(a)}</td>
        <td data-label="${L('期限', 'Deadline')}" class="small">${a.deadline_day ?? ''}</td>
        <td>${a.manifest ? html`<a class="small" href="#/trace/${a.batch || a.manifest}">${L('追溯', 'trace')}</a>` : ''}</td></tr>`)}
      </tbody></table></div>${list.length > (showAll ? 500 : 25) ? html`<p class="muted">${L('显示', 'Showing')} ${showAll ? 500 : 25} / ${list.length} <button type="button" id="anom-all" class="chip">${L('显示更多', 'show more')}</button></p>` : ''}`)
      : String(html`<p class="muted">${L('没有异常', 'No anomalies')}</p>`);
    $('#anom-all')?.addEventListener('click', () => { showAll = true; drawAnomalies(); });
  };
  $('#anom-filter').addEventListener('input', drawAnomalies);
  jobs.push(get('/v1/anomalies').then((r) => { anomalies = r.items || []; drawAnomalies(); }).catch(fail('#anomalies')));

  // Each licensed annual capacity (receiver, category) and the grams used: GET /v1/capacity.
  jobs.push(get('/v1/capacity?year=' + year).then(({ items }) => {
    items = items.filter((c) => c.capacity_g > 0);
    items.sort((a, b) => b.used_g / b.capacity_g - a.used_g / a.capacity_g);
    $('#capacity').innerHTML = items.length ? String(html`<div class="table-wrap"><table class="stack"><thead><tr><th>${L('接受单位', 'Receiver')}</th><th>${L('类别', 'Category')}</th><th class="num">${L('已用/许可', 'Used / licensed')}</th><th></th></tr></thead><tbody>
      ${items.slice(0, 12).map((c) => {
        const pct = c.capacity_g ? (100 * c.used_g) / c.capacity_g : 0;
        return html`<tr><td data-label="${L('接受单位', 'Receiver')}"><a href="#/parties/${c.receiver}">${c.name || c.receiver}</a></td><td data-label="${L('类别', 'Category')}">${c.category}</td>
          <td class="num" data-label="${L('已用/许可', 'Used / licensed')}">${qty(c.used_g)} / ${qty(c.capacity_g)}</td>
          <td data-label="%"><div class="meter ${pct > 100 ? 'over' : pct > 80 ? 'hi' : ''}" title="${pct.toFixed(1)}%"><span style="width:${Math.min(100, pct).toFixed(1)}%"></span></div> <span class="small">${pct.toFixed(1)}%</span></td></tr>`;
      })}</tbody></table></div>
      ${items.length > 12 ? html`<p class="muted small">${L(`使用率最高的 12 项，共 ${items.length} 项`, `The 12 most used of ${items.length}`)}</p>` : ''}`)
      : String(html`<p class="muted">${L('没有记录年度能力的许可证', 'No licence records an annual capacity')}</p>`);
  }).catch(fail('#capacity')));

  jobs.push(Promise.all([fetch('/v1/log/checkpoint').then((r) => r.text()), logKeys()]).then(async ([note, keys]) => {
    const v = await verifyNote(note, keys.ledger_key);
    $('#checkpoint').innerHTML = String(html`
      <p id="cp-status" class="${v.verified ? 'ok' : 'bad'}">${v.verified ? L('✔ 签名有效（已在本浏览器用账本公钥验证）', '✔ Signature valid (checked in this browser against the ledger key)') : L('✘ 签名无效', '✘ Signature does not verify')}</p>
      <table><tbody>
      <tr><th>${L('日志', 'Log')}</th><td class="mono">${v.origin}</td></tr>
      <tr><th>${L('事件数', 'Size')}</th><td class="mono" id="cp-size">${v.size}</td></tr>
      <tr><th>${L('根哈希', 'Root')}</th><td class="mono">${v.root}</td></tr>
      <tr><th>${L('账本公钥', 'Ledger key')}</th><td class="mono small">${keys.ledger_key}</td></tr></tbody></table>
      <details><summary class="small">${L('原文', 'Note text')}</summary><pre class="mono small">${note}</pre></details>`);
  }).catch(fail('#checkpoint')));
  await Promise.all(jobs);
}
