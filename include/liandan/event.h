/*
 * event.h - the signed event envelope (DESIGN.md §4.3): parsing, checking the
 * envelope's shape, canonical bytes, event ids, and signing.
 *
 *   event  = {"v":1,"type":T,"manifest":NUMBER|null,"prev":ID|null,
 *             "at":RFC3339-UTC,"actor":USCC|"regulator","key":KEYID,"body":{...}}
 *   signed = {"event":event,"sig":BASE64(ed25519(LD_SIG_PURPOSE_EVENT || JCS(event)))}
 *   entry  = JCS(signed)     leaf hash = SHA-256(0x00 || entry)    ID = hex(leaf hash)
 *
 * Signed message layout:
 *   OFFSET  SIZE  FIELD
 *   0       17    "liandan/event/v1\n" (LD_SIG_PURPOSE_EVENT)
 *   17      N     JCS(event), RFC 8785, integers only (LD_CANON_SIGNED)
 *
 * This module knows nothing of what a body contains; the rules hook (ledger.h)
 * checks bodies. The actor "regulator" names the regulator whose key is pinned
 * when the ledger is created (it has no party record of its own).
 */
#ifndef LIANDAN_EVENT_H
#define LIANDAN_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "liandan/err.h"
#include "liandan/merkle.h"
#include "liandan/sig.h"

#define LD_EVENT_ID_HEX 65       /* 64 hex digits + NUL */
#define LD_EVENT_TYPE_MAX 48     /* "namespace.verb" + NUL */
#define LD_EVENT_ACTOR_MAX 20    /* 18-character USCC or "regulator" + NUL */
#define LD_EVENT_REGULATOR "regulator"
/* Largest manifest number: 14 digits (DESIGN.md §5, Art. 15). */
#define LD_EVENT_MANIFEST_MAX 99999999999999LL

/* A parsed, shape-checked signed event. Fields point into or copy from root. */
struct ld_event {
    cJSON *root;                        /* owned: the whole signed object */
    const cJSON *event;                 /* borrowed from root: the "event" member */
    const cJSON *body;                  /* borrowed from root: event.body (an object) */
    char type[LD_EVENT_TYPE_MAX];       /* event.type */
    int64_t manifest;                   /* event.manifest, or 0 when null */
    int has_prev;                       /* 0 when event.prev is null */
    uint8_t prev[LD_MERKLE_HASH];       /* event.prev as bytes */
    int64_t at;                         /* event.at, seconds since the epoch (UTC) */
    char at_text[24];                   /* event.at as written (canonical RFC 3339) */
    char actor[LD_EVENT_ACTOR_MAX];     /* event.actor */
    char key[LD_SIG_KEYID_HEX];         /* event.key (key id, lowercase hex) */
    uint8_t sig[LD_SIG_SIG];            /* decoded signature */
    char *msg;                          /* owned: purpose || JCS(event), the signed bytes */
    size_t msg_len;
    char *entry;                        /* owned: JCS(signed), the Merkle leaf data */
    size_t entry_len;
    uint8_t id[LD_MERKLE_HASH];         /* leaf hash of entry: the event id */
    char id_hex[LD_EVENT_ID_HEX];       /* the same as lowercase hex */
};

/*
 * Parse and shape-check a signed event from untrusted bytes: JSON (no
 * duplicates, integers only), exactly the members above, v == 1, type matching
 * [a-z]+(\.[a-z_]+)+, manifest null or 1..LD_EVENT_MANIFEST_MAX, prev null or 64
 * lowercase hex, canonical RFC 3339 UTC at, actor a USCC with a valid check
 * character or "regulator", key 32 lowercase hex, body an object, sig base64 of
 * 64 bytes. Computes msg, entry and id. Does not verify the signature (that needs
 * the key, see ld_event_verify) and does not require the input to be canonical.
 * [out] ev: filled on LD_OK; release with ld_event_release(). Untouched otherwise.
 * [out] err: may be NULL; names the field ("event.at", "sig").
 * Returns LD_OK, LD_PARSE (not JSON, or not the envelope: not an object, a member missing
 * or unknown, event or body not an object) or LD_INVALID (a value out of
 * range or of the wrong form).
 */
enum ld_rc ld_event_parse(const char *text, size_t len, struct ld_event *ev, struct ld_err *err);

/* Release what ev owns; ev may be zeroed or already released. */
void ld_event_release(struct ld_event *ev);

/* Free what only the rules read: the JSON tree (root, event and body become
 * NULL) and entry. The fixed fields, msg and sig stay: enough for
 * ld_event_verify. ld_event_release still frees the rest. */
void ld_event_trim(struct ld_event *ev);

/* Verify ev's signature under pk. Returns LD_OK or LD_BADSIG. Thread-safe. */
enum ld_rc ld_event_verify(const struct ld_event *ev, const uint8_t pk[LD_SIG_PUB]);

/*
 * Sign an unsigned event object (the "event" member: it must have every
 * member but may omit "key", which is then set from s) and build the signed
 * envelope. Borrows event; does not modify it.
 * [out] out, out_len: new canonical entry text (JCS(signed)); caller frees with free().
 * [out] err: may be NULL.
 * Returns LD_OK, or LD_INVALID when the event is not acceptable as signed data.
 */
enum ld_rc ld_event_sign(const cJSON *event, const struct ld_sig_secret *s, char **out,
                         size_t *out_len, struct ld_err *err);

/* Is type a well-formed event type ("party.register")? Returns 1 or 0. */
int ld_event_type_ok(const char *type);

#endif
