// parties.js - the regulator's party registry: search and register.
import { L, roleName } from '../i18n.js';
import { html, $, $$, showRefusal, clearRefusal } from '../ui.js';
import { get, submitEvent } from '../api.js';

const ROLES = ['producer', 'carrier', 'receiver', 'collector'];

export async function render(main, params, query) {
  const r = await get('/v1/parties');
  const all = r.items || [];
  main.innerHTML = String(html`
    <h1>${L('单位备案', 'Party registry')}</h1>
    <div class="grid">
    <section class="panel"><h2>${L('登记新单位', 'Register a party')}</h2>
      <form id="register-form" novalidate>
        <div class="form-error" role="alert" hidden></div>
        <label>${L('统一社会信用代码', 'USCC')}<input id="r-id" class="mono" maxlength="18" data-field="id" autocomplete="off"></label>
        <label>${L('单位名称', 'Name')}<input id="r-name" data-field="name"></label>
        <div class="checks" data-field="roles" tabindex="-1">${ROLES.map((x) => html`<label><input type="checkbox" value="${x}"> ${roleName(x)}</label>`)}</div>
        <label>${L('区县代码（可选，默认取信用代码第3–8位）', 'District (optional, default: USCC characters 3–8)')}<input id="r-district" inputmode="numeric" maxlength="6" data-field="district"></label>
        <button class="primary" type="submit" id="register">${L('签名并登记', 'Sign and register')}</button>
        <div id="registered" role="status"></div>
      </form></section>
    <section class="panel"><h2>${L('已备案单位', 'Registered parties')} <span class="muted small">${all.length}</span></h2>
      <div class="inline"><input id="p-filter" type="search" placeholder="${L('名称或信用代码', 'name or USCC')}">
        <select id="p-role"><option value="">${L('全部角色', 'all roles')}</option>${ROLES.map((x) => html`<option value="${x}">${roleName(x)}</option>`)}</select></div>
      <div id="party-list" class="table-wrap"></div></section>
    </div>`);
  const draw = () => {
    const f = $('#p-filter').value.trim(), role = $('#p-role').value;
    const list = all.filter((p) => (!f || p.name.includes(f) || p.id.includes(f.toUpperCase())) && (!role || p.roles.includes(role)));
    $('#party-list').innerHTML = String(html`<table class="stack"><thead><tr><th>${L('单位', 'Party')}</th><th>${L('角色', 'Roles')}</th><th>${L('区县', 'District')}</th></tr></thead><tbody>
      ${list.slice(0, 100).map((p) => html`<tr><td data-label="${L('单位', 'Party')}"><a href="#/parties/${p.id}">${p.name}</a><div class="mono small">${p.id}</div></td>
        <td data-label="${L('角色', 'Roles')}">${p.roles.map(roleName).join('、')}</td><td data-label="${L('区县', 'District')}">${p.district}</td></tr>`)}</tbody></table>
      ${list.length > 100 ? html`<p class="muted small">100 / ${list.length}</p>` : ''}`);
  };
  $('#p-filter').addEventListener('input', draw);
  $('#p-role').addEventListener('change', draw);
  draw();
  const form = $('#register-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearRefusal(form);
    const body = { id: $('#r-id').value.trim().toUpperCase(), name: $('#r-name').value.trim(), roles: $$('[data-field=roles] input:checked').map((x) => x.value) };
    if ($('#r-district').value.trim()) body.district = $('#r-district').value.trim();
    const local = [];
    if (!body.id) local.push({ field: 'id', message: L('必填', 'required') });
    if (!body.name) local.push({ field: 'name', message: L('必填', 'required') });
    if (!body.roles.length) local.push({ field: 'roles', message: L('至少选择一个角色', 'choose at least one role') });
    if (local.length) { showRefusal(form, { body: { violations: local } }); return; }
    $('#register').disabled = true;
    try {
      await submitEvent({ type: 'party.register', manifest: null, prev: null, body });
      $('#registered').innerHTML = String(html`<p class="form-ok">${L('已登记', 'Registered')}: <a href="#/parties/${body.id}">${body.name}</a></p>`);
    } catch (err) {
      showRefusal(form, err);
    } finally {
      $('#register').disabled = false;
    }
  });
}
