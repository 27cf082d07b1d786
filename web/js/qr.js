// qr.js - a small QR Code encoder (ISO/IEC 18004): byte mode, error
// correction level M (or L when M does not fit), versions 1-10, all eight
// masks tried and the one with the lowest penalty kept. Output: an SVG string.

// Per version 1..10: total codewords, and per level the EC codewords per
// block and the number of blocks (ISO/IEC 18004 table 9).
const TOTAL = [0, 26, 44, 70, 100, 134, 172, 196, 242, 292, 346];
const EC = {
  L: { per: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18], blocks: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4], bits: 1 },
  M: { per: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26], blocks: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5], bits: 0 },
};

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512), LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x; LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
const mul = (a, b) => (a && b ? EXP[LOG[a] + LOG[b]] : 0);

function rsGenerator(n) {
  let g = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array(g.length + 1).fill(0);
    for (let j = 0; j < g.length; j++) {
      next[j] ^= g[j];
      next[j + 1] ^= mul(g[j], EXP[i]);
    }
    g = next;
  }
  return g; // leading coefficient 1 first
}
function rsRemainder(data, n) {
  const g = rsGenerator(n);
  const r = new Array(n).fill(0);
  for (const d of data) {
    const f = d ^ r.shift();
    r.push(0);
    for (let j = 0; j < n; j++) r[j] ^= mul(g[j + 1], f);
  }
  return r;
}

function dataCapacity(v, lvl) {
  return TOTAL[v] - EC[lvl].per[v] * EC[lvl].blocks[v];
}

function encodeData(bytes, v, lvl) {
  const cap = dataCapacity(v, lvl);
  const bits = [];
  const put = (val, n) => { for (let i = n - 1; i >= 0; i--) bits.push((val >>> i) & 1); };
  put(4, 4); // byte mode
  put(bytes.length, v < 10 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, cap * 8 - bits.length));
  while (bits.length % 8) bits.push(0);
  const cw = [];
  for (let i = 0; i < bits.length; i += 8) cw.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  for (let pad = 0xec; cw.length < cap; pad ^= 0xec ^ 0x11) cw.push(pad);
  // Split into blocks, add EC, interleave.
  const nb = EC[lvl].blocks[v], ecn = EC[lvl].per[v];
  const shortLen = Math.floor(TOTAL[v] / nb), nShort = nb - (TOTAL[v] % nb);
  const blocks = [];
  for (let i = 0, k = 0; i < nb; i++) {
    const len = shortLen - ecn + (i < nShort ? 0 : 1);
    const d = cw.slice(k, k + len);
    k += len;
    blocks.push({ d, e: rsRemainder(d, ecn) });
  }
  const out = [];
  for (let i = 0; i <= shortLen - ecn; i++) for (const b of blocks) if (i < b.d.length) out.push(b.d[i]);
  for (let i = 0; i < ecn; i++) for (const b of blocks) out.push(b.e[i]);
  return out;
}

function alignPositions(v) {
  if (v === 1) return [];
  const n = Math.floor(v / 7) + 2, size = v * 4 + 17;
  const step = Math.ceil((size - 13) / (n * 2 - 2)) * 2;
  const pos = [6];
  for (let p = size - 7; pos.length < n; p -= step) pos.splice(1, 0, p);
  return pos;
}

function bch(value, poly, polyBits, dataBits) {
  let r = value << (polyBits - 1);
  for (let i = dataBits + polyBits - 2; i >= polyBits - 1; i--) if ((r >>> i) & 1) r ^= poly << (i - polyBits + 1);
  return (value << (polyBits - 1)) | r;
}

const MASKS = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

