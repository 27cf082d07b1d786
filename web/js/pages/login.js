// login.js - sign in with a key file opened in this browser. A clear key file
// (--no-passphrase, the demo's) is read directly; an encrypted one is opened
// with its passphrase by Argon2id + XSalsa20-Poly1305 in a worker. The seed
// becomes a non-extractable WebCrypto key; only a signature of the server's
// challenge is sent.
import { L } from '../i18n.js';
import { html, $, showRefusal, clearRefusal, errorText } from '../ui.js';
import { parseKeyFile, keyFromSeed } from '../crypto.js';
import { signIn, logKeys } from '../api.js';

function openSealed(kf, passphrase, onProgress) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../kdf-worker.js', import.meta.url), { type: 'module' });
    w.onmessage = (e) => {
      if (e.data.progress != null) { onProgress(e.data.progress); return; }
      w.terminate();
      if (e.data.error) reject(new Error(e.data.error)); else resolve(e.data.seed);
    };
    w.onerror = (e) => { w.terminate(); reject(new Error(e.message)); };
    w.postMessage({ kf, passphrase });
  });
}

export async function render(main, params, query) {
  main.innerHTML = String(html`
  <section class="panel narrow login">
    <h1>${L('登录', 'Sign in')}</h1>
    <p class="muted">${L('选择您单位的密钥文件。密钥只在本浏览器中解密和使用，不会上传；服务器只收到对一次性挑战的签名。',
      'Choose your key file. It is opened and used only in this browser and never uploaded; the server receives only a signature of a one-time challenge.')}</p>
    <form id="login-form" novalidate>
      <div class="form-error" role="alert" hidden></div>
      <label class="drop" id="drop" data-field="key">
        <input type="file" id="keyfile" name="keyfile" accept=".key,text/plain">
        <span>${L('选择或拖入密钥文件（.key）', 'Choose or drop a key file (.key)')}</span>
        <span id="keyname" class="mono"></span>
      </label>
      <details class="paste"><summary>${L('或粘贴密钥文件内容', 'or paste the key file text')}</summary>
        <textarea id="keytext" rows="5" class="mono" spellcheck="false" autocomplete="off"></textarea>
      </details>
      <label id="pass-row" hidden>${L('口令', 'Passphrase')}
        <input type="password" id="passphrase" autocomplete="current-password" data-field="passphrase">
      </label>
      <progress id="kdf-progress" max="1" value="0" hidden></progress>
      <button type="submit" class="primary" id="signin">${L('登录', 'Sign in')}</button>
    </form>
    <p class="muted small">${L('账本', 'Ledger')}: <span class="mono" id="origin">…</span></p>
  </section>`);
  logKeys().then((k) => { $('#origin').textContent = k.origin; }).catch(() => {});
  const form = $('#login-form');
  let text = '';
  const onText = (t) => {
    text = t;
    try {
      const kf = parseKeyFile(t);
      $('#keyname').textContent = kf.name;
      $('#pass-row').hidden = !kf.sealed;
      if (kf.sealed) $('#passphrase').focus();
      clearRefusal(form);
    } catch (e) {
      showRefusal(form, { body: { field: 'key', hint: L('这不是 liandan 密钥文件', 'This is not a liandan key file') } });
    }
  };
  $('#keyfile').addEventListener('change', async (e) => { const f = e.target.files[0]; if (f) onText(await f.text()); });
  $('#keytext').addEventListener('input', (e) => onText(e.target.value));
  const drop = $('#drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => { e.preventDefault(); drop.classList.remove('over'); const f = e.dataTransfer.files[0]; if (f) onText(await f.text()); });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearRefusal(form);
    const btn = $('#signin');
    btn.disabled = true;
    let seed = null;
    try {
      let kf;
      try { kf = parseKeyFile(text); } catch { throw { body: { field: 'key', hint: L('请先选择密钥文件', 'Choose a key file first') } }; }
      if (kf.sealed) {
        const pass = $('#passphrase').value;
        if (!pass) throw { body: { field: 'passphrase', hint: L('此密钥文件已加密，请输入口令', 'This key file is encrypted: enter its passphrase') } };
        const pr = $('#kdf-progress');
        pr.hidden = false;
        seed = await openSealed(kf, pass, (p) => { pr.value = p; });
        pr.hidden = true;
        if (!seed) throw { body: { field: 'passphrase', hint: L('口令错误或密钥文件损坏', 'Wrong passphrase or damaged key file') } };
      } else {
        seed = kf.seed;
      }
      if (seed.length !== 32) throw { body: { field: 'key', hint: L('密钥长度不对', 'The key has the wrong length') } };
      const key = await keyFromSeed(seed, kf.name);
      await signIn(key);
      text = '';
      $('#keytext').value = '';
      const next = query.get('next');
      location.hash = next && next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/';
    } catch (err) {
      // The server's refusal (said in the page's language by refusals.js),
      // at the key whichever step refused it (challenge: key; token: nonce, sig).
      if (err?.status === 401) showRefusal(form, { status: 401, body: { error: 'unauthorized', hint: L('此密钥未在账本备案，或已吊销/过期', 'This key is not certified in the ledger, or it was revoked or has expired'), ...err.body, field: 'key' } });
      else if (err?.body) showRefusal(form, err);
      else showRefusal(form, { body: { hint: errorText(err) } });
    } finally {
      seed?.fill?.(0);
      btn.disabled = false;
    }
  });
}
