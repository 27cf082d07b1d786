// tests/web/e2e.mjs - the liandan pages in Debian's Chromium, driven by
// playwright-core. Started by tests/web/run.sh with BASE (server URL), DEMO
// (gen-demo output: keys and parties.tsv), LIANDAN, CHROMIUM, ART, TMPDIR.
// Prints "ok N - name" / "not ok N - name" per scenario, page timings, and
// the closing line "N passed, N failed". Timings are reported, not asserted.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const { BASE, DEMO, LIANDAN, ART } = process.env;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TMP = process.env.TMPDIR || '/tmp';
const key = (role) => path.join(DEMO, role + '.key');
const keyName = (file) => /^name: (.*)$/m.exec(fs.readFileSync(file, 'utf8'))[1];
const PRODUCER = keyName(key('producer')), CARRIER = keyName(key('carrier')), RECEIVER = keyName(key('receiver'));

let passed = 0, failed = 0, n = 0;
const timings = [];
const notes = [];
function assert(cond, msg) { if (!cond) throw new Error(msg); }
async function step(name, fn) {
  n++;
  try {
    await fn();
    passed++;
    console.log(`ok ${n} - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${n} - ${name}\n  ${String(e.stack || e).split('\n').slice(0, 4).join('\n  ')}`);
  }
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const pageErrors = [];
// Each page's requests to the server (path and query), to count what a page load asks for.
const requests = new WeakMap();
const apiOnly = (list) => list.filter((u) => u.startsWith('/v1/') || u.startsWith('/data/'));
const count = (list, re) => list.filter((u) => re.test(u)).length;
async function newPage(opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...opts });
  const page = await ctx.newPage();
  requests.set(page, []);
  page.on('request', (r) => { const u = new URL(r.url()); if (u.origin === BASE) requests.get(page).push(u.pathname + u.search); });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Refusals (4xx answers) are expected and shown by the pages; other console errors are not.
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) pageErrors.push('console: ' + m.text()); });
  return page;
}
const shot = (page, name) => page.screenshot({ path: path.join(ART, name + '.png'), fullPage: true });

