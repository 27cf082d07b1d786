// api.js - the HTTP API of `liandan serve` (schema/api.md): fetch with the
// bearer token, sign-in by challenge, event submission, and the signing key
// kept in this browser only (IndexedDB holds the non-extractable CryptoKey).
import { canon, utf8 } from './jcs.js';
import { AUTH_TAG, b64, sign, signEvent } from './crypto.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.hint || body?.error || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

let session = JSON.parse(sessionStorage.getItem('liandan.session') || 'null');
let signer = null; // {name, pub, id, priv}
let signerP = null; // the signing key being read back from IndexedDB
export const getSession = () => session;

async function request(method, path, { body, token = true, raw = false } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token && session?.token) headers.Authorization = 'Bearer ' + session.token;
  let res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && token && session && await signingKey()) {
    // The token expired: sign a new challenge with the key still held here.
    await signIn(signer);
    headers.Authorization = 'Bearer ' + session.token;
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  if (raw) {
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    return res;
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) throw new ApiError(res.status, typeof data === 'object' ? data : { hint: data });
  return data;
}
export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts) => request('POST', path, { ...opts, body });

// The log's public keys (GET /v1/log/keys), asked once per page load: always
// the same promise, so that a resolved one is ready in one step.
let keysCache = null;
export function logKeys() {
  if (!keysCache) keysCache = get('/v1/log/keys', { token: false }).catch((e) => { keysCache = null; throw e; });
  return keysCache;
}

// Challenge → sign "liandan/auth/v1\n" || JCS({key,nonce,origin}) → token.
export async function signIn(key) {
  const { origin } = await logKeys();
  const ch = await post('/v1/auth/challenge', { key: key.id }, { token: false });
  const sig = await sign(key, utf8(AUTH_TAG + canon({ key: key.id, nonce: ch.nonce, origin })));
  const tok = await post('/v1/auth/token', { key: key.id, nonce: ch.nonce, sig: b64(sig) }, { token: false });
  session = { token: tok.token, party: tok.party, key: tok.key, name: key.name, expires_at: tok.expires_at };
  signer = key;
  signerP = Promise.resolve(key);
  sessionStorage.setItem('liandan.session', JSON.stringify(session));
  await keyStore('put', key).catch(() => {});
  return session;
}

export async function signOut() {
  session = null;
  signer = null;
  signerP = null;
  meP = null;
  sessionStorage.removeItem('liandan.session');
  sessionStorage.removeItem(ME);
  await keyStore('clear').catch(() => {});
}

// The signed-in party's record (GET /v1/parties/{uscc}: name, roles,
// licences), read at most once per maxAge ms (default: once per page load)
// and kept for the tab's session, so that a reload can draw at once from the
// kept copy (keptParty) while the record is read again.
const ME = 'liandan.me';
let meP = null;
export function myParty(maxAge = Infinity) {
  const party = session?.party;
  if (!party || party === 'regulator') return Promise.resolve(null);
  if (!meP || meP.party !== party || Date.now() - meP.at > maxAge) {
    const p = get('/v1/parties/' + party).then((r) => {
      if (session?.party === party) sessionStorage.setItem(ME, JSON.stringify(r));
      return r;
    });
    p.catch(() => { if (meP === p) meP = null; });
    meP = Object.assign(p, { party, at: Date.now() });
  }
  return meP;
}
export function keptParty() {
  const m = JSON.parse(sessionStorage.getItem(ME) || 'null');
  return m && m.id === session?.party ? m : null;
}

// After a reload (same tab session): the session is this tab's at once, and
// the signing key is read back from IndexedDB meanwhile, so that pages need
// not wait for it; only signing does (signingKey()). No key there (signed out
// in another tab, storage cleared): the session ends and signingKey() gives null.
export function restore() {
  if (session && !signer && !signerP) {
    signerP = keyStore('get').catch(() => null).then((k) => {
      signer = k || null;
      if (!signer) { session = null; sessionStorage.removeItem('liandan.session'); }
      return signer;
    });
  }
  return session;
}
export async function signingKey() {
  return signer || (signerP ? signerP : null);
}

function keyStore(op, value) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('liandan', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('keys');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('keys', op === 'get' ? 'readonly' : 'readwrite');
      const st = tx.objectStore('keys');
      const r = op === 'get' ? st.get('signer') : op === 'put' ? st.put(value, 'signer') : st.clear();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    };
  });
}

// Now as RFC 3339 UTC without fractions; never before the chain's head.
export function nowRfc3339(notBefore) {
  let t = Math.floor(Date.now() / 1000);
  if (notBefore) t = Math.max(t, Math.floor(Date.parse(notBefore) / 1000));
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

// Builds, signs (here, with WebCrypto) and submits one event. Returns the receipt.
export async function submitEvent({ type, manifest = null, prev = null, body, at }) {
  if (!(await signingKey())) throw new ApiError(401, { error: 'unauthorized', hint: 'sign in first' });
  const event = {
    v: 1, type, manifest, prev, at: at || nowRfc3339(),
    actor: session.party, key: signer.id, body,
  };
  const signed = await signEvent(signer, event);
  return post('/v1/events', signed, { token: false });
}
