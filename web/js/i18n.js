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

// The anomaly rules of `liandan audit` (include/liandan/audit.h): name, and
// what the rule means, said when a detail cannot be read (below).
const RULES = {
  'receipt.overdue': ['接收确认超期', 'receipt overdue', '运抵后 5 个工作日内未确认接收'],
  'receipt.late': ['接收确认迟延', 'receipt confirmed late', '运抵 5 个工作日后才确认接收'],
  'transit.overdue': ['运输超期', 'transit overdue', '起运后规定的工作日内未运抵'],
  'transit.late': ['运输迟延', 'arrived late', '起运后超过规定的工作日才运抵'],
  'discrepancy.flagged': ['重大差异', 'significant discrepancy', '接受单位标记重大差异或仅部分接收'],
  'quantity.mismatch': ['数量不符', 'quantity mismatch', '实收量与填报量之差超过允许偏差'],
  'licence.expired': ['许可无效', 'not licensed', '接受单位在填报日或接收日没有有效的经营许可'],
  'capacity.exceeded': ['超许可能力', 'capacity exceeded', '接受单位全年接收量超过许可的年经营能力'],
  'vehicle.not_in_fleet': ['车辆不在许可内', 'vehicle not in permit', '运输车辆不在运输单位的道路运输许可内'],
  'balance.broken': ['数量不平衡', 'quantities do not balance', '批次的接收、拒收、处置与转出数量不平衡'],
  'paper.late': ['纸质联单补录超期', 'paper manifest entered late', '纸质联单在转移完成 10 个工作日后才补录'],
};
export const ruleName = (r) => pick(RULES, r);

// An anomaly's detail in the page's language. The server words it in English
// (src/audit.c, one format per case); in Chinese each format is read back
// here and said again, and a wording not known here is replaced by what its
// rule means (the English stays in the row's title).
const licenceWords = (w) => {
  const m = /^(disposal|collection) licence (.+) is valid (\S+) to (\S+)$/.exec(w);
  if (m) return `${m[1] === 'disposal' ? '经营许可证' : '收集许可证'} ${m[2]} 有效期 ${m[3]} 至 ${m[4]}`;
  return w === 'it holds no disposal or collection licence' ? '未持有经营或收集许可证' : null;
};
const plateWords = (w) => {
  let m = /^vehicle (\S+) and trailer (\S+)$/.exec(w);
  if (m) return `车辆 ${m[1]} 和挂车 ${m[2]}`;
  m = /^(vehicle|trailer) (\S+)$/.exec(w);
  return m ? `${m[1] === 'vehicle' ? '车辆' : '挂车'} ${m[2]}` : null;
};
const g = (n) => qty(Number(n));
const DETAILS = {
  'receipt.overdue': [[/^arrived (.+) CST, receipt not confirmed within (\d+) working days$/, (a, n) => `北京时间 ${a} 运抵，${n} 个工作日内未确认接收`]],
  'receipt.late': [[/^arrived (.+) CST, receipt confirmed (.+) CST, after (\d+) working days$/, (a, r, n) => `北京时间 ${a} 运抵，${r} 才确认接收，超过 ${n} 个工作日`]],
  'transit.overdue': [[/^picked up (.+) CST, not arrived within (\d+) working days$/, (p, n) => `北京时间 ${p} 起运，${n} 个工作日内未运抵`]],
  'transit.late': [[/^picked up (.+) CST, arrived (.+) CST, after (\d+) working days$/, (p, a, n) => `北京时间 ${p} 起运，${a} 才运抵，超过 ${n} 个工作日`]],
  'discrepancy.flagged': [[/^receiver (\S+) flagged a significant discrepancy or accepted only part \((\S+)\)$/, (r, s) => `接受单位 ${r} 标记重大差异或仅部分接收（${stateName(s)}）`]],
  'paper.late': [[/^paper transfer completed (\S+), entered (.+) CST, after (\d+) working days$/, (d, e, n) => `纸质联单 ${d} 完成转移，北京时间 ${e} 才补录，超过 ${n} 个工作日`]],
  'licence.expired': [
    [/^not licensed on the filing day (\S+) nor on the receipt day (\S+): (.+)$/, (f, r, w) => licenceWords(w) && `填报日 ${f} 和接收日 ${r} 均无有效许可：${licenceWords(w)}`],
    [/^not licensed on the (filing|completion|receipt) day (\S+): (.+)$/, (k, d, w) => licenceWords(w) && `${{ filing: '填报日', completion: '转移完成日', receipt: '接收日' }[k]} ${d} 无有效许可：${licenceWords(w)}`],
  ],
  'capacity.exceeded': [[/^(\S+) accepted in (\d+): (\d+) g, over the licensed (\d+) g a year$/, (c, y, u, l) => `${c} ${y} 年已接收 ${g(u)}，超过许可年经营能力 ${g(l)}`]],
  'vehicle.not_in_fleet': [[/^leg (\d+): (.+) not in the carrier's transport permit$/, (n, w) => plateWords(w) && `第 ${n} 程：${plateWords(w)} 不在运输单位的道路运输许可内`]],
  'quantity.mismatch': [[/^filed (\d+) g, received (\d+) g \(([+-]?[\d.]+)%, tolerance ([\d.]+)%\)$/, (f, r, p, t) => `填报 ${g(f)}，实收 ${g(r)}（${p}%，允许偏差 ${t}%）`]],
  'balance.broken': [
    [/^later manifests drew (\d+) g from a line of this cancelled manifest$/, (d) => `后续联单从本作废联单的一行转出 ${g(d)}`],
    [/^received (\d+) g is not accepted (\d+) g \+ rejected (\d+) g$/, (r, a, j) => `实收 ${g(r)} 不等于接收 ${g(a)} 加拒收 ${g(j)}`],
    [/^drawn (\d+) g \+ disposed (\d+) g exceed the (\d+) g accepted$/, (d, p, a) => `转出 ${g(d)} 加处置 ${g(p)} 超过接收量 ${g(a)}`],
    [/^disposed of (\d+) g of (\d+) g accepted$/, (p, a) => `处置 ${g(p)}，超过接收量 ${g(a)}`],
    [/^later manifests drew (\d+) g from the (\d+) g rejected$/, (d, j) => `后续联单转出 ${g(d)}，超过拒收量 ${g(j)}`],
    [/^draws (\d+) g from its sources but ships (\d+) g$/, (d, s) => `从来源批次转入 ${g(d)}，但只转移 ${g(s)}`],
    [/^later manifests drew (\d+) g from batch (\S+?)( \(rejected part\))?, which is not in the ledger$/, (d, b, r) => `后续联单从账本中没有的批次 ${b}${r ? '（拒收部分）' : ''} 转出 ${g(d)}`],
  ],
};
export function anomalyText(a) {
  if (lang === 'en') return a.detail;
  for (const [re, say] of DETAILS[a.rule] || []) {
    const m = re.exec(a.detail || '');
    const t = m && say(...m.slice(1));
    if (t) return t;
  }
  return RULES[a.rule] ? RULES[a.rule][2] : a.detail;
}

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