// Navigates to a hash route and waits for the page to say it is ready.
// Returns the API requests the route made until then.
async function go(page, hash, label) {
  await page.evaluate(() => document.body.removeAttribute('data-ready'));
  const reqs = requests.get(page);
  reqs.length = 0;
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForSelector('body[data-ready]', { timeout: 20000 });
  const t = await page.evaluate(() => (window.liandanTimings || []).at(-1));
  const api = apiOnly(reqs);
  if (label && t) timings.push({ page: label, kind: 'route', ms: Math.round(t.ms), requests: api.length });
  return api;
}
// A full load (HTML, modules, API calls) of a route, timed from navigation
// start. Returns the API requests (/v1/, /data/) made until the page was ready.
async function load(page, hash, label) {
  await page.goto('about:blank');
  const reqs = requests.get(page);
  reqs.length = 0;
  await page.goto(BASE + '/' + hash);
  await page.waitForSelector('body[data-ready]', { timeout: 20000 });
  // from navigation start to the page marking itself ready (all its API calls answered)
  const ms = await page.evaluate(() => (window.liandanTimings || []).at(-1)?.at);
  const api = apiOnly(reqs);
  if (label) timings.push({ page: label, kind: 'full load', ms: Math.round(ms), requests: api.length, all: reqs.length });
  return api;
}
async function signIn(page, file, passphrase) {
  await load(page, '#/login', 'sign in');
  await page.setInputFiles('#keyfile', file);
  if (passphrase) {
    await page.waitForSelector('#passphrase', { state: 'visible' });
    await page.fill('#passphrase', passphrase);
  }
  await page.click('#signin');
  await page.waitForFunction(() => document.body.dataset.ready && document.body.dataset.ready !== 'login', null, { timeout: 30000 });
}
const token = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('liandan.session')).token);
const api = async (page, p) => page.evaluate(async ([p]) => {
  const t = JSON.parse(sessionStorage.getItem('liandan.session')).token;
  const r = await fetch(p, { headers: { Authorization: 'Bearer ' + t } });
  return { status: r.status, body: await r.json().catch(() => null) };
}, [p]);
const stateCounts = (page) => page.$$eval('[data-state]', (els) => Object.fromEntries(els.map((e) => [e.dataset.state, Number(e.textContent)])));
// A refusal as the page shows it (web/js/ui.js showRefusal): {zh: its words
// without the server's English detail, en: that detail, title}.
const refusalWords = (page, sel) => page.$eval(sel, (e) => ({
  zh: [...e.childNodes].filter((x) => !x.classList?.contains('server-text')).map((x) => x.textContent).join('').trim(),
  en: Array.from(e.querySelectorAll('.server-text')).map((x) => x.textContent).join(' '), title: e.title || '',
}));
// In Chinese mode: Chinese words, no English sentence (two English words in a
// row) outside the server's detail, which is kept.
const saidInChinese = (r) => /[\u4e00-\u9fff]/.test(r.zh) && !/[A-Za-z]{2,}[\s,']+[A-Za-z]{2,}/.test(r.zh) && r.en.length > 0;

fs.mkdirSync(ART, { recursive: true });
const reg = await newPage();
let before = {}, filedNumber = null, plan = null;

await step('regulator signs in with the demo key and lands on the dashboard', async () => {
  await signIn(reg, key('regulator'));
  assert((await reg.evaluate(() => document.body.dataset.ready)) === 'dashboard', 'not on the dashboard');
  await reg.waitForFunction(() => document.querySelector('[data-state=total]') && document.querySelector('#cp-status'), null, { timeout: 20000 });
  before = await stateCounts(reg);
  assert(before.total > 0, 'no manifests counted');
  assert(await reg.$eval('#cp-status', (e) => e.classList.contains('ok')), 'checkpoint does not verify in the browser');
  assert((await reg.$$('#months svg rect.bar')).length > 0, 'no monthly chart');
  assert((await reg.$$('#cats svg rect.bar')).length > 0, 'no category chart');
  assert((await reg.$$('#capacity tbody tr')).length > 0, 'no capacity rows');
  await shot(reg, '01-dashboard');
  const reqs = await load(reg, '#/dashboard', 'dashboard');
  await reg.waitForSelector('#cp-status');
  // A handful of requests: counts from /v1/stats?by=state, capacity from /v1/capacity, one each.
  assert(count(reqs, /^\/v1\/stats\?by=state$/) === 1, 'by=state asked ' + count(reqs, /^\/v1\/stats\?by=state$/) + ' times');
  assert(count(reqs, /^\/v1\/capacity\?year=\d{4}$/) === 1, 'capacity not asked once: ' + reqs.join(' '));
  assert(count(reqs, /^\/v1\/(manifests|parties)/) === 0, 'the dashboard lists manifests or parties: ' + reqs.join(' '));
  assert(reqs.length <= 8, `${reqs.length} requests: ${reqs.join(' ')}`);
  notes.push(`dashboard requests (${reqs.length}): ${reqs.join(' ')}`);
  const cap = await api(reg, '/v1/capacity?year=' + await reg.$eval('main h1 + .muted', (e) => e.textContent));
  assert((await reg.$$('#capacity tbody tr')).length === Math.min(12, cap.body.items.filter((c) => c.capacity_g > 0).length), 'capacity rows differ from /v1/capacity');
});

let overdue = null;
await step('an overdue manifest is two clicks from the dashboard', async () => {
  await reg.waitForSelector('#rule-chips .chip[data-rule="receipt.overdue"]', { timeout: 10000 });
  await reg.click('#rule-chips .chip[data-rule="receipt.overdue"]');
  const rows = await reg.$$eval('#anomalies tr.anomaly', (trs) => trs.map((t) => t.dataset.rule));
  assert(rows.length > 0 && rows.every((r) => r === 'receipt.overdue'), 'filter did not keep only overdue rows');
  await shot(reg, '02-dashboard-overdue');
  overdue = await reg.$eval('#anomalies tr.anomaly a.mono', (a) => a.textContent);
  await reg.evaluate(() => document.body.removeAttribute('data-ready'));
  await reg.click('#anomalies tr.anomaly a.mono');
  await reg.waitForSelector('body[data-ready="m/:n"]');
  assert((await reg.textContent('#number')) === overdue, 'wrong manifest opened');
  assert((await reg.textContent('#state')).length > 0, 'no state');
  await reg.waitForSelector('#verified-all.ok', { timeout: 15000 });
  for (const part of ['#part-producer', '#part-carrier', '#part-receiver']) assert(await reg.$(part), 'missing ' + part);
  await shot(reg, '03-manifest-detail');
});

// Checks the key requests of a detail page: none for log entries, one per key id of another
// party than the regulator at most, none when the keys are already held.
async function detailRequests(page, number, reqs, { cached = false } = {}) {
  const m = (await api(page, '/v1/manifests/' + number)).body;
  const lk = await page.evaluate(() => fetch('/v1/log/keys').then((r) => r.json()));
  const keyReqs = reqs.filter((u) => u.startsWith('/v1/keys/'));
  const want = new Set(m.events.map((e) => e.key).filter((k) => k !== lk.regulator_key_id));
  assert(count(reqs, /^\/v1\/log\/entries\//) === 0, 'the detail page read log entries: ' + reqs.join(' '));
  assert(new Set(keyReqs).size === keyReqs.length, 'a key was fetched twice: ' + keyReqs.join(' '));
  assert(keyReqs.every((u) => want.has(u.slice('/v1/keys/'.length))), 'a key not on the manifest was fetched');
  if (cached) assert(keyReqs.length === 0, 'keys fetched again: ' + keyReqs.join(' '));
  else assert(keyReqs.length === want.size, `${keyReqs.length} key requests for ${want.size} keys`);
  return { m, keys: want.size };
}

await step('manifest detail: every signature verified in the browser, timeline marks', async () => {
  const reqs = await load(reg, `#/m/${overdue}`, 'manifest detail');
  await reg.waitForSelector('#verified-all.ok', { timeout: 15000 });
  const marks = await reg.$$eval('.timeline .mark', (ms) => ms.map((m) => m.textContent));
  assert(marks.length > 0 && marks.every((m) => m === '✔'), 'marks: ' + marks.join(''));
  const { keys } = await detailRequests(reg, overdue, reqs);
  notes.push(`manifest detail ${overdue}: ${marks.length} events, ${keys} keys fetched, requests: ${reqs.join(' ')}`);
  // Back to the same manifest in this page: the keys are held, nothing is fetched again.
  await go(reg, '#/manifests');
  const again = await go(reg, `#/m/${overdue}`);
  await reg.waitForSelector('#verified-all.ok', { timeout: 15000 });
  await detailRequests(reg, overdue, again, { cached: true });
});

await step('print view: paper form with QR code (number + latest event id)', async () => {
  await reg.emulateMedia({ media: 'print' });
  assert(!(await reg.isVisible('header.top')), 'header visible in print');
  assert(await reg.isVisible('#qr svg'), 'QR not visible in print');
  await shot(reg, '04-print-view');
  await reg.pdf({ path: path.join(ART, '04-print-view.pdf'), format: 'A4' });
  await reg.emulateMedia({ media: 'screen' });
  const head = await reg.textContent('#head');
  const title = await reg.getAttribute('#qr', 'title');
  assert(title.includes(overdue) && title.endsWith(head), 'QR text lacks number or head: ' + title);
  // Decode the printed QR code when zbarimg is around (optional tool).
  const z = spawnSync('zbarimg', ['-q', '--raw', path.join(ART, '04-print-view.png')], { encoding: 'utf8' });
  // zbarimg (Debian zbar-tools, in tools/install-deps) is an independent decoder: it must read it.
  assert(z.status === 0, 'zbarimg cannot decode the printed QR code: ' + (z.stderr || z.error));
  assert(z.stdout.trim() === title, 'QR decodes to ' + z.stdout);
  notes.push('QR decoded by zbarimg: ' + z.stdout.trim());
});

await step('every event of the demo ledger verifies with the page code (js/verify.js), as the server says', async () => {
  const r = await reg.evaluate(async () => {
    const { keyring, checkManifest } = await import('/js/verify.js');
    const t = JSON.parse(sessionStorage.getItem('liandan.session')).token;
    const get = async (p) => {
      const res = await fetch(p, { headers: { Authorization: 'Bearer ' + t } });
      const b = await res.json();
      if (!res.ok) throw Object.assign(new Error(b.hint), { status: res.status });
      return b;
    };
    const lk = await (await fetch('/v1/log/keys')).json();
    let fetched = 0;
    const ring = keyring((id) => { fetched++; return get('/v1/keys/' + id); }, async () => lk);
    const numbers = [];
    let cursor = null;
    do {
      const page = await get('/v1/manifests?limit=1000' + (cursor ? '&cursor=' + cursor : ''));
      numbers.push(...page.items.map((x) => x.number));
      cursor = page.next_cursor;
    } while (cursor);
    const out = { manifests: numbers.length, events: 0, bad: [], disagree: 0, keys: new Set(), actors: new Set(), types: new Set() };
    for (let i = 0; i < numbers.length; i += 16) {
      await Promise.all(numbers.slice(i, i + 16).map(async (n) => {
        const m = await get('/v1/manifests/' + n);
        const res = await checkManifest(m, ring);
        res.forEach((x, j) => {
          const e = m.events[j];
          out.events++;
          if (e.key !== lk.regulator_key_id) out.keys.add(e.key);
          out.actors.add(e.actor);
          out.types.add(e.type);
          if (!x.ok) out.bad.push(`${n}#${j} ${e.type}: ${x.why.map((w) => w.join(' ')).join('; ')}`);
          if (x.ok !== e.verified) out.disagree++;
        });
      }));
    }
    return { ...out, keys: out.keys.size, actors: out.actors.size, types: [...out.types].sort(), fetched };
  });
  notes.push(`verified in the browser: ${r.events} events of ${r.manifests} manifests, ${r.actors} signers, ${r.keys} keys (${r.fetched} fetched), types ${r.types.join(' ')}`);
  assert(r.manifests > 0 && r.events > r.manifests, 'nothing checked');
  assert(r.bad.length === 0, r.bad.length + ' events fail: ' + r.bad.slice(0, 3).join(' | '));
  assert(r.disagree === 0, r.disagree + ' events where the browser and the server disagree');
  assert(r.fetched === r.keys, `${r.fetched} key requests for ${r.keys} keys`);
});

await step('a tampered event and a forged key certificate are caught in the browser', async () => {
  const m = (await api(reg, '/v1/manifests/' + overdue)).body;
  // 1. An event body changed on the way: its id and signature no longer match.
  const hit = m.events.findIndex((e) => e.type === 'manifest.file');
  await reg.route(`**/v1/manifests/${overdue}`, async (route) => {
    const res = await route.fetch();
    const j = await res.json();
    j.events[hit].body.lines[0].qty_g += 1000;
    await route.fulfill({ response: res, json: j });
  });
  await load(reg, `#/m/${overdue}`);
  await reg.waitForSelector('#verified-all.bad', { timeout: 15000 });
  let marks = await reg.$$eval('.timeline .mark', (ms) => ms.map((x) => x.textContent));
  assert(marks[hit] === '✘' && marks.filter((x) => x === '✔').length === marks.length - 1, 'marks after tampering: ' + marks.join(''));
  const why = await reg.getAttribute(`.check[data-i="${hit}"]`, 'data-why');
  assert(/\bsig\b/.test(why) && /\bid\b/.test(why), 'tampered event flagged for ' + why);
  await shot(reg, '04b-tampered-event');
  await reg.unroute(`**/v1/manifests/${overdue}`);
  // 2. A key certificate whose validity was stretched: it no longer verifies under the regulator key.
  const lk = await reg.evaluate(() => fetch('/v1/log/keys').then((r) => r.json()));
  const forged = m.events.find((e) => e.key !== lk.regulator_key_id).key;
  await reg.route(`**/v1/keys/${forged}`, async (route) => {
    const res = await route.fetch();
    const j = await res.json();
    j.until = j.cert.event.body.until = '2099-12-31T16:00:00Z';
    await route.fulfill({ response: res, json: j });
  });
  await load(reg, `#/m/${overdue}`);
  await reg.waitForSelector('#verified-all.bad', { timeout: 15000 });
  marks = await reg.$$eval('.timeline .mark', (ms) => ms.map((x) => x.textContent));
  const expect = m.events.map((e) => (e.key === forged ? '✘' : '✔'));
  assert(marks.join('') === expect.join(''), `marks ${marks.join('')}, expected ${expect.join('')}`);
  const why2 = await reg.getAttribute(`.check[data-i="${m.events.findIndex((e) => e.key === forged)}"]`, 'data-why');
  assert(why2 === 'key', 'forged certificate flagged for ' + why2);
  await reg.unroute(`**/v1/keys/${forged}`);
});

await step('trace graph of a consolidated batch, nodes link to manifests, bundle export', async () => {
  const summary = fs.readFileSync(path.join(path.dirname(DEMO), 'summary.txt'), 'utf8');
  const consol = /consolidated at a collector\s+(\d{14})/.exec(summary)?.[1] || /closed, two lines\s+(\d{14})/.exec(summary)[1];
  await load(reg, `#/trace/${consol}`, 'trace');
  await reg.waitForSelector('#trace-svg');
  const nodes = await reg.$$eval('#trace-svg g.node', (gs) => gs.map((g) => g.dataset.id));
  assert(nodes.length >= 2, 'too few nodes: ' + nodes.length);
  assert((await reg.$$('#trace-svg g.node a')).length === nodes.length, 'nodes are not links');
  assert((await reg.$$('#trace-svg .qty')).length > 0, 'no quantities on edges');
  await shot(reg, '05-trace');
  const dl = reg.waitForEvent('download', { timeout: 15000 });
  await reg.click('#bundle');
  const d = await dl;
  const saved = path.join(ART, 'trace-bundle.json');
  await d.saveAs(saved);
  JSON.parse(fs.readFileSync(saved, 'utf8'));
});

// Licences as the server gives them ({scope:[{item,licensed,capacity_g}]}) or as events carry them.
const norm = (l) => (l.scope ? { ...l, codes: l.scope.filter((x) => x.licensed && !/^[RDCY]\d+$/.test(x.item)).map((x) => x.item), methods: l.scope.filter((x) => x.licensed && /^[RDCY]\d+$/.test(x.item)).map((x) => x.item) } : l);
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
await step('plan a new manifest from the demo parties (receiver licence, carrier permit; all from the API)', async () => {
  const recv = (await api(reg, '/v1/parties/' + RECEIVER)).body;
  const lic = recv.licences.map(norm).find((l) => l.kind === 'disposal');
  assert(lic, 'demo receiver lacks a disposal licence');
  const cat = fs.readFileSync(new URL('../../data/hw-catalogue-2021.csv', import.meta.url), 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(','));
  let code = lic.codes.find((c) => /^\d{3}-\d{3}-\d{2}$/.test(c));
  if (!code) { const catg = lic.codes[0]; code = cat.find((r) => r[0] === catg && !r[3].startsWith('900-000'))?.[3]; }
  // The receivers licensed for the code (GET /v1/directory) include ours; one that is not, for the refusal.
  const licensed = (await api(reg, '/v1/directory?role=receiver&code=' + code)).body.items.map((p) => p.id);
  assert(licensed.includes(RECEIVER), 'the directory does not list the demo receiver for ' + code);
  const all = (await api(reg, '/v1/directory?role=receiver')).body.items.map((p) => p.id);
  const unlicensed = all.find((id) => !licensed.includes(id));
  // A vehicle of the carrier's permit valid today: the API lists the permit's plates.
  const carriers = (await api(reg, '/v1/directory?role=carrier')).body.items;
  const carr = carriers.find((p) => p.id === CARRIER);
  assert(carr, 'the directory does not list the demo carrier');
  const permits = carr.licences.filter((l) => l.kind === 'transport' && l.valid_from <= today && today <= l.valid_until);
  const vehicles = [...new Set(permits.flatMap((l) => l.vehicles || []))].filter((v) => !v.endsWith('挂')).sort();
  const own = (await api(reg, '/v1/parties/' + CARRIER)).body.licences.filter((l) => l.kind === 'transport').flatMap((l) => l.vehicles || []);
  assert(vehicles.every((v) => own.includes(v)), 'directory and party record disagree on the permit vehicles');
  plan = { code, method: lic.methods[0], vehicle: vehicles[0], vehicles, unlicensed, licensed: licensed.length, carriers: carriers.length };
  notes.push('new manifest plan: ' + JSON.stringify({ ...plan, vehicles: vehicles.length }));
  assert(code && plan.vehicle && unlicensed, 'incomplete plan ' + JSON.stringify(plan));
});

await step('language switch: English and back', async () => {
  await go(reg, '#/dashboard');
  await reg.click('#lang');
  await reg.waitForSelector('body[data-ready=dashboard]');
  assert((await reg.textContent('main h1')).includes('Regulator dashboard'), 'not English');
  assert((await reg.getAttribute('html', 'lang')) === 'en', 'html lang not en');
  await reg.waitForSelector('#cp-status');
  await shot(reg, '06-dashboard-english');
  await reg.click('#lang');
  await reg.waitForSelector('body[data-ready=dashboard]');
  assert((await reg.textContent('main h1')).includes('监管总览'), 'not back to Chinese');
});

await step('party registry: list, party page with keys and licences', async () => {
  await load(reg, '#/manifests', 'manifest search');
  assert((await reg.$$('#results tbody tr')).length > 0, 'no manifests listed');
  await load(reg, '#/parties', 'party registry');
  assert((await reg.$$('#party-list tbody tr')).length > 0, 'no parties');
  await shot(reg, '07-parties');
  await load(reg, '#/parties/' + PRODUCER, 'party');
  assert((await reg.$$('#keys tbody tr')).length > 0, 'no keys listed');
  await shot(reg, '08-party');
});

// GB 32100-2015 check character of a USCC's first 17 characters.
function uscc(first17) {
  const cs = '0123456789ABCDEFGHJKLMNPQRTUWXY', w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((t, ch, i) => t + cs.indexOf(ch) * w[i], 0);
  return first17 + cs[(31 - (sum % 31)) % 31];
}
await step('regulator registers a new party through the registry form', async () => {
  await load(reg, '#/parties', 'party registry');
  const id = uscc('91210213MA' + String(Date.now() % 1e7).padStart(7, '0'));
  await reg.fill('#r-id', id);
  await reg.fill('#r-name', '大连网页测试化工有限公司');
  await reg.check('[data-field=roles] input[value=producer]');
  await reg.click('#register');
  await reg.waitForSelector('#registered .form-ok', { timeout: 15000 });
  const r = await api(reg, '/v1/parties/' + id);
  assert(r.status === 200 && r.body.roles.includes('producer'), 'party not registered: ' + JSON.stringify(r));
  await load(reg, '#/parties/' + PRODUCER, 'party');
});

// An encrypted key file: the regulator certifies it for the producer on the
// party page; the producer then signs in with it and its passphrase.
const encKey = path.join(TMP, 'producer-enc.key');
await step('regulator certifies an encrypted key in the registry page', async () => {
  execFileSync(LIANDAN, ['keygen', '--name', PRODUCER, '-o', encKey], { env: { ...process.env, LIANDAN_PASSPHRASE: '口令 test-pass' }, stdio: 'ignore' });
  await reg.fill('#k-pub', fs.readFileSync(encKey + '.pub', 'utf8').trim());
  await reg.click('#key-form button[type=submit]');
  await reg.waitForSelector('#key-form .form-ok', { timeout: 15000 });
});

const prod = await newPage();
await step('producer signs in with an encrypted key file (Argon2id in the browser)', async () => {
  const t0 = Date.now();
  await signIn(prod, encKey, '口令 test-pass');
  notes.push(`encrypted key opened and signed in in ${Date.now() - t0} ms`);
  assert((await prod.evaluate(() => document.body.dataset.ready)) === 'work', 'producer not on work page');
  await shot(prod, '09-producer-work');
});

await step('a wrong passphrase is refused next to the passphrase field', async () => {
  const p = await newPage();
  await load(p, '#/login', 'sign in');
  await p.setInputFiles('#keyfile', encKey);
  await p.fill('#passphrase', 'wrong');
  await p.click('#signin');
  await p.waitForSelector('#passphrase + .field-error', { timeout: 30000 });
  await p.context().close();
});

// Fills the filing form; the receiver and the carrier are picked from what
// the page offers (GET /v1/directory), or typed when receiverManual is given.
async function fillManifest(page, receiverManual) {
  await page.fill('#p-address', '辽宁省大连市测试路1号');
  await page.fill('#p-contact', '测试员');
  await page.fill('#p-phone', '0411-80000000');
  await page.fill('#p-emergency', '0411-80000119');
  await page.fill('.line-card .code-search', plan.code.slice(0, 7));
  await page.click(`.line-card .suggest button[data-code="${plan.code}"]`);
  await page.fill('.line-card .constituents', '矿物油');
  await page.fill('.line-card .packaging', '铁桶');
  await page.fill('.line-card .packages', '4');
  await page.fill('.line-card .qty', '800.5');
  await page.fill('.line-card .emergency', '泄漏时用沙土围堵吸附');
  // The receivers offered are those licensed for the code.
  await page.waitForSelector(`#receiver-select[data-codes="${plan.code}"]:not([disabled])`, { timeout: 10000 });
  const offered = await page.$$eval('#receiver-select option', (os) => os.map((o) => o.value).filter(Boolean));
  assert(offered.includes(RECEIVER), 'the licensed receiver is not offered');
  assert(!offered.includes(plan.unlicensed), 'an unlicensed receiver is offered');
  assert(offered.length >= plan.licensed, `${offered.length} receivers offered, ${plan.licensed} licensed`);
  const carriers = await page.$$eval('#carrier-select option', (os) => os.map((o) => o.value).filter(Boolean));
  assert(carriers.includes(CARRIER) && carriers.length === plan.carriers, `carriers offered: ${carriers.length} of ${plan.carriers}`);
  await page.selectOption('#carrier-select', CARRIER);
  if (receiverManual) await page.fill('#receiver-manual', receiverManual);
  else await page.selectOption('#receiver-select', RECEIVER);
}

// Signs the filled filing form; returns the number the ledger issued.
async function signFiling(page) {
  await page.click('#sign-file');
  await page.waitForSelector('#filed-number', { timeout: 15000 });
  return page.textContent('#filed-number');
}

// The carrier (page `carr`, a phone) picks manifest `number` up with the
// demo crew and a plate of its permit, through the pickup form.
async function pickUpOnPhone(number) {
  await load(carr, `#/act/${number}/pickup`, 'pickup form (phone)');
  await carr.click(`#permit-plates button.plate[data-plate="${plan.vehicle}"]`);
  await fillCrew(carr);
  await carr.click('#sign');
  await carr.waitForSelector('#done .form-ok', { timeout: 15000 });
}

async function fillCrew(page) {
  await page.fill('#driver-name', '王师傅');
  await page.fill('#driver-licence', '210200123456');
  await page.fill('#escort-name', '李押运');
  await page.fill('#escort-licence', '210200654321');
}

await step('producer files a manifest: a refusal is shown next to its field, then filed', async () => {
  await load(prod, '#/file', 'file a manifest');
  await fillManifest(prod, plan.unlicensed);
  // hazard characteristics were filled from the code
  assert((await prod.$$('.line-card .hazards input:checked')).length > 0, 'no hazard filled from the code');
  await prod.click('#sign-file');
  await prod.waitForSelector('.field-error', { timeout: 15000 });
  const where = await prod.$eval('.field-error', (e) => e.previousElementSibling?.dataset.field || e.previousElementSibling?.querySelector('[data-field]')?.dataset.field);
  const said = await refusalWords(prod, '.field-error');
  notes.push(`refusal shown next to ${where}: ${said.zh} (${said.en})`);
  assert(saidInChinese(said) && said.zh.includes(plan.unlicensed), 'filing refusal not said in Chinese: ' + JSON.stringify(said));
  assert(where && /lines\[0\]\.code|receiver/.test(where), 'refusal not next to the code or receiver field: ' + where);
  await shot(prod, '10-file-refused');
  await prod.fill('#receiver-manual', '');
  await prod.selectOption('#receiver-select', RECEIVER);
  await prod.click('#sign-file');
  await prod.waitForSelector('#filed-number', { timeout: 15000 });
  filedNumber = await prod.textContent('#filed-number');
  await shot(prod, '11-file-filed');
  const reqs = await go(prod, '#/m/' + filedNumber, 'manifest detail (producer)');
  await prod.waitForSelector('#verified-all.ok', { timeout: 15000 });
  await detailRequests(prod, filedNumber, reqs);
});

// The carrier works from a phone.
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const carr = await newPage(phone);
await step('carrier on a phone: pending pickup, signs pickup and arrival', async () => {
  await signIn(carr, key('carrier'));
  await carr.waitForSelector(`#pickups .task[data-number="${filedNumber}"]`, { timeout: 15000 });
  const width = await carr.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= 400, 'page wider than the phone: ' + width);
  await shot(carr, '12-carrier-phone-work');
  await load(carr, '#/work', 'work (carrier, phone)');
  await carr.waitForSelector(`#pickups .task[data-number="${filedNumber}"]`);
  await load(carr, `#/act/${filedNumber}/pickup`, 'pickup form (phone)');
  // The form suggests the plates of the carrier's permit (from the API): tap one.
  const chips = await carr.$$eval('#permit-plates button.plate[data-target=vehicle]', (bs) => bs.map((b) => b.dataset.plate));
  assert(chips.join(' ') === plan.vehicles.join(' '), 'plates offered differ from the permit: ' + chips.join(' '));
  const listed = await carr.$$eval('#plates option', (os) => os.map((o) => o.value));
  assert(listed.join(' ') === plan.vehicles.join(' '), 'datalist differs from the permit');
  await carr.click(`#permit-plates button.plate[data-plate="${plan.vehicle}"]`);
  assert((await carr.inputValue('#vehicle')) === plan.vehicle, 'tapping the plate did not fill the field');
  assert((await carr.getAttribute(`#permit-plates button.plate[data-plate="${plan.vehicle}"]`, 'aria-pressed')) === 'true', 'the tapped plate is not shown chosen');
  await fillCrew(carr);
  await shot(carr, '13-carrier-phone-pickup');
  await carr.click('#sign');
  await carr.waitForSelector('#done .form-ok', { timeout: 15000 });
  await go(carr, '#/work', 'work (carrier)');
  await carr.waitForSelector(`#transit .task[data-number="${filedNumber}"]`);
  await carr.click(`#transit .task[data-number="${filedNumber}"] a[data-act=arrive]`);
  await carr.waitForSelector('body[data-ready="act/:n/:kind"]');
  await carr.click('#sign');
  await carr.waitForSelector('#done .form-ok', { timeout: 15000 });
});

const recv = await newPage();
await step('receiver accepts with per-line quantities, then records disposal', async () => {
  await signIn(recv, key('receiver'));
  await recv.waitForSelector(`#arrived .task[data-number="${filedNumber}"]`, { timeout: 15000 });
  await shot(recv, '14-receiver-work');
  await go(recv, `#/act/${filedNumber}/accept`, 'accept form');
  await recv.fill('.line-card .rcv', '799.8');
  await recv.fill('.line-card .acc', '799.8');
  await recv.click('#sign');
  await recv.waitForSelector('#done .form-ok', { timeout: 15000 });
  await go(recv, `#/act/${filedNumber}/dispose`, 'dispose form');
  const methods = await recv.$$eval('.method option', (os) => os.map((o) => o.value));
  if (methods.includes(plan.method)) await recv.selectOption('.method', plan.method);
  assert((await recv.inputValue('.dq')) === '799.8', 'disposal quantity not prefilled with what is left');
  await shot(recv, '15-receiver-dispose');
  await recv.click('#sign');
  await recv.waitForSelector('#done .form-ok', { timeout: 15000 });
  const reqs = await go(recv, '#/m/' + filedNumber, 'manifest detail (receiver)');
  assert((await recv.textContent('#state')).includes('已办结'), 'not closed: ' + await recv.textContent('#state'));
  // The receiver sees every signature checked, the producer's and the carrier's too.
  await recv.waitForSelector('#verified-all.ok', { timeout: 15000 });
  const marks = await recv.$$eval('.timeline .mark', (ms) => ms.map((x) => x.textContent));
  assert(marks.length === 5 && marks.every((x) => x === '✔'), 'marks: ' + marks.join(''));
  const { m, keys } = await detailRequests(recv, filedNumber, reqs);
  const signers = new Set(m.events.map((e) => e.actor));
  assert([PRODUCER, CARRIER, RECEIVER].every((p) => signers.has(p)) && keys === 3, `signers ${[...signers]} keys ${keys}`);
  await shot(recv, '16-receiver-closed');
});

await step('dashboard counts and the trace graph changed accordingly', async () => {
  await load(reg, '#/dashboard', 'dashboard');
  await reg.waitForFunction(() => document.querySelector('[data-state=total]'));
  const after = await stateCounts(reg);
  assert(after.total === before.total + 1, `total ${before.total} -> ${after.total}`);
  assert(after.closed === before.closed + 1, `closed ${before.closed} -> ${after.closed}`);
  await load(reg, `#/trace/${filedNumber}-01`, 'trace');
  await reg.waitForSelector('#trace-svg');
  const ids = await reg.$$eval('#trace-svg g.node', (gs) => gs.map((g) => g.dataset.id));
  assert(ids.includes(`${filedNumber}-01`) && ids.some((i) => i.includes('disposal')), 'trace lacks the line or its disposal: ' + ids);
  // The carrier stage: the leg picked up on the phone, between the line and its disposal,
  // with the carrier's name and the plate tapped; the vehicle is in the permit: not an anomaly.
  const carrierName = (await api(reg, '/v1/parties/' + CARRIER)).body.name;
  const leg = `${filedNumber}-01:leg1`;
  const node = await reg.$eval(`#trace-svg g.node.carrier[data-id="${leg}"]`, (g) => ({
    cls: g.getAttribute('class'), carrier: g.dataset.carrier, text: [...g.querySelectorAll('text')].map((x) => x.textContent),
    title: g.querySelector('title').textContent, href: g.querySelector('a').getAttribute('href'),
  })).catch(() => null);
  assert(node, 'no carrier node in the trace: ' + ids);
  assert(node.carrier === CARRIER && node.title.includes(carrierName), 'carrier node does not name the carrier: ' + JSON.stringify(node));
  assert(carrierName.startsWith(node.text[0].replace(/…$/, '')), 'carrier name not shown: ' + node.text[0]);
  assert(node.text.some((x) => x.includes(plan.vehicle)), `plate ${plan.vehicle} not shown: ${node.text}`);
  assert(!/\banomaly\b/.test(node.cls), 'a vehicle of the permit is marked as an anomaly');
  assert(node.href === `#/m/${filedNumber}`, 'carrier node links to ' + node.href);
  const edges = await reg.$$eval('#trace-svg g.edge-g', (gs) => gs.map((g) => `${g.dataset.from}>${g.dataset.to}`));
  assert(edges.includes(`${filedNumber}-01>${leg}`) && edges.includes(`${leg}>${filedNumber}-01:disposal`), 'carrier not between the line and its disposal: ' + edges);
  await shot(reg, '17-trace-new');
  // On a phone the graph runs top to bottom and fits the screen.
  await reg.setViewportSize({ width: 390, height: 844 });
  try {
    await reg.waitForSelector('#trace-svg.vertical', { timeout: 5000 });
    const w = await reg.evaluate(() => ({ page: document.documentElement.scrollWidth, svg: document.querySelector('#trace-svg').getBoundingClientRect().width }));
    assert(w.page <= 400 && w.svg <= 390, 'trace wider than the phone: ' + JSON.stringify(w));
    assert(await reg.$(`#trace-svg g.node.carrier[data-id="${leg}"]`), 'no carrier node on the phone');
    await shot(reg, '17b-trace-new-phone');
  } finally {
    await reg.setViewportSize({ width: 1280, height: 900 });
  }
});

await step('the QR check page proves the latest event is in the ledger (public)', async () => {
  const p = await newPage(phone);
  const m = (await api(reg, '/v1/manifests/' + filedNumber)).body;
  const head = m.head || m.events.at(-1).id;
  // wait until a checkpoint covers the event (the server signs about every second)
  for (let i = 0; i < 30; i++) {
    await load(p, `#/check/${filedNumber}/${head}`, 'QR check');
    if (await p.$('#incl .ok')) break;
    await p.waitForTimeout(500);
  }
  await shot(p, '18-qr-check-phone');
  assert(await p.$('#incl .ok'), 'inclusion not proven: ' + await p.textContent('#incl'));
  await p.context().close();
});

// The producer's cancellation (before pickup) through the pages: the detail
// page offers it, the form wants a reason, the detail page then shows the
// cancelled state with the cancel event verified here; the dashboard counts it.
let cancelNumber = null;
await step('producer files a manifest, then cancels it through the pages with a reason', async () => {
  await load(reg, '#/dashboard', 'dashboard');
  await reg.waitForFunction(() => document.querySelector('[data-state=total]'));
  const was = await stateCounts(reg);
  await load(prod, '#/file', 'file a manifest');
  await fillManifest(prod);
  cancelNumber = await signFiling(prod);
  await go(prod, '#/m/' + cancelNumber, 'manifest detail (producer)');
  await prod.waitForSelector('#verified-all.ok', { timeout: 15000 });
  // The detail page offers the producer the cancellation while the manifest is filed.
  await prod.click(`a.button[href="#/act/${cancelNumber}/cancel"]`);
  await prod.waitForSelector('body[data-ready="act/:n/:kind"]');
  // Without a reason: refused next to the reason field, nothing signed.
  await prod.click('#sign');
  await prod.waitForSelector('#reason + .field-error, [data-field=reason] + .field-error', { timeout: 5000 });
  assert((await api(prod, '/v1/manifests/' + cancelNumber)).body.state === 'filed', 'cancelled without a reason');
  await prod.fill('#reason', '客户更改处置计划，本批次不再转移');
  await shot(prod, '19-producer-cancel');
  await prod.click('#sign');
  await prod.waitForSelector('#done .form-ok', { timeout: 15000 });
  await prod.click('#back-to-manifest');
  await prod.waitForSelector('body[data-ready="m/:n"]');
  assert((await prod.textContent('#number')) === cancelNumber, 'wrong manifest opened');
  assert((await prod.textContent('#state')).includes('已作废'), 'not cancelled: ' + await prod.textContent('#state'));
  await prod.waitForSelector('#verified-all.ok', { timeout: 15000 });
  const m = (await api(prod, '/v1/manifests/' + cancelNumber)).body;
  const types = m.events.map((e) => e.type);
  assert(m.state === 'cancelled' && types.join(' ') === 'manifest.file manifest.cancel', 'events: ' + types.join(' '));
  assert(m.events[1].body.reason === '客户更改处置计划，本批次不再转移', 'reason not signed: ' + JSON.stringify(m.events[1].body));
  const marks = await prod.$$eval('.timeline .mark', (ms) => ms.map((x) => x.textContent));
  assert(marks.length === 2 && marks.every((x) => x === '✔'), 'marks: ' + marks.join(''));
  assert((await prod.textContent('.check[data-i="1"]')).length > 0, 'no verification note on the cancel event');
  // Nothing more is offered on a cancelled manifest.
  assert(!(await prod.$(`a.button[href^="#/act/${cancelNumber}/"]`)), 'an action is still offered on a cancelled manifest');
  await shot(prod, '20-producer-cancelled');
  await load(reg, '#/dashboard', 'dashboard');
  await reg.waitForFunction(() => document.querySelector('[data-state=total]'));
  const now = await stateCounts(reg);
  assert(now.cancelled === (was.cancelled || 0) + 1, `cancelled ${was.cancelled} -> ${now.cancelled}`);
  assert(now.total === was.total + 1, `total ${was.total} -> ${now.total}`);
  notes.push(`cancelled ${cancelNumber}: dashboard cancelled ${was.cancelled} -> ${now.cancelled}`);
});

// A whole load rejected at the gate: filed, picked up and brought on the
// carrier's phone, rejected by the receiver with a reason; the trace of the
// batch shows the rejected part (NUMBER-01R).
let rejectNumber = null;
await step('receiver rejects a whole load through the reject form; the trace shows the rejected part', async () => {
  await load(prod, '#/file', 'file a manifest');
  await fillManifest(prod);
  rejectNumber = await signFiling(prod);
  // The carrier, on the phone: pickup, then arrival.
  await pickUpOnPhone(rejectNumber);
  await go(carr, '#/work', 'work (carrier)');
  await carr.waitForSelector(`#transit .task[data-number="${rejectNumber}"]`);
  await carr.click(`#transit .task[data-number="${rejectNumber}"] a[data-act=arrive]`);
  await carr.waitForSelector('body[data-ready="act/:n/:kind"]');
  await carr.click('#sign');
  await carr.waitForSelector('#done .form-ok', { timeout: 15000 });
  // The receiver: from the work list's reject link.
  await load(recv, '#/work', 'work (receiver)');
  await recv.waitForSelector(`#arrived .task[data-number="${rejectNumber}"]`, { timeout: 15000 });
  await recv.click(`#arrived .task[data-number="${rejectNumber}"] a[data-act=reject]`);
  await recv.waitForSelector('body[data-ready="act/:n/:kind"]');
  assert(await recv.isChecked('input[name=whole][value="1"]'), 'whole-load rejection is not the default');
  assert(await recv.isHidden('#per-line'), 'per-line quantities shown for a whole-load rejection');
  await recv.click('#sign');
  await recv.waitForSelector('#reason + .field-error, [data-field=reason] + .field-error', { timeout: 5000 });
  assert((await api(recv, '/v1/manifests/' + rejectNumber)).body.state === 'arrived', 'rejected without a reason');
  const reason = '包装破损渗漏，与联单所列包装不符';
  await recv.fill('#reason', reason);
  await shot(recv, '21-receiver-reject');
  await recv.click('#sign');
  await recv.waitForSelector('#done .form-ok', { timeout: 15000 });
  await recv.click('#back-to-manifest');
  await recv.waitForSelector('body[data-ready="m/:n"]');
  assert((await recv.textContent('#state')).includes('已拒收'), 'not rejected: ' + await recv.textContent('#state'));
  await recv.waitForSelector('#verified-all.ok', { timeout: 15000 });
  const m = (await api(recv, '/v1/manifests/' + rejectNumber)).body;
  const last = m.events.at(-1);
  assert(m.state === 'rejected' && last.type === 'receipt.reject' && last.body.reason === reason && !last.body.lines, 'reject event: ' + JSON.stringify(last));
  const marks = await recv.$$eval('.timeline .mark', (ms) => ms.map((x) => x.textContent));
  assert(marks.length === 4 && marks.every((x) => x === '✔'), 'marks: ' + marks.join(''));
  assert((await recv.textContent('#part-receiver')).includes(reason), 'the reason is not shown in the receiver part');
  await shot(recv, '22-receiver-rejected');
  // The trace of its batch: the line, and its rejected part.
  const line = `${rejectNumber}-01`, rej = `${rejectNumber}-01R`;
  await load(reg, `#/trace/${line}`, 'trace');
  await reg.waitForSelector('#trace-svg');
  const ids = await reg.$$eval('#trace-svg g.node', (gs) => gs.map((g) => g.dataset.id));
  assert(ids.includes(line) && ids.includes(rej), 'trace lacks the line or its rejected part: ' + ids);
  assert(await reg.$(`#trace-svg g.node[data-id="${rej}"] a[href="#/m/${rejectNumber}"]`), 'the rejected part does not link to its manifest');
  const edges = await reg.$$eval('#trace-svg g.edge-g', (gs) => gs.map((g) => `${g.dataset.from}>${g.dataset.to}`));
  assert(edges.some((e) => e.endsWith('>' + rej)), 'no edge into the rejected part: ' + edges);
  notes.push(`rejected ${rejectNumber}: trace nodes ${ids.join(' ')}; edges ${edges.join(' ')}`);
  await shot(reg, '23-trace-rejected');
});

// A second carrier and a second receiver, registered by the regulator; on
// their party pages a transport permit and a disposal licence are recorded
// (each refused first, next to its field, with nothing stored), and the
// carrier gets a key: it takes over a load below.
const PERMIT_PLATES = ['辽B2H837', '辽B7T115'];
const year = Number(today.slice(0, 4));
let carrier2 = null, receiver2 = null;
const carrier2Key = path.join(TMP, 'carrier2.key');
// Submits a party-page form and waits for the page to reload (party.js reloads after a recorded event).
async function recordAndReload(page, form) {
  await page.evaluate(() => { window.liandanBeforeReload = 1; });
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector(`${form} .form-ok`, { timeout: 15000 });
  await page.waitForFunction(() => !window.liandanBeforeReload && document.body.dataset.ready === 'parties/:id', null, { timeout: 15000 });
}
// Submits a form expected to be refused; returns {field: id of the input
// marked, message: the page-language words, en: the server's English}.
async function refusedAt(page, form) {
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector(`${form} .field-error`, { timeout: 15000 });
  const w = await refusalWords(page, `${form} .field-error`);
  assert(saidInChinese(w), 'refusal not said in Chinese: ' + JSON.stringify(w));
  return { field: await page.$eval(`${form} .field-error`, (e) => e.previousElementSibling?.id), message: w.zh, en: w.en };
}
async function register(page, id, name, roles) {
  await load(page, '#/parties', 'party registry');
  await page.fill('#r-id', id);
  await page.fill('#r-name', name);
  for (const r of roles) await page.check(`[data-field=roles] input[value=${r}]`);
  await page.click('#register');
  await page.waitForSelector('#registered .form-ok', { timeout: 15000 });
}
await step('regulator records a transport permit and a disposal licence on the party page; refusals shown at their fields, nothing stored', async () => {
  const base = Date.now() % 1e7;
  carrier2 = uscc('91210213MA' + String((base + 1) % 1e7).padStart(7, '0'));
  receiver2 = uscc('91210213MA' + String((base + 2) % 1e7).padStart(7, '0'));
  await register(reg, carrier2, '大连网页测试联运物流有限公司', ['carrier']);
  await register(reg, receiver2, '大连网页测试环保处置有限公司', ['receiver']);

  // The carrier's page: a permit form, no licence form.
  await load(reg, '#/parties/' + carrier2, 'party');
  assert(await reg.$('#permit-form') && !(await reg.$('#licence-form')), 'a carrier is offered the wrong forms');
  const permitNo = '辽交运危 2102' + String(base).slice(-4);
  await reg.fill('#t-number', permitNo);
  await reg.fill('#t-from', `${year}-01-01`);
  await reg.fill('#t-until', `${year + 1}-12-31`);
  await reg.fill('#t-vehicles', `${PERMIT_PLATES[0]} AB12345`);
  let r = await refusedAt(reg, '#permit-form');
  assert(r.field === 't-vehicles' && r.message.includes('AB12345'), 'bad plate refused at ' + JSON.stringify(r));
  await shot(reg, '24-permit-refused');
  await reg.fill('#t-vehicles', PERMIT_PLATES.join(' '));
  await reg.fill('#t-until', `${year - 1}-12-31`);
  r = await refusedAt(reg, '#permit-form');
  assert(r.field === 't-until' && /早于/.test(r.message) && /before/.test(r.en), 'until before from refused at ' + JSON.stringify(r));
  assert((await api(reg, '/v1/parties/' + carrier2)).body.licences.length === 0, 'a refused permit was stored');
  await reg.fill('#t-until', `${year + 1}-12-31`);
  await recordAndReload(reg, '#permit-form');
  const shown = await reg.$$eval('.licence', (ds) => ds.map((d) => d.textContent.replace(/\s+/g, ' ')));
  assert(shown.length === 1 && shown[0].includes(permitNo) && PERMIT_PLATES.every((p) => shown[0].includes(p)) && shown[0].includes(`${year}-01-01`), 'permit not listed: ' + shown);
  const lic = (await api(reg, '/v1/parties/' + carrier2)).body.licences;
  assert(lic.length === 1 && lic[0].kind === 'transport' && lic[0].vehicles.join(' ') === PERMIT_PLATES.join(' '), 'permit stored as ' + JSON.stringify(lic));
  assert((await api(reg, '/v1/directory?role=carrier')).body.items.some((p) => p.id === carrier2), 'the directory does not list the permitted carrier');
  plan.carriers++; // the filing form offers it from now on
  // And a key for it (clear key file, as the demo's).
  execFileSync(LIANDAN, ['keygen', '--name', carrier2, '-o', carrier2Key, '--no-passphrase'], { stdio: 'ignore' });
  await reg.fill('#k-pub', fs.readFileSync(carrier2Key + '.pub', 'utf8').trim());
  await recordAndReload(reg, '#key-form');
  assert((await reg.$$('#keys tbody tr')).length === 1 && (await reg.textContent('#keys tbody tr')).includes('有效'), 'the certified key is not listed valid');
  await shot(reg, '25-party-permit');

  // The receiver's page: a licence form, no permit form.
  await load(reg, '#/parties/' + receiver2, 'party');
  assert(await reg.$('#licence-form') && !(await reg.$('#permit-form')), 'a receiver is offered the wrong forms');
  const licNo = '辽危废经许 2102' + String(base).slice(-4);
  await reg.selectOption('#l-kind', 'disposal');
  await reg.fill('#l-number', licNo);
  await reg.fill('#l-from', `${year}-01-01`);
  await reg.fill('#l-until', `${year + 4}-12-31`);
  await reg.fill('#l-codes', `${plan.code} 999-999-99`);
  await reg.fill('#l-methods', 'D10 R9');
  await reg.fill('#l-capacity', 'HW08=500');
  r = await refusedAt(reg, '#licence-form');
  assert(r.field === 'l-codes' && /名录/.test(r.message) && r.message.includes('999-999-99') && /catalogue/.test(r.en), 'unknown code refused at ' + JSON.stringify(r));
  await shot(reg, '26-licence-refused');
  assert((await api(reg, '/v1/parties/' + receiver2)).body.licences.length === 0, 'a refused licence was stored');
  assert(!(await api(reg, '/v1/directory?role=receiver&code=' + plan.code)).body.items.some((p) => p.id === receiver2), 'listed for the code before its licence');
  await reg.fill('#l-codes', `${plan.code} HW08`);
  await recordAndReload(reg, '#licence-form');
  const listed = await reg.$$eval('.licence', (ds) => ds.map((d) => d.textContent.replace(/\s+/g, ' ')));
  assert(listed.length === 1 && listed[0].includes(licNo) && listed[0].includes(plan.code) && listed[0].includes('HW08') && /D10 R9/.test(listed[0]) && listed[0].includes('HW08 500 t'), 'licence not listed: ' + listed);
  const stored = (await api(reg, '/v1/parties/' + receiver2)).body.licences.map(norm);
  assert(stored.length === 1 && stored[0].kind === 'disposal' && stored[0].codes.includes(plan.code) && stored[0].methods.join(' ') === 'D10 R9', 'licence stored as ' + JSON.stringify(stored));
  assert((await api(reg, '/v1/directory?role=receiver&code=' + plan.code)).body.items.some((p) => p.id === receiver2), 'the directory does not list the newly licensed receiver');
  await shot(reg, '27-party-licence');
});

// Multimodal transport (DESIGN §5, rules_transport.c): the planned carrier
// picks up; the next leg's carrier, not named on the manifest and so unable
// to read it, takes the load over from its QR code and signs the hand-over;
// it then signs the arrival, and the receiver accepts.
let handNumber = null;
const carr2 = await newPage(phone);
await step('hand-over between two carriers: the next carrier takes over from the QR code, then signs arrival', async () => {
  await load(prod, '#/file', 'file a manifest');
  await fillManifest(prod);
  handNumber = await signFiling(prod);
  // Carrier 1 picks up on its phone.
  await pickUpOnPhone(handNumber);
  // Its manifest page offers the arrival, not a hand-over (the next carrier signs that), and says so.
  await load(carr, '#/m/' + handNumber, 'manifest detail (carrier, phone)');
  assert(await carr.$(`a.button[href="#/act/${handNumber}/arrive"]`), 'arrival not offered to the carrier holding the load');
  assert(!(await carr.$(`a.button[href="#/act/${handNumber}/handover"]`)), 'the carrier holding the load is offered the hand-over');
  assert(await carr.isVisible('#handover-hint'), 'no hint how a hand-over is signed');
  const qrText = await carr.getAttribute('#qr', 'title');
  const head = (await api(carr, '/v1/manifests/' + handNumber)).body.head;
  assert(qrText.endsWith(`#/check/${handNumber}/${head}`), 'QR text ' + qrText);
  await shot(carr, '28-carrier1-in-transit');

  // Carrier 2 signs in; it is not on the manifest: the server does not let it read it.
  await signIn(carr2, carrier2Key);
  assert((await carr2.evaluate(() => document.body.dataset.ready)) === 'work', 'carrier 2 not on its work page');
  const refused = await api(carr2, '/v1/manifests/' + handNumber);
  assert(refused.status === 403, 'carrier 2 reads a manifest it is not on: ' + refused.status);
  assert((await api(carr2, '/v1/heads/m:' + handNumber)).status === 403, 'carrier 2 reads the head of a manifest it is not on');
  // From its work page: the take-over form, filled by pasting the QR code's text.
  await carr2.click('a[href="#/act/0/handover"]');
  await carr2.waitForSelector('body[data-ready="act/:n/:kind"]');
  await carr2.fill('#h-qr', qrText);
  assert((await carr2.inputValue('#h-number')) === handNumber && (await carr2.inputValue('#h-prev')) === head, 'pasting the QR text did not fill the number and event');
  // Or, as a phone camera does, the QR code's address: the check page offers the take-over.
  await load(carr2, qrText.slice(qrText.indexOf('#')), 'QR check (phone)');
  await carr2.waitForSelector('#take-over', { timeout: 10000 });
  assert((await carr2.textContent('#cur')).includes('本单位未列入该联单'), 'the check page does not say why the manifest is not shown: ' + await carr2.textContent('#cur'));
  await shot(carr2, '29-carrier2-check');
  await carr2.evaluate(() => document.body.removeAttribute('data-ready'));
  await carr2.click('#take-over');
  await carr2.waitForSelector('body[data-ready="act/:n/:kind"]');
  assert((await carr2.inputValue('#h-number')) === handNumber && (await carr2.inputValue('#h-prev')) === head, 'the take-over form is not filled from the QR code');
  assert(await carr2.isVisible('#read-note'), 'no note that the manifest cannot be read yet');
  // Its own permit's plates are offered.
  const chips = await carr2.$$eval('#permit-plates button.plate[data-target=vehicle]', (bs) => bs.map((b) => b.dataset.plate));
  assert(chips.join(' ') === PERMIT_PLATES.join(' '), 'plates offered: ' + chips);
  await carr2.fill('#place', '大连港大窑湾铁路货场');
  await carr2.click(`#permit-plates button.plate[data-plate="${PERMIT_PLATES[1]}"]`);
  await carr2.fill('#driver-name', '赵师傅');
  await carr2.fill('#driver-licence', '210200777001');
  await carr2.fill('#escort-name', '钱押运');
  await carr2.fill('#escort-licence', '210200777002');
  // Without the handing-over carrier: refused here; the wrong one: refused by the ledger at that field.
  await carr2.click('#sign');
  await carr2.waitForSelector('#from + .field-error', { timeout: 5000 });
  await carr2.fill('#from', PRODUCER);
  await carr2.click('#sign');
  await carr2.waitForSelector('#from + .field-error', { timeout: 15000 });
  const why = await refusalWords(carr2, '#from + .field-error');
  assert(why.zh.includes(CARRIER) && saidInChinese(why) && why.en.startsWith('the waste is with') && why.title === why.en, 'the refusal does not name the carrier holding the load in Chinese: ' + JSON.stringify(why));
  // The handing-over carrier is picked by name from the directory's carriers (not itself).
  const dir = (await api(carr2, '/v1/directory?role=carrier')).body.items;
  const carrierName = dir.find((p) => p.id === CARRIER)?.name;
  const offered = await carr2.$$eval('#from-pick option', (os) => os.filter((o) => o.value).map((o) => ({ id: o.value, name: o.textContent })));
  assert(carrierName && offered.some((o) => o.id === CARRIER && o.name === carrierName) && !offered.some((o) => o.id === carrier2),
    'carriers offered for the hand-over: ' + JSON.stringify(offered));
  await carr2.selectOption('#from-pick', { label: carrierName });
  assert((await carr2.inputValue('#from')) === CARRIER, 'picking the carrier by name did not fill its USCC: ' + await carr2.inputValue('#from'));
  await shot(carr2, '30-carrier2-handover');
  await carr2.click('#sign');
  await carr2.waitForSelector('#done .form-ok', { timeout: 15000 });
  // Now on the manifest (a leg of it), carrier 2 reads it: two legs, the second its own.
  let m = (await api(carr2, '/v1/manifests/' + handNumber)).body;
  const ho = m.events.at(-1);
  assert(m.state === 'in_transit' && ho.type === 'transport.handover' && ho.actor === carrier2 && ho.body.from === CARRIER && ho.body.vehicle === PERMIT_PLATES[1], 'hand-over event: ' + JSON.stringify(ho));
  await carr2.evaluate(() => document.body.removeAttribute('data-ready'));
  await carr2.click('#back-to-manifest');
  await carr2.waitForSelector('body[data-ready="m/:n"]');
  await carr2.waitForSelector('#verified-all.ok', { timeout: 15000 });
  const legs = await carr2.$$eval('#part-carrier h3', (hs) => hs.length);
  const part = await carr2.textContent('#part-carrier');
  assert(legs === 2 && part.includes(carrier2) && part.includes('大连港大窑湾铁路货场') && part.includes(PERMIT_PLATES[1]), `carrier part: ${legs} legs, ${part.replace(/\s+/g, ' ').slice(0, 300)}`);
  assert(await carr2.$(`a.button[href="#/act/${handNumber}/arrive"]`), 'arrival not offered to carrier 2');
  await shot(carr2, '31-carrier2-two-legs');
  // Carrier 1 no longer holds the load: its work list shows it handed over to
  // carrier 2, with no arrival to sign; neither does its manifest page offer one.
  await load(carr, '#/work', 'work (carrier, phone)');
  const task = await carr.waitForSelector(`#transit .task[data-number="${handNumber}"]`, { timeout: 15000 });
  assert((await task.getAttribute('data-handed-to')) === carrier2 && (await task.textContent()).includes('已交接'), 'carrier 1 work list: ' + (await task.textContent()).replace(/\s+/g, ' '));
  assert(!(await task.$('a[data-act=arrive]')), 'carrier 1 is still offered the arrival of a load it handed over');
  await shot(carr, '31b-carrier1-work-handed-over');
  await load(carr, '#/m/' + handNumber, 'manifest detail (carrier, phone)');
  await carr.waitForSelector('#verified-all', { timeout: 15000 });
  assert(!(await carr.$(`a.button[href="#/act/${handNumber}/arrive"]`)), 'carrier 1\'s manifest page offers the arrival after the hand-over');
  // Asked directly (an old link), the ledger refuses its arrival, and says who has the load.
  await load(carr, `#/act/${handNumber}/arrive`, 'arrive form (phone)');
  await carr.click('#sign');
  await carr.waitForSelector('#act-form .form-error:not([hidden])', { timeout: 15000 });
  const no = await refusalWords(carr, '#act-form .form-error .refusal');
  assert(no.zh.includes(carrier2) && saidInChinese(no) && /^the waste is with carrier /.test(no.en), 'arrival refusal in Chinese: ' + JSON.stringify(no));
  await shot(carr, '31c-carrier1-arrival-refused');
  // Under the English switch: the server's words as they are, no detail.
  await carr.evaluate(() => document.body.removeAttribute('data-ready'));
  await carr.click('#lang');
  await carr.waitForSelector('body[data-ready="act/:n/:kind"]');
  await carr.click('#sign');
  await carr.waitForSelector('#act-form .form-error:not([hidden])', { timeout: 15000 });
  const en = await refusalWords(carr, '#act-form .form-error .refusal');
  assert(en.zh.endsWith(`the waste is with carrier ${carrier2}`) && !en.en && !/[\u4e00-\u9fff]/.test(en.zh), 'arrival refusal in English: ' + JSON.stringify(en));
  await carr.evaluate(() => document.body.removeAttribute('data-ready'));
  await carr.click('#lang');
  await carr.waitForSelector('body[data-ready="act/:n/:kind"]');
  assert((await carr.getAttribute('html', 'lang')) === 'zh-CN', 'not back to Chinese');
  // Carrier 2 finds it in its work list and signs the arrival.
  await load(carr2, '#/work', 'work (carrier, phone)');
  await carr2.waitForSelector(`#transit .task[data-number="${handNumber}"]`, { timeout: 15000 });
  await carr2.click(`#transit .task[data-number="${handNumber}"] a[data-act=arrive]`);
  await carr2.waitForSelector('body[data-ready="act/:n/:kind"]');
  await carr2.click('#sign');
  await carr2.waitForSelector('#done .form-ok', { timeout: 15000 });
  // The receiver accepts as filed.
  await load(recv, `#/act/${handNumber}/accept`, 'accept form');
  await recv.click('#sign');
  await recv.waitForSelector('#done .form-ok', { timeout: 15000 });
  m = (await api(recv, '/v1/manifests/' + handNumber)).body;
  assert(m.state === 'received', 'state ' + m.state);
  assert(m.events.map((e) => `${e.type}:${e.actor}`).join(' ') === `manifest.file:${PRODUCER} transport.pickup:${CARRIER} transport.handover:${carrier2} transport.arrive:${carrier2} receipt.accept:${RECEIVER}`, 'events: ' + m.events.map((e) => e.type).join(' '));
  // The trace: two carrier nodes in order, each naming its carrier and vehicle; both vehicles in their permits.
  await load(reg, `#/trace/${handNumber}-01`, 'trace');
  await reg.waitForSelector('#trace-svg');
  const nodes = await reg.$$eval('#trace-svg g.node.carrier', (gs) => gs.map((g) => ({ id: g.dataset.id, carrier: g.dataset.carrier, text: g.textContent, cls: g.getAttribute('class') })));
  const l1 = nodes.find((x) => x.id === `${handNumber}-01:leg1`), l2 = nodes.find((x) => x.id === `${handNumber}-01:leg2`);
  assert(l1 && l2 && l1.carrier === CARRIER && l2.carrier === carrier2 && l2.text.includes(PERMIT_PLATES[1]), 'carrier nodes: ' + JSON.stringify(nodes));
  assert(![l1, l2].some((x) => /\banomaly\b/.test(x.cls)), 'a vehicle of its permit is marked as an anomaly');
  const edges = await reg.$$eval('#trace-svg g.edge-g', (gs) => gs.map((g) => `${g.dataset.from}>${g.dataset.to}`));
  assert(edges.includes(`${handNumber}-01>${l1.id}`) && edges.includes(`${l1.id}>${l2.id}`), 'legs not in order: ' + edges);
  await shot(reg, '32-trace-two-legs');
  notes.push(`hand-over ${handNumber}: ${CARRIER} -> ${carrier2}; before it, carrier 2 got ${refused.status} on the manifest (${refused.body?.hint})`);
});

// A two-line load, one line partly rejected at the gate; the other line is
// accepted as filed (schema/events.md receipt.reject).
let partNumber = null;
await step('receiver rejects part of one line of a two-line manifest; the rest is accepted, then disposed of', async () => {
  await load(prod, '#/file', 'file a manifest');
  await fillManifest(prod);
  await prod.click('#add-line');
  const l2 = '.line-card[data-line="1"]';
  await prod.fill(`${l2} .code-search`, plan.code.slice(0, 7));
  await prod.click(`${l2} .suggest button[data-code="${plan.code}"]`);
  await prod.fill(`${l2} .constituents`, '矿物油');
  await prod.fill(`${l2} .packaging`, '吨袋');
  await prod.fill(`${l2} .packages`, '1');
  await prod.fill(`${l2} .qty`, '300');
  await prod.fill(`${l2} .emergency`, '泄漏时用沙土围堵吸附');
  await prod.waitForSelector('#receiver-select:not([disabled])');
  await prod.selectOption('#receiver-select', RECEIVER);
  partNumber = await signFiling(prod);
  const filed = (await api(prod, '/v1/manifests/' + partNumber)).body;
  assert(filed.events[0].body.lines.map((l) => l.qty_g).join(' ') === '800500 300000', 'lines filed: ' + JSON.stringify(filed.events[0].body.lines.map((l) => l.qty_g)));
  await pickUpOnPhone(partNumber);
  await load(carr, `#/act/${partNumber}/arrive`, 'arrive form (phone)');
  await carr.click('#sign');
  await carr.waitForSelector('#done .form-ok', { timeout: 15000 });
  // The receiver: per line, line 2 only.
  await load(recv, `#/act/${partNumber}/reject`, 'reject form');
  await recv.check('input[name=whole][value="0"]');
  assert(await recv.isVisible('#per-line'), 'per-line quantities hidden');
  assert((await recv.$$('#per-line .rej')).length === 2, 'not one field per line');
  const reason = '第2行吨袋破损，部分渗漏物料拒收';
  await recv.fill('#reason', reason);
  // More than filed on line 2: refused by the ledger, shown at line 2's field (not line 1's).
  await recv.fill('.rej[data-i="1"]', '400');
  await recv.click('#sign');
  await recv.waitForSelector('#act-form .field-error', { timeout: 15000 });
  const at = await recv.$eval('#act-form .field-error', (e) => e.previousElementSibling?.dataset.i);
  assert(at === '1', 'the refusal of line 2 is shown at line ' + (Number(at) + 1));
  const over = await refusalWords(recv, '#act-form .field-error');
  assert(saidInChinese(over) && /拒收量超过/.test(over.zh) && /^rejects more than/.test(over.en), 'line refusal not said in Chinese: ' + JSON.stringify(over));
  assert((await api(recv, '/v1/manifests/' + partNumber)).body.state === 'arrived', 'a refused rejection was stored');
  await recv.fill('.rej[data-i="1"]', '120');
  await shot(recv, '33-receiver-reject-line');
  await recv.click('#sign');
  await recv.waitForSelector('#done .form-ok', { timeout: 15000 });
  let m = (await api(recv, '/v1/manifests/' + partNumber)).body;
  const rej = m.events.at(-1);
  assert(m.state === 'received_with_discrepancy' && rej.type === 'receipt.reject' && JSON.stringify(rej.body.lines) === '[{"line":2,"rejected_g":120000}]' && rej.body.reason === reason, `state ${m.state}, event ${JSON.stringify(rej)}`);
  // The detail page: partly rejected, per line.
  await recv.evaluate(() => document.body.removeAttribute('data-ready'));
  await recv.click('#back-to-manifest');
  await recv.waitForSelector('body[data-ready="m/:n"]');
  await recv.waitForSelector('#verified-all.ok', { timeout: 15000 });
  assert((await recv.textContent('#state')).includes('接收(有差异)'), 'state shown: ' + await recv.textContent('#state'));
  const partText = await recv.textContent('#part-receiver');
  assert(partText.includes('部分拒收') && partText.includes(reason), 'decision not shown: ' + partText.replace(/\s+/g, ' ').slice(0, 200));
  const row = (i) => recv.$eval(`#part-receiver tr[data-line="${i}"]`, (tr) => ['rcv', 'acc', 'rej'].map((c) => tr.querySelector('.' + c).textContent));
  const [r1, r2] = [await row(1), await row(2)];
  assert(r1.join('|') === '800.5 kg|800.5 kg|—', 'line 1 shown as ' + r1.join('|'));
  assert(r2.join('|') === '300 kg|180 kg|120 kg', 'line 2 shown as ' + r2.join('|'));
  assert(await recv.$(`a.button[href="#/act/${partNumber}/dispose"]`), 'disposal not offered');
  await shot(recv, '34-receiver-partly-rejected');
  // The disposal form offers what was accepted of each line.
  await go(recv, `#/act/${partNumber}/dispose`, 'dispose form');
  const left = await recv.$$eval('.dq', (xs) => xs.map((x) => x.value));
  assert(left.join(' ') === '800.5 180', 'disposal prefilled with ' + left.join(' '));
  const methods = await recv.$$eval('fieldset.line-card[data-i="0"] .method option', (os) => os.map((o) => o.value));
  if (methods.includes(plan.method)) for (const i of [0, 1]) await recv.selectOption(`fieldset.line-card[data-i="${i}"] .method`, plan.method);
  await recv.click('#sign');
  await recv.waitForSelector('#done .form-ok', { timeout: 15000 });
  m = (await api(recv, '/v1/manifests/' + partNumber)).body;
  assert(m.state === 'closed', 'not closed after disposing of what was accepted: ' + m.state);
  // The trace: line 2 has a rejected part, line 1 none.
  await load(reg, `#/trace/${partNumber}-02`, 'trace');
  await reg.waitForSelector('#trace-svg');
  const ids = await reg.$$eval('#trace-svg g.node', (gs) => gs.map((g) => g.dataset.id));
  assert(ids.includes(`${partNumber}-02R`) && !ids.includes(`${partNumber}-01R`), 'trace: ' + ids);
  notes.push(`partly rejected ${partNumber}: line 2 rejected 120 kg of 300, state received_with_discrepancy -> closed`);
});

// Revoking a key on the party page: the page shows it revoked, the key can no
// longer sign in, and what it signed before stays verified.
await step('regulator revokes a key on the party page; signing in with it is refused, earlier signatures still verify', async () => {
  await carr2.context().close();
  await load(reg, '#/parties/' + carrier2, 'party');
  const keyId = (await api(reg, '/v1/parties/' + carrier2)).body.keys[0].keyid;
  assert(await reg.$(`.revoke[data-key="${keyId}"]`), 'no revoke button for the key');
  const reason = '驾驶员手机遗失，密钥停用';
  reg.once('dialog', (d) => d.accept(reason));
  await reg.evaluate(() => { window.liandanBeforeReload = 1; });
  await reg.click(`.revoke[data-key="${keyId}"]`);
  await reg.waitForFunction(() => !window.liandanBeforeReload && document.body.dataset.ready === 'parties/:id', null, { timeout: 15000 });
  const cell = await reg.$eval(`#keys tr[data-key="${keyId}"]`, (tr) => ({ text: tr.textContent, bad: !!tr.querySelector('.bad'), button: !!tr.querySelector('.revoke') }));
  assert(cell.text.includes('已吊销') && cell.bad && !cell.button, 'key row after revoking: ' + JSON.stringify(cell));
  const k = (await api(reg, '/v1/parties/' + carrier2)).body.keys[0];
  assert(k.revoked_at, 'the API does not show the key revoked: ' + JSON.stringify(k));
  const head = (await api(reg, '/v1/heads/p:' + carrier2)).body.index;
  const ev = (await api(reg, '/v1/log/entries/' + head)).body;
  const revoke = ev.event || ev;
  assert(revoke.type === 'party.revoke' && revoke.body.key === keyId && revoke.body.reason === reason, 'revoke event: ' + JSON.stringify(ev).slice(0, 300));
  await shot(reg, '35-key-revoked');
  // Signing in with it: refused at the key, in words.
  const p = await newPage(phone);
  await load(p, '#/login', 'sign in');
  await p.setInputFiles('#keyfile', carrier2Key);
  await p.click('#signin');
  await p.waitForSelector('#drop + .field-error', { timeout: 15000 });
  const msg = await refusalWords(p, '#drop + .field-error');
  assert(/吊销/.test(msg.zh) && saidInChinese(msg), 'refusal: ' + JSON.stringify(msg));
  assert((await p.evaluate(() => document.body.dataset.ready)) === 'login' && await p.evaluate(() => sessionStorage.getItem('liandan.session')) === null, 'signed in with a revoked key');
  await shot(p, '36-signin-revoked-key');
  await p.context().close();
  // The hand-over and arrival it signed before still verify in the browser.
  await load(reg, '#/m/' + handNumber, 'manifest detail');
  await reg.waitForSelector('#verified-all.ok', { timeout: 15000 });
  const marks = await reg.$$eval('.timeline .mark', (ms) => ms.map((x) => x.textContent));
  assert(marks.length === 5 && marks.every((x) => x === '✔'), 'marks after revoking: ' + marks.join(''));
});

// The anomaly list in the language of the page: the server words details in
// English (src/audit.c); in Chinese the page says them in Chinese.
await step('dashboard anomalies: rule names and details in Chinese, the server\'s English under the switch', async () => {
  await load(reg, '#/dashboard', 'dashboard');
  await reg.waitForSelector('#anomalies tr.anomaly', { timeout: 15000 });
  if (await reg.$('#anom-all')) await reg.click('#anom-all');
  const server = (await api(reg, '/v1/anomalies')).body.items;
  const rows = () => reg.$$eval('#anomalies tr.anomaly', (trs) => trs.map((t) => ({ rule: t.dataset.rule, manifest: t.querySelector('a.mono')?.textContent, name: t.cells[0].textContent, text: t.querySelector('td.detail').textContent, title: t.querySelector('td.detail').title })));
  const zh = await rows();
  assert(zh.length === Math.min(500, server.length), `${zh.length} rows for ${server.length} anomalies`);
  const english = zh.filter((r) => /[a-z]{3,}/.test(r.text + r.name));
  assert(english.length === 0, `${english.length} rows still in English: ` + english.slice(0, 2).map((r) => r.name + ' ' + r.text).join(' | '));
  const chips = await reg.$$eval('#rule-chips .chip', (bs) => bs.map((b) => b.textContent));
  assert(chips.every((c) => !/[a-z]{3,}/.test(c)), 'rule chips: ' + chips.join(' | '));
  // Each English detail is under the Chinese one (title), and the wording is the rule's.
  assert(zh.every((r, i) => r.title === server[i].detail), 'titles differ from the server details');
  const say = { 'receipt.overdue': /^北京时间 \d{4}-\d\d-\d\d \d\d:\d\d 运抵，5 个工作日内未确认接收$/, 'discrepancy.flagged': /^接受单位 [0-9A-Z]{18} 标记重大差异或仅部分接收（.+）$/, 'quantity.mismatch': /^填报 [\d.,]+ (kg|t)，实收 [\d.,]+ (kg|t)（[+-][\d.]+%，允许偏差 [\d.]+%）$/, 'vehicle.not_in_fleet': /^第 \d+ 程：(车辆|挂车) \S+ 不在运输单位的道路运输许可内$/ };
  const seen = new Set(zh.map((r) => r.rule));
  for (const [rule, re] of Object.entries(say)) {
    for (const r of zh.filter((x) => x.rule === rule)) assert(re.test(r.text), `${rule}: ${r.text}`);
  }
  assert(seen.has('receipt.overdue') && seen.has('discrepancy.flagged'), 'rules shown: ' + [...seen]);
  // The partly rejected manifest above is flagged, in Chinese, with its state.
  const ours = zh.find((r) => r.manifest === partNumber && r.rule === 'discrepancy.flagged');
  assert(ours && ours.text === `接受单位 ${RECEIVER} 标记重大差异或仅部分接收（已办结）`, 'the partly rejected manifest: ' + JSON.stringify(ours));
  // The filter finds the Chinese words.
  await reg.fill('#anom-filter', '个工作日内未确认接收');
  const filtered = await rows();
  assert(filtered.length > 0 && filtered.every((r) => r.rule === 'receipt.overdue'), 'filtering by the Chinese text: ' + filtered.map((r) => r.rule));
  await reg.fill('#anom-filter', '');
  await shot(reg, '37-dashboard-anomalies-zh');
  // English: the server's words.
  await reg.click('#lang');
  await reg.waitForSelector('body[data-ready=dashboard]');
  try {
    await reg.waitForSelector('#anomalies tr.anomaly', { timeout: 15000 });
    if (await reg.$('#anom-all')) await reg.click('#anom-all');
    const en = await rows();
    assert(en.length === zh.length && en.every((r, i) => r.text === server[i].detail), 'English details differ from the server: ' + en.find((r, i) => r.text !== server[i].detail)?.text);
    assert(en.some((r) => r.name === 'receipt overdue'), 'English rule names: ' + [...new Set(en.map((r) => r.name))]);
    await shot(reg, '38-dashboard-anomalies-en');
  } finally {
    await reg.click('#lang');
    await reg.waitForSelector('body[data-ready=dashboard]');
  }
  notes.push(`anomalies shown in Chinese: ${zh.length}, rules ${[...seen].join(' ')}`);
});

await step('a session whose signing key is gone from this browser ends on the sign-in page', async () => {
  const p = await newPage();
  await signIn(p, key('receiver'));
  await p.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('liandan', 1);
    open.onsuccess = () => { const tx = open.result.transaction('keys', 'readwrite'); tx.objectStore('keys').clear(); tx.oncomplete = () => { open.result.close(); resolve(); }; tx.onerror = () => reject(tx.error); };
    open.onerror = () => reject(open.error);
  }));
  await p.goto('about:blank');
  await p.goto(BASE + '/#/work');
  await p.waitForSelector('body[data-ready=login]', { timeout: 10000 });
  assert(/next=/.test(await p.evaluate(() => location.hash)), 'no way back to the page asked for');
  assert(await p.evaluate(() => sessionStorage.getItem('liandan.session')) === null, 'the session was kept');
  await p.context().close();
});

