// check.js - what the printed QR code opens: is this event in the ledger?
// Public: the inclusion proof of the event in the latest checkpoint is
// checked here (RFC 6962 hashing, signed-note signature with WebCrypto).
// Signed in, it also says whether the manifest has moved on since printing.
import { L, stateName } from '../i18n.js';
import { html, $, errorText } from '../ui.js';
import { get, getSession, logKeys } from '../api.js';
import { verifyNote, rootFromInclusion, unb64, unhex, b64 } from '../crypto.js';

export async function render(main, params) {
  const { n, id } = params;
  main.innerHTML = String(html`<section class="panel narrow"><h1>${L('联单核验', 'Manifest check')}</h1>
    <p>${L('联单编号', 'Manifest')} <strong class="mono">${n}</strong></p>
    <p class="small">${L('打印时最新事件', 'Latest event when printed')}: <span class="mono">${id}</span></p>
    <p id="incl">…</p><p id="cur"></p></section>`);
  try {
    const [note, keys] = await Promise.all([fetch('/v1/log/checkpoint').then((r) => r.text()), logKeys()]);
    const cp = await verifyNote(note, keys.ledger_key);
    const proof = await get(`/v1/log/proof/inclusion?id=${id}&tree_size=${cp.size}`, { token: false });
    const leaf = unb64(proof.leaf_hash);
    const root = await rootFromInclusion(proof.leaf_index, proof.tree_size, leaf, proof.inclusion.map(unb64));
    const ok = cp.verified && root && b64(root) === cp.root && b64(unhex(id)) === proof.leaf_hash;
    $('#incl').innerHTML = String(ok
      ? html`<span class="ok">${L(`✔ 该事件已记入账本（第 ${proof.leaf_index} 条，检查点 ${cp.size} 条，签名已验证）`, `✔ This event is in the ledger (entry ${proof.leaf_index}, checkpoint of ${cp.size}, signature verified)`)}</span>`
      : html`<span class="bad">${L('✘ 未能证明该事件在账本中', '✘ Could not prove this event is in the ledger')}</span>`);
  } catch (e) {
    $('#incl').innerHTML = String(html`<span class="warn">${errorText(e)}</span>`);
  }
  if (getSession()) {
    try {
      const m = await get('/v1/manifests/' + n);
      const head = m.head || m.events[m.events.length - 1].id;
      $('#cur').innerHTML = String(head === id
        ? html`<span class="ok">${L('✔ 打印后联单没有新的事件', '✔ No event since printing')} · ${stateName(m.state)}</span>`
        : html`<span class="warn">${L('打印后联单已有新事件', 'The manifest has moved on since printing')} · ${stateName(m.state)}</span> <a href="#/m/${n}">${L('查看', 'view')}</a>`);
    } catch (e) {
      $('#cur').textContent = errorText(e);
    }
  } else {
    $('#cur').innerHTML = String(html`<a href="#/login?next=${encodeURIComponent('#/m/' + n)}">${L('登录后查看联单', 'Sign in to see the manifest')}</a>`);
  }
}
