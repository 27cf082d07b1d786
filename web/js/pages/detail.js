// detail.js - one manifest as the paper 联单 arranges it (producer, carrier
// and receiver parts), the timeline of its signed events each checked here
// with WebCrypto against the certified key, and a printable form with a QR
// code carrying the manifest number and the id of its latest event.
import { L, stateName, typeName, hazardName, formName, roleName, qty, when, discrepancyName } from '../i18n.js';
import { html, raw, $, loadCsv } from '../ui.js';
import { get, logKeys } from '../api.js';
import { keyring, checkManifest } from '../verify.js';
import { qrSvg } from '../qr.js';

// Certified keys, fetched once per key id for the life of the page
// (GET /v1/keys/{keyid}, each checked against its signed certificate).
const ring = keyring((id) => get('/v1/keys/' + id), logKeys);

const WHY = {
  id: () => L('事件编号与内容不符', 'the id does not match the content'),
  prev: () => L('未接续上一事件', 'does not extend the previous event'),
  party: () => L('密钥不属于签名单位', 'the key belongs to another party'),
  early: () => L('签名时密钥尚未备案', 'the key was not yet certified when signing'),
  expired: () => L('签名时密钥已过期', 'the key had expired when signing'),
  revoked: () => L('签名时密钥已吊销', 'the key was revoked before signing'),
  sig: () => L('签名无效', 'signature invalid'),
  key: () => L('签名密钥未通过备案核验', 'the signing key is not certified'),
  nokey: () => L('无法读取签名密钥', 'the signing key could not be read'),
};
const whyText = (why) => why.map(([c, t]) => (c === 'key' || c === 'nokey' ? `${WHY[c]()} (${t})` : WHY[c]())).join('；');

const methodNames = () => loadCsv('data/disposal-methods.csv').then((rows) => Object.fromEntries(rows.map((r) => [r.code, r])));

export function summarise(m) {
  const ev = m.events;
  const file = ev.find((e) => e.type === 'manifest.file');
  const legs = [];
  let receipt = null, reject = null;
  const disposals = [];
  for (const e of ev) {
    if (e.type === 'transport.pickup') legs.push({ ...e.body, carrier: e.actor, ev: e, where: e.body.start });
    else if (e.type === 'transport.handover') legs.push({ ...e.body, carrier: e.actor, ev: e, handover: true, where: e.body.place });
    else if (e.type === 'transport.arrive' && legs.length) legs[legs.length - 1].arrive = e;
    else if (e.type === 'receipt.accept') receipt = e;
    else if (e.type === 'receipt.reject') reject = e;
    else if (e.type === 'disposal.complete') disposals.push(e);
  }
  const body = file?.body || {};
  // Per line (0-based): received, accepted and rejected grams as decided by
  // the receipt, or by the rejection (schema/events.md: whole, or the lines
  // listed; the lines not listed are accepted as filed); null before either.
  const decided = (i) => {
    if (receipt) return receipt.body.lines.find((l) => l.line === i + 1) || null;
    if (!reject || !body.lines?.[i]) return null;
    const filed = body.lines[i].qty_g;
    const listed = reject.body.lines?.find((l) => l.line === i + 1);
    const rejected = !reject.body.lines ? filed : listed ? listed.rejected_g : 0;
    return { line: i + 1, received_g: filed, accepted_g: filed - rejected, rejected_g: rejected };
  };
  return { file, body, legs, receipt, reject, disposals, decided };
}

function kv(pairs) {
  return html`<div class="kv">${pairs.map(([k, v]) => html`<div class="k">${k}</div><div>${v ?? '—'}</div>`)}</div>`;
}

