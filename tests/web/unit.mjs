// tests/web/unit.mjs - the pages' own crypto and formats, in Node (same
// WebCrypto API as the browser), against the shared vectors and the CLI:
// JCS (RFC 8785), C2SP signed notes, RFC 6962 inclusion, key ids and
// verifier keys, QR structure, and an encrypted key file made by
// `liandan keygen` opened by the Argon2id + XSalsa20-Poly1305 code.
// Environment: SHARED (the shared/ folder), LIANDAN (optional binary).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { canon } from '../../web/js/jcs.js';
import { verifyNote, rootFromInclusion, unhex, hex, parseVkey, parseKeyFile, keyFromSeed, formatVkey, signEvent, verifyEvent } from '../../web/js/crypto.js';
import { openSealedSeed, blake2b } from '../../web/js/keyfile-kdf.js';
import { qrMatrix } from '../../web/js/qr.js';
import { keyring, checkManifest } from '../../web/js/verify.js';
import { eventId } from '../../web/js/crypto.js';

const SHARED = process.env.SHARED || path.resolve(new URL('../../../shared', import.meta.url).pathname);
const V = path.join(SHARED, 'vectors');
let passed = 0, failed = 0;
async function t(name, fn) {
  try { await fn(); passed++; console.log('ok - ' + name); } catch (e) { failed++; console.log('not ok - ' + name + '\n  ' + (e.stack || e).toString().split('\n').slice(0, 3).join('\n  ')); }
}
const eq = (a, b, m) => { if (a !== b) throw new Error(`${m}: ${a} != ${b}`); };

await t('JCS: shared vectors with integers and strings', async () => {
  let n = 0;
  for (const f of fs.readdirSync(path.join(V, 'jcs/input'))) {
    const input = JSON.parse(fs.readFileSync(path.join(V, 'jcs/input', f), 'utf8'));
    let out;
    try { out = canon(input); } catch { continue; } // non-integer numbers: not signed data
    eq(out, fs.readFileSync(path.join(V, 'jcs/output', f), 'utf8'), f);
    n++;
  }
  if (n < 3) throw new Error('too few vectors checked: ' + n);
  let threw = false;
  try { canon({ a: 1.5 }); } catch { threw = true; }
  if (!threw) throw new Error('a fraction was accepted');
});

await t('BLAKE2b-512("abc") (RFC 7693 appendix A)', async () => {
  eq(hex(blake2b(new TextEncoder().encode('abc'))).slice(0, 32), 'ba80a53f981c4d0d6a2797b69f12f6e9', 'digest');
});

await t('signed notes: C2SP and Go examples, derived bad cases, golden checkpoints', async () => {
  const d = JSON.parse(fs.readFileSync(path.join(V, 'signed-note/signed_note_vectors.json'), 'utf8'));
  for (const n of d.notes) {
    const r = await verifyNote(n.note, n.vkeys[0]).catch(() => ({ verified: false }));
    eq(r.verified ? 'valid' : 'invalid', n.expect, n.name);
  }
  const g = d.golden_checkpoints;
  for (const c of Object.values(g.checkpoints)) {
    const note = typeof c === 'string' ? c : c.signed_note || c.note;
    eq((await verifyNote(note, g.vkey)).verified, true, 'golden checkpoint');
  }
});

await t('RFC 6962 inclusion proofs: every proof of the 8-leaf tree', async () => {
  const d = JSON.parse(fs.readFileSync(path.join(V, 'rfc6962/merkle_8leaf_all_proofs.json'), 'utf8'));
  for (const p of d.inclusion) {
    const r = await rootFromInclusion(p.leaf_index, p.tree_size, unhex(p.leaf_hash), p.path.map(unhex));
    eq(r && hex(r), p.root, `leaf ${p.leaf_index} size ${p.tree_size}`);
    if (p.path.length) {
      const bad = await rootFromInclusion(p.leaf_index, p.tree_size, unhex(p.leaf_hash), p.path.slice(1).map(unhex));
      if (bad && hex(bad) === p.root) throw new Error('a truncated proof verified');
    }
  }
});

await t('verifier keys and key ids round-trip; events sign and verify', async () => {
  const k = await keyFromSeed(new Uint8Array(32).fill(7), '91210213MADA88N79F');
  const vk = await formatVkey(k.name, k.pub);
  const p = await parseVkey(vk);
  eq(p.id, k.id, 'key id');
  const ev = { v: 1, type: 'manifest.cancel', manifest: 20262102000001, prev: null, at: '2026-03-02T01:00:00Z', actor: k.name, key: k.id, body: { reason: '计划变更' } };
  const signed = await signEvent(k, ev);
  eq(await verifyEvent(k.pub, signed), true, 'verify');
  signed.event.body.reason = 'x';
  eq(await verifyEvent(k.pub, signed), false, 'tampered body verified');
});

