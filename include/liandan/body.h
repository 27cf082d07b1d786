/*
 * body.h - typed access to event bodies for the rules: each getter checks
 * presence, JSON type and range, and on failure fills ld_err with the field's
 * path ("event.body.lines[2].qty_g") and a message. Bodies are untrusted.
 */
#ifndef LIANDAN_BODY_H
#define LIANDAN_BODY_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "liandan/err.h"

#define LD_BODY_PATH_MAX 96

/* Flags for the getters. */
#define LD_BODY_OPTIONAL 0x1u /* absent or null: LD_OK with *out = NULL / default */

/* Path of member `name` of the object at `base` ("event.body" + "lines" ...). */
const char *ld_body_path(char out[LD_BODY_PATH_MAX], const char *base, const char *name);
/* Path of element i of the array at `base`. Both return out, so that a
 * refusal can build its path where it names it. */
const char *ld_body_index(char out[LD_BODY_PATH_MAX], const char *base, size_t i);

/* Refuse members of obj not in names[] (n of them). */
enum ld_rc ld_body_only(const cJSON *obj, const char *base, const char *const *names, size_t n,
                        struct ld_err *err);

/* A string member of 1..maxlen bytes. [out] *out borrowed from obj (NULL when optional and absent). */
enum ld_rc ld_body_str(const cJSON *obj, const char *base, const char *name, size_t maxlen,
                       unsigned flags, const char **out, struct ld_err *err);

/* An integer member within [min, max]. [out] *out (def when optional and absent). */
enum ld_rc ld_body_int(const cJSON *obj, const char *base, const char *name, int64_t min,
                       int64_t max, unsigned flags, int64_t def, int64_t *out, struct ld_err *err);

/* A date member "YYYY-MM-DD". [out] *day: day number (days since 1970-01-01). */
enum ld_rc ld_body_date(const cJSON *obj, const char *base, const char *name, unsigned flags,
                        int64_t def, int64_t *day, struct ld_err *err);

/* A USCC member (check character verified). */
enum ld_rc ld_body_uscc(const cJSON *obj, const char *base, const char *name, unsigned flags,
                        const char **out, struct ld_err *err);

/* An array member with 1..maxn elements. [out] *out borrowed. */
enum ld_rc ld_body_array(const cJSON *obj, const char *base, const char *name, size_t maxn,
                         unsigned flags, const cJSON **out, struct ld_err *err);

/* An object member. [out] *out borrowed. */
enum ld_rc ld_body_obj(const cJSON *obj, const char *base, const char *name, unsigned flags,
                       const cJSON **out, struct ld_err *err);

#endif