export async function render(main, params, query, who, pre) {
  const methodsP = methodNames().catch(() => ({}));
  const m = await (pre || get('/v1/manifests/' + encodeURIComponent(params.n)));
  // Start the checks (certified keys, signatures) before drawing the page.
  const checks = checkManifest(m, ring);
  const s = summarise(m);
  const b = s.body;
  const methods = await methodsP;
  const head = m.head || m.events[m.events.length - 1]?.id;
  const qrText = `${location.origin}/#/check/${m.number}/${head}`;
  const isReg = who?.roles?.includes('regulator');
  const myRoles = who?.roles || [];
  const me = who?.id;
  const lineAcc = (i) => s.decided(i);
  const lineDisp = (i) => s.disposals.flatMap((d) => d.body.lines.filter((l) => l.line === i + 1).map((l) => ({ ...l, on: d.body.on })));

  // What the signed-in party may do next (the server judges; this only offers).
  const acts = [];
  const holder = s.legs.length ? s.legs[s.legs.length - 1].carrier : null;
  if (!isReg) {
    if (m.state === 'filed' && me === m.carrier) acts.push(['pickup', L('签署起运', 'Sign pickup')]);
    // The carrier holding the load signs its arrival; the next leg's carrier
    // signs a hand-over (rules_transport.c), not the one handing over.
    if (m.state === 'in_transit' && me === holder) acts.push(['arrive', L('签署运抵', 'Sign arrival')]);
    if (m.state === 'in_transit' && myRoles.includes('carrier') && me !== holder) acts.push(['handover', L('接收交接（下一程）', 'Take over (next leg)')]);
    if (m.state === 'arrived' && me === m.receiver) acts.push(['accept', L('确认接收', 'Accept')], ['reject', L('拒收', 'Reject')]);
    if (['received', 'received_with_discrepancy'].includes(m.state) && me === m.receiver) acts.push(['dispose', L('记录利用/处置', 'Record disposal')]);
    if (m.state === 'filed' && me === m.producer) acts.push(['cancel', L('作废', 'Cancel')]);
  }

  main.innerHTML = String(html`
  <div class="form-head no-print">
    <div><h1>${L('联单', 'Manifest')} <span class="mono" id="number">${m.number}</span></h1>
      <p><span class="state state-${m.state}" id="state">${stateName(m.state)}</span>
      <span id="verified-all" class="muted">${L('正在浏览器中验证签名…', 'Verifying signatures in this browser…')}</span></p>
      ${!isReg && m.state === 'in_transit' && me === holder ? html`<p class="small muted" id="handover-hint">${L('多式联运交接：请下一程承运人扫描本联单二维码，由其签署交接。', 'Multimodal hand-over: the next leg\'s carrier scans this manifest\'s QR code and signs the hand-over.')}</p>` : ''}</div>
    <div class="inline actions">
      ${acts.map(([k, t]) => html`<a class="button primary" href="#/act/${m.number}/${k}">${t}</a>`)}
      ${isReg ? html`<a class="button" href="#/trace/${m.number}">${L('追溯', 'Trace')}</a>` : ''}
      <button type="button" id="print">${L('打印', 'Print')}</button>
    </div>
  </div>
  <article class="panel paper" id="paper">
    <div class="form-head">
      <div><p class="form-title">${L('危险废物转移联单', 'Hazardous-Waste Transfer Manifest')}</p>
        <p>${L('联单编号', 'Manifest No.')}: <strong class="mono">${m.number}</strong> · ${L('状态', 'State')}: ${stateName(m.state)}</p>
        <p class="small muted">${L('最新事件', 'Latest event')}: <span class="mono" id="head">${head}</span></p>
        ${b.paper ? html`<p class="warn small">${L('纸质联单补录', 'Paper manifest entered afterwards')}: ${b.paper.transferred_on} – ${b.paper.completed_on}</p>` : ''}</div>
      <div class="qr-box" id="qr" title="${qrText}">${raw(qrSvg(qrText, { scale: 3, title: `${m.number} ${head}` }))}
        <div class="small muted">${L('扫码核验', 'Scan to check')}</div></div>
    </div>

    <section class="part" id="part-producer"><h2>${L('第一部分 产生单位填写', 'Part 1 · Producer')}</h2>
      ${kv([
        [L('产生单位', 'Producer'), html`${b.producer?.name} <span class="mono small">${b.producer?.id}</span>`],
        [L('地址', 'Address'), b.producer?.address],
        [L('联系人', 'Contact'), html`${b.producer?.contact} ${b.producer?.phone}`],
        [L('应急电话', 'Emergency phone'), b.producer?.emergency_phone],
        [L('托运人', 'Consignor'), b.consignor === 'receiver' ? roleName('receiver') : roleName('producer')],
        [L('接受单位', 'Receiver'), html`<span class="mono">${b.receiver}</span>`],
        [L('运输单位', 'Carrier'), html`<span class="mono">${b.carrier}</span>`],
        [L('跨省转移批准文号', 'Cross-province approval'), b.approval || '—'],
        [L('填报时间', 'Filed'), when(s.file?.at)],
        [L('签名单位', 'Signed by'), html`<span class="mono small">${s.file?.actor}</span>`],
      ])}
      <div class="table-wrap"><table class="lines"><thead><tr><th>#</th><th>${L('废物名称', 'Waste')}</th><th>${L('代码', 'Code')}</th><th>${L('危险特性', 'Hazard')}</th><th>${L('形态', 'Form')}</th>
        <th>${L('有害成分', 'Constituents')}</th><th>${L('包装', 'Packaging')}</th><th class="num">${L('数量', 'Quantity')}</th></tr></thead><tbody>
      ${(b.lines || []).map((l, i) => html`<tr><td>${i + 1}</td><td>${l.name}${l.internal_name ? html`<div class="small muted">${l.internal_name}</div>` : ''}
        ${l.from ? html`<div class="small">${L('来源批次', 'from')}: ${l.from.map((f) => html`<span class="mono">${f.batch}</span> ${qty(f.qty_g)} `)}</div>` : ''}</td>
        <td class="mono">${l.code}<div class="small">${l.category}</div></td><td>${(l.hazard || []).map(hazardName).join('、')}</td><td>${formName(l.form)}</td>
        <td class="small">${l.constituents}</td><td>${l.packaging} × ${l.packages}${l.containers ? html`<div class="small mono">${l.containers.join(' ')}</div>` : ''}</td>
        <td class="num">${qty(l.qty_g)}</td></tr>
        <tr class="small"><td></td><td colspan="7"><span class="muted">${L('应急措施', 'Emergency measures')}:</span> ${l.emergency}</td></tr>`)}
      </tbody></table></div>
    </section>

    <section class="part" id="part-carrier"><h2>${L('第二部分 运输单位填写', 'Part 2 · Carrier')}</h2>
      ${s.legs.length ? s.legs.map((g, i) => html`<h3>${L('第', 'Leg ')}${i + 1}${L('程', '')}</h3>${kv([
        [L('运输单位', 'Carrier'), html`<span class="mono">${g.carrier}</span>`],
        [L('车牌', 'Vehicle'), `${g.vehicle || ''}${g.trailer ? ' / ' + g.trailer : ''}`],
        [L('驾驶员', 'Driver'), g.driver ? `${g.driver.name} (${g.driver.licence})` : ''],
        [L('押运员', 'Escort'), g.escort ? `${g.escort.name} (${g.escort.licence})` : ''],
        [g.handover ? L('交接地点', 'Hand-over at') : L('起运地点', 'Start'), g.where],
        [L('起运/交接时间', 'Time'), when(g.ev.at)],
        [L('路线', 'Route'), g.route || '—'],
        [L('运抵', 'Arrived'), g.arrive ? `${when(g.arrive.at)} ${g.arrive.body.place}` : '—'],
        [L('GPS 轨迹', 'GPS track'), (g.track || g.arrive?.body.track) ? html`<span class="mono small">${g.track || g.arrive?.body.track}</span>` : '—'],
      ])}`) : html`<p class="muted" style="padding:.5rem">${L('尚未起运', 'Not picked up yet')}</p>`}
    </section>

    <section class="part" id="part-receiver"><h2>${L('第三部分 接受单位填写', 'Part 3 · Receiver')}</h2>
      ${kv([
        [L('接受单位', 'Receiver'), html`<span class="mono">${m.receiver}</span>`],
        [L('接收意见', 'Decision'), s.reject ? html`<span class="bad">${s.reject.body.lines ? L('部分拒收', 'partly rejected') : L('拒收', 'rejected')}</span>: ${s.reject.body.reason}` : s.receipt ? L('接收', 'accepted') : '—'],
        [L('确认时间', 'Confirmed'), when((s.receipt || s.reject)?.at)],
      ])}
      ${s.receipt || s.reject || s.disposals.length ? html`<div class="table-wrap"><table><thead><tr><th>#</th><th class="num">${L('实收', 'Received')}</th><th class="num">${L('接收', 'Accepted')}</th><th class="num">${L('拒收', 'Rejected')}</th><th>${L('差异', 'Discrepancy')}</th><th>${L('利用/处置方式', 'Method')}</th><th class="num">${L('处置量', 'Disposed')}</th></tr></thead><tbody>
      ${(b.lines || []).map((l, i) => {
        const a = lineAcc(i), d = lineDisp(i);
        const rej = a ? a.rejected_g ?? a.received_g - a.accepted_g : 0;
        return html`<tr data-line="${i + 1}"><td>${i + 1}</td><td class="num rcv">${qty(a?.received_g)}</td><td class="num acc">${qty(a?.accepted_g)}</td><td class="num rej">${rej > 0 ? qty(rej) : '—'}</td>
          <td class="small">${a?.discrepancy ? html`${a.discrepancy.kinds.map(discrepancyName).join('、')}: ${a.discrepancy.description}` : '—'}</td>
          <td class="small">${d.map((x) => html`<span class="mono">${x.method}</span> ${methods[x.method] ? L(methods[x.method].name_zh, methods[x.method].name_en) : ''} (${x.on}) `)}</td>
          <td class="num">${d.length ? qty(d.reduce((t, x) => t + x.qty_g, 0)) : '—'}</td></tr>`;
      })}</tbody></table></div>` : ''}
    </section>
    <p class="print-only small">${L('本联单由 liandan 账本打印；扫描二维码可核对最新事件。', 'Printed from the liandan ledger; scan the QR code to check the latest event.')} ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC</p>
  </article>

  <section class="panel no-print"><h2>${L('签名事件', 'Signed events')}</h2>
    <ol class="timeline" id="timeline">
    ${m.events.map((e, i) => html`<li data-index="${e.index}" data-id="${e.id}"><span class="mark" data-i="${i}" title="…">⋯</span><div>
      <strong>${typeName(e.type)}</strong> <span class="muted small">${when(e.at)}</span><br>
      <span class="small">${L('签名单位', 'Signer')}: <span class="mono">${e.actor}</span> · ${L('密钥', 'key')} <span class="mono">${e.key}</span></span>
      <div class="small check" data-i="${i}"></div>
      <details><summary>${L('事件内容', 'Event body')} · #${e.index} · <span class="mono">${e.id.slice(0, 16)}…</span></summary><pre>${JSON.stringify(e.body, null, 1)}</pre></details></div></li>`)}
    </ol></section>`);

  $('#print').addEventListener('click', () => window.print());

  // Verify every event here, in parallel; the chain link needs the previous id.
  const results = await checks;
  let good = 0, unknown = 0;
  results.forEach((r, i) => {
    const mark = $(`.mark[data-i="${i}"]`), note = $(`.check[data-i="${i}"]`);
    if (r.ok) { good++; mark.textContent = '✔'; mark.className = 'mark ok'; mark.title = L('已验证', 'verified'); note.textContent = L('签名已在本浏览器验证', 'signature verified in this browser') + (r.key?.from ? L(`（密钥 ${r.key.from.slice(0, 10)} 经监管部门备案）`, ` (key certified by the regulator on ${r.key.from.slice(0, 10)})`) : r.key ? L('（监管部门公钥）', ' (the regulator key)') : ''); note.className = 'small check ok'; }
    else if (r.unknown) { unknown++; mark.textContent = '?'; mark.className = 'mark warn'; mark.title = L('未能验证', 'not checked'); note.textContent = whyText(r.why) + (m.events[i].verified ? L('（服务器报告已验证）', ' (the server reports it verified)') : ''); note.className = 'small check warn'; }
    else { mark.textContent = '✘'; mark.className = 'mark bad'; mark.title = L('未通过验证', 'not verified'); note.textContent = whyText(r.why); note.className = 'small check bad'; note.dataset.why = r.why.map(([c]) => c).join(' '); }
  });
  const all = $('#verified-all');
  all.className = good === results.length ? 'ok' : unknown && good + unknown === results.length ? 'warn' : 'bad';
  all.id = 'verified-all';
  all.textContent = good === results.length
    ? L(`✔ ${good} 个签名均已在本浏览器验证`, `✔ all ${good} signatures verified in this browser`)
    : L(`${good}/${results.length} 个签名已验证`, `${good} of ${results.length} signatures verified`) + (unknown ? L(`，${unknown} 个无法读取密钥`, `, ${unknown} with keys not readable here`) : '');
  document.body.dataset.verified = String(good === results.length);
}
