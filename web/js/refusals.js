// refusals.js - the server's refusals said in the page's language. The
// server words each refusal in English ({code, field, message}: a violation
// of a 422, or an error body's error/field/hint; schema/api.md). Under the
// English switch the message is shown as it is. In Chinese each known
// wording (the ld_err_set formats of src/rules_*.c, party.c, domain.c,
// ledger.c, event.c, body.c, uscc.c, catalog.c and the sign-in hints of
// src/api_auth.c) is read back here and said again in Chinese; an unknown
// wording gets a sentence from the field's name and the code. The English
// text always stays with it (refusalText's `en`, shown as a detail).
import { L, getLang, stateName, roleName, qty } from './i18n.js';

// Field names: the last member of a path (event.body.lines[1].qty_g: qty_g).
const FIELDS = {
  vehicle: '车牌号', trailer: '挂车牌号', from: '交出方（上一程承运人）', place: '地点', start: '起运地点',
  route: '路线', driver: '驾驶员', escort: '押运员', name: '名称', licence: '资格证号', packages: '件数',
  track: 'GPS 轨迹', lines: '明细行', line: '行号', received_g: '实收量', accepted_g: '接收量',
  rejected_g: '拒收量', qty_g: '数量', method: '利用/处置方式', on: '完成日期', reason: '原因',
  discrepancy: '差异', kinds: '差异类型', description: '差异说明', producer: '产生单位',
  receiver: '接受单位', carrier: '运输单位', consignor: '托运人', code: '废物代码', category: '废物类别',
  hazard: '危险特性', form: '形态', containers: '容器编号', approval: '跨省转移批准文号', paper: '纸质联单',
  transferred_on: '转移日期', completed_on: '转移完成日期', sources: '来源批次', batch: '批次',
  id: '统一社会信用代码', roles: '角色', district: '区县代码', pub: '公钥', until: '有效期至', key: '密钥',
  number: '编号', kind: '种类', valid_from: '有效期起', valid_until: '有效期止', codes: '废物代码',
  methods: '利用/处置方式', capacity_g: '年经营能力', vehicles: '车辆', manifest: '联单', actor: '签署单位',
  prev: '最新事件', at: '签署时间', sig: '签名', nonce: '登录挑战', type: '事件类型', body: '内容',
  address: '地址', contact: '联系人', phone: '电话', emergency_phone: '应急电话', part: '更正部分',
  changes: '更正内容', correction: '更正', request: '更正要求', exemption: '豁免', edition: '名录版本',
  passphrase: '口令', party: '单位', state: '状态',
};
const LIST_ITEMS = { lines: '行', packages: '行' };

// "event.body.lines[2].qty_g" -> "第 3 行的数量"; '' when the path says nothing.
export function fieldLabel(path) {
  const p = String(path || '').replace(/^\$\./, '').replace(/^event\.body\.?/, '').replace(/^(event|body)\./, '');
  if (!p || p === 'event') return '';
  const segs = p.split('.');
  const out = [];
  segs.forEach((s, i) => {
    const m = /^(\w+)\[(\d+)\]$/.exec(s);
    const last = i === segs.length - 1;
    if (m && last) out.push(`${FIELDS[m[1]] || m[1]}（第 ${Number(m[2]) + 1} ${LIST_ITEMS[m[1]] || '项'}）`);
    else if (m) out.push(`第 ${Number(m[2]) + 1} ${LIST_ITEMS[m[1]] || '项'}的`);
    else if (last && s === 'name' && /^(driver|escort)$/.test(segs[i - 1])) out.push('姓名');
    else if (last || /^(driver|escort|producer|paper|discrepancy)$/.test(s)) out.push(FIELDS[s] || s);
  });
  return out.join('');
}

