/*
 * canon.h - RFC 8785 JSON Canonicalization Scheme (JCS) on top of cJSON.
 *
 * SPEC: RFC 8785 §3.2 (serialisation), §3.2.2.3 (numbers = ECMAScript
 * Number::toString, ECMA-262 §7.1.12.1), §3.2.3 (member sort by UTF-16 code units).
 * DESIGN.md §4.1 adds, for signed data (LD_CANON_SIGNED): only integers with
 * |n| <= 2^53-1 are allowed as numbers.
 *
 * Thread safety: all functions are reentrant; they touch no global state of
 * their own and never read cJSON's global error pointer (cJSON 1.7.15's parser
 * still writes it on every call, which is harmless as long as nobody reads it).
 *
 * JSON paths in ld_err.field start at "$"; a member whose name is an
 * identifier ([A-Za-z_][A-Za-z0-9_]*) is ".name", any other member is
 * ["name"] (name as a JCS string), an array element is "[i]".
 */
#ifndef LIANDAN_CANON_H
#define LIANDAN_CANON_H

#include <stddef.h>

#include <cJSON.h>

#include "liandan/buf.h"
#include "liandan/err.h"

/* Flags for ld_canon_write / ld_canon_parse. */
#define LD_CANON_SIGNED 0x1u /* numbers must be integers within +-(2^53-1) */

/* Largest output of ld_canon_number, including the terminating NUL. */
#define LD_CANON_NUM_MAX 32

/* Largest integer magnitude allowed in signed data: 2^53 - 1. */
#define LD_CANON_INT_MAX 9007199254740991LL

/*
 * Serialise d as ECMAScript Number::toString does (shortest round-trip digits,
 * the closest of them if several; exponent form below 1e-6 and from 1e21;
 * "-0" written as "0").
 * [in] d: any double. [out] out: NUL-terminated text ("" on failure).
 * Returns LD_OK, or LD_INVALID for NaN and infinities (JCS forbids them).
 */
enum ld_rc ld_canon_number(double d, char out[LD_CANON_NUM_MAX]);

/*
 * Append the canonical form of v to *out.
 * [in] v: a cJSON tree (borrowed). [in] flags: 0 or LD_CANON_SIGNED.
 * [in,out] out: appended to; on failure it may hold a partial prefix.
 * [out] err: may be NULL; on failure names the offending field as a JSON path
 *   ("$.event.body.qty_g", "$.lines[2]").
 * Returns LD_OK; LD_INVALID for a non-finite number, a number refused by
 * LD_CANON_SIGNED ("number 1.5 is not an integer", "number 9007199254740992
 * is out of range"), a string or key that is not valid UTF-8 (including
 * encoded surrogates and overlong forms), duplicate member names, or nesting
 * deeper than 64; LD_PARSE for v == NULL or a malformed cJSON node: unknown
 * type (cJSON_Raw, cJSON_Invalid), a string without valuestring, an object
 * member without a name. -0.0 is accepted (also with LD_CANON_SIGNED) and
 * written as "0".
 */
enum ld_rc ld_canon_write(const cJSON *v, unsigned flags, struct ld_buf *out, struct ld_err *err);

/*
 * Parse exactly len bytes of JSON text (no NUL needed; trailing whitespace
 * allowed, anything else after the value refused) with cJSON_ParseWithLengthOpts,
 * after a strict RFC 8259 check of the text that cJSON alone would not make
 * (no BOM, whitespace only space/tab/LF/CR, no "01", "1.", "-.5", no raw
 * control characters in strings, only valid escapes).
 * Refuses duplicate member names at any depth, invalid UTF-8 (overlong forms
 * and encoded surrogates included), unpaired surrogate escapes, escaped
 * U+0000 (cJSON strings end at NUL, so it would be silently cut off), number
 * literals longer than 63 characters (cJSON's limit), numbers that overflow
 * to infinity (1e400), and nesting deeper than 64. With LD_CANON_SIGNED also
 * refuses numbers as ld_canon_write does, and numeric literals whose text is
 * not an integer ("1.0", "1e2", "-0").
 * [in] text: borrowed; may be NULL only if len is 0. [in] flags: 0 or LD_CANON_SIGNED.
 * [out] out: a new cJSON tree; caller frees with cJSON_Delete(). NULL on failure.
 * [out] err: may be NULL. For LD_PARSE, field is "" and msg is
 *   "malformed JSON at byte N" (N = 0-based offset of the first bad byte, or
 *   len if the text ends too early). Refusals found in the text carry a
 *   byte offset too ("invalid UTF-8 at byte 7", "nesting deeper than 64 at
 *   byte 320"); refusals found in the tree carry a JSON path in field
 *   ("$.lines[2]": "number 1.0 is not written as an integer").
 * Returns LD_OK, LD_PARSE (not JSON), LD_INVALID (JSON, but refused as above).
 */
enum ld_rc ld_canon_parse(const char *text, size_t len, unsigned flags, cJSON **out,
                          struct ld_err *err);

/*
 * Convenience: canonical form of v as a new NUL-terminated string.
 * [out] out, out_len: caller frees *out with free(); out_len may be NULL.
 * On failure *out is NULL and *out_len 0. Same return codes as ld_canon_write.
 */
enum ld_rc ld_canon_dup(const cJSON *v, unsigned flags, char **out, size_t *out_len,
                        struct ld_err *err);

#endif
