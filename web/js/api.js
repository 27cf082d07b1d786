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
export const getSession = () => session;
export const getSigner = () => signer;

async function request(method, path, { body, token = true, raw = false } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token && session?.token) headers.Authorization = 'Bearer ' + session.token;
  let res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && token && session && signer) {
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

let keysCache = null;
export async function logKeys() {
  if (!keysCache) keysCache = get('/v1/log/keys', { token: false });
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
  sessionStorage.setItem('liandan.session', JSON.stringify(session));
  await keyStore('put', key).catch(() => {});
  return session;
}

export async function signOut() {
  session = null;
  signer = null;
  sessionStorage.removeItem('liandan.session');
  await keyStore('clear').catch(() => {});
}

// Restores the signing key after a reload (same tab session).
export async function restore() {
  if (!session) return null;
  if (!signer) signer = (await keyStore('get').catch(() => null)) || null;
  if (!signer) { session = null; sessionStorage.removeItem('liandan.session'); }
  return session;
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
  if (!signer) throw new ApiError(401, { error: 'unauthorized', hint: 'sign in first' });
  const event = {
    v: 1, type, manifest, prev, at: at || nowRfc3339(),
    actor: session.party, key: signer.id, body,
  };
  const signed = await signEvent(signer, event);
  return post('/v1/events', signed, { token: false });
}