const CODES = {
  rule: '不符合账本规则', invalid: '填写不正确', parse: '格式不对', badsig: '签名无法验证',
  wrongkey: '签名所用的密钥不能签署此事件', conflict: '与账本中已有的记录冲突', notfound: '未找到',
  unauthorized: '身份验证未通过', forbidden: '无权查看或操作', busy: '账本正忙，请稍后重试',
  too_large: '内容过大', media_type: '内容类型不对', rate_limited: '请求过于频繁，请稍后重试',
  draining: '服务器正在停止，请稍后重试', bad_query: '查询条件不对', method: '不支持此操作',
  no_route: '没有此地址', db: '服务器内部错误', io: '服务器内部错误', nomem: '服务器内部错误',
  tampered: '账本数据损坏（服务器内部错误）',
};
const KINDS = { transport: '道路危险货物运输许可', disposal: '危险废物经营许可证', collection: '危险废物收集许可证' };
const st = (s) => `“${stateName(s)}”`;
const g = (n) => qty(Number(n));
const ROLE_LIST = (s) => s.split(/, | or /).map((r) => roleName(r)).join('、');

// [pattern, (match groups..., label) => Chinese]; the first match wins.
const SAY = [
  // transport (rules_transport.c)
  [/^'(.+)' is not a vehicle plate$/, (p) => `“${p}”不是有效的车牌号`],
  [/^track is the SHA-256 .*$/, () => 'GPS 轨迹须为所附轨迹文件的 SHA-256（64 位小写十六进制）'],
  [/^packages are counts, one per line$/, () => '件数须为整数，每行一个'],
  [/^packages must give one count per line \((\d+)\)$/, (n) => `件数须逐行填写（共 ${n} 行）`],
  [/^no manifest (\d+)$/, (n) => `账本中没有编号为 ${n} 的联单`],
  [/^pickup needs a filed manifest \(it is (\w+)\)$/, (s) => `只有已填报的联单才能起运（该联单${st(s)}）`],
  [/^the manifest names carrier (\S+)$/, (c) => `联单指定的运输单位是 ${c}，只有它能签署起运`],
  [/^hand-over needs a manifest in transit \(it is (\w+)\)$/, (s) => `只有运输中的联单才能交接（该联单${st(s)}）`],
  [/^the waste is with (\S+), not (\S+)$/, (a, b) => `废物目前在承运人 ${a} 处，不在 ${b} 处：交出方须为 ${a}`],
  [/^the next leg's carrier signs the hand-over, not the current one$/, () => '交接由下一程承运人签署，当前承运人不能签署'],
  [/^arrival needs a manifest in transit \(it is (\w+)\)$/, (s) => `只有运输中的联单才能签署运抵（该联单${st(s)}）`],
  [/^the waste is with carrier (\S+)$/, (c) => `废物目前在承运人 ${c} 处（已交接），只有它能签署运抵`],
  // parties, roles, licences (domain.c)
  [/^party (\S+) is not registered as a (\w+)$/, (p, r) => `单位 ${p} 未登记为${roleName(r)}`],
  [/^party (\S+) is not registered$/, (p) => `单位 ${p} 未在账本登记`],
  [/^(\S+) holds no (\w+) licence$/, (p, k) => `${p} 没有${KINDS[k] || k + ' 许可'}`],
  [/^(\w+) licence (.+) of (\S+) is valid (\S+) to (\S+)$/, (k, n, p, a, b) => `${p} 的${KINDS[k] || k + ' 许可'} ${n} 有效期为 ${a} 至 ${b}，当日无效`],
  // receipt and disposal (rules_receipt.c)
  [/^the manifest names receiver (\S+)$/, (r) => `联单指定的接受单位是 ${r}，只有它能签署`],
  [/^the manifest must be (\w+) \(it is (\w+)\)$/, (a, b) => `联单须为${st(a)}状态（目前${st(b)}）`],
  [/^line (\d+) is listed twice$/, (n) => `第 ${n} 行重复填写`],
  [/^discrepancy kinds are .*$/, () => '差异类型只能是名称、数量、特性、形态、包装'],
  [/^'(.*)' is not a method code$/, (c) => `“${c}”不是利用/处置方式代码`],
  [/^every line \((\d+)\) must be weighed and decided$/, (n) => `每一行（共 ${n} 行）都须称重并确认接收或拒收`],
  [/^rejects more than the (\d+) g filed$/, (n) => `拒收量超过联单填报的 ${g(n)}`],
  [/^disposal follows receipt \(the manifest is (\w+)\)$/, (s) => `须先确认接收才能记录利用/处置（该联单${st(s)}）`],
  [/^disposal cannot be recorded before it happens$/, () => '不能记录尚未发生的利用/处置（完成日期晚于今天）'],
  [/^disposal cannot come before the receipt it disposes of$/, () => '利用/处置完成日期不能早于接收日期'],
  [/^the receiver's licence does not permit (\S+)$/, (m) => `接受单位的经营许可证不包括利用/处置方式 ${m}`],
  [/^disposes of (\d+) g, but only (\d+) g accepted remain$/, (a, b) => `利用/处置 ${g(a)}，但已接收待处置的只有 ${g(b)}`],
  // filing and cancelling (rules_manifest.c)
  [/^catalogue edition '(.*)' is not known .*$/, (e) => `名录版本“${e}”未知（应为 2021）`],
  [/^'(.*)' is not a waste code of the (\S+) catalogue$/, (c, e) => `“${c}”不是 ${e} 版《国家危险废物名录》中的废物代码`],
  [/^code (\S+) is not in category (\S+)$/, (c, k) => `废物代码 ${c} 不属于类别 ${k}`],
  [/^hazard must be T, C, I, R or In$/, () => '危险特性只能是 T、C、I、R 或 In'],
  [/^hazard characteristics do not match those of code (\S+)$/, (c) => `危险特性与名录中 ${c} 的不一致`],
  [/^form must be solid, semi-solid, liquid or gas$/, () => '形态只能是固态、半固态、液态或气态'],
  [/^a container code is .*$/, () => '容器编号为 1 至 64 个 0-9、A-Z 和“-”字符'],
  [/^exemption row (\d+) does not exempt transport of (\S+)$/, (n, c) => `豁免清单第 ${n} 项不豁免 ${c} 的运输环节`],
  [/^consignor \(托运人\) must be the producer or the receiver$/, () => '托运人须为产生单位或接受单位'],
  [/^completed_on is before transferred_on$/, () => '转移完成日期早于转移日期'],
  [/^(\S+) holds no batch (\S+)$/, (p, b) => `${p} 没有批次 ${b}`],
  [/^draws (\d+) g from batch (\S+), which holds (\d+) g$/, (a, b, c) => `从批次 ${b} 转出 ${g(a)}，但该批次只有 ${g(c)}`],
  [/^the filer \((\S+)\) must sign its own manifest$/, (p) => `联单须由填报单位（${p}）自己签署`],
  [/^(\S+) may not file: it is not registered as a producer, collector or receiver$/, (p) => `${p} 不能填报联单：未登记为产生、收集或接受单位`],
  [/^the serials of city (\d+) for (\d+) are used up$/, (c, y) => `${c} 市 ${y} 年的联单流水号已用完`],
  [/^number (\d+) is taken: the next is (\d+)$/, (a, b) => `编号 ${a} 已被占用，下一个编号是 ${b}：请重新提交`],
  [/^the manifest number must be (\d+) .*$/, (n) => `联单编号应为 ${n}（年份、填报单位所在市、下一流水号）`],
  [/^(\S+) is not registered as a receiver or collector$/, (p) => `${p} 未登记为接受单位或收集单位`],
  [/^receiver (\S+) is not licensed for (\S+) \((\S+)\)$/, (r, c, k) => `接受单位 ${r} 的许可证不包括 ${c}（${k}）`],
  [/^receiver is in another province \((\d+)\): the approval number is required$/, (p) => `接受单位在外省（${p}），须填写跨省转移批准文号`],
  [/^a paper transfer cannot complete after it is entered$/, () => '纸质联单的转移完成日期不能晚于补录当天'],
  [/^only the filer (\S+) may cancel$/, (p) => `只有填报单位 ${p} 可以作废该联单`],
  [/^a manifest can be cancelled only before pickup \(it is (\w+)\)$/, (s) => `联单只能在起运前作废（该联单${st(s)}）`],
  // licences and permits (rules_licence.c)
  [/^valid_until is before valid_from$/, () => '有效期止早于有效期起'],
  [/^kind must be disposal or collection$/, () => '种类须为经营许可证或收集许可证'],
  [/^must be a waste code of the catalogue or a category HWxx$/, () => '须为《国家危险废物名录》中的废物代码或类别 HWxx'],
  [/^must be a utilisation\/disposal method code .*$/, () => '须为利用/处置方式代码（R1、D10 等）'],
  [/^capacity is per category HWxx, in grams per year$/, () => '年经营能力按类别 HWxx 填写，单位为克/年'],
  [/^must be a vehicle or trailer plate such as (\S+) or (\S+)$/, (a, b) => `须为车牌号，如 ${a} 或 ${b}`],
  // party registry (party.c)
  [/^id must be a USCC string$/, () => '须为统一社会信用代码'],
  [/^name must be a non-empty string of at most (\d+) bytes$/, (n) => `名称不能为空，最多 ${n} 字节`],
  [/^roles must be a non-empty array$/, () => '至少选择一个角色'],
  [/^role must be (.+)$/, (r) => `角色只能是${ROLE_LIST(r)}`],
  [/^role '(.*)' listed twice$/, (r) => `角色“${roleName(r)}”重复`],
  [/^district must be a 6-digit GB\/T 2260 code$/, () => '区县须为 6 位 GB/T 2260 行政区划代码'],
  [/^party (\S+) is already registered$/, (p) => `单位 ${p} 已经登记`],
  [/^pub must be a verifier key line .*$/, () => '公钥须为一行 NAME+HASH+KEY 格式的验证密钥（.pub 文件的内容）'],
  [/^until must be null or a UTC time .*$/, () => '有效期至须为空或 UTC 时间'],
  [/^until (\S+) is not after the certification time$/, (u) => `有效期至 ${u} 不晚于备案时间`],
  [/^key (\S+) is already certified$/, (k) => `密钥 ${k} 已经备案`],
  [/^key must be a key id$/, () => '须为密钥编号'],
  [/^reason must be a string of at most (\d+) bytes$/, (n) => `原因最多 ${n} 字节`],
  [/^key (\S+) is not certified$/, (k) => `密钥 ${k} 未在账本备案`],
  [/^key (\S+) belongs to (\S+), not (\S+)$/, (k, a, b) => `密钥 ${k} 属于 ${a}，不属于 ${b}`],
  [/^key (\S+) is already revoked$/, (k) => `密钥 ${k} 已经吊销`],
  [/^key (\S+) is certified for (\S+), not (\S+)$/, (k, a, b) => `密钥 ${k} 是为 ${a} 备案的，不能代表 ${b} 签名`],
  [/^key (\S+) was not yet certified$/, (k) => `签名时密钥 ${k} 尚未备案`],
  [/^key (\S+) was revoked at (\S+)$/, (k, t) => `密钥 ${k} 已于 ${t} 吊销`],
  [/^key (\S+) is valid from (\S+), event at (\S+)$/, (k, a, b) => `密钥 ${k} 自 ${a} 起有效，签署时间 ${b} 在此之前`],
  [/^key (\S+) expired at (\S+), event at (\S+)$/, (k, a, b) => `密钥 ${k} 已于 ${a} 过期（签署时间 ${b}）`],
  [/^key (\S+) is not the regulator's key$/, (k) => `密钥 ${k} 不是生态环境局的密钥`],
  [/^only the regulator may sign '(.*)' events$/, () => '只有生态环境局可以签署此类事件'],
  // the envelope (ledger.c, event.c)
  [/^'(.*)' events need a manifest number$/, () => '此类事件须填写联单编号'],
  [/^'(.*)' events must have manifest null$/, () => '此类事件不属于联单'],
  [/^'(.*)' events have no chain: prev must be null$/, () => '此类事件没有事件链，不应填写最新事件'],
  [/^prev names an event that is not in chain '(.*)' .*$/, () => '最新事件编号不在该联单的事件链上（该链为空）'],
  [/^at (\S+) is before the previous event of chain '(.*)' \((\S+)\)$/, (a, c, b) => `签署时间 ${a} 早于上一事件的时间 ${b}（请检查本机时钟）`],
  [/^chain '(.*)' has already moved on from this prev .*$/, () => '联单已有新的事件（他人刚刚签署）：请刷新页面后重试'],
  [/^prev names no accepted event$/, () => '最新事件编号不对应账本中的任何事件：请核对联单二维码'],
  [/^at (\S+) is in the future \(now (\S+)\)$/, (a, b) => `签署时间 ${a} 晚于服务器时间 ${b}：请检查本机时钟`],
  [/^at (\S+) is too far in the past \(now (\S+)\)$/, (a, b) => `签署时间 ${a} 过早（服务器时间 ${b}）：请检查本机时钟`],
  [/^unknown event type '(.*)'$/, (t) => `未知的事件类型“${t}”`],
  [/^signature does not verify under key (\S+)$/, (k) => `签名无法用密钥 ${k} 验证`],
  [/^manifest must be null or a number of at most 14 digits$/, () => '联单编号须为 14 位以内的数字'],
  [/^prev must be null or an event id .*$/, () => '最新事件编号须为 64 位小写十六进制'],
  [/^at must be a UTC time .*$/, () => '签署时间须为 UTC 时间 YYYY-MM-DDTHH:MM:SSZ'],
  [/^sig must be the base64 of 64 bytes$/, () => '签名须为 64 字节的 base64'],
  [/^unsupported envelope version .*$/, () => '不支持的事件格式版本（应为 1）'],
  [/^type must look like 'namespace\.verb'$/, () => '事件类型格式应为“类别.动作”'],
  [/^actor must be a string$/, () => '签署单位须为统一社会信用代码'],
  [/^key must be a key id \(32 lowercase hex digits\)$/, () => '密钥编号须为 32 位小写十六进制'],
  // sign-in (api_auth.c) and the pages' own API client
  [/^the key is not certified for any party now$/, () => '此密钥目前没有为任何单位备案（未备案，或已吊销、已过期）'],
  [/^unknown, used or expired challenge; ask for a new one$/, () => '登录挑战已失效或已使用：请重新登录'],
  [/^the signature does not verify under this key$/, () => '签名无法用此密钥验证'],
  [/^a key id is 32 lowercase hex digits$/, () => '密钥编号须为 32 位小写十六进制'],
  [/^sign in first$/, () => '请先登录'],
  // reads (api_manifests.c, api_parties.c)
  [/^manifest (\d+) does not name (\S+)$/, (n, p) => `联单 ${n} 没有列明本单位 ${p}，不能查看`],
  [/^no party '(.*)'$/, (p) => `没有单位 ${p}`],
  [/^a party reads its own (?:record|chain) only$/, () => '单位只能查看本单位的记录'],
  [/^a party searches its own manifests$/, () => '单位只能查询列明本单位的联单'],
  [/^only the regulator may read this$/, () => '只有生态环境局可以查看'],
  [/^the server is shutting down.*$/, () => '服务器正在停止，请稍后重试'],
  [/^no manifest number for (\S+): .*$/, (p) => `无法为 ${p} 分配联单编号：未登记区县，或本年度流水号已用完`],
  // unified social credit codes (uscc.c)
  [/^length is (\d+), expected (\d+)$/, (n, w) => `长度为 ${n}，统一社会信用代码应为 ${w} 位`],
  [/^check character is '(.)', expected '(.)'$/, (a, b) => `校验码为“${a}”，应为“${b}”：请核对代码`],
  [/^lowercase '(.)' at position (\d+) .*$/, (c, n) => `第 ${n} 位“${c}”须为大写字母`],
  [/^character '(.)' at position (\d+) must be a digit .*$/, (c, n) => `第 ${n} 位“${c}”须为数字（行政区划码）`],
  [/^character '(.)' not allowed at position (\d+)$/, (c, n) => `第 ${n} 位不能是“${c}”`],
  [/^byte 0x(\w+) not allowed at position (\d+)$/, (c, n) => `第 ${n} 位有不允许的字符`],
  // catalogue look-ups (catalog.c)
  [/^waste code '(.*)' is not NNN-NNN-NN$/, (c) => `废物代码“${c}”格式应为 NNN-NNN-NN`],
  [/^waste code '(.*)' is not in the (\S+) catalogue$/, (c, e) => `废物代码“${c}”不在 ${e} 版名录中`],
  [/^waste code '(.*)': the (\S+) catalogue has no category (\S+)$/, (c, e, k) => `废物代码“${c}”：${e} 版名录没有类别 ${k}`],
  [/^category '(.*)' is not HWNN$/, (c) => `类别“${c}”格式应为 HWNN`],
  [/^category '(.*)' is not in the (\S+) catalogue$/, (c, e) => `类别“${c}”不在 ${e} 版名录中`],
  [/^hazard characteristic '(.*)' is not T, C, I, R or In$/, (h) => `危险特性“${h}”只能是 T、C、I、R 或 In`],
  [/^hazard characteristic '(.*)' declared twice$/, (h) => `危险特性“${h}”重复`],
  [/^hazard characteristic '(.*)' is not listed for (\S+) .*$/, (h, c) => `名录中 ${c} 没有危险特性“${h}”`],
  [/^hazard characteristic '(.*)' is required for (\S+) .*$/, (h, c) => `名录规定 ${c} 须有危险特性“${h}”`],
  [/^no hazard characteristic declared for (\S+)$/, (c) => `未填写 ${c} 的危险特性`],
  [/^method code '(.*)' is not in the table$/, (c) => `“${c}”不在利用/处置方式代码表中`],
  [/^method code '(.*)' is not .*$/, (c) => `“${c}”不是利用/处置方式代码（R、D、C 或 Y 加 1-99）`],
  // body shapes (body.c, event.c): said of the field
  [/^must be an object$/, (f) => `${f || '内容'}格式不对`],
  [/^(?:event must be an object|body must be an object|a signed event must be a JSON object)$/, () => '签名事件格式不对'],
  [/^unknown member '(.*)'$/, (m) => `不认识的字段“${m}”`],
  [/^missing (?:member )?'(.*)'$/, (m, f) => `缺少${f || FIELDS[m] || '“' + m + '”'}`],
  [/^must be a string$/, (f) => `${f || '此项'}须为文字`],
  [/^must be 1 to (\d+) bytes long$/, (n, f) => `${f || '此项'}不能为空，最多 ${n} 字节（约 ${Math.floor(n / 3)} 个汉字）`],
  [/^must be an integer from (-?\d+) to (-?\d+)$/, (a, b, f) => `${f || '此项'}须为 ${a} 至 ${b} 的整数`],
  [/^must be a date YYYY-MM-DD$/, (f) => `${f || '此项'}须为日期（年-月-日）`],
  [/^must be an array of 1 to (\d+) items$/, (n, f) => `${f || '此项'}须为 1 至 ${n} 项`],
];

// {text, en} for one refusal {code, field, message}: text in the page's
// language; en the server's English when text is not it (else null).
export function refusalText(v) {
  const message = v?.message || '';
  if (getLang() === 'en') return { text: message || v?.code || '', en: null };
  const label = fieldLabel(v?.field);
  for (const [re, say] of SAY) {
    const m = re.exec(message);
    if (m) return { text: say(...m.slice(1), label), en: message };
  }
  const what = CODES[v?.code] || '未通过';
  return { text: label ? `${label}：${what}` : what, en: message || null };
}