function build(v, lvl, codewords, mask) {
  const n = v * 4 + 17;
  const m = Array.from({ length: n }, () => new Array(n).fill(0));
  const fn = Array.from({ length: n }, () => new Array(n).fill(false));
  const set = (r, c, dark) => { m[r][c] = dark ? 1 : 0; fn[r][c] = true; };
  // Finder patterns with separators.
  for (const [r0, c0] of [[0, 0], [0, n - 7], [n - 7, 0]]) {
    for (let r = -1; r <= 7; r++) for (let c = -1; c <= 7; c++) {
      const rr = r0 + r, cc = c0 + c;
      if (rr < 0 || cc < 0 || rr >= n || cc >= n) continue;
      const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
      set(rr, cc, ring !== 2 && ring !== 4);
    }
  }
  // Timing patterns.
  for (let i = 8; i < n - 8; i++) { set(6, i, i % 2 === 0); set(i, 6, i % 2 === 0); }
  // Alignment patterns.
  const ap = alignPositions(v);
  for (const r of ap) for (const c of ap) {
    if ((r === 6 && c === 6) || (r === 6 && c === n - 7) || (r === n - 7 && c === 6)) continue;
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
  }
  // Format information (level bits, mask), BCH(15,5), XOR 0x5412.
  const fmt = bch((EC[lvl].bits << 3) | mask, 0x537, 11, 5) ^ 0x5412;
  const fb = (i) => ((fmt >>> i) & 1) === 1;
  const xy = (x, y, d) => set(y, x, d); // (column, row), as the standard draws them
  for (let i = 0; i <= 5; i++) xy(8, i, fb(i));
  xy(8, 7, fb(6)); xy(8, 8, fb(7)); xy(7, 8, fb(8));
  for (let i = 9; i < 15; i++) xy(14 - i, 8, fb(i));
  for (let i = 0; i < 8; i++) xy(n - 1 - i, 8, fb(i));
  for (let i = 8; i < 15; i++) xy(8, n - 15 + i, fb(i));
  set(n - 8, 8, true); // dark module
  // Version information (v >= 7), BCH(18,6).
  if (v >= 7) {
    const vi = bch(v, 0x1f25, 13, 6);
    for (let i = 0; i < 18; i++) {
      const d = ((vi >>> i) & 1) === 1, a = n - 11 + (i % 3), b = Math.floor(i / 3);
      set(a, b, d); set(b, a, d);
    }
  }
  // Data, in the zigzag order, masked.
  let bit = 0;
  const total = codewords.length * 8;
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < n; vert++) {
      for (let j = 0; j < 2; j++) {
        const c = right - j;
        const upward = ((right + 1) & 2) === 0;
        const r = upward ? n - 1 - vert : vert;
        if (fn[r][c]) continue;
        let dark = false;
        if (bit < total) dark = ((codewords[bit >>> 3] >>> (7 - (bit & 7))) & 1) === 1;
        bit++;
        m[r][c] = (dark !== MASKS[mask](r, c)) ? 1 : 0;
      }
    }
  }
  return m;
}

function penalty(m) {
  const n = m.length;
  let p = 0;
  // Rules 1 and 3 on rows (t = 0) and columns (t = 1): runs of 5 or more,
  // and 1:1:3:1:1 finder-like patterns with four light modules on a side.
  const P1 = [1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], P2 = [0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1];
  const line = new Uint8Array(n);
  for (let t = 0; t < 2; t++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) line[j] = t ? m[j][i] : m[i][j];
      let run = 1;
      for (let j = 1; j <= n; j++) {
        if (j < n && line[j] === line[j - 1]) run++;
        else { if (run >= 5) p += run - 2; run = 1; }
      }
      for (let j = 0; j + 11 <= n; j++) {
        let a = true, b = true;
        for (let k = 0; k < 11 && (a || b); k++) {
          if (line[j + k] !== P1[k]) a = false;
          if (line[j + k] !== P2[k]) b = false;
        }
        if (a) p += 40;
        if (b) p += 40;
      }
    }
  }
  for (let r = 0; r < n - 1; r++) for (let c = 0; c < n - 1; c++) {
    const x = m[r][c];
    if (x === m[r][c + 1] && x === m[r + 1][c] && x === m[r + 1][c + 1]) p += 3;
  }
  let dark = 0;
  for (const row of m) for (const x of row) dark += x;
  p += Math.floor(Math.abs(dark * 20 - n * n * 10) / (n * n)) * 10;
  return p;
}

// Returns {size, modules[][]} for text (UTF-8), or throws if it does not fit.
export function qrMatrix(text, { level = 'M', mask: force = -1 } = {}) {
  const bytes = new TextEncoder().encode(text);
  for (const lvl of level === 'L' ? ['L'] : ['M', 'L']) {
    for (let v = 1; v <= 10; v++) {
      const need = 4 + (v < 10 ? 8 : 16) + bytes.length * 8;
      if (need > dataCapacity(v, lvl) * 8) continue;
      const cw = encodeData(bytes, v, lvl);
      let best = null, bestP = Infinity;
      for (let mask = 0; mask < 8; mask++) {
        if (force >= 0 && mask !== force) continue;
        const m = build(v, lvl, cw, mask);
        const p = penalty(m);
        if (p < bestP) { best = m; bestP = p; }
      }
      return { version: v, level: lvl, size: best.length, modules: best };
    }
  }
  throw new Error('QR: text too long');
}

export function qrSvg(text, { scale = 4, quiet = 4, title = '', mask = -1 } = {}) {
  const q = qrMatrix(text, { mask });
  const n = q.size + quiet * 2;
  let d = '';
  q.modules.forEach((row, r) => row.forEach((x, c) => { if (x) d += `M${c + quiet} ${r + quiet}h1v1h-1z`; }));
  return `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 ${n} ${n}" width="${n * scale}" height="${n * scale}" shape-rendering="crispEdges" role="img" aria-label="QR" data-version="${q.version}" data-level="${q.level}">` +
    (title ? `<title>${title.replace(/[<&]/g, '')}</title>` : '') +
    `<rect width="${n}" height="${n}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}
