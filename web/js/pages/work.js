// work.js - a party's to-do list: carriers' pickups and arrivals, receivers'
// receipts and disposals, producers' filed manifests. Phone-first.
import { L, stateName } from '../i18n.js';
import { html, $, errorText } from '../ui.js';
import { get } from '../api.js';

export async function render(main, params, query, who) {
  const roles = who.roles || [];
  const groups = [];
  const isRecv = roles.includes('receiver') || roles.includes('collector');
  if (roles.includes('carrier')) {
    groups.push({ id: 'pickups', title: L('待起运', 'Waiting for pickup'), q: { role: 'carrier', state: 'filed' }, acts: [['pickup', L('签署起运', 'Sign pickup')]] });
    // A hand-over is signed by the next leg's carrier (rules_transport.c),
    // from the manifest's QR code: the button at the top, not a row here.
    // A load this carrier handed over is still in transit and lists it (it
    // carried a leg), but only the carrier holding it (leg_carrier) signs the
    // arrival: the others see it as handed over.
    groups.push({ id: 'transit', title: L('运输中', 'In transit'), q: { role: 'carrier', state: 'in_transit' }, acts: [['arrive', L('签署运抵', 'Sign arrival')]],
      handedOver: (m) => m.leg_carrier && m.leg_carrier !== who.id });
  }
  if (isRecv) {
    groups.push({ id: 'arrived', title: L('已运抵，待确认接收', 'Arrived: confirm receipt'), q: { role: 'receiver', state: 'arrived' }, acts: [['accept', L('接收', 'Accept')], ['reject', L('拒收', 'Reject')]] });
    groups.push({ id: 'todispose', title: L('待利用/处置', 'To dispose of'), q: { role: 'receiver', state: 'received' }, acts: [['dispose', L('记录处置', 'Record disposal')]] });
    groups.push({ id: 'todispose2', title: L('有差异接收，待利用/处置', 'Received with discrepancy: to dispose of'), q: { role: 'receiver', state: 'received_with_discrepancy' }, acts: [['dispose', L('记录处置', 'Record disposal')]] });
  }
  if (roles.includes('producer') || roles.includes('collector') || roles.includes('receiver')) {
    groups.push({ id: 'filed', title: L('已填报，待起运', 'Filed, not yet picked up'), q: { role: 'producer', state: 'filed' }, acts: [['cancel', L('作废', 'Cancel')]] });
    groups.push({ id: 'moving', title: L('运输中（本单位移出）', 'On the road (shipped by us)'), q: { role: 'producer', state: 'in_transit' }, acts: [] });
  }
  main.innerHTML = String(html`
    <div class="inline"><h1>${L('待办', 'My work')}</h1>
      ${roles.some((r) => ['producer', 'collector', 'receiver'].includes(r)) ? html`<a class="button primary" href="#/file">${L('填报联单', 'File a manifest')}</a>` : ''}
      ${roles.includes('carrier') ? html`<a class="button" href="#/act/0/handover">${L('扫码接收交接', 'Take over a load (hand-over)')}</a>` : ''}</div>
    ${groups.map((g) => html`<section class="panel" id="${g.id}"><h2>${g.title} <span class="muted small count">…</span></h2><div class="list">…</div></section>`)}`);
  await Promise.all(groups.map(async (g) => {
    const el = $('#' + g.id);
    try {
      const sp = new URLSearchParams({ party: who.id, ...g.q, limit: '200' });
      const r = await get('/v1/manifests?' + sp);
      $('.count', el).textContent = String(r.items.length) + (r.next_cursor ? '+' : '');
      $('.list', el).innerHTML = r.items.length ? String(html`${r.items.slice().reverse().map((m) => {
        const handed = g.handedOver?.(m);
        return html`<div class="task${handed ? ' handed' : ''}" data-number="${m.number}"${handed ? html` data-handed-to="${m.leg_carrier}"` : ''}>
        <div><a class="mono" href="#/m/${m.number}">${m.number}</a> <span class="state state-${m.state}">${handed ? L('已交接', 'handed over') : stateName(m.state)}</span>
          <div class="small muted">${(m.filed_at || '').slice(0, 10)} · ${L('产生', 'from')} <span class="mono">${m.producer}</span> → <span class="mono">${m.receiver}</span></div>
          ${handed ? html`<div class="small handed-note">${L('已交给下一程承运人', 'Handed over to the next carrier')} <span class="mono">${m.leg_carrier}</span>${L('，由其签署运抵', ', who signs the arrival')}</div>` : ''}</div>
        <div class="inline">${handed ? '' : g.acts.map(([k, t]) => html`<a class="button ${k === 'cancel' || k === 'reject' || k === 'handover' ? '' : 'primary'}" data-act="${k}" href="#/act/${m.number}/${k}">${t}</a>`)}</div></div>`;
      })}`)
        : String(html`<p class="muted">${L('暂无', 'Nothing here')}</p>`);
    } catch (e) {
      $('.list', el).innerHTML = String(html`<p class="bad">${errorText(e)}</p>`);
    }
  }));
}
