/*
 * domain_ref.c - the manifest rules' view of the reference data
 * (include/liandan/domain.h): one built-in catalogue (名录 2021, exemptions,
 * methods; data/ embedded at build time), loaded once and read by every
 * thread, and the identifier checks of ident.h.
 */
#include <pthread.h>
#include <string.h>

#include "liandan/catalog.h"
#include "liandan/domain.h"
#include "liandan/ident.h"
#include "liandan/banned.h"

static struct ld_catalog *catalog;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load(void)
{
    /* A failure leaves catalog NULL: every check then refuses, loudly enough
     * ("not a waste code") that the cause shows in the first test. */
    if (ld_catalog_new(&catalog, NULL) != LD_OK)
        catalog = NULL;
}

static const struct ld_catalog *
cat(void)
{
    pthread_once(&once, load);
    return catalog;
}

int
ld_domain_edition_ok(const char *edition)
{
    size_t i, n = 0;
    const char *const *e = cat() ? ld_catalog_editions(cat(), &n) : NULL;

    for (i = 0; i < n; i++)
        if (strcmp(e[i], edition) == 0)
            return 1;
    return 0;
}

int
ld_domain_code_ok(const char *edition, const char *code)
{
    const struct ld_catalog_waste *w = NULL;

    return cat() && ld_catalog_waste(cat(), edition, code, NULL, &w, NULL) == LD_OK;
}

int
ld_domain_category_ok(const char *category)
{
    const struct ld_catalog_category *c = NULL;

    return cat() && ld_catalog_category(cat(), LD_CATALOG_EDITION_2021, category, NULL, &c,
                                        NULL) == LD_OK;
}

int
ld_domain_code_in_category(const char *edition, const char *code, const char *category)
{
    const struct ld_catalog_waste *w = NULL;

    return cat() && ld_catalog_waste(cat(), edition, code, NULL, &w, NULL) == LD_OK &&
           strcmp(w->category, category) == 0;
}

int
ld_domain_hazard_ok(const char *edition, const char *code, const char *const *hz, size_t n)
{
    const struct ld_catalog_waste *w = NULL;

    return cat() && ld_catalog_waste(cat(), edition, code, NULL, &w, NULL) == LD_OK &&
           ld_catalog_hazard_check(w, hz, n, NULL, NULL) == LD_OK;
}

int
ld_domain_exemption_covers(int64_t seq, const char *code)
{
    enum ld_catalog_cover cover = LD_CATALOG_COVER_NO;
    const struct ld_catalog_exemption *row = NULL;

    if (!cat() || seq < 1 || seq > 1000)
        return 0;
    /* An exemption naming an origin rather than codes is taken at the filer's
     * word: the code cannot show the origin; the regulator sees it in audit. */
    return ld_catalog_exemption(cat(), LD_CATALOG_EDITION_2021, (int)seq, code, "运输", &cover,
                                &row, NULL) == LD_OK &&
           cover != LD_CATALOG_COVER_NO;
}

int
ld_domain_method_ok(const char *method)
{
    const struct ld_catalog_method *m = NULL;

    return cat() && ld_catalog_method(cat(), method, NULL, &m, NULL) == LD_OK;
}

int
ld_domain_plate_ok(const char *plate)
{
    return ld_ident_plate_check(plate, NULL, NULL, NULL) == LD_OK;
}

int
ld_domain_container_ok(const char *code)
{
    return ld_ident_container_check(code, NULL, NULL) == LD_OK;
}
