/*
 * uscc.c - validation of the Unified Social Credit Code (include/liandan/uscc.h):
 * alphabet, layout and check character of GB 32100-2015, and the advisory
 * GB 11714 check of the embedded organisation code. Pure functions on bytes;
 * deliberately no <ctype.h>, whose answers depend on the locale.
 */
#include <assert.h>
#include <string.h>

#include "liandan/uscc.h"
#include "liandan/banned.h"

/* SPEC: GB 32100-2015 check character: weight of position i (1-based) is
 * 3^(i-1) mod 31. */
static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

/* SPEC: GB 11714-1997 check character weights for the 8-character body. */
static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

/* Value of c in LD_USCC_ALPHABET (0..30), or -1 if c is not in it. */
static int
uscc_value(char c)
{
    static const char alphabet[] = LD_USCC_ALPHABET;
    const char *p;

    if (c == '\0')
        return -1;
    p = memchr(alphabet, c, sizeof alphabet - 1);
    return p != NULL ? (int)(p - alphabet) : -1;
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Positions 3-8 (1-based) hold the administrative division code. */
static int
is_division_pos(int pos)
{
    return pos >= 3 && pos <= 8;
}

/* GB 32100 check character for values v[0..16]. */
static char
check_char_of(const int v[17])
{
    static const char alphabet[] = LD_USCC_ALPHABET;
    int i, sum = 0, c;

    for (i = 0; i < 17; i++)
        sum += v[i] * weights[i];
    c = 31 - sum % 31; /* 1..31; 31 is written '0' */
    return alphabet[c % 31];
}

/* Record why character s[i] (position i+1) is refused. */
static enum ld_rc
bad_char(const char *s, int i, const char *field, struct ld_err *err)
{
    unsigned char c = (unsigned char)s[i];
    int pos = i + 1;

    if (c >= 'a' && c <= 'z')
        return ld_err_set(err, LD_INVALID, field,
                          "lowercase '%c' at position %d (letters must be uppercase)", c, pos);
    if (c < 0x20 || c > 0x7e || c == '\'')
        return ld_err_set(err, LD_INVALID, field, "byte 0x%02x not allowed at position %d", c, pos);
    if (is_division_pos(pos) && uscc_value((char)c) >= 0)
        return ld_err_set(err, LD_INVALID, field,
                          "character '%c' at position %d must be a digit "
                          "(administrative division code)",
                          c, pos);
    return ld_err_set(err, LD_INVALID, field, "character '%c' not allowed at position %d", c, pos);
}

enum ld_rc
ld_uscc_check(const char *s, const char *field, struct ld_err *err)
{
    int v[17];
    size_t len;
    int i;
    char want;

    assert(s != NULL);
    len = strlen(s);
    if (len != LD_USCC_LEN)
        return ld_err_set(err, LD_INVALID, field, "length is %zu, expected %d", len, LD_USCC_LEN);
    for (i = 0; i < LD_USCC_LEN; i++) {
        int val = uscc_value(s[i]);

        if (val < 0 || (is_division_pos(i + 1) && !is_digit(s[i])))
            return bad_char(s, i, field, err);
        if (i < 17)
            v[i] = val;
    }
    want = check_char_of(v);
    if (s[17] != want)
        return ld_err_set(err, LD_INVALID, field, "check character is '%c', expected '%c'", s[17],
                          want);
    return LD_OK;
}

char
ld_uscc_check_char(const char s17[17])
{
    int v[17];
    int i;

    assert(s17 != NULL);
    /* Stop at the first refused character, so a short string's NUL ends the read. */
    for (i = 0; i < 17; i++) {
        v[i] = uscc_value(s17[i]);
        if (v[i] < 0 || (is_division_pos(i + 1) && !is_digit(s17[i])))
            return 0;
    }
    return check_char_of(v);
}

/* GB 11714 value of c: '0'-'9' are 0-9, 'A'-'Z' are 10-35; -1 otherwise. */
static int
org_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return -1;
}

char
ld_uscc_org_char(const char s8[8])
{
    int i, sum = 0, c;

    for (i = 0; i < 8; i++) {
        int val = org_value(s8[i]);

        if (val < 0)
            return 0;
        sum += val * org_weights[i];
    }
    c = 11 - sum % 11; /* 1..11 */
    return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

int
ld_uscc_org_ok(const char *s)
{
    char want;

    assert(s != NULL);
    if (strlen(s) != LD_USCC_LEN)
        return 0;
    want = ld_uscc_org_char(s + 8); /* positions 9-16, checked by 17 */
    return want != 0 && s[16] == want;
}
