// keyfile-kdf.js - what WebCrypto lacks for opening an encrypted liandan key
// file (src/sig.c): Argon2id (RFC 9106, version 0x13, one lane, as
// libsodium's crypto_pwhash) on BLAKE2b (RFC 7693), and XSalsa20-Poly1305
// (libsodium's crypto_secretbox_easy: MAC || ciphertext). Written from the
// RFCs; 64-bit words are pairs of 32-bit halves (lo at even index).

// ---- BLAKE2b ---------------------------------------------------------------
const IV = new Uint32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4], [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13], [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11], [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5], [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const v = new Uint32Array(32), mw = new Uint32Array(32);

// v[a] += v[b] + m (64-bit, word indices are pair indices * 2)
function add64(a, b) {
  const lo = v[a] + v[b];
  v[a + 1] = v[a + 1] + v[b + 1] + (lo > 0xffffffff ? 1 : 0);
  v[a] = lo;
}
function addm(a, x, y) {
  const lo = v[a] + x;
  v[a + 1] = v[a + 1] + y + (lo > 0xffffffff ? 1 : 0);
  v[a] = lo;
}
function xorRot(d, a, n) { // v[d] = rotr64(v[d] ^ v[a], n)
  const lo = v[d] ^ v[a], hi = v[d + 1] ^ v[a + 1];
  if (n === 32) { v[d] = hi; v[d + 1] = lo; }
  else if (n < 32) { v[d] = (lo >>> n) | (hi << (32 - n)); v[d + 1] = (hi >>> n) | (lo << (32 - n)); }
  else { n -= 32; v[d] = (hi >>> n) | (lo << (32 - n)); v[d + 1] = (lo >>> n) | (hi << (32 - n)); }
}
function G(a, b, c, d, x, y) {
  add64(a, b); addm(a, mw[x], mw[x + 1]); xorRot(d, a, 32);
  add64(c, d); xorRot(b, c, 24);
  add64(a, b); addm(a, mw[y], mw[y + 1]); xorRot(d, a, 16);
  add64(c, d); xorRot(b, c, 63);
}
function compress(h, block, t, last) {
  for (let i = 0; i < 16; i++) { v[i] = h[i]; v[i + 16] = IV[i]; }
  v[24] ^= t; v[25] ^= t / 0x100000000;
  if (last) { v[28] = ~v[28]; v[29] = ~v[29]; }
  for (let i = 0; i < 32; i++) mw[i] = block[i * 4] | (block[i * 4 + 1] << 8) | (block[i * 4 + 2] << 16) | (block[i * 4 + 3] << 24);
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10];
    G(0, 8, 16, 24, s[0] * 2, s[1] * 2); G(2, 10, 18, 26, s[2] * 2, s[3] * 2);
    G(4, 12, 20, 28, s[4] * 2, s[5] * 2); G(6, 14, 22, 30, s[6] * 2, s[7] * 2);
    G(0, 10, 20, 30, s[8] * 2, s[9] * 2); G(2, 12, 22, 24, s[10] * 2, s[11] * 2);
    G(4, 14, 16, 26, s[12] * 2, s[13] * 2); G(6, 8, 18, 28, s[14] * 2, s[15] * 2);
  }
  for (let i = 0; i < 16; i++) h[i] ^= v[i] ^ v[i + 16];
}
export function blake2b(input, outlen = 64) {
  const h = new Uint32Array(IV);
  h[0] ^= 0x01010000 ^ outlen;
  const block = new Uint8Array(128);
  let t = 0, i = 0;
  while (input.length - i > 128) {
    block.set(input.subarray(i, i + 128));
    t += 128; i += 128;
    compress(h, block, t, false);
  }
  block.fill(0);
  block.set(input.subarray(i));
  t += input.length - i;
  compress(h, block, t, true);
  const out = new Uint8Array(outlen);
  for (let k = 0; k < outlen; k++) out[k] = h[k >> 2] >>> (8 * (k & 3));
  return out;
}

