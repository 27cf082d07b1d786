/*
 * ident.h - identifiers on the carrier and packaging parts of a manifest
 * (DESIGN.md §5): Chinese vehicle plates and HJ 1276-2022 container codes.
 *
 * Vehicle plates (机动车号牌, GA 36-2018 and its new-energy amendment), the
 * compact form without spaces or the '·' separator; uppercase ASCII letters;
 * the letters I and O are never used (they would read as 1 and 0):
 *
 *   CHARS  FIELD                                        KIND
 *   1      province abbreviation (LD_IDENT_PROVINCES)   all; 3 bytes of UTF-8
 *   2      issuing authority letter A-Z                 all
 *   3-7    5 letters/digits                             ordinary, 辽B12345 / 辽B8K2X9
 *   3-8    D or F, 1 letter/digit, 4 digits             new-energy small, 辽BD12345
 *   3-8    5 digits, D or F                             new-energy large, 辽B12345D
 *   3-6    4 letters/digits, then 挂                    trailer, 辽B1234挂
 *
 * (D: battery electric, F: other new-energy.) Special series (警, 学, 使, 领,
 * 港, 澳, armed police) are refused: hazardous waste travels on ordinary
 * yellow, new-energy or trailer plates.
 *
 * Container codes: HJ 1276-2022 annex A puts a 数字识别码 on every hazardous-
 * waste label. Its layout could not be confirmed from the standard's text: one
 * secondary source describes 4 segments and 37 characters (producer or
 * collector code, waste code, production or collection date, sequence number),
 * without the segment lengths. ld_ident_container_check() is therefore a
 * conservative check of the alphabet and length that any such code passes;
 * the code itself is stored verbatim.
 *
 * Thread safety: every function is reentrant (no state, no locale).
 */
#ifndef LIANDAN_IDENT_H
#define LIANDAN_IDENT_H

#include "liandan/err.h"

/* The 31 province abbreviations used on plates, as UTF-8 (3 bytes each). */
#define LD_IDENT_PROVINCES "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

/* Longest plate in bytes, not counting the NUL: a trailer, 3 + 1 + 4 + 3 (挂). */
#define LD_IDENT_PLATE_MAX 11

/* Longest container code accepted, in bytes. */
#define LD_IDENT_CONTAINER_MAX 64

enum ld_ident_plate_kind {
    LD_IDENT_PLATE_ORDINARY = 1,   /* 普通号牌: 5-character serial */
    LD_IDENT_PLATE_NEW_ENERGY = 2, /* 新能源号牌: 6-character serial with D or F */
    LD_IDENT_PLATE_TRAILER = 3     /* 挂车号牌: 4-character serial then 挂 */
};

/*
 * Validate a vehicle plate and tell its kind (table at the top).
 * [in] s: NUL-terminated UTF-8; borrowed.
 * [in] field: name for err->field ("body.vehicle.plate"); may be NULL.
 * [out] kind: may be NULL; set only on LD_OK.
 * [out] err: may be NULL; the message names the first problem and its
 *       1-based character position ("letter 'O' at position 5 is never used").
 * Returns LD_OK or LD_INVALID.
 */
enum ld_rc ld_ident_plate_check(const char *s, const char *field, enum ld_ident_plate_kind *kind,
                                struct ld_err *err);

/* "ordinary", "new_energy" or "trailer"; "unknown" for any other value. */
const char *ld_ident_plate_kind_str(enum ld_ident_plate_kind kind);

/*
 * Conservative check of an HJ 1276-2022 label code (数字识别码; see the note
 * at the top): 1 to LD_IDENT_CONTAINER_MAX characters from 0-9, A-Z and '-',
 * where '-' only separates (not first, not last, never two in a row).
 * [in] s: NUL-terminated; borrowed. [in] field: for err->field; may be NULL.
 * [out] err: may be NULL.
 * Returns LD_OK or LD_INVALID.
 */
enum ld_rc ld_ident_container_check(const char *s, const char *field, struct ld_err *err);

#endif
