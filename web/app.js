// app.js - the shell: navigation by role, language switch, hash routes.
// Each page module exports render(main, params, query, who, pre) and may be async.
import { L, getLang, setLang, roleName } from './js/i18n.js';
import { getSession, restore, signingKey, signOut, get, logKeys, myParty, keptParty } from './js/api.js';
import { html, esc, raw, errorText } from './js/ui.js';

const routes = [
  ['', null],
  ['login', () => import('./js/pages/login.js')],
  ['dashboard', () => import('./js/pages/dashboard.js')],
  ['manifests', () => import('./js/pages/manifests.js')],
  ['m/:n', () => import('./js/pages/detail.js')],
  ['trace/:s', () => import('./js/pages/trace.js')],
  ['file', () => import('./js/pages/file.js')],
  ['work', () => import('./js/pages/work.js')],
  ['act/:n/:kind', () => import('./js/pages/act.js')],
  ['parties', () => import('./js/pages/parties.js')],
  ['parties/:id', () => import('./js/pages/party.js')],
  ['check/:n/:id', () => import('./js/pages/check.js')],
];
const PUBLIC = new Set(['login', 'check/:n/:id']);
// The first read of a page that does not depend on its code, sent when the
// route starts rather than once the page's module is loaded; the page gets
// the promise as `pre`.
const PREFETCH = {
  'm/:n': (p) => get('/v1/manifests/' + encodeURIComponent(p.n)),
};

function match(path) {
  const segs = path.split('/').filter(Boolean);
  for (const [pat, load] of routes) {
    const ps = pat.split('/').filter(Boolean);
    if (ps.length !== segs.length) continue;
    const params = {};
    if (ps.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(segs[i])), true) : p === segs[i]))) return { pat, load, params };
  }
  return null;
}

// The party record of the signed-in party (name, roles, licences): the copy
// kept for this tab at once when there is one (read again in the background,
// once per page load), else read now.
export async function whoami() {
  const s = getSession();
  if (!s) return null;
  if (s.party === 'regulator') return { id: 'regulator', name: L('生态环境局', 'Ecology & Environment Bureau'), roles: ['regulator'] };
  const fresh = myParty();
  const kept = keptParty();
  if (kept) { fresh.catch(() => {}); return kept; }
  try { return await fresh; } catch { return { id: s.party, name: s.party, roles: [] }; }
}

function nav(who) {
  const links = [];
  const r = who?.roles || [];
  if (r.includes('regulator')) {
    links.push(['#/dashboard', L('总览', 'Dashboard')], ['#/manifests', L('联单查询', 'Manifests')], ['#/parties', L('单位备案', 'Parties')]);
  } else if (who) {
    links.push(['#/work', L('待办', 'My work')], ['#/manifests', L('我的联单', 'My manifests')]);
    if (r.some((x) => ['producer', 'collector', 'receiver'].includes(x))) links.push(['#/file', L('填报联单', 'File a manifest')]);
  }
  return links;
}

function shell(who) {
  const cur = location.hash.split('?')[0];
  document.getElementById('nav').innerHTML = String(html`${nav(who).map(([href, text]) =>
    html`<a href="${href}" ${raw(cur.startsWith(href) ? 'aria-current="page"' : '')}>${text}</a>`)}`);
  document.getElementById('who').innerHTML = who
    ? String(html`<span class="who-name" title="${who.id}">${who.name}</span> ${who.id === 'regulator' ? '' : html`<span class="who-role">${(who.roles || []).map(roleName).join('·')}</span>`}
       <button type="button" id="signout" class="link">${L('退出', 'Sign out')}</button>`)
    : '';
  document.getElementById('signout')?.addEventListener('click', async () => { await signOut(); location.hash = '#/login'; });
  const lb = document.getElementById('lang');
  lb.textContent = getLang() === 'en' ? '中文' : 'English';
  document.getElementById('brand-sub').textContent = L('危险废物转移联单', 'Hazardous-waste transfer manifests');
}

let seq = 0;
export async function route() {
  const t0 = performance.now();
  const my = ++seq;
  const [path, qs] = location.hash.replace(/^#\/?/, '').split('?');
  const query = new URLSearchParams(qs || '');
  const main = document.getElementById('main');
  document.body.removeAttribute('data-ready');
  let m = match(path) || match('');
  const mod = m.load ? m.load() : null;
  mod?.catch(() => {});
  // This tab's session at once; its signing key is read back meanwhile, and
  // if it is gone the session ends: back to the sign-in page.
  const s = restore();
  if (s && !PUBLIC.has(m.pat)) signingKey().then((k) => { if (!k && my === seq) location.replace('#/login?next=' + encodeURIComponent(location.hash)); });
  if (!m.load) {
    // Home: each role lands on its own page.
    location.replace(!s ? '#/login' : s.party === 'regulator' ? '#/dashboard' : '#/work');
    return;
  }
  if (!s && !PUBLIC.has(m.pat)) {
    location.replace('#/login?next=' + encodeURIComponent(location.hash));
    return;
  }
  const pre = s && PREFETCH[m.pat] ? PREFETCH[m.pat](m.params) : null;
  pre?.catch(() => {});
  const who = s ? await whoami() : null;
  shell(who);
  try {
    const page = await mod;
    if (my !== seq) return;
    main.className = 'page-' + m.pat.split('/')[0];
    await page.render(main, m.params, query, who, pre);
  } catch (e) {
    if (my !== seq) return;
    console.error(e);
    main.innerHTML = String(html`<div class="panel error" role="alert"><h2>${L('出错了', 'Something went wrong')}</h2><p>${errorText(e)}</p></div>`);
  }
  if (my !== seq) return;
  const ms = performance.now() - t0;
  window.liandanTimings = window.liandanTimings || [];
  window.liandanTimings.push({ route: m.pat, ms, at: performance.now() });
  document.body.dataset.ready = m.pat;
}

document.getElementById('lang').addEventListener('click', () => { setLang(getLang() === 'en' ? 'zh' : 'en'); route(); });
setLang(getLang());
logKeys().catch(() => {}); // every page needs the log's keys; ask early
window.addEventListener('hashchange', route);
route();
export { esc };