// ---- Argon2id ----------------------------------------------------------------
const le32 = (n) => new Uint8Array([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255]);
function cat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
function hprime(x, T) { // RFC 9106 H' (variable-length hash)
  if (T <= 64) return blake2b(cat(le32(T), x), T);
  const r = Math.ceil(T / 32) - 2, out = new Uint8Array(T);
  let vv = blake2b(cat(le32(T), x), 64);
  out.set(vv.subarray(0, 32), 0);
  for (let i = 1; i < r; i++) { vv = blake2b(vv, 64); out.set(vv.subarray(0, 32), i * 32); }
  out.set(blake2b(vv, T - 32 * r), r * 32);
  return out;
}

// The permutation P's GB on a 256-word (128 x 64-bit) working block R.
function fBlaMka(R, a, b) { // R[a] = R[a] + R[b] + 2 * lo32(R[a]) * lo32(R[b])
  const x = R[a], y = R[b];
  const xl = x & 0xffff, xh = x >>> 16, yl = y & 0xffff, yh = y >>> 16;
  const ll = xl * yl, lh = xl * yh, hl = xh * yl, hh = xh * yh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  let plo = (((mid & 0xffff) << 16) | (ll & 0xffff)) >>> 0;
  let phi = hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16);
  phi = ((phi << 1) | (plo >>> 31)) >>> 0;
  plo = (plo << 1) >>> 0;
  let lo = x + y, hi = R[a + 1] + R[b + 1] + (lo > 0xffffffff ? 1 : 0);
  lo >>>= 0;
  const lo2 = lo + plo;
  R[a + 1] = hi + phi + (lo2 > 0xffffffff ? 1 : 0);
  R[a] = lo2;
}
function rot(R, d, a, n) { // R[d] = rotr64(R[d] ^ R[a], n)
  const lo = R[d] ^ R[a], hi = R[d + 1] ^ R[a + 1];
  if (n === 32) { R[d] = hi; R[d + 1] = lo; }
  else if (n < 32) { R[d] = (lo >>> n) | (hi << (32 - n)); R[d + 1] = (hi >>> n) | (lo << (32 - n)); }
  else { n -= 32; R[d] = (hi >>> n) | (lo << (32 - n)); R[d + 1] = (lo >>> n) | (hi << (32 - n)); }
}
function GB(R, a, b, c, d) {
  fBlaMka(R, a, b); rot(R, d, a, 32);
  fBlaMka(R, c, d); rot(R, b, c, 24);
  fBlaMka(R, a, b); rot(R, d, a, 16);
  fBlaMka(R, c, d); rot(R, b, c, 63);
}
// P on 16 64-bit words given by their word indices (x2 for 32-bit arrays).
function P(R, w) {
  GB(R, w[0], w[4], w[8], w[12]); GB(R, w[1], w[5], w[9], w[13]);
  GB(R, w[2], w[6], w[10], w[14]); GB(R, w[3], w[7], w[11], w[15]);
  GB(R, w[0], w[5], w[10], w[15]); GB(R, w[1], w[6], w[11], w[12]);
  GB(R, w[2], w[7], w[8], w[13]); GB(R, w[3], w[4], w[9], w[14]);
}
const ROWS = [], COLS = [];
for (let i = 0; i < 8; i++) {
  ROWS.push(Array.from({ length: 16 }, (_, j) => (16 * i + j) * 2));
  COLS.push(Array.from({ length: 16 }, (_, j) => (2 * i + (j & 1) + 16 * (j >> 1)) * 2));
}
const Rb = new Uint32Array(256), Zb = new Uint32Array(256);
// next = G(prev, ref) (xor into next when withXor): R = prev ^ ref, Z = P(R), next = Z ^ R.
function fill(mem, prev, ref, next, withXor) {
  for (let i = 0; i < 256; i++) Rb[i] = mem[prev + i] ^ mem[ref + i];
  Zb.set(Rb);
  for (const w of ROWS) P(Zb, w);
  for (const w of COLS) P(Zb, w);
  if (withXor) for (let i = 0; i < 256; i++) mem[next + i] ^= Zb[i] ^ Rb[i];
  else for (let i = 0; i < 256; i++) mem[next + i] = Zb[i] ^ Rb[i];
}
function fillBlock(dst, x, y) { // dst = G(x, y) on standalone blocks
  for (let i = 0; i < 256; i++) Rb[i] = x[i] ^ y[i];
  Zb.set(Rb);
  for (const w of ROWS) P(Zb, w);
  for (const w of COLS) P(Zb, w);
  for (let i = 0; i < 256; i++) dst[i] = Zb[i] ^ Rb[i];
}