await t('QR: version/format structure (finders, timing, dark module)', async () => {
  for (const s of ['HELLO', 'http://127.0.0.1:8080/#/check/20262102000011/' + 'ab'.repeat(32)]) {
    const q = qrMatrix(s);
    const m = q.modules, n = q.size;
    eq(n, q.version * 4 + 17, 'size');
    for (const [r, c] of [[0, 0], [0, n - 7], [n - 7, 0]]) eq(m[r + 3][c + 3], 1, 'finder centre');
    for (let i = 8; i < n - 8; i++) eq(m[6][i], i % 2 === 0 ? 1 : 0, 'timing');
    eq(m[n - 8][8], 1, 'dark module');
    eq(q.level, 'M', 'level');
  }
});

// A small ledger made here: a regulator key, party keys certified by party.key
// events, and a manifest's chain; js/verify.js must accept it and catch each fault.
await t('manifest events verified against certified keys (js/verify.js): good chain, faults caught', async () => {
  const reg = await keyFromSeed(new Uint8Array(32).fill(1), 'test.regulator');
  const P = '91210213MADA88N79F', C = '91210213MAU04H595K';
  const prod = await keyFromSeed(new Uint8Array(32).fill(2), P);
  const carr = await keyFromSeed(new Uint8Array(32).fill(3), C);
  const other = await keyFromSeed(new Uint8Array(32).fill(4), 'not.the.regulator');
  const lk = { regulator_key: await formatVkey(reg.name, reg.pub), regulator_key_id: reg.id };
  const certOf = async (k, party, from, until, signer = reg, revoked_at = null) => {
    const vkey = await formatVkey(k.name, k.pub);
    const cert = await signEvent(signer, { v: 1, type: 'party.key', manifest: null, prev: null, at: from, actor: 'regulator', key: reg.id, body: { id: party, pub: vkey, until } });
    return { keyid: k.id, party, vkey, from, until, revoked_at, cert };
  };
  const keys = { [prod.id]: await certOf(prod, P, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), [carr.id]: await certOf(carr, C, '2026-01-01T00:00:00Z', null) };
  const number = 20262102000001;
  const events = [];
  const add = async (k, actor, type, at, body) => {
    const prev = events.length ? events.at(-1).id : null;
    const s = await signEvent(k, { v: 1, type, manifest: number, prev, at, actor, key: k.id, body });
    events.push({ index: events.length, id: await eventId(s), type, at, actor, key: k.id, prev, sig: s.sig, verified: true, body });
  };
  await add(prod, P, 'manifest.file', '2026-03-02T01:00:00Z', { lines: [{ qty_g: 1000 }] });
  await add(carr, C, 'transport.pickup', '2026-03-02T02:00:00Z', { vehicle: '辽B16976' });
  await add(carr, C, 'transport.arrive', '2026-03-02T03:00:00Z', { place: 'x' });
  await add(reg, 'regulator', 'manifest.correct', '2026-03-03T00:00:00Z', { request: true });
  const m = { number, events };
  const run = async (mm, ks = keys) => {
    let fetched = 0;
    const ring = keyring(async (id) => { fetched++; if (!ks[id]) throw Object.assign(new Error('no such key'), { status: 404 }); return structuredClone(ks[id]); }, async () => lk);
    const res = await checkManifest(mm, ring);
    return { codes: res.map((r) => (r.ok ? 'ok' : r.why.map((w) => w[0]).join('+'))).join(' '), fetched };
  };
  const good = await run(m);
  eq(good.codes, 'ok ok ok ok', 'good chain');
  eq(good.fetched, 2, 'one request per party key, none for the regulator');
  const tweak = (f) => { const mm = structuredClone(m); f(mm); return mm; };
  eq((await run(tweak((mm) => { mm.events[0].body.lines[0].qty_g = 2000; }))).codes, 'id+sig ok ok ok', 'tampered body');
  eq((await run(tweak((mm) => { mm.events[2].prev = mm.events[0].id; }))).codes, 'ok ok id+prev+sig ok', 'broken chain');
  eq((await run(tweak((mm) => { mm.number += 1; }))).codes, 'id+sig id+sig id+sig id+sig', 'another manifest number');
  eq((await run(tweak((mm) => { mm.events[1].sig = mm.events[2].sig; }))).codes, 'ok id+sig ok ok', 'swapped signature');
  eq((await run(tweak((mm) => { mm.events[1].actor = P; }))).codes, 'ok id+party+sig ok ok', 'key of another party');
  const ks = (f) => { const k = structuredClone(keys); f(k); return k; };
  eq((await run(m, ks((k) => { k[carr.id].revoked_at = '2026-03-02T02:30:00Z'; }))).codes, 'ok ok revoked ok', 'revoked key');
  eq((await run(m, ks((k) => { k[carr.id].until = k[carr.id].cert.event.body.until = '2026-03-02T02:30:00Z'; }))).codes, 'ok key key ok', 'validity changed without the regulator');
  eq((await run(m, { ...keys, [carr.id]: await certOf(carr, C, '2026-03-02T02:30:00Z', null) })).codes, 'ok early ok ok', 'key certified after the event');
  eq((await run(m, { ...keys, [prod.id]: await certOf(prod, P, '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z') })).codes, 'expired ok ok ok', 'expired key');
  eq((await run(m, { ...keys, [carr.id]: await certOf(carr, C, '2026-01-01T00:00:00Z', null, other) })).codes, 'ok key key ok', 'certificate not signed by the regulator');
  eq((await run(m, ks((k) => { k[carr.id].cert.event.body.id = P; k[carr.id].party = P; }))).codes, 'ok key key ok', 'certificate altered to another party');
  eq((await run(m, ks((k) => { k[carr.id].vkey = k[prod.id].vkey; }))).codes, 'ok key key ok', 'another verifier key');
  eq((await run(m, ks((k) => { delete k[carr.id]; }))).codes, 'ok key key ok', 'key not certified (404)');
  const down = keyring(async () => { throw Object.assign(new Error('offline'), { status: 0 }); }, async () => lk);
  const r = await checkManifest(m, down);
  eq(r.map((x) => (x.ok ? 'ok' : x.unknown ? '?' : 'bad')).join(' '), '? ? ? ok', 'keys not readable');
});

