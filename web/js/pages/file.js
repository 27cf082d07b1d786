// file.js - a producer (or a collector / receiver shipping on) fills, signs
// and files a manifest: codes picked from the 2021 catalogue by search,
// hazard characteristics filled from the code, receivers licensed for every
// chosen code and carriers with a permit offered from GET /v1/directory.
import { L, HAZARD_CODES, hazardName, FORM_CODES, formName } from '../i18n.js';
import { html, $, $$, showRefusal, clearRefusal, loadCsv, errorText } from '../ui.js';
import { get, submitEvent } from '../api.js';

// Catalogue hazard cell rule (include/liandan/catalog.h): "T" -> exactly T;
// "a,b" -> a required, b allowed; "a/b" -> at least one of them.
export function hazardRule(cell, code) {
  if (!cell || /^900-000-/.test(code)) return { required: [], allowed: HAZARD_CODES, one: true };
  const toks = cell.split(/[,/]/);
  if (toks.length === 1) return { required: toks, allowed: toks, one: false };
  if (cell.includes(',')) return { required: [toks[0]], allowed: toks, one: false };
  return { required: [], allowed: toks, one: true };
}

const PROFILE = (id) => 'liandan.profile.' + id;
const grams = (kg) => Math.round(parseFloat(String(kg).replace(/,/g, '')) * 1000);

function lineHtml(i) {
  const f = (k) => `lines[${i}].${k}`;
  return html`<fieldset class="line-card" data-line="${i}">
    <legend>${L('第', 'Line ')}${i + 1}${L('行', '')}</legend>
    <div class="row">
      <label>${L('废物代码（搜索名录）', 'Waste code (search the catalogue)')}
        <input class="code-search" data-field="${f('code')}" autocomplete="off" placeholder="${L('如 900-214-08 或 废矿物油', 'e.g. 900-214-08 or 废矿物油')}">
      </label>
      <label>${L('类别', 'Category')}<input class="category mono" data-field="${f('category')}" readonly tabindex="-1"></label>
    </div>
    <div class="suggest" hidden></div>
    <div class="small muted code-desc"></div>
    <div class="row">
      <label>${L('废物名称', 'Waste name')}<input class="name" data-field="${f('name')}"></label>
      <label>${L('企业内部名称（可选）', 'Internal name (optional)')}<input class="internal_name" data-field="${f('internal_name')}"></label>
    </div>
    <div><span class="small muted">${L('危险特性', 'Hazard characteristics')}</span>
      <div class="checks hazards" data-field="${f('hazard')}" tabindex="-1">${HAZARD_CODES.map((h) => html`<label><input type="checkbox" value="${h}" disabled> ${h} ${hazardName(h)}</label>`)}</div></div>
    <div class="row">
      <label>${L('形态', 'Physical form')}<select class="form" data-field="${f('form')}">${FORM_CODES.map((x) => html`<option value="${x}">${formName(x)}</option>`)}</select></label>
      <label>${L('有害成分', 'Harmful constituents')}<input class="constituents" data-field="${f('constituents')}"></label>
    </div>
    <div class="row">
      <label>${L('包装方式', 'Packaging')}<input class="packaging" data-field="${f('packaging')}" placeholder="${L('吨袋 / 铁桶 / 周转箱', 'bulk bag / drum / box')}"></label>
      <label>${L('包装件数', 'Packages')}<input class="packages" type="number" min="1" step="1" inputmode="numeric" data-field="${f('packages')}"></label>
      <label>${L('数量（千克）', 'Quantity (kg)')}<input class="qty" type="text" inputmode="decimal" data-field="${f('qty_g')}"></label>
    </div>
    <label>${L('容器编码（HJ 1276，可选，空格分隔）', 'Container codes (HJ 1276, optional, space-separated)')}<input class="containers mono" data-field="${f('containers')}"></label>
    <label>${L('应急措施', 'Emergency measures')}<input class="emergency" data-field="${f('emergency')}"></label>
    ${i > 0 ? html`<button type="button" class="remove-line">${L('删除此行', 'Remove line')}</button>` : ''}
  </fieldset>`;
}

