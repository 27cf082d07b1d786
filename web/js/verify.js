// verify.js - a manifest's signed events checked in this browser, whoever
// signed them (DESIGN.md §4.2, §4.3; schema/api.md "GET /v1/keys/{keyid}").
//
// Each event is rebuilt from GET /v1/manifests/{number} ({v:1, type,
// manifest, prev, at, actor, key, body} with its `sig`); its id must be the
// leaf hash of that envelope, its `prev` the previous event's id, and its
// signature must verify (JCS, WebCrypto Ed25519) under a key that was
// certified for the actor and valid at the event's `at`.
//
// Keys come from GET /v1/keys/{keyid}, fetched once per key id and kept for
// the life of the page. A party's key is trusted only through its `cert`:
// the signed party.key event, which must verify under the regulator key of
// GET /v1/log/keys and name this key (pub), this party (id) and the validity
// (the event's `at` is the start, body.until the end). The regulator's own
// key is the pinned one of /v1/log/keys. A revoked key comes with its signed
// party.revoke event (`revocation`), checked like the certificate; the ledger
// counts revocation by log position (an event placed before the revoking event
// stands), so events are judged by their index against `revoked_index`.
import { parseVkey, verifyEvent, eventId } from './crypto.js';

export class KeyError extends Error {
  constructor(message, { unknown = false } = {}) { super(message); this.unknown = unknown; }
}

// The signed envelope of a manifest event as GET /v1/manifests/{number} gives it.
export function envelope(m, e) {
  return { event: { v: 1, type: e.type, manifest: m.number, prev: e.prev ?? null, at: e.at, actor: e.actor, key: e.key, body: e.body }, sig: e.sig };
}

const same = (a, b) => (a == null && b == null) || (a != null && b != null && Date.parse(a) === Date.parse(b));

// Checks one answer of GET /v1/keys/{keyid} against its certificate.
// Returns {keyid, party, pub, from, until, revoked_at} with the signed values.
export async function certifiedKey(r, keyid, logKeys) {
  const reg = await parseVkey(logKeys.regulator_key);
  if (r.keyid !== keyid) throw new KeyError('the key answer names another key');
  const k = await parseVkey(r.vkey);
  if (k.id !== keyid) throw new KeyError('the verifier key does not hash to its key id');
  if (keyid === logKeys.regulator_key_id || r.party === 'regulator') {
    if (keyid !== logKeys.regulator_key_id || k.id !== reg.id) throw new KeyError('not the pinned regulator key');
    return { keyid, party: 'regulator', pub: reg.pub, from: null, until: null, revoked_at: null };
  }
  const c = r.cert;
  const ev = c?.event;
  if (!ev || typeof c.sig !== 'string') throw new KeyError('no certificate');
  if (ev.v !== 1 || ev.type !== 'party.key' || ev.actor !== 'regulator' || ev.manifest !== null) throw new KeyError('the certificate is not a party.key event of the regulator');
  if (ev.key !== logKeys.regulator_key_id) throw new KeyError('the certificate is not signed with the regulator key');
  if (!(await verifyEvent(reg.pub, c))) throw new KeyError('the certificate signature does not verify');
  const b = ev.body || {};
  if (b.pub !== r.vkey) throw new KeyError('the certificate certifies another key');
  if (b.id !== r.party) throw new KeyError('the certificate names another party');
  if (!same(ev.at, r.from) || !same(b.until ?? null, r.until ?? null)) throw new KeyError('the validity differs from the certificate');
  let revokedIndex = null;
  if (r.revoked_index != null) {
    const rv = r.revocation?.event;
    if (!rv || rv.type !== 'party.revoke' || rv.actor !== 'regulator' || rv.key !== logKeys.regulator_key_id ||
        rv.body?.key !== keyid || !(await verifyEvent(reg.pub, r.revocation)))
      throw new KeyError('the revocation is not a party.revoke event of the regulator for this key');
    revokedIndex = r.revoked_index;
  }
  return { keyid, party: b.id, pub: k.pub, from: ev.at, until: b.until ?? null, revoked_at: r.revoked_at ?? null,
           cert_index: r.cert_index ?? null, revoked_index: revokedIndex };
}

