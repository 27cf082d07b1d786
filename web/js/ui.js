// ui.js - small helpers shared by the pages: escaping templates, query
// selectors, error display (a refusal next to the field it names).
import { L, getLang } from './i18n.js';
import { refusalText } from './refusals.js';

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

// html`...${x}...`: values are escaped unless wrapped in raw().
class Raw { constructor(s) { this.s = s; } toString() { return this.s; } }
export const raw = (s) => new Raw(s);
export function html(strings, ...vals) {
  let out = strings[0];
  vals.forEach((v, i) => {
    if (Array.isArray(v)) out += v.map((x) => (x instanceof Raw ? x.s : esc(x))).join('');
    else out += v instanceof Raw ? v.s : esc(v);
    out += strings[i + 1];
  });
  return new Raw(out);
}
export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// A server error in a line of text: in Chinese the sentence of refusals.js
// with the server's English after it in brackets; in English as the server
// says it. A page's own error (no HTTP status) is shown as it is.
export function errorText(e) {
  const b = e?.body || {};
  if (typeof e?.status === 'number' && (b.hint || b.error)) {
    const r = refusalText({ code: b.error, field: b.field, message: b.hint || '' });
    return r.en ? `${r.text}（${r.en}）` : [b.error, r.text].filter(Boolean).join(': ');
  }
  const parts = [];
  if (b.error) parts.push(b.error);
  if (b.hint) parts.push(b.hint);
  else if (e?.message) parts.push(e.message);
  return parts.join(': ');
}

// One refusal's words into el: the page-language sentence, and when that is
// not the server's own text, the server's English as a small detail (and
// the title). A page's own check (local) is already in the page's language.
function sayRefusal(el, v, local) {
  const r = local ? { text: v.message || v.code || '', en: null } : refusalText(v);
  const item = v.item != null ? `“${v.item}”：` : '';
  const main = document.createElement('span');
  main.className = 'refusal-text';
  main.textContent = item + r.text;
  el.append(main);
  if (r.en && r.en !== r.text) {
    const en = document.createElement('small');
    en.className = 'server-text';
    en.lang = 'en';
    en.textContent = r.en;
    el.append(' ', en);
    el.title = r.en;
  }
}

// Shows a refusal: each violation next to the input whose data-field matches
// its path (longest prefix wins), the rest in the form's banner. e is an
// ApiError (a server refusal: {status, body:{error, field, hint,
// violations?}}, said in the page's language by refusals.js) or a page's own
// check ({body:{violations:[{field, message}]}} or {body:{field, hint}},
// no status: shown as it is). A violation's `item` (the value of a list
// field it names) is shown before its words.
export function showRefusal(form, e) {
  clearRefusal(form);
  const b = e?.body || {};
  const local = typeof e?.status !== 'number';
  const vs = b.violations?.length ? b.violations : [{ code: b.error, field: b.field, message: b.hint || e.message, item: b.item }];
  const banner = $('.form-error', form);
  const left = [];
  for (const v of vs) {
    const path = (v.field || '').replace(/^\$\./, '').replace(/^event\.body\./, '').replace(/^body\./, '');
    let target = null, best = -1;
    for (const el of $$('[data-field]', form)) {
      const f = el.dataset.field;
      if ((path === f || path.startsWith(f + '.') || path.startsWith(f + '[')) && f.length > best) { target = el; best = f.length; }
    }
    if (target) {
      const msg = document.createElement('div');
      msg.className = 'field-error';
      msg.setAttribute('role', 'alert');
      sayRefusal(msg, v, local);
      target.classList.add('invalid');
      target.after(msg);
      if (!form.dataset.focused) { target.focus?.(); form.dataset.focused = '1'; }
    } else {
      left.push(v);
    }
  }
  delete form.dataset.focused;
  if (banner) {
    banner.textContent = left.length ? L('未通过：', 'Refused: ') : L('未通过，请查看标出的字段。', 'Refused: see the marked fields.');
    left.forEach((v, i) => {
      const one = document.createElement('span');
      one.className = 'refusal';
      // In English the field's path leads, as the server names it.
      if (!local && v.field && getLang() === 'en') one.append(v.field + ': ');
      sayRefusal(one, v, local);
      banner.append(i ? L('；', '; ') : '', one);
    });
    banner.hidden = false;
  }
}
export function clearRefusal(form) {
  $$('.field-error', form).forEach((x) => x.remove());
  $$('.invalid', form).forEach((x) => x.classList.remove('invalid'));
  const banner = $('.form-error', form);
  if (banner) banner.hidden = true;
}

export function download(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// CSV (RFC 4180, quoted cells with commas) to an array of objects.
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false;
  text = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"') { if (text[i + 1] === '"') { cell += '"'; i++; } else q = false; } else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  const head = rows.shift();
  return rows.filter((r) => r.length === head.length).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

const csvCache = new Map();
export function loadCsv(path) {
  if (!csvCache.has(path)) csvCache.set(path, fetch(path).then((r) => r.text()).then(parseCsv));
  return csvCache.get(path);
}

// A licence as GET /v1/parties/{id} gives it ({kind, number, valid_from,
// valid_until, scope:[{item, capacity_g, licensed}]}) or in the event's own
// shape ({codes, methods, capacity_g, vehicles}): always the event's shape.
export function normLicence(l) {
  if (!l.scope) return { codes: [], methods: [], capacity_g: {}, ...l };
  const isMethod = (x) => /^[RDCY]\d+$/.test(x);
  const out = { ...l, codes: [], methods: [], capacity_g: {} };
  for (const s of l.scope) {
    if (s.licensed && isMethod(s.item)) out.methods.push(s.item);
    else if (s.licensed) out.codes.push(s.item);
    if (s.capacity_g != null) out.capacity_g[s.item] = s.capacity_g;
  }
  if (l.kind === 'transport') out.vehicles = l.vehicles || [];
  return out;
}
export const partyLicences = (p) => (p?.licences || []).map(normLicence);