// Argon2id with one lane; mem in bytes (as libsodium's memlimit), ops passes.
export function argon2id(password, salt, ops, mem, outlen = 32, onProgress) {
  const m = Math.floor(mem / 1024), p = 1, t = ops;
  const h0 = blake2b(cat(le32(p), le32(outlen), le32(m), le32(t), le32(0x13), le32(2),
    le32(password.length), password, le32(salt.length), salt, le32(0), le32(0)), 64);
  const blocks = 4 * p * Math.floor(m / (4 * p)), q = blocks / p, seg = q / 4;
  const mem32 = new Uint32Array(blocks * 256);
  const load = (bytes, at) => { for (let i = 0; i < 256; i++) mem32[at + i] = bytes[i * 4] | (bytes[i * 4 + 1] << 8) | (bytes[i * 4 + 2] << 16) | (bytes[i * 4 + 3] << 24); };
  load(hprime(cat(h0, le32(0), le32(0)), 1024), 0);
  load(hprime(cat(h0, le32(1), le32(0)), 1024), 256);
  const zero = new Uint32Array(256), input = new Uint32Array(256), addr = new Uint32Array(256);
  for (let r = 0; r < t; r++) {
    for (let s = 0; s < 4; s++) {
      const indep = r === 0 && s < 2;
      if (indep) {
        input.fill(0);
        input[0] = r; input[2] = 0; input[4] = s; input[6] = blocks; input[8] = t; input[10] = 2;
      }
      const start = r === 0 && s === 0 ? 2 : 0;
      const nextAddr = () => { input[12]++; fillBlock(addr, zero, input); fillBlock(addr, zero, addr); };
      if (indep && start === 2) nextAddr();
      for (let i = start; i < seg; i++) {
        const cur = s * seg + i, prev = cur === 0 ? q - 1 : cur - 1;
        let j1;
        if (indep) {
          if (i % 128 === 0) nextAddr();
          j1 = addr[(i % 128) * 2];
        } else {
          j1 = mem32[prev * 256];
        }
        const area = r === 0 ? s * seg + i - 1 : q - seg + i - 1;
        // x = J1^2 / 2^32; y = area * x / 2^32; relative = area - 1 - y
        const x = Math.floor((j1 * j1) / 4294967296);
        const xh = Math.floor(x / 65536), xl = x % 65536;
        const y = Math.floor((area * xh + Math.floor((area * xl) / 65536)) / 65536);
        const startPos = r === 0 || s === 3 ? 0 : (s + 1) * seg;
        const ref = (startPos + area - 1 - y) % q;
        fill(mem32, prev * 256, ref * 256, cur * 256, r > 0);
      }
      onProgress?.((r * 4 + s + 1) / (t * 4));
    }
  }
  const last = new Uint8Array(1024);
  for (let i = 0; i < 256; i++) { const w = mem32[(q - 1) * 256 + i]; last[i * 4] = w; last[i * 4 + 1] = w >>> 8; last[i * 4 + 2] = w >>> 16; last[i * 4 + 3] = w >>> 24; }
  return hprime(last, outlen);
}

