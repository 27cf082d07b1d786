// party.js - one party for the regulator: keys (certify, revoke), licences
// and transport permits, each a party.* event signed in this browser.
import { L, roleName, typeName } from '../i18n.js';
import { html, $, $$, showRefusal, clearRefusal, errorText, partyLicences } from '../ui.js';
import { get, submitEvent } from '../api.js';
import { parseVkey } from '../crypto.js';

const list = (s) => s.split(/[\s,，、]+/).map((x) => x.trim()).filter(Boolean);

export async function render(main, params, query, who) {
  const p = await get('/v1/parties/' + params.id);
  const isReg = who.roles.includes('regulator');
  const keys = await Promise.all((p.keys || []).map(async (k) => {
    const vk = typeof k === 'string' ? k : k.pub || k.vkey;
    let id = k.id || k.keyid;
    try { id = (await parseVkey(vk)).id; } catch { /* shown as given */ }
    return { ...k, vkey: vk, id };
  }));
  main.innerHTML = String(html`
    <h1>${p.name} <span class="mono small">${p.id}</span></h1>
    <p>${(p.roles || []).map(roleName).join('、')} · ${L('区县', 'district')} ${p.district}</p>
    <div class="grid">
    <section class="panel"><h2>${L('密钥', 'Keys')}</h2>
      <div class="table-wrap"><table class="stack" id="keys"><thead><tr><th>${L('密钥编号', 'Key id')}</th><th>${L('有效期', 'Valid')}</th><th>${L('状态', 'Status')}</th><th></th></tr></thead><tbody>
      ${keys.map((k) => html`<tr data-key="${k.id}"><td class="mono small" data-label="${L('密钥编号', 'Key id')}">${k.id}</td>
        <td class="small" data-label="${L('有效期', 'Valid')}">${(k.from || '').slice(0, 10)} – ${(k.until || '').slice(0, 10) || '∞'}</td>
        <td data-label="${L('状态', 'Status')}">${k.revoked || k.revoked_at ? html`<span class="bad">${L('已吊销', 'revoked')}</span>` : html`<span class="ok">${L('有效', 'valid')}</span>`}</td>
        <td>${isReg && !(k.revoked || k.revoked_at) ? html`<button type="button" class="revoke" data-key="${k.id}">${L('吊销', 'Revoke')}</button>` : ''}</td></tr>`)}
      </tbody></table></div>
      ${isReg ? html`<form id="key-form" novalidate><h3>${L('备案新密钥', 'Certify a key')}</h3>
        <div class="form-error" role="alert" hidden></div>
        <label>${L('公钥（.pub 文件内容）', 'Public key (the .pub file line)')}<input id="k-pub" class="mono" data-field="pub" autocomplete="off"></label>
        <label>${L('或选择 .pub 文件', 'or choose the .pub file')}<input type="file" id="k-file" accept=".pub,text/plain"></label>
        <label>${L('有效期至（可选）', 'Valid until (optional)')}<input type="date" id="k-until" data-field="until"></label>
        <button class="primary" type="submit">${L('签名并备案', 'Sign and certify')}</button><div class="status" role="status"></div></form>` : ''}
    </section>
    <section class="panel"><h2>${L('许可证', 'Licences and permits')}</h2>
      ${partyLicences(p).map((l) => html`<div class="licence"><strong>${l.kind === 'transport' ? L('道路运输许可', 'Transport permit') : l.kind === 'collection' ? L('收集许可证', 'Collection licence') : L('经营许可证', 'Disposal licence')}</strong>
        <span class="mono">${l.number}</span> · ${l.valid_from} – ${l.valid_until}
        ${l.codes?.length ? html`<div class="small">${L('代码/类别', 'codes')}: ${l.codes.join(' ')}</div>` : ''}
        ${l.methods?.length ? html`<div class="small">${L('方式', 'methods')}: ${l.methods.join(' ')}</div>` : ''}
        ${l.capacity_g && Object.keys(l.capacity_g).length ? html`<div class="small">${L('年能力', 'capacity')}: ${Object.entries(l.capacity_g).map(([c, g]) => `${c} ${(g / 1e6).toFixed(0)} t`).join('，')}</div>` : ''}
        ${l.vehicles?.length ? html`<div class="small">${L('车辆', 'vehicles')}: ${l.vehicles.join(' ')}</div>` : ''}</div>`)}
      ${isReg && (p.roles.includes('receiver') || p.roles.includes('collector')) ? html`<form id="licence-form" novalidate><h3>${L('记录经营/收集许可证', 'Record a disposal or collection licence')}</h3>
        <div class="form-error" role="alert" hidden></div>
        <div class="row"><label>${L('类型', 'Kind')}<select id="l-kind" data-field="kind"><option value="disposal">${L('经营（利用/处置）', 'disposal')}</option><option value="collection">${L('收集', 'collection')}</option></select></label>
          <label>${L('许可证编号', 'Number')}<input id="l-number" data-field="number"></label></div>
        <div class="row"><label>${L('有效期自', 'Valid from')}<input type="date" id="l-from" data-field="valid_from"></label><label>${L('至', 'until')}<input type="date" id="l-until" data-field="valid_until"></label></div>
        <label>${L('代码或类别（空格分隔）', 'Codes or categories (space-separated)')}<input id="l-codes" class="mono" data-field="codes" placeholder="HW08 900-214-08"></label>
        <label>${L('利用/处置方式（空格分隔）', 'Methods (space-separated)')}<input id="l-methods" class="mono" data-field="methods" placeholder="R9 D10"></label>
        <label>${L('年经营能力（类别=吨，空格分隔，可选）', 'Annual capacity (category=tonnes, optional)')}<input id="l-capacity" class="mono" data-field="capacity_g" placeholder="HW08=5000"></label>
        <button class="primary" type="submit">${L('签名并记录', 'Sign and record')}</button><div class="status" role="status"></div></form>` : ''}
      ${isReg && p.roles.includes('carrier') ? html`<form id="permit-form" novalidate><h3>${L('记录道路运输许可', 'Record a transport permit')}</h3>
        <div class="form-error" role="alert" hidden></div>
        <label>${L('许可证编号', 'Number')}<input id="t-number" data-field="number"></label>
        <div class="row"><label>${L('有效期自', 'Valid from')}<input type="date" id="t-from" data-field="valid_from"></label><label>${L('至', 'until')}<input type="date" id="t-until" data-field="valid_until"></label></div>
        <label>${L('车辆（车牌，空格分隔）', 'Vehicles (plates, space-separated)')}<input id="t-vehicles" data-field="vehicles"></label>
        <button class="primary" type="submit">${L('签名并记录', 'Sign and record')}</button><div class="status" role="status"></div></form>` : ''}
    </section></div>
    <p><a href="#/manifests?party=${p.id}">${L('该单位的联单', "This party's manifests")}</a></p>`);

  // Each party.* event extends the party's chain p:USCC.
  const head = async () => { try { return (await get('/v1/heads/p:' + p.id)).id; } catch { return p.head || null; } };
  // A refusal of one item of a list field (event.body.vehicles[1]: "must be
  // a plate") is shown at the field, naming the item the field was given
  // (showRefusal puts a violation's `item` before its words).
  const naming = (err, body) => {
    if (!err?.body) return err;
    const itemOf = (field) => {
      const f = /(?:^|\.)(\w+)\[(\d+)\]$/.exec(field || '');
      return f && Array.isArray(body?.[f[1]]) ? body[f[1]][Number(f[2])] : undefined;
    };
    return { ...err, body: { ...err.body, item: itemOf(err.body.field),
      violations: err.body.violations?.map((v) => ({ ...v, item: itemOf(v.field) })) } };
  };
  const sendForm = (form, type, build) => form?.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearRefusal(form);
    const st = $('.status', form);
    let body = null;
    try {
      body = await build();
      const r = await submitEvent({ type, manifest: null, prev: await head(), body });
      st.innerHTML = String(html`<p class="form-ok">${typeName(type)} ✔ <span class="mono small">${r.id}</span></p>`);
      setTimeout(() => location.reload(), 600);
    } catch (err) {
      showRefusal(form, naming(err, body));
    }
  });
  $('#k-file')?.addEventListener('change', async (e) => { const f = e.target.files[0]; if (f) $('#k-pub').value = (await f.text()).trim(); });
  sendForm($('#key-form'), 'party.key', async () => {
    const pub = $('#k-pub').value.trim();
    try { await parseVkey(pub); } catch (err) { throw { body: { field: 'pub', hint: L('公钥格式不对：', 'Not a verifier key: ') + err.message } }; }
    const u = $('#k-until').value;
    return { id: p.id, pub, until: u ? `${u}T16:00:00Z` : null };
  });
  $$('.revoke').forEach((b) => b.addEventListener('click', async () => {
    const reason = prompt(L('吊销原因', 'Reason for revoking'));
    if (reason === null) return;
    try {
      const body = { id: p.id, key: b.dataset.key };
      if (reason) body.reason = reason;
      await submitEvent({ type: 'party.revoke', manifest: null, prev: await head(), body });
      location.reload();
    } catch (err) { alert(errorText(err)); }
  }));
  sendForm($('#licence-form'), 'party.licence', async () => {
    const body = { id: p.id, kind: $('#l-kind').value, number: $('#l-number').value.trim(), valid_from: $('#l-from').value, valid_until: $('#l-until').value, codes: list($('#l-codes').value) };
    const methods = list($('#l-methods').value);
    if (methods.length) body.methods = methods;
    const cap = list($('#l-capacity').value);
    if (cap.length) body.capacity_g = Object.fromEntries(cap.map((c) => { const [k, t] = c.split('='); return [k, Math.round(parseFloat(t) * 1e6)]; }));
    return body;
  });
  sendForm($('#permit-form'), 'party.permit', async () => ({ id: p.id, number: $('#t-number').value.trim(), valid_from: $('#t-from').value, valid_until: $('#t-until').value, vehicles: list($('#t-vehicles').value) }));
}
