// i18n.js - Simplified Chinese by default, English on request. Texts are
// written in place as L('中文', 'English'); shared vocabularies are below.

let lang = localStorage.getItem('liandan.lang') || 'zh';
export const getLang = () => lang;
export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  localStorage.setItem('liandan.lang', lang);
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
}
export const L = (zh, en) => (lang === 'en' ? en : zh);

const pick = (table, k) => (table[k] ? L(table[k][0], table[k][1]) : k);

const STATES = {
  filed: ['已填报', 'filed'],
  in_transit: ['运输中', 'in transit'],
  arrived: ['已到达', 'arrived'],
  received: ['已接收', 'received'],
  received_with_discrepancy: ['接收(有差异)', 'received with discrepancy'],
  rejected: ['已拒收', 'rejected'],
  closed: ['已办结', 'closed'],
  cancelled: ['已作废', 'cancelled'],
};
export const STATE_ORDER = Object.keys(STATES);
export const stateName = (s) => pick(STATES, s);

const ROLES = {
  producer: ['产生单位', 'producer'],
  carrier: ['运输单位', 'carrier'],
  receiver: ['接受单位', 'receiver'],
  collector: ['收集单位', 'collector'],
  regulator: ['生态环境局', 'regulator'],
};
export const roleName = (r) => pick(ROLES, r);

const TYPES = {
  'manifest.file': ['填报联单', 'manifest filed'],
  'manifest.cancel': ['作废联单', 'manifest cancelled'],
  'manifest.correct': ['更正', 'correction'],
  'manifest.approve': ['确认更正', 'correction approved'],
  'transport.pickup': ['起运', 'pickup'],
  'transport.handover': ['交接', 'hand-over'],
  'transport.arrive': ['运抵', 'arrival'],
  'receipt.accept': ['接收', 'receipt accepted'],
  'receipt.reject': ['拒收', 'receipt rejected'],
  'disposal.complete': ['利用/处置完成', 'disposal completed'],
  'party.register': ['登记单位', 'party registered'],
  'party.key': ['备案密钥', 'key certified'],
  'party.revoke': ['吊销密钥', 'key revoked'],
  'party.licence': ['记录许可证', 'licence recorded'],
  'party.permit': ['记录运输许可', 'permit recorded'],
  'calendar.load': ['载入节假日', 'calendar loaded'],
};
export const typeName = (t) => pick(TYPES, t);

const HAZARDS = {
  T: ['毒性', 'toxicity'], C: ['腐蚀性', 'corrosivity'], I: ['易燃性', 'ignitability'],
  R: ['反应性', 'reactivity'], In: ['感染性', 'infectivity'],
};
export const HAZARD_CODES = Object.keys(HAZARDS);
export const hazardName = (h) => pick(HAZARDS, h);

const FORMS = {
  solid: ['固态', 'solid'], 'semi-solid': ['半固态', 'semi-solid'], liquid: ['液态', 'liquid'], gas: ['气态', 'gas'],
};
export const FORM_CODES = Object.keys(FORMS);
export const formName = (f) => pick(FORMS, f);

const RULES = {
  'receipt.overdue': ['接收确认超期', 'receipt overdue'],
  'receipt.late': ['接收确认迟延', 'receipt confirmed late'],
  'discrepancy.flagged': ['重大差异', 'significant discrepancy'],
  'quantity.mismatch': ['数量不符', 'quantity mismatch'],
  'vehicle.not_in_fleet': ['车辆不在许可内', 'vehicle not in permit'],
};
export const ruleName = (r) => pick(RULES, r);

const DISCREPANCY = {
  name: ['名称', 'name'], quantity: ['数量', 'quantity'], characteristics: ['特性', 'characteristics'],
  form: ['形态', 'form'], packaging: ['包装', 'packaging'],
};
export const DISCREPANCY_KINDS = Object.keys(DISCREPANCY);
export const discrepancyName = (k) => pick(DISCREPANCY, k);

// Grams as tonnes (t) with three decimals, or kg below a tonne.
export function qty(g) {
  if (g == null) return '—';
  if (Math.abs(g) >= 1e6) return (g / 1e6).toFixed(3) + ' t';
  return (g / 1e3).toLocaleString(lang === 'en' ? 'en' : 'zh-CN', { maximumFractionDigits: 3 }) + ' kg';
}
// RFC 3339 UTC shown in China Standard Time.
export function when(t) {
  if (!t) return '—';
  const d = new Date(Date.parse(t) + 8 * 3600e3);
  return d.toISOString().slice(0, 16).replace('T', ' ') + L('（北京时间）', ' CST');
}