const LIANDAN = process.env.LIANDAN;
if (LIANDAN && fs.existsSync(LIANDAN)) {
  await t('encrypted key file from `liandan keygen` opens (Argon2id + XSalsa20-Poly1305) to its public key', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-key-'));
    const f = path.join(dir, 'k.key');
    try {
      execFileSync(LIANDAN, ['keygen', '--name', 'unit-test', '-o', f], { env: { ...process.env, LIANDAN_PASSPHRASE: 'pässwörd 口令' }, stdio: 'ignore' });
      const kf = parseKeyFile(fs.readFileSync(f, 'utf8'));
      eq(kf.sealed, true, 'sealed');
      eq(openSealedSeed(kf, 'wrong'), null, 'wrong passphrase opened');
      const seed = openSealedSeed(kf, 'pässwörd 口令');
      const k = await keyFromSeed(seed, kf.name);
      const want = await parseVkey(fs.readFileSync(f + '.pub', 'utf8').trim());
      eq(hex(k.pub), hex(want.pub), 'public key');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
// The server's refusals in Chinese (web/js/refusals.js): every message format
// a page can meet (ld_err_set in these files, 4xx ones: a field is named) has
// its own Chinese sentence, not the fallback; the English is kept; under the
// English switch the message is shown as it is. i18n.js reads localStorage
// when loaded: a stand-in here.
await t('refusals: every ld_err_set wording of the event rules has a Chinese sentence', async () => {
  let lang = 'zh';
  globalThis.localStorage ??= { getItem: () => lang, setItem: (k, v) => { lang = v; } };
  globalThis.document ??= { documentElement: {} };
  const { setLang } = await import('../../web/js/i18n.js');
  const { refusalText, fieldLabel } = await import('../../web/js/refusals.js');
  setLang('zh');
  const SRC = new URL('../../src/', import.meta.url).pathname;
  const files = ['rules_transport.c', 'rules_receipt.c', 'rules_manifest.c', 'rules_licence.c', 'party.c', 'domain.c', 'body.c', 'uscc.c', 'ledger.c', 'event.c'];
  const sample = { s: 'in_transit', c: 'A' };
  const missing = [];
  let n = 0;
  for (const f of files) {
    const src = fs.readFileSync(path.join(SRC, f), 'utf8');
    const re = /ld_err_set\(\s*[^,]+,\s*[^,]+,\s*([^,]+),\s*((?:"(?:[^"\\]|\\.)*"\s*)+)/g;
    let m;
    while ((m = re.exec(src))) {
      if (m[1].trim() === '""' || m[1].trim() === '"origin"') continue; // our own faults (500), the ledger's settings
      const fmt = m[2].split(/"\s*"/).join('').replace(/^"|"\s*$/g, '').replace(/\\"/g, '"');
      const msg = fmt.replace(/%(\.\*s|\.\d+s|02x|lld|llu|zu|[sdcx])/g, (x, k) => sample[k] ?? '12');
      const r = refusalText({ code: 'rule', field: 'event.body.zz', message: msg });
      n++;
      if (r.text.startsWith('zz：') || r.en !== msg || !/[\u4e00-\u9fff]/.test(r.text)) missing.push(`${f}: ${fmt}`);
    }
  }
  if (n < 100) throw new Error(`only ${n} formats found: has the source moved?`);
  if (missing.length) throw new Error(`${missing.length} wordings not said in Chinese:\n  ` + missing.join('\n  '));
  // Known values are carried over; an unknown wording falls back to the field and code.
  const h = refusalText({ code: 'rule', field: 'event.body.from', message: 'the waste is with 91210200MAKR3RGT70, not 91210213MA0000001X' });
  eq(h.text.includes('91210200MAKR3RGT70') && h.text.includes('交出方'), true, h.text);
  eq(refusalText({ code: 'rule', field: 'event.body.lines[1].method', message: 'something new' }).text, '第 2 行的利用/处置方式：不符合账本规则', 'fallback');
  eq(fieldLabel('event.body.driver.name'), '驾驶员姓名', 'field label');
  setLang('en');
  const e = refusalText({ code: 'rule', field: 'event.actor', message: 'the waste is with carrier X' });
  eq(e.text === 'the waste is with carrier X' && e.en === null, true, JSON.stringify(e));
  setLang('zh');
});
console.log(`web-unit: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
