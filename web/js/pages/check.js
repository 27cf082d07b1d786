// check.js - what the printed QR code opens: is this event in the ledger?
// Public: the inclusion proof of the event in the latest checkpoint is
// checked here (RFC 6962 hashing, signed-note signature with WebCrypto).
// Signed in, it also says whether the manifest has moved on since printing.
import { L, stateName } from '../i18n.js';
import { html, $, errorText } from '../ui.js';
import { get, getSession, logKeys } from '../api.js';
import { verifyNote, rootFromInclusion, unb64, unhex, b64 } from '../crypto.js';

export async function render(main, params, query, who) {
  const { n, id } = params;
  main.innerHTML = String(html`<section class="panel narrow"><h1>${L('联单核验', 'Manifest check')}</h1>
    <p>${L('联单编号', 'Manifest')} <strong class="mono">${n}</strong></p>
    <p class="small">${L('打印时最新事件', 'Latest event when printed')}: <span class="mono">${id}</span></p>
    <p id="incl">…</p><p id="cur"></p></section>`);
  // Signed in, the manifest's current head is read alongside the proof.
  const cur = getSession() ? get('/v1/manifests/' + n).then((m) => ({ m }), (e) => ({ e })) : null;
  try {
    // The checkpoint and the proof against the latest one, together; if a
    // newer checkpoint was signed in between, the proof is asked for again
    // at the size of the checkpoint read.
    const proofAt = (size) => get(`/v1/log/proof/inclusion?id=${id}` + (size ? `&tree_size=${size}` : ''), { token: false });
    const [note, keys, first] = await Promise.all([fetch('/v1/log/checkpoint').then((r) => r.text()), logKeys(), proofAt(null).catch((e) => e)]);
    const cp = await verifyNote(note, keys.ledger_key);
    const proof = first instanceof Error || first.tree_size !== cp.size ? await proofAt(cp.size) : first;
    const leaf = unb64(proof.leaf_hash);
    const root = await rootFromInclusion(proof.leaf_index, proof.tree_size, leaf, proof.inclusion.map(unb64));
    const ok = cp.verified && proof.tree_size === cp.size && root && b64(root) === cp.root && b64(unhex(id)) === proof.leaf_hash;
    $('#incl').innerHTML = String(ok
      ? html`<span class="ok">${L(`✔ 该事件已记入账本（第 ${proof.leaf_index} 条，检查点 ${cp.size} 条，签名已验证）`, `✔ This event is in the ledger (entry ${proof.leaf_index}, checkpoint of ${cp.size}, signature verified)`)}</span>`
      : html`<span class="bad">${L('✘ 未能证明该事件在账本中', '✘ Could not prove this event is in the ledger')}</span>`);
  } catch (e) {
    $('#incl').innerHTML = String(html`<span class="warn">${errorText(e)}</span>`);
  }
  if (cur) {
    const { m, e } = await cur;
    if (m) {
      const head = m.head || m.events[m.events.length - 1].id;
      $('#cur').innerHTML = String(head === id
        ? html`<span class="ok">${L('✔ 打印后联单没有新的事件', '✔ No event since printing')} · ${stateName(m.state)}</span>`
        : html`<span class="warn">${L('打印后联单已有新事件', 'The manifest has moved on since printing')} · ${stateName(m.state)}</span> <a href="#/m/${n}">${L('查看', 'view')}</a>`);
    } else {
      $('#cur').textContent = e?.status === 403 ? L('本单位未列入该联单，不能查看。', 'This party is not on the manifest and cannot read it.') : errorText(e);
    }
    // A carrier not holding the load (not on the manifest yet, as a next
    // leg's carrier is) takes it over from here: the hand-over form with the
    // number and the printed latest event filled in.
    const holder = m && [...m.events].reverse().find((x) => x.type === 'transport.pickup' || x.type === 'transport.handover')?.actor;
    if (who?.roles?.includes('carrier') && ((!m && e?.status === 403) || (m?.state === 'in_transit' && holder !== who.id))) {
      $('#cur').insertAdjacentHTML('afterend', String(html`<p><a class="button primary" id="take-over" href="#/act/${n}/handover?prev=${id}">${L('接收交接（签署下一程）', 'Take over the load (sign the next leg)')}</a></p>`));
    }
  } else {
    $('#cur').innerHTML = String(html`<a href="#/login?next=${encodeURIComponent('#/m/' + n)}">${L('登录后查看联单', 'Sign in to see the manifest')}</a>`);
  }
}
