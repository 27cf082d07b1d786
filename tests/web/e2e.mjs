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

await step('producer files a manifest: a refusal is shown next to its field, then filed', async () => {
  await load(prod, '#/file', 'file a manifest');
  await fillManifest(prod, plan.unlicensed);
  // hazard characteristics were filled from the code
  assert((await prod.$$('.line-card .hazards input:checked')).length > 0, 'no hazard filled from the code');
  await prod.click('#sign-file');
  await prod.waitForSelector('.field-error', { timeout: 15000 });
  const where = await prod.$eval('.field-error', (e) => e.previousElementSibling?.dataset.field || e.previousElementSibling?.querySelector('[data-field]')?.dataset.field);
  const msg = await prod.textContent('.field-error');
  notes.push(`refusal shown next to ${where}: ${msg}`);
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
  await carr.fill('#driver-name', '王师傅');
  await carr.fill('#driver-licence', '210200123456');
  await carr.fill('#escort-name', '李押运');
  await carr.fill('#escort-licence', '210200654321');
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
  await prod.click('#sign-file');
  await prod.waitForSelector('#filed-number', { timeout: 15000 });
  cancelNumber = await prod.textContent('#filed-number');
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
  await prod.click('#sign-file');
  await prod.waitForSelector('#filed-number', { timeout: 15000 });
  rejectNumber = await prod.textContent('#filed-number');
  // The carrier, on the phone: pickup, then arrival.
  await load(carr, `#/act/${rejectNumber}/pickup`, 'pickup form (phone)');
  await carr.click(`#permit-plates button.plate[data-plate="${plan.vehicle}"]`);
  await carr.fill('#driver-name', '王师傅');
  await carr.fill('#driver-licence', '210200123456');
  await carr.fill('#escort-name', '李押运');
  await carr.fill('#escort-licence', '210200654321');
  await carr.click('#sign');
  await carr.waitForSelector('#done .form-ok', { timeout: 15000 });
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
