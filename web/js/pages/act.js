// act.js - the carrier's and the receiver's signed steps, and the producer's
// cancellation: pickup, hand-over, arrival, accept, reject, dispose, cancel.
// Each builds the event body of schema/events.md, signs it in this browser
// and posts it; a refusal is shown next to the field it names.
import { L, qty, typeName, DISCREPANCY_KINDS, discrepancyName } from '../i18n.js';
import { html, $, $$, showRefusal, clearRefusal, loadCsv, errorText, partyLicences } from '../ui.js';
import { get, post, submitEvent, nowRfc3339, myParty } from '../api.js';
import { summarise } from './detail.js';

const TYPES = {
  pickup: 'transport.pickup', handover: 'transport.handover', arrive: 'transport.arrive',
  accept: 'receipt.accept', reject: 'receipt.reject', dispose: 'disposal.complete', cancel: 'manifest.cancel',
};
const kg = (g) => (g == null ? '' : String(g / 1000));
const grams = (s) => Math.round(parseFloat(String(s).replace(/,/g, '')) * 1000);
const todayCst = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

function person(prefix, label) {
  return html`<div class="row"><label>${label}${L('姓名', ' name')}<input id="${prefix}-name" data-field="${prefix}.name" autocomplete="name"></label>
    <label>${label}${L('资格证号', ' qualification no.')}<input id="${prefix}-licence" data-field="${prefix}.licence" inputmode="numeric"></label></div>`;
}
// The plates of the carrier's transport permits valid today ("vehicles" of
// its transport licences, GET /v1/parties/{uscc}): offered in datalists and
// as buttons (a phone has no good datalist), tractors apart from trailers.
export function permitPlates(licences, today) {
  const permits = licences.filter((l) => l.kind === 'transport');
  const valid = permits.filter((l) => (!l.valid_from || l.valid_from <= today) && (!l.valid_until || today <= l.valid_until));
  const plates = [...new Set(valid.flatMap((l) => l.vehicles || []))].sort();
  return { vehicles: plates.filter((p) => !p.endsWith('挂')), trailers: plates.filter((p) => p.endsWith('挂')), permits: valid };
}
function vehicleFields({ vehicles, trailers, permits }) {
  const chips = (list, target) => list.map((p) => html`<button type="button" class="chip plate" data-target="${target}" data-plate="${p}" aria-pressed="false">${p}</button>`);
  return html`<datalist id="plates">${vehicles.map((p) => html`<option value="${p}">`)}</datalist>
    <datalist id="trailer-plates">${trailers.map((p) => html`<option value="${p}">`)}</datalist>
    <div class="row"><label>${L('车牌号', 'Vehicle plate')}<input id="vehicle" list="plates" data-field="vehicle" autocomplete="off"></label>
    <label>${L('挂车牌号（可选）', 'Trailer plate (optional)')}<input id="trailer" list="trailer-plates" data-field="trailer" autocomplete="off"></label></div>
    ${permits.length ? html`<div class="plates small" id="permit-plates"><span class="muted">${L('许可证车辆', 'Permit vehicles')} (${permits.map((l) => l.number).join('、')}):</span>
      ${chips(vehicles, 'vehicle')}${trailers.length ? html`<details><summary>${L('挂车', 'Trailers')} ${trailers.length}</summary>${chips(trailers, 'trailer')}</details>` : ''}</div>`
    : html`<p class="warn small" id="permit-plates">${L('本单位今天没有有效的道路运输许可', 'No transport permit of this carrier is valid today')}</p>`}`;
}
const trackField = () => html`<label>${L('GPS 轨迹（GeoJSON，可选）', 'GPS track (GeoJSON, optional)')}<input type="file" id="track" accept=".geojson,.json,application/geo+json" data-field="track"></label>`;

async function uploadTrack() {
  const f = $('#track')?.files?.[0];
  if (!f) return undefined;
  const res = await fetch('/v1/attachments', {
    method: 'POST', body: await f.arrayBuffer(),
    headers: { 'Content-Type': 'application/geo+json', Authorization: 'Bearer ' + JSON.parse(sessionStorage.getItem('liandan.session')).token },
  });
  const r = await res.json();
  if (!res.ok) throw Object.assign(new Error(r.hint), { status: res.status, body: { ...r, field: 'track' } });
  return r.hash;
}

