/*
 * body.c - typed, range-checked access to untrusted event bodies
 * (include/liandan/body.h). Every refusal names the field's JSON path.
 */
#include <stdio.h>
#include <string.h>

#include "liandan/body.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/banned.h"

const char *
ld_body_path(char out[LD_BODY_PATH_MAX], const char *base, const char *name)
{
    snprintf(out, LD_BODY_PATH_MAX, "%s.%s", base, name);
    return out;
}

const char *
ld_body_index(char out[LD_BODY_PATH_MAX], const char *base, size_t i)
{
    snprintf(out, LD_BODY_PATH_MAX, "%s[%zu]", base, i);
    return out;
}

enum ld_rc
ld_body_only(const cJSON *obj, const char *base, const char *const *names, size_t n,
             struct ld_err *err)
{
    const cJSON *it;
    size_t i;

    if (!cJSON_IsObject(obj))
        return ld_err_set(err, LD_INVALID, base, "must be an object");
    cJSON_ArrayForEach(it, obj)
    {
        for (i = 0; i < n && strcmp(it->string, names[i]) != 0; i++)
            ;
        if (i == n)
            return ld_err_set(err, LD_INVALID, base, "unknown member '%s'", it->string);
    }
    return LD_OK;
}

/* Member lookup shared by the getters: LD_NOTFOUND when absent or null.
 * The getters run for every field of every event, so a field's path is
 * formatted only where a refusal names it. */
static enum ld_rc
member(const cJSON *obj, const char *base, const char *name, unsigned flags, const cJSON **out,
       char path[LD_BODY_PATH_MAX], struct ld_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (v == NULL || cJSON_IsNull(v)) {
        if (flags & LD_BODY_OPTIONAL)
            return LD_NOTFOUND;
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, name), "missing '%s'", name);
    }
    *out = v;
    return LD_OK;
}

enum ld_rc
ld_body_str(const cJSON *obj, const char *base, const char *name, size_t maxlen, unsigned flags,
            const char **out, struct ld_err *err)
{
    char path[LD_BODY_PATH_MAX];
    const cJSON *v = NULL;
    enum ld_rc rc = member(obj, base, name, flags, &v, path, err);
    size_t n;

    if (rc == LD_NOTFOUND) {
        *out = NULL;
        return LD_OK;
    }
    if (rc != LD_OK)
        return rc;
    if (!cJSON_IsString(v))
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, name), "must be a string");
    n = strlen(v->valuestring);
    if (n == 0 || n > maxlen)
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, name),
                          "must be 1 to %zu bytes long", maxlen);
    *out = v->valuestring;
    return LD_OK;
}

enum ld_rc
ld_body_int(const cJSON *obj, const char *base, const char *name, int64_t min, int64_t max,
            unsigned flags, int64_t def, int64_t *out, struct ld_err *err)
{
    char path[LD_BODY_PATH_MAX];
    const cJSON *v = NULL;
    enum ld_rc rc = member(obj, base, name, flags, &v, path, err);

    if (rc == LD_NOTFOUND) {
        *out = def;
        return LD_OK;
    }
    if (rc != LD_OK)
        return rc;
    /* Signed data holds integers only (canon.c refuses others at parse). */
    if (!cJSON_IsNumber(v) || v->valuedouble < (double)min || v->valuedouble > (double)max)
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, name),
                          "must be an integer from %lld to %lld", (long long)min, (long long)max);
    *out = (int64_t)v->valuedouble;
    return LD_OK;
}

enum ld_rc
ld_body_date(const cJSON *obj, const char *base, const char *name, unsigned flags, int64_t def,
             int64_t *day, struct ld_err *err)
{
    char path[LD_BODY_PATH_MAX];
    const cJSON *v = NULL;
    enum ld_rc rc = member(obj, base, name, flags, &v, path, err);
    int64_t t = 0;

    if (rc == LD_NOTFOUND) {
        *day = def;
        return LD_OK;
    }
    if (rc != LD_OK)
        return rc;
    if (!cJSON_IsString(v) || strlen(v->valuestring) != 10 ||
        ld_tm_parse_lenient(v->valuestring, &t) != LD_OK)
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, name),
                          "must be a date YYYY-MM-DD");
    *day = t / LD_TM_DAY;
    return LD_OK;
}

enum ld_rc
ld_body_uscc(const cJSON *obj, const char *base, const char *name, unsigned flags, const char **out,
             struct ld_err *err)
{
    char path[LD_BODY_PATH_MAX];
    enum ld_rc rc = ld_body_str(obj, base, name, 18, flags, out, err);

    if (rc != LD_OK || *out == NULL)
        return rc;
    if (ld_uscc_check(*out, "", NULL) == LD_OK)
        return LD_OK;
    return ld_uscc_check(*out, ld_body_path(path, base, name), err);
}

enum ld_rc
ld_body_array(const cJSON *obj, const char *base, const char *name, size_t maxn, unsigned flags,
              const cJSON **out, struct ld_err *err)
{
    char path[LD_BODY_PATH_MAX];
    const cJSON *v = NULL;
    enum ld_rc rc = member(obj, base, name, flags, &v, path, err);
    int n;

    if (rc == LD_NOTFOUND) {
        *out = NULL;
        return LD_OK;
    }
    if (rc != LD_OK)
        return rc;
    n = cJSON_GetArraySize(v);
    if (!cJSON_IsArray(v) || n < 1 || (size_t)n > maxn)
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, name),
                          "must be an array of 1 to %zu items", maxn);
    *out = v;
    return LD_OK;
}

enum ld_rc
ld_body_obj(const cJSON *obj, const char *base, const char *name, unsigned flags, const cJSON **out,
            struct ld_err *err)
{
    char path[LD_BODY_PATH_MAX];
    const cJSON *v = NULL;
    enum ld_rc rc = member(obj, base, name, flags, &v, path, err);

    if (rc == LD_NOTFOUND) {
        *out = NULL;
        return LD_OK;
    }
    if (rc != LD_OK)
        return rc;
    if (!cJSON_IsObject(v))
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, name), "must be an object");
    *out = v;
    return LD_OK;
}
