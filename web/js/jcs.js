// jcs.js - RFC 8785 canonical JSON for the values liandan signs: objects,
// arrays, strings, integers, booleans and null (DESIGN.md §4.1).
// Strings are serialised exactly as ECMAScript JSON.stringify does, which is
// what RFC 8785 prescribes; object keys are sorted by UTF-16 code units,
// which is the default order of Array.prototype.sort on strings.

export function canon(v) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isSafeInteger(v)) throw new Error(`JCS: ${v} is not a safe integer`);
      return String(v);
    case 'object':
      if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
      return '{' + Object.keys(v).filter((k) => v[k] !== undefined).sort()
        .map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
    default:
      throw new Error(`JCS: cannot encode a ${typeof v}`);
  }
}

export const utf8 = (s) => new TextEncoder().encode(s);

// The bytes a signature covers: a domain tag line followed by JCS(value).
export function signingBytes(tag, value) {
  return utf8(tag + canon(value));
}