export async function render(main, params, query, who) {
  const kind = params.kind;
  const type = TYPES[kind];
  if (!type) throw new Error('unknown action');
  // The manifest and this party's own record (licences, permit vehicles; read
  // afresh unless the shell read it just now) together.
  const selfP = myParty(5000).catch(() => ({ licences: [] }));
  const methodsP = kind === 'dispose' ? loadCsv('data/disposal-methods.csv').catch(() => []) : [];
  // The carriers with a permit valid today (GET /v1/directory): the next
  // carrier cannot read the manifest yet, so it picks the one handing over by name.
  const carriersP = kind === 'handover' ? get('/v1/directory?role=carrier').then((r) => r.items || []).catch(() => []) : [];
  let m = null, readErr = null;
  if (params.n !== '0') {
    try { m = await get('/v1/manifests/' + params.n); } catch (e) { readErr = e; }
  }
  if (!m && kind !== 'handover') throw readErr || new Error('no manifest');
  const s = m ? summarise(m) : null;
  const lines = s?.body.lines || [];
  const [self, methods, carriers] = await Promise.all([selfP, methodsP, carriersP]);
  const others = carriers.filter((c) => c.id !== who?.id).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  const lics = partyLicences(self);
  const today = todayCst();
  const current = (l) => (!l.valid_from || l.valid_from <= today) && (!l.valid_until || today <= l.valid_until);
  const licence = lics.find((l) => (l.kind === 'disposal' || l.kind === 'collection') && current(l)) || lics.find((l) => l.kind === 'disposal' || l.kind === 'collection') || {};
  const plates = permitPlates(lics, today);
  const held = (i) => {
    const a = s?.decided(i);
    const done = s?.disposals.flatMap((d) => d.body.lines).filter((x) => x.line === i + 1).reduce((t, x) => t + x.qty_g, 0) || 0;
    return a ? a.accepted_g - done : 0;
  };
  const lastLeg = s?.legs[s.legs.length - 1];

  const fields = {
    pickup: () => html`${vehicleFields(plates)}${person('driver', L('驾驶员', 'Driver'))}${person('escort', L('押运员', 'Escort'))}
      <label>${L('起运地点', 'Start')}<input id="start" data-field="start" value="${s.body.producer?.address || ''}"></label>
      <label>${L('路线（可选）', 'Route (optional)')}<input id="route" data-field="route"></label>
      <div><span class="small muted">${L('各行实装件数', 'Packages loaded per line')}</span>
        ${lines.map((l, i) => html`<label>${i + 1}. ${l.name} (${L('联单', 'filed')} ${l.packages})<input type="number" min="0" class="pk" data-i="${i}" data-field="packages[${i}]" value="${l.packages}" inputmode="numeric"></label>`)}</div>
      ${trackField()}`,
    handover: () => html`${m ? '' : html`<div class="row"><label>${L('联单编号', 'Manifest number')}<input id="h-number" inputmode="numeric" data-field="event.manifest" value="${params.n !== '0' ? params.n : ''}"></label>
        <label>${L('最新事件编号（扫描联单二维码）', 'Latest event id (scan the manifest QR code)')}<input id="h-prev" class="mono" data-field="event.prev" value="${query.get('prev') || ''}"></label></div>
        <label>${L('或粘贴二维码内容', 'or paste the QR code text')}<input id="h-qr" class="mono"></label>`}
      <div class="row"><label>${L('交出方（上一程承运人）', 'Handing over carrier (previous leg)')}<select id="from-pick">
          <option value="">${others.length ? L('— 按名称选择 —', '— pick by name —') : L('（名录中没有其他承运人）', '(no other carrier in the directory)')}</option>
          ${others.map((c) => html`<option value="${c.id}"${c.id === lastLeg?.carrier ? ' selected' : ''}>${c.name}</option>`)}</select></label>
        <label>${L('交出方信用代码', 'Its USCC')}<input id="from" class="mono" list="carrier-list" data-field="from" autocomplete="off" value="${lastLeg?.carrier || ''}"></label></div>
      <datalist id="carrier-list">${others.map((c) => html`<option value="${c.id}" label="${c.name}">`)}</datalist>
      <label>${L('交接地点', 'Place')}<input id="place" data-field="place"></label>
      ${vehicleFields(plates)}${person('driver', L('驾驶员', 'Driver'))}${person('escort', L('押运员', 'Escort'))}`,
    arrive: () => html`<label>${L('运抵地点', 'Place of arrival')}<input id="place" data-field="place" value="${L('接受单位地磅房', 'receiver weighbridge')}"></label>${trackField()}`,
    accept: () => html`${lines.map((l, i) => html`<fieldset class="line-card" data-i="${i}"><legend>${i + 1}. ${l.name} <span class="mono small">${l.code}</span> · ${L('联单', 'filed')} ${qty(l.qty_g)}</legend>
        <div class="row"><label>${L('实收（千克）', 'Received (kg)')}<input class="rcv" inputmode="decimal" data-field="lines[${i}].received_g" value="${kg(l.qty_g)}"></label>
        <label>${L('接收（千克）', 'Accepted (kg)')}<input class="acc" inputmode="decimal" data-field="lines[${i}].accepted_g" value="${kg(l.qty_g)}"></label></div>
        <div class="checks" data-field="lines[${i}].discrepancy">${DISCREPANCY_KINDS.map((k) => html`<label><input type="checkbox" class="dk" value="${k}"> ${discrepancyName(k)}</label>`)}</div>
        <label>${L('差异说明（勾选差异时必填）', 'Discrepancy description (required with a discrepancy)')}<input class="dd" data-field="lines[${i}].discrepancy.description"></label></fieldset>`)}`,
    reject: () => html`<label>${L('拒收原因', 'Reason')}<textarea id="reason" rows="3" data-field="reason"></textarea></label>
      <div class="checks"><label><input type="radio" name="whole" value="1" checked> ${L('整车拒收', 'reject the whole load')}</label>
        <label><input type="radio" name="whole" value="0"> ${L('按行拒收（其余行按联单接收）', 'reject per line (other lines accepted as filed)')}</label></div>
      <div id="per-line" hidden>${lines.map((l, i) => html`<label>${i + 1}. ${l.name} · ${qty(l.qty_g)} — ${L('拒收（千克）', 'rejected (kg)')}<input class="rej" data-i="${i}" inputmode="decimal" data-field="lines[${i}].rejected_g"></label>`)}</div>`,
    dispose: () => html`<label>${L('完成日期', 'Completed on')}<input type="date" id="on" data-field="on" value="${todayCst()}"></label>
      ${lines.map((l, i) => html`<fieldset class="line-card" data-i="${i}"><legend>${i + 1}. ${l.name} <span class="mono small">${l.code}</span> · ${L('待处置', 'left')} ${qty(held(i))}</legend>
        <div class="row"><label>${L('利用/处置方式', 'Method')}<select class="method" data-field="lines[${i}].method">${(licence.methods?.length ? licence.methods : methods.map((x) => x.code)).map((c) => {
          const row = methods.find((x) => x.code === c);
          return html`<option value="${c}">${c}${row ? ' ' + L(row.name_zh, row.name_en).slice(0, 24) : ''}</option>`;
        })}</select></label>
        <label>${L('数量（千克）', 'Quantity (kg)')}<input class="dq" inputmode="decimal" data-field="lines[${i}].qty_g" value="${kg(held(i))}"></label></div></fieldset>`)}`,
    cancel: () => html`<label>${L('作废原因', 'Reason')}<textarea id="reason" rows="3" data-field="reason"></textarea></label>`,
  };

  main.innerHTML = String(html`
    <h1>${typeName(type)} ${m ? html`<a class="mono" href="#/m/${m.number}">${m.number}</a>` : ''}</h1>
    ${readErr && kind === 'handover' && params.n !== '0' ? html`<p class="warn small" id="read-note">${readErr.status === 403
      ? L('本单位尚未列入该联单，不能查看；请按联单二维码填写联单编号和最新事件编号，签署交接后即可查看。', 'This party is not on the manifest yet and cannot read it: give its number and latest event from the QR code; once the hand-over is signed, it can.')
      : errorText(readErr)}</p>` : ''}
    ${kind === 'handover' && lastLeg && lastLeg.carrier === who?.id ? html`<p class="warn small" id="holder-note">${L('本单位是当前承运人：交接由下一程承运人签署（请其扫描联单二维码）。', 'This party carries the load now: the next leg\'s carrier signs the hand-over (it scans the manifest QR code).')}</p>` : ''}
    <form id="act-form" class="panel" novalidate>
      <div class="form-error" role="alert" hidden></div>
      ${fields[kind]()}
      <div class="actions inline"><button type="submit" class="primary" id="sign">${L('签名并提交', 'Sign and submit')}</button>
        <a class="button" href="${m ? '#/m/' + m.number : '#/work'}">${L('返回', 'Back')}</a></div>
      <div id="done" role="status"></div>
    </form>`);

  const form = $('#act-form');
  $$('input[name=whole]').forEach((r) => r.addEventListener('change', () => { $('#per-line').hidden = $('input[name=whole]:checked').value === '1'; }));
  $('#h-qr')?.addEventListener('input', (e) => {
    const mm = /(\d{14})\/([0-9a-f]{64})/.exec(e.target.value);
    if (mm) { $('#h-number').value = mm[1]; $('#h-prev').value = mm[2]; }
  });
  // The carrier picked by name fills the USCC; a USCC typed picks its name.
  $('#from-pick')?.addEventListener('change', (e) => { $('#from').value = e.target.value; });
  $('#from')?.addEventListener('input', (e) => { const id = e.target.value.trim().toUpperCase(); $('#from-pick').value = others.some((c) => c.id === id) ? id : ''; });
  // A plate tapped fills its field; the field's plate shows pressed.
  for (const id of ['vehicle', 'trailer']) {
    const input = $('#' + id);
    if (!input) continue;
    const mark = () => $$(`button.plate[data-target=${id}]`).forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.plate === input.value.trim())));
    input.addEventListener('input', mark);
    $$(`button.plate[data-target=${id}]`).forEach((b) => b.addEventListener('click', () => { input.value = b.dataset.plate; mark(); }));
  }
  $$('.rcv').forEach((el) => el.addEventListener('input', () => { const acc = el.closest('fieldset').querySelector('.acc'); acc.value = el.value; }));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearRefusal(form);
    const local = [];
    const v = (id) => $('#' + id)?.value.trim();
    const personOf = (p) => ({ name: v(p + '-name'), licence: v(p + '-licence') });
    let body;
    try {
      switch (kind) {
        case 'pickup':
          body = { vehicle: v('vehicle'), driver: personOf('driver'), escort: personOf('escort'), start: v('start'), packages: $$('.pk').map((x) => Number(x.value)) };
          if (v('trailer')) body.trailer = v('trailer');
          if (v('route')) body.route = v('route');
          break;
        case 'handover':
          body = { from: v('from'), place: v('place'), vehicle: v('vehicle'), driver: personOf('driver'), escort: personOf('escort') };
          if (v('trailer')) body.trailer = v('trailer');
          break;
        case 'arrive':
          body = { place: v('place') };
          break;
        case 'accept':
          body = { lines: $$('fieldset.line-card').map((fs, i) => {
            const l = { line: i + 1, received_g: grams($('.rcv', fs).value), accepted_g: grams($('.acc', fs).value) };
            const kinds = $$('.dk:checked', fs).map((x) => x.value);
            const desc = $('.dd', fs).value.trim();
            if (kinds.length || desc) l.discrepancy = { kinds, description: desc };
            if (!Number.isInteger(l.received_g)) local.push({ field: `lines[${i}].received_g`, message: L('请填写实收量', 'enter the received quantity') });
            if (!Number.isInteger(l.accepted_g)) local.push({ field: `lines[${i}].accepted_g`, message: L('请填写接收量', 'enter the accepted quantity') });
            return l;
          }) };
          break;
        case 'reject':
          body = { reason: v('reason') };
          if ($('input[name=whole]:checked').value === '0') {
            body.lines = $$('.rej').filter((x) => x.value.trim()).map((x) => ({ line: Number(x.dataset.i) + 1, rejected_g: grams(x.value) }));
          }
          break;
        case 'dispose':
          body = { on: v('on'), lines: $$('fieldset.line-card').map((fs, i) => ({ line: i + 1, method: $('.method', fs).value, qty_g: grams($('.dq', fs).value) })).filter((l) => l.qty_g > 0) };
          break;
        case 'cancel':
          body = { reason: v('reason') };
          break;
      }
      for (const [k, val] of Object.entries(body)) {
        if (val === '' || val === undefined) local.push({ field: k, message: L('必填', 'required') });
        if (val && typeof val === 'object' && 'name' in val) for (const kk of ['name', 'licence']) if (!val[kk]) local.push({ field: `${k}.${kk}`, message: L('必填', 'required') });
      }
      if (local.length) { showRefusal(form, { body: { violations: local } }); return; }
      $('#sign').disabled = true;
      if (kind === 'pickup' || kind === 'arrive') { const t = await uploadTrack(); if (t) body.track = t; }
      const number = m ? m.number : Number(v('h-number'));
      let prev = m ? m.head || m.events[m.events.length - 1].id : v('h-prev');
      if (m) { // the head may have moved since the page loaded
        try { prev = (await get('/v1/heads/m:' + number)).id; } catch { /* keep the page's */ }
      }
      const lastAt = m?.events[m.events.length - 1]?.at;
      const receipt = await submitEvent({ type, manifest: number, prev, body, at: nowRfc3339(lastAt) });
      $('#done').innerHTML = String(html`<p class="form-ok">${L('已签名提交', 'Signed and accepted')} · <span class="mono small">${receipt.id}</span> · <a id="back-to-manifest" href="#/m/${number}">${L('查看联单', 'view the manifest')}</a></p>`);
      $('#sign').hidden = true;
    } catch (err) {
      // body.lines lists only some lines (a rejection's, a disposal's): the
      // server's lines[k] is the k-th listed, the form's lines[i] line i+1.
      if (Array.isArray(body?.lines) && err?.body) {
        const at = (f) => (f || '').replace(/^((?:event\.)?body\.)?lines\[(\d+)\]/, (x, pre, k) => (body.lines[k] ? `${pre || ''}lines[${body.lines[k].line - 1}]` : x));
        err.body = { ...err.body, field: err.body.field && at(err.body.field), violations: err.body.violations?.map((v) => ({ ...v, field: at(v.field) })) };
      }
      showRefusal(form, err);
    } finally {
      $('#sign').disabled = false;
    }
  });
}
