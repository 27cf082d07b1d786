/*
 * uscc.h - the Unified Social Credit Code (统一社会信用代码, GB 32100-2015)
 * that identifies every party in the ledger (DESIGN.md §4.3 "actor", §5).
 *
 * Layout of the 18 characters, all from LD_USCC_ALPHABET:
 *
 *   POSITION  SIZE  FIELD
 *   1         1     registration authority code (登记管理部门代码)
 *   2         1     entity type code (机构类别代码)
 *   3-8       6     administrative division code (GB/T 2260), digits only
 *   9-17      9     organisation code (GB 11714 body: 8 characters + its own check)
 *   18        1     check character over positions 1-17 (GB 32100 校验码)
 *
 * The ledger enforces the alphabet, the digits of 3-8 and the GB 32100 check
 * character. It does not enforce the GB 11714 check inside 9-17, because
 * registered codes in the wild sometimes break it; ld_uscc_org_ok() reports
 * it for callers that want a warning. Nor does it check positions 1-2 against
 * the list of authorities and entity types, which grows over time.
 *
 * Thread safety: every function here is reentrant (no state, no locale).
 */
#ifndef LIANDAN_USCC_H
#define LIANDAN_USCC_H

#include "liandan/err.h"

/* Characters in a USCC, not counting a terminating NUL. */
#define LD_USCC_LEN 18

/* The 31 characters a USCC may use, in value order: '0' is 0 ... 'Y' is 30.
 * I, O, Z, S and V never occur (GB 32100-2015 code character set). */
#define LD_USCC_ALPHABET "0123456789ABCDEFGHJKLMNPQRTUWXY"

/*
 * Validate a USCC: exactly 18 characters from LD_USCC_ALPHABET (uppercase
 * only), digits at positions 3-8, and a correct check character at 18.
 * [in] s: NUL-terminated candidate; borrowed for the duration of the call.
 * [in] field: name recorded in err->field (for example "event.actor"); may be NULL.
 * [out] err: may be NULL; on failure receives LD_INVALID, field and a message
 *       naming the first problem ("length is 17, expected 18", "character 'I'
 *       not allowed at position 5", "check character is '4', expected '3'").
 * Returns LD_OK or LD_INVALID.
 */
enum ld_rc ld_uscc_check(const char *s, const char *field, struct ld_err *err);

/*
 * The GB 32100 check character for the first 17 characters of a USCC, for
 * tools that make valid codes (the demo data generator).
 * [in] s17: 17 characters (need not be NUL-terminated; anything after the
 *      17th is ignored); borrowed.
 * Returns the check character, or 0 if s17 cannot start a valid USCC (a
 * character outside LD_USCC_ALPHABET, or a non-digit in positions 3-8). A
 * non-zero result c means that s17 followed by c passes ld_uscc_check().
 */
char ld_uscc_check_char(const char s17[17]);

/*
 * GB 11714 check of the organisation code at positions 9-17 of a USCC:
 * weights 3,7,9,10,5,8,4,2 over the first 8 (digits 0-9, letters A-Z as
 * 10-35), C9 = 11 - (sum mod 11), written 'X' for 10 and '0' for 11.
 * Advisory only; see the note at the top of this header.
 * [in] s: NUL-terminated; borrowed.
 * Returns 1 if s has 18 characters and positions 9-17 satisfy GB 11714,
 * 0 otherwise. Does not look at positions 1-8 or 18.
 */
int ld_uscc_org_ok(const char *s);

/*
 * The GB 11714 check character (as above) of the 8 organisation-code
 * characters s8 (positions 9-16 of a USCC), for tools that make codes.
 * [in] s8: 8 characters of 0-9, A-Z; borrowed. Returns the character, or 0
 * if s8 holds another character.
 */
char ld_uscc_org_char(const char s8[8]);

#endif