export async function render(main, params, query, who) {
  const [cat, next] = await Promise.all([
    loadCsv('data/hw-catalogue-2021.csv'),
    get('/v1/manifests:next-number').catch((e) => ({ error: e })),
  ]);
  const byCode = new Map(cat.map((r) => [r.code, r]));
  const profile = JSON.parse(localStorage.getItem(PROFILE(who.id)) || '{}');
  main.innerHTML = String(html`
  <h1>${L('填报危险废物转移联单', 'File a hazardous-waste transfer manifest')}</h1>
  <form id="file-form" class="panel" novalidate>
    <div class="form-error" role="alert" hidden></div>
    <p class="small muted">${L('联单编号将为', 'The manifest number will be')} <strong class="mono" id="next-number" data-field="event.manifest">${next.number ?? '—'}</strong>
      ${next.error ? html`<span class="bad">${errorText(next.error)}</span>` : ''}</p>
    <h2>${L('第一部分 产生单位', 'Part 1 · Producer')}</h2>
    <div class="row">
      <label>${L('单位名称', 'Name')}<input id="p-name" data-field="producer.name" value="${profile.name || who.name || ''}"></label>
      <label>${L('统一社会信用代码', 'USCC')}<input class="mono" value="${who.id}" readonly data-field="producer.id"></label>
    </div>
    <label>${L('地址', 'Address')}<input id="p-address" data-field="producer.address" value="${profile.address || ''}"></label>
    <div class="row">
      <label>${L('联系人', 'Contact')}<input id="p-contact" data-field="producer.contact" value="${profile.contact || ''}"></label>
      <label>${L('联系电话', 'Phone')}<input id="p-phone" type="tel" data-field="producer.phone" value="${profile.phone || ''}"></label>
      <label>${L('应急电话', 'Emergency phone')}<input id="p-emergency" type="tel" data-field="producer.emergency_phone" value="${profile.emergency_phone || ''}"></label>
    </div>
    <h2>${L('废物', 'Waste')}</h2>
    <div class="lines-edit" id="lines"></div>
    <button type="button" id="add-line">${L('＋ 增加一行', '+ Add a line')}</button>
    <h2>${L('接受与运输', 'Receiver and carrier')}</h2>
    <div class="row">
      <label>${L('接受单位', 'Receiver')}<select id="receiver-select" data-field="receiver"><option value="">${L('先选择废物代码', 'pick the waste codes first')}</option></select></label>
      <label>${L('或输入接受单位信用代码', 'or enter the receiver USCC')}<input id="receiver-manual" class="mono" maxlength="18" autocomplete="off"></label>
    </div>
    <div class="row">
      <label>${L('运输单位', 'Carrier')}<select id="carrier-select" data-field="carrier"><option value="">—</option></select></label>
      <label>${L('或输入运输单位信用代码', 'or enter the carrier USCC')}<input id="carrier-manual" class="mono" maxlength="18" autocomplete="off"></label>
    </div>
    <div class="row">
      <label>${L('托运人', 'Consignor')}<select id="consignor" data-field="consignor"><option value="producer">${L('产生单位', 'producer')}</option><option value="receiver">${L('接受单位', 'receiver')}</option></select></label>
      <label>${L('跨省转移批准文号（跨省时必填）', 'Cross-province approval (if the receiver is in another province)')}<input id="approval" data-field="approval"></label>
    </div>
    <div class="actions inline"><button type="submit" class="primary" id="sign-file">${L('签名并填报', 'Sign and file')}</button>
      <span class="small muted">${L('在本浏览器中用您的密钥签名', 'Signed in this browser with your key')}</span></div>
    <div id="filed" role="status"></div>
  </form>`);

  const form = $('#file-form');
  const lines = $('#lines');
  let nLines = 0;
  const addLine = () => {
    lines.insertAdjacentHTML('beforeend', String(lineHtml(nLines++)));
    wireLine(lines.lastElementChild);
  };
  const renumber = () => $$('.line-card', lines).forEach((fs, i) => {
    fs.dataset.line = i;
    fs.querySelector('legend').textContent = L(`第${i + 1}行`, `Line ${i + 1}`);
    $$('[data-field]', fs).forEach((el) => { el.dataset.field = el.dataset.field.replace(/^lines\[\d+\]/, `lines[${i}]`); });
  });
  const pick = (fs, row) => {
    $('.code-search', fs).value = row.code;
    $('.category', fs).value = row.category;
    $('.code-desc', fs).textContent = `${row.category} ${row.category_name} · ${row.industry} · ${row.description} · ${L('危险特性', 'hazard')} ${row.hazard || L('经鉴别', 'by testing')}`;
    if (!$('.name', fs).value) $('.name', fs).value = row.description.slice(0, 60);
    const rule = hazardRule(row.hazard, row.code);
    $$('.hazards input', fs).forEach((cb) => {
      const h = cb.value;
      cb.disabled = !rule.allowed.includes(h) || rule.required.includes(h);
      cb.checked = rule.required.includes(h) || (rule.one && rule.allowed.length && h === rule.allowed[0]);
      cb.closest('label').hidden = !rule.allowed.includes(h);
    });
    fs.dataset.code = row.code;
    $('.suggest', fs).hidden = true;
    refreshReceivers();
  };
  const wireLine = (fs) => {
    const input = $('.code-search', fs), sug = $('.suggest', fs);
    input.addEventListener('input', () => {
      const q = input.value.trim();
      delete fs.dataset.code;
      if (byCode.has(q)) { pick(fs, byCode.get(q)); return; }
      if (q.length < 2) { sug.hidden = true; return; }
      const hits = cat.filter((r) => r.code.includes(q) || r.description.includes(q) || r.category_name.includes(q) || r.category === q.toUpperCase() || r.industry.includes(q)).slice(0, 12);
      sug.innerHTML = String(html`${hits.map((r) => html`<button type="button" data-code="${r.code}"><span class="mono">${r.code}</span> ${r.description.slice(0, 50)} <span class="muted small">${r.category} ${r.hazard}</span></button>`)}`) || String(html`<div class="muted small" style="padding:.4rem">${L('名录中没有匹配项', 'No match in the catalogue')}</div>`);
      sug.hidden = false;
      $$('button', sug).forEach((btn) => btn.addEventListener('click', () => pick(fs, byCode.get(btn.dataset.code))));
    });
    $('.remove-line', fs)?.addEventListener('click', () => { fs.remove(); renumber(); refreshReceivers(); });
  };
  addLine();
  $('#add-line').addEventListener('click', addLine);

  // Receivers (and collectors) whose licence, valid today, covers every
  // chosen code: GET /v1/directory?role=receiver|collector&code=...; asked
  // again when the codes change, the latest answer wins.
  let dirSeq = 0;
  const refreshReceivers = async () => {
    const codes = [...new Set($$('.line-card', lines).map((fs) => fs.dataset.code).filter(Boolean))];
    const sel = $('#receiver-select');
    const my = ++dirSeq;
    if (!codes.length) {
      sel.innerHTML = String(html`<option value="">${L('先选择废物代码', 'pick the waste codes first')}</option>`);
      return;
    }
    sel.disabled = true;
    try {
      const q = (role) => get('/v1/directory?' + new URLSearchParams([['role', role], ...codes.map((c) => ['code', c])]));
      const [a, b] = await Promise.all([q('receiver'), q('collector')]);
      if (my !== dirSeq) return;
      const items = [...a.items, ...b.items.filter((x) => !a.items.some((y) => y.id === x.id))].filter((x) => x.id !== who.id);
      const cur = sel.value;
      sel.innerHTML = String(html`<option value="">${items.length ? L(`${items.length} 家持证单位`, `${items.length} licensed`) : L('没有持证单位', 'none licensed for these codes')}</option>${items.map((p) => html`<option value="${p.id}" data-district="${p.district}">${p.name} (${p.id})${p.roles.includes('receiver') ? '' : ' · ' + L('收集单位', 'collector')}</option>`)}`);
      if (items.some((p) => p.id === cur)) sel.value = cur;
      sel.dataset.codes = codes.join(' ');
    } catch (e) {
      if (my !== dirSeq) return;
      sel.innerHTML = String(html`<option value="">${errorText(e)}</option>`);
    } finally {
      if (my === dirSeq) sel.disabled = false;
    }
  };
  // Carriers with a transport permit valid today: GET /v1/directory?role=carrier.
  get('/v1/directory?role=carrier').then((r) => {
    $('#carrier-select').innerHTML = String(html`<option value="">${L(`${r.items.length} 家持证运输单位`, `${r.items.length} permitted carriers`)}</option>${r.items.map((p) => html`<option value="${p.id}">${p.name} (${p.id})</option>`)}`);
  }).catch((e) => { $('#carrier-select').innerHTML = String(html`<option value="">${errorText(e)}</option>`); });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearRefusal(form);
    $('#filed').innerHTML = '';
    const btn = $('#sign-file');
    const local = [];
    const val = (sel) => $(sel).value.trim();
    const producer = { id: who.id, name: val('#p-name'), address: val('#p-address'), contact: val('#p-contact'), phone: val('#p-phone'), emergency_phone: val('#p-emergency') };
    for (const [k, v] of Object.entries(producer)) if (!v) local.push({ field: 'producer.' + k, message: L('必填', 'required') });
    const body = {
      producer, consignor: $('#consignor').value,
      receiver: val('#receiver-manual') || $('#receiver-select').value,
      carrier: val('#carrier-manual') || $('#carrier-select').value,
      lines: [],
    };
    if (!body.receiver) local.push({ field: 'receiver', message: L('请选择接受单位', 'choose a receiver') });
    if (!body.carrier) local.push({ field: 'carrier', message: L('请选择运输单位', 'choose a carrier') });
    if (val('#approval')) body.approval = val('#approval');
    $$('.line-card', lines).forEach((fs, i) => {
      const row = byCode.get(fs.dataset.code || $('.code-search', fs).value.trim());
      const p = `lines[${i}].`;
      if (!row) { local.push({ field: p + 'code', message: L('请从名录中选择废物代码', 'pick a code from the catalogue') }); return; }
      const l = {
        name: $('.name', fs).value.trim(), catalogue: '2021', code: row.code, category: row.category,
        hazard: $$('.hazards input:checked', fs).map((x) => x.value), form: $('.form', fs).value,
        constituents: $('.constituents', fs).value.trim(), packaging: $('.packaging', fs).value.trim(),
        packages: Number($('.packages', fs).value), qty_g: grams($('.qty', fs).value), emergency: $('.emergency', fs).value.trim(),
      };
      const internal = $('.internal_name', fs).value.trim();
      if (internal) l.internal_name = internal;
      const containers = $('.containers', fs).value.trim();
      if (containers) l.containers = containers.split(/\s+/);
      for (const k of ['name', 'constituents', 'packaging', 'emergency']) if (!l[k]) local.push({ field: p + k, message: L('必填', 'required') });
      if (!Number.isInteger(l.packages) || l.packages < 1) local.push({ field: p + 'packages', message: L('请填写件数（正整数）', 'a whole number of packages') });
      if (!Number.isInteger(l.qty_g) || l.qty_g < 1) local.push({ field: p + 'qty_g', message: L('请填写数量（千克，最多三位小数）', 'a quantity in kg (up to three decimals)') });
      body.lines.push(l);
    });
    if (local.length) { showRefusal(form, { body: { violations: local } }); return; }
    localStorage.setItem(PROFILE(who.id), JSON.stringify(producer));
    btn.disabled = true;
    try {
      let receipt, number;
      for (let attempt = 0; ; attempt++) {
        number = (await get('/v1/manifests:next-number')).number;
        $('#next-number').textContent = number;
        try {
          receipt = await submitEvent({ type: 'manifest.file', manifest: number, prev: null, body });
          break;
        } catch (err) {
          // Another filing took the number first: read the next one and sign again.
          const taken = err.status === 409 || (err.status === 422 && err.body?.error === 'conflict');
          if (!taken || attempt >= 2) throw err;
        }
      }
      $('#filed').innerHTML = String(html`<p class="form-ok">${L('已填报', 'Filed')}: <a class="mono" id="filed-number" href="#/m/${number}">${number}</a> · ${L('事件', 'event')} <span class="mono small">${receipt.id}</span></p>`);
      btn.hidden = true;
    } catch (err) {
      showRefusal(form, err);
    } finally {
      btn.disabled = false;
    }
  });
}
