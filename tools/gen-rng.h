/*
 * tools/gen-rng.h - what the seeded data generators share (tools/gen-demo.c,
 * tools/bench_domain.c): a xoshiro256** generator seeded by splitmix64 (the
 * same seed gives the same ledger), and made-up but valid USCCs. Static
 * functions for single-file tools; not part of libliandan.
 */
#ifndef LIANDAN_TOOLS_GEN_RNG_H
#define LIANDAN_TOOLS_GEN_RNG_H

#include <stdint.h>
#include <string.h>

#include "liandan/map.h"
#include "liandan/uscc.h"

/* ---- random numbers (xoshiro256**, seeded by splitmix64) ---------------- */

struct rng {
    uint64_t s[4];
};

static uint64_t
splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
    int i;

    for (i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t
rnd(struct rng *r)
{
    uint64_t *s = r->s, res = s[1] * 5, t = s[1] << 17;

    res = ((res << 7) | (res >> 57)) * 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return res;
}

/* Uniform in [lo, hi]. */
static int64_t
rint_(struct rng *r, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)(rnd(r) % (uint64_t)(hi - lo + 1));
}

static double
rreal(struct rng *r)
{
    return (double)(rnd(r) >> 11) / 9007199254740992.0;
}

static int
chance(struct rng *r, double p)
{
    return rreal(r) < p;
}

/*
 * A USCC of registration authority head2 ("91" a company, "12" an
 * institution) in district division (6 digits), with valid GB 11714 and
 * GB 32100 check characters, not yet in ids (where it is then recorded).
 * Returns 1, or 0 if no valid code came out (then out is untouched).
 */
static int
make_uscc(struct rng *r, struct ld_map *ids, const char *head2, const char *division,
          char out[19])
{
    static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    char s[19];
    int i;

    do {
        memcpy(s, head2, 2);
        memcpy(s + 2, division, 6);
        if (head2[0] == '9' && chance(r, 0.7)) {
            s[8] = 'M';
            s[9] = 'A';
            for (i = 10; i < 16; i++)
                s[i] = alpha[rint_(r, 0, 30)];
        } else {
            for (i = 8; i < 16; i++)
                s[i] = (char)('0' + rint_(r, 0, 9));
        }
        s[16] = ld_uscc_org_char(s + 8);
        s[17] = ld_uscc_check_char(s);
        s[18] = '\0';
        if (s[16] == 0 || s[17] == 0)
            return 0;
    } while (ld_map_get(ids, s) != NULL);
    ld_map_put(ids, s, (void *)1);
    memcpy(out, s, 19);
    return 1;
}

#endif
