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
async function newPage(opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...opts });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Refusals (4xx answers) are expected and shown by the pages; other console errors are not.
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) pageErrors.push('console: ' + m.text()); });
  return page;
}
const shot = (page, name) => page.screenshot({ path: path.join(ART, name + '.png'), fullPage: true });

// Navigates to a hash route and waits for the page to say it is ready.
async function go(page, hash, label) {
  await page.evaluate(() => document.body.removeAttribute('data-ready'));
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForSelector('body[data-ready]', { timeout: 20000 });
  const t = await page.evaluate(() => (window.liandanTimings || []).at(-1));
  if (label && t) timings.push({ page: label, kind: 'route', ms: Math.round(t.ms) });
}
// A full load (HTML, modules, API calls) of a route, timed from navigation start.
async function load(page, hash, label) {
  await page.goto('about:blank');
  await page.goto(BASE + '/' + hash);
  await page.waitForSelector('body[data-ready]', { timeout: 20000 });
  // from navigation start to the page marking itself ready (all its API calls answered)
  const ms = await page.evaluate(() => (window.liandanTimings || []).at(-1)?.at);
  timings.push({ page: label, kind: 'full load', ms: Math.round(ms) });
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
  await shot(reg, '01-dashboard');
  await load(reg, '#/dashboard', 'dashboard');
  await reg.waitForSelector('#cp-status');
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

await step('manifest detail: every signature verified in the browser, timeline marks', async () => {
  await load(reg, `#/m/${overdue}`, 'manifest detail');
  await reg.waitForSelector('#verified-all.ok', { timeout: 15000 });
  const marks = await reg.$$eval('.timeline .mark', (ms) => ms.map((m) => m.textContent));
  assert(marks.length > 0 && marks.every((m) => m === '✔'), 'marks: ' + marks.join(''));
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
await step('plan a new manifest from the demo parties (receiver licence, carrier permit)', async () => {
  const recv = (await api(reg, '/v1/parties/' + RECEIVER)).body;
  const lic = recv.licences.map(norm).find((l) => l.kind === 'disposal');
  assert(lic, 'demo receiver lacks a disposal licence');
  const cat = fs.readFileSync(new URL('../../data/hw-catalogue-2021.csv', import.meta.url), 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(','));
  let code = lic.codes.find((c) => /^\d{3}-\d{3}-\d{2}$/.test(c));
  if (!code) { const catg = lic.codes[0]; code = cat.find((r) => r[0] === catg && !r[3].startsWith('900-000'))?.[3]; }
  // A vehicle of the carrier's permit: from the API when it lists them, else from the ledger file.
  const carr = (await api(reg, '/v1/parties/' + CARRIER)).body;
  let vehicle = carr.licences.map(norm).flatMap((l) => l.vehicles || []).find((v) => !v.endsWith('挂'));
  if (!vehicle) {
    const out = execFileSync('sqlite3', [path.join(DEMO, 'ledger.db'), `select plate from vehicles where party='${CARRIER}' and plate not like '%挂'`], { encoding: 'utf8' });
    vehicle = out.split('\n')[0].trim();
    notes.push('vehicle read from the ledger file: the API does not list permit vehicles');
  }
  // A receiver not licensed for the code, for the refusal.
  const parties = (await api(reg, '/v1/parties')).body.items;
  let unlicensed = null;
  for (const p of parties.filter((x) => x.roles.includes('receiver') && x.id !== RECEIVER).slice(0, 12)) {
    const full = (await api(reg, '/v1/parties/' + p.id)).body;
    const ok = full.licences.map(norm).some((l) => (l.codes || []).some((c) => c === code || c === 'HW' + code.slice(-2)));
    if (!ok) { unlicensed = p.id; break; }
  }
  plan = { code, method: lic.methods[0], vehicle, unlicensed };
  notes.push('new manifest plan: ' + JSON.stringify(plan));
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
  await page.fill('#receiver-manual', receiverManual);
  await page.fill('#carrier-manual', CARRIER);
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
  await prod.fill('#receiver-manual', RECEIVER);
  await prod.click('#sign-file');
  await prod.waitForSelector('#filed-number', { timeout: 15000 });
  filedNumber = await prod.textContent('#filed-number');
  await shot(prod, '11-file-filed');
  await go(prod, '#/m/' + filedNumber, 'manifest detail (producer)');
  await prod.waitForSelector('#verified-all.ok, #verified-all.warn', { timeout: 15000 });
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
  await go(carr, `#/act/${filedNumber}/pickup`, 'pickup form');
  await carr.fill('#vehicle', plan.vehicle);
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
  await go(recv, '#/m/' + filedNumber, 'manifest detail (receiver)');
  assert((await recv.textContent('#state')).includes('已办结'), 'not closed: ' + await recv.textContent('#state'));
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
  await shot(reg, '17-trace-new');
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

await step('no script errors on any page', async () => {
  assert(pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));
});

await browser.close();
console.log('\npage timings (ms; reported, not asserted):');
const byPage = {};
for (const t of timings) (byPage[`${t.page} (${t.kind})`] ||= []).push(t.ms);
for (const [k, v] of Object.entries(byPage)) {
  const s = v.slice().sort((a, b) => a - b);
  console.log(`  ${k.padEnd(40)} n=${v.length} median=${s[Math.floor(s.length / 2)]} max=${s.at(-1)}`);
}
fs.writeFileSync(path.join(ART, 'timings.json'), JSON.stringify(timings, null, 1));
for (const x of notes) console.log('note: ' + x);
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