// A cache of certified keys: get(keyid) fetches GET /v1/keys/{keyid} once
// (fetchKey(keyid) -> the JSON answer) and checks its certificate; the
// regulator's key is taken from /v1/log/keys (getLogKeys()) without a request.
// The log keys are asked for at once, so that once they are known get()
// sends its request before it returns: a page that asks for its keys before
// drawing has them on the way while it draws.
export function keyring(fetchKey, getLogKeys) {
  const cache = new Map();
  let lk = null, lkP = null;
  const logKeys = () => (lkP ||= Promise.resolve(getLogKeys()).then((v) => (lk = v), (e) => { lkP = null; throw e; }));
  logKeys().catch(() => {});
  const load = async (lk, keyid) => {
    if (keyid === lk.regulator_key_id) return certifiedKey({ keyid, party: 'regulator', vkey: lk.regulator_key }, keyid, lk);
    let r;
    try { r = await fetchKey(keyid); } catch (e) {
      if (e?.status === 404) throw new KeyError('no certified key ' + keyid);
      cache.delete(keyid); // a failed request is asked again next time
      throw new KeyError(e?.message || String(e), { unknown: true });
    }
    return certifiedKey(r, keyid, lk);
  };
  const get = (keyid) => {
    if (!cache.has(keyid)) {
      cache.set(keyid, lk ? load(lk, keyid) : logKeys().then((v) => load(v, keyid), (e) => {
        cache.delete(keyid);
        throw new KeyError(e?.message || String(e), { unknown: true });
      }));
    }
    return cache.get(keyid);
  };
  return { get, size: () => cache.size };
}

// Was key k usable for an event signed by actor at time at, placed at log
// position index? (Certification and revocation count by position when the
// key answer gives them, as the ledger does; by time otherwise.)
export function keyProblems(k, actor, at, index) {
  const why = [];
  const t = Date.parse(at);
  const byPos = Number.isInteger(index);
  if (k.party !== actor) why.push(['party', 'the key is certified for ' + k.party]);
  if (k.from && t < Date.parse(k.from)) why.push(['early', 'the key was certified after ' + at]);
  else if (byPos && k.cert_index != null && index <= k.cert_index) why.push(['early', 'the event precedes the key\'s certificate in the log']);
  if (k.until && t >= Date.parse(k.until)) why.push(['expired', 'the key expired before ' + at]);
  if (byPos && k.revoked_index != null) {
    if (index >= k.revoked_index) why.push(['revoked', 'the key was revoked before this event was placed']);
  } else if (k.revoked_at && t >= Date.parse(k.revoked_at)) why.push(['revoked', 'the key was revoked before ' + at]);
  return why;
}

// Checks every event of a manifest; returns one result per event:
// {ok, unknown, why:[[code, text]...], key} (codes: id, prev, key, party,
// early, expired, revoked, sig, nokey; key: the certified key, if read).
export async function checkManifest(m, ring) {
  return Promise.all(m.events.map(async (e, i) => {
    const why = [];
    let unknown = false;
    const signed = envelope(m, e);
    const keyP = ring.get(e.key).then((k) => ({ k }), (err) => ({ err }));
    if ((await eventId(signed).catch(() => null)) !== e.id) why.push(['id', 'the id is not the hash of the event']);
    if ((e.prev ?? null) !== (i ? m.events[i - 1].id : null)) why.push(['prev', 'the event does not extend the previous one']);
    const { k, err } = await keyP;
    if (err) {
      unknown = !!err.unknown;
      why.push([unknown ? 'nokey' : 'key', err.message]);
    } else {
      why.push(...keyProblems(k, e.actor, e.at, e.index));
      if (typeof e.sig !== 'string' || !(await verifyEvent(k.pub, signed).catch(() => false))) why.push(['sig', 'the signature does not verify']);
    }
    return { ok: why.length === 0, unknown: unknown && why.length === 1, why, key: k || null };
  }));
}