// ---- XSalsa20-Poly1305 -------------------------------------------------------
const rotl = (x, n) => (x << n) | (x >>> (32 - n));
function salsaCore(inp, out, hsalsa) {
  const x = new Uint32Array(inp);
  for (let i = 0; i < 10; i++) {
    x[4] ^= rotl(x[0] + x[12], 7); x[8] ^= rotl(x[4] + x[0], 9); x[12] ^= rotl(x[8] + x[4], 13); x[0] ^= rotl(x[12] + x[8], 18);
    x[9] ^= rotl(x[5] + x[1], 7); x[13] ^= rotl(x[9] + x[5], 9); x[1] ^= rotl(x[13] + x[9], 13); x[5] ^= rotl(x[1] + x[13], 18);
    x[14] ^= rotl(x[10] + x[6], 7); x[2] ^= rotl(x[14] + x[10], 9); x[6] ^= rotl(x[2] + x[14], 13); x[10] ^= rotl(x[6] + x[2], 18);
    x[3] ^= rotl(x[15] + x[11], 7); x[7] ^= rotl(x[3] + x[15], 9); x[11] ^= rotl(x[7] + x[3], 13); x[15] ^= rotl(x[11] + x[7], 18);
    x[1] ^= rotl(x[0] + x[3], 7); x[2] ^= rotl(x[1] + x[0], 9); x[3] ^= rotl(x[2] + x[1], 13); x[0] ^= rotl(x[3] + x[2], 18);
    x[6] ^= rotl(x[5] + x[4], 7); x[7] ^= rotl(x[6] + x[5], 9); x[4] ^= rotl(x[7] + x[6], 13); x[5] ^= rotl(x[4] + x[7], 18);
    x[11] ^= rotl(x[10] + x[9], 7); x[8] ^= rotl(x[11] + x[10], 9); x[9] ^= rotl(x[8] + x[11], 13); x[10] ^= rotl(x[9] + x[8], 18);
    x[12] ^= rotl(x[15] + x[14], 7); x[13] ^= rotl(x[12] + x[15], 9); x[14] ^= rotl(x[13] + x[12], 13); x[15] ^= rotl(x[14] + x[13], 18);
  }
  if (hsalsa) { [0, 5, 10, 15, 6, 7, 8, 9].forEach((k, i) => { out[i] = x[k]; }); return; }
  for (let i = 0; i < 16; i++) out[i] = x[i] + inp[i];
}
const words = (b, off, n) => Array.from({ length: n }, (_, i) => b[off + 4 * i] | (b[off + 4 * i + 1] << 8) | (b[off + 4 * i + 2] << 16) | (b[off + 4 * i + 3] << 24));
const SIGMA_C = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
function state(key, n16) { // Salsa20 input: constants, key, nonce/counter
  const k = words(key, 0, 8), nn = words(n16, 0, 4);
  return new Uint32Array([SIGMA_C[0], k[0], k[1], k[2], k[3], SIGMA_C[1], nn[0], nn[1], nn[2], nn[3], SIGMA_C[2], k[4], k[5], k[6], k[7], SIGMA_C[3]]);
}
function xsalsa20Stream(key, nonce, len) {
  const sub32 = new Uint32Array(8);
  salsaCore(state(key, nonce.subarray(0, 16)), sub32, true);
  const sub = new Uint8Array(sub32.buffer.slice(0));
  const out = new Uint8Array(len), blk = new Uint32Array(16);
  for (let c = 0; c * 64 < len; c++) {
    const n16 = new Uint8Array(16);
    n16.set(nonce.subarray(16, 24));
    n16[8] = c & 255; n16[9] = (c >>> 8) & 255;
    salsaCore(state(sub, n16), blk, false);
    const bytes = new Uint8Array(blk.buffer);
    for (let i = 0; i < 64 && c * 64 + i < len; i++) out[c * 64 + i] = bytes[i];
  }
  return out;
}
function poly1305(msg, key) {
  const le = (b) => b.reduceRight((a, x) => (a << 8n) | BigInt(x), 0n);
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = le(key.subarray(16, 32)), pr = (1n << 130n) - 5n;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, i + 16);
    acc = ((acc + le(chunk) + (1n << BigInt(8 * chunk.length))) * r) % pr;
  }
  acc = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) { out[i] = Number(acc & 255n); acc >>= 8n; }
  return out;
}
// crypto_secretbox_open_easy: box = MAC(16) || ciphertext. Returns null on a bad MAC.
export function secretboxOpen(box, nonce, key) {
  const ct = box.subarray(16);
  const ks = xsalsa20Stream(key, nonce, 32 + ct.length);
  const tag = poly1305(ct, ks.subarray(0, 32));
  let d = 0;
  for (let i = 0; i < 16; i++) d |= tag[i] ^ box[i];
  if (d) return null;
  return ct.map((b, i) => b ^ ks[32 + i]);
}

// Opens a parsed encrypted key file (crypto.js parseKeyFile): the 32-byte seed, or null.
export function openSealedSeed(kf, passphrase, onProgress) {
  const key = argon2id(new TextEncoder().encode(passphrase), kf.salt, kf.ops, kf.mem, 32, onProgress);
  const seed = secretboxOpen(kf.box, kf.nonce, key);
  key.fill(0);
  return seed;
}
