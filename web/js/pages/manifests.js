// manifests.js - search with the filters of GET /v1/manifests.
import { L, stateName, STATE_ORDER, roleName } from '../i18n.js';
import { html, $, errorText } from '../ui.js';
import { get } from '../api.js';

const FILTERS = ['number', 'party', 'role', 'state', 'code', 'district', 'from', 'to'];

export async function render(main, params, query, who) {
  const isReg = who?.roles?.includes('regulator');
  const q = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || '']));
  main.innerHTML = String(html`
  <h1>${isReg ? L('联单查询', 'Manifest search') : L('我的联单', 'My manifests')}</h1>
  <section class="panel no-print">
    <form id="search" class="row">
      <label>${L('联单编号', 'Manifest number')}<input name="number" inputmode="numeric" value="${q.number}" placeholder="20262102000001"></label>
      ${isReg ? html`<label>${L('单位（统一社会信用代码）', 'Party (USCC)')}<input name="party" value="${q.party}" class="mono"></label>` : ''}
      <label>${L('角色', 'Role')}<select name="role"><option value="">—</option>${['producer', 'carrier', 'receiver'].map((r) => html`<option value="${r}" ${q.role === r ? 'selected' : ''}>${roleName(r)}</option>`)}</select></label>
      <label>${L('状态', 'State')}<select name="state"><option value="">—</option>${STATE_ORDER.map((s) => html`<option value="${s}" ${q.state === s ? 'selected' : ''}>${stateName(s)}</option>`)}</select></label>
      <label>${L('废物代码或类别', 'Waste code or category')}<input name="code" value="${q.code}" placeholder="900-214-08 / HW08"></label>
      <label>${L('区县代码', 'District')}<input name="district" value="${q.district}" inputmode="numeric"></label>
      <label>${L('填报日期自', 'Filed from')}<input type="date" name="from" value="${q.from}"></label>
      <label>${L('至', 'to')}<input type="date" name="to" value="${q.to}"></label>
      <button class="primary" type="submit">${L('查询', 'Search')}</button>
    </form>
  </section>
  <section class="panel"><div id="results">…</div><div id="more"></div></section>`);
  for (const sel of $('#search').querySelectorAll('select')) sel.value = q[sel.name] || '';
  $('#search').addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(e.target);
    const sp = new URLSearchParams();
    for (const [k, v] of fd) if (v) sp.set(k, String(v).trim());
    location.hash = '#/manifests' + (sp.toString() ? '?' + sp : '');
  });
  if (q.number) {
    location.replace('#/m/' + q.number.replace(/\D/g, ''));
    return;
  }
  const sp = new URLSearchParams();
  for (const k of FILTERS.slice(1)) if (q[k]) sp.set(k, q[k]);
  if (!isReg && who && !q.party) sp.set('party', who.id);
  sp.set('limit', '100');
  const rows = [];
  const draw = (next) => {
    $('#results').innerHTML = rows.length ? String(html`<p class="muted small" id="count">${rows.length}${next ? '+' : ''} ${L('份联单', 'manifests')}</p>
      <div class="table-wrap"><table class="stack" id="manifest-table"><thead><tr><th>${L('编号', 'Number')}</th><th>${L('状态', 'State')}</th><th>${L('填报时间', 'Filed')}</th>
      <th>${L('产生单位', 'Producer')}</th><th>${L('运输单位', 'Carrier')}</th><th>${L('接受单位', 'Receiver')}</th><th>${L('区县', 'District')}</th></tr></thead><tbody>
      ${rows.map((m) => html`<tr><td data-label="${L('编号', 'Number')}"><a class="mono" href="#/m/${m.number}">${m.number}</a></td>
        <td data-label="${L('状态', 'State')}"><span class="state state-${m.state}">${stateName(m.state)}</span></td>
        <td data-label="${L('填报时间', 'Filed')}" class="small">${(m.filed_at || '').slice(0, 10)}</td>
        <td data-label="${L('产生单位', 'Producer')}" class="mono small">${m.producer}</td>
        <td data-label="${L('运输单位', 'Carrier')}" class="mono small">${m.carrier}</td>
        <td data-label="${L('接受单位', 'Receiver')}" class="mono small">${m.receiver}</td>
        <td data-label="${L('区县', 'District')}" class="small">${m.district}</td></tr>`)}
      </tbody></table></div>`) : String(html`<p class="muted" id="count">${L('没有符合条件的联单', 'No manifests match')}</p>`);
    $('#more').innerHTML = next ? String(html`<button type="button" id="load-more">${L('更多', 'More')}</button>`) : '';
    $('#load-more')?.addEventListener('click', () => load(next));
  };
  const load = async (cursor) => {
    const s = new URLSearchParams(sp);
    if (cursor) s.set('cursor', cursor);
    try {
      const r = await get('/v1/manifests?' + s);
      rows.push(...r.items);
      draw(r.next_cursor);
    } catch (e) {
      $('#results').innerHTML = String(html`<p class="bad" role="alert">${errorText(e)}</p>`);
    }
  };
  await load(null);
}