// Each page loaded afresh several times (a single load says little on a busy
// machine): the median and the worst go to the table below.
const LOADS = Number(process.env.LOADS || 5);
await step(`page loads: every page ${LOADS} times from the demo ledger (timed, not asserted)`, async () => {
  const m = (await api(reg, '/v1/manifests/' + filedNumber)).body;
  const pub = await newPage(phone);
  const pages = [
    [pub, '#/login', 'sign in'],
    [reg, '#/dashboard', 'dashboard'],
    [reg, '#/manifests', 'manifest search'],
    [reg, `#/m/${filedNumber}`, 'manifest detail'],
    [reg, `#/trace/${filedNumber}-01`, 'trace'],
    [reg, '#/parties', 'party registry'],
    [reg, `#/parties/${PRODUCER}`, 'party'],
    [prod, '#/work', 'work (producer)'],
    [prod, '#/file', 'file a manifest'],
    [prod, `#/m/${filedNumber}`, 'manifest detail (producer)'],
    [carr, '#/work', 'work (carrier, phone)'],
    [carr, `#/act/${filedNumber}/handover`, 'hand-over form (phone)'],
    [recv, `#/act/${filedNumber}/dispose`, 'dispose form'],
    [pub, `#/check/${filedNumber}/${m.head}`, 'QR check (phone)'],
  ];
  for (let i = 0; i < LOADS; i++) {
    for (const [page, hash, label] of pages) {
      const t0 = timings.length;
      await load(page, hash, label);
      timings[t0].kind = 'loads';
    }
  }
  await pub.context().close();
});

await step('no script errors on any page', async () => {
  assert(pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));
});

await browser.close();
console.log('\npage timings (ms; reported, not asserted; target < 200 ms for a full load):');
const byPage = {};
for (const t of [...timings.filter((t) => t.kind !== 'loads'), ...timings.filter((t) => t.kind === 'loads')]) (byPage[`${t.page} (${t.kind})`] ||= []).push(t);
for (const [k, v] of Object.entries(byPage)) {
  const s = v.map((t) => t.ms).sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)];
  const reqs = [...new Set(v.map((t) => t.requests))].join('/');
  console.log(`  ${k.padEnd(42)} n=${String(v.length).padEnd(2)} median=${String(med).padEnd(4)} max=${String(s.at(-1)).padEnd(4)} api requests=${reqs}${v[0].kind !== 'route' && med >= 200 ? '  (over 200)' : ''}`);
}
fs.writeFileSync(path.join(ART, 'timings.json'), JSON.stringify(timings, null, 1));
for (const x of notes) console.log('note: ' + x);
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
