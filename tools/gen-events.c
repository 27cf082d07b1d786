/*
 * gen-events.c - events and figures for the HTTP benchmark (tools/bench-http.sh,
 * issue 4 "Performance"). The events are party.register events signed by the
 * regulator, as in tools/bench.c: each starts its own chain ("p:USCC", prev
 * null), so concurrent clients never conflict and every one is acceptable in
 * any order. The ledger itself (parties, manifests, the regulator's key) comes
 * from tools/gen-demo.c. Message formats: DESIGN.md §4.3; auth: schema/api.md.
 *
 * Usage: see usage[] below.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <sodium.h>

#include "liandan/canon.h"
#include "liandan/domain.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/ledger.h"
#include "liandan/mem.h"
#include "liandan/sig.h"
#include "liandan/store.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/banned.h"

#include "raw-verify.h"

static const char usage[] =
    "usage: gen-events sign --key KEYFILE --count N --out FILE [--first K] [--threads T]\n"
    "       gen-events append --db DB --bodies FILE [--batch B] [--threads T]\n"
    "       gen-events grow --db DB --key KEYFILE --to N [--threads T]\n"
    "       gen-events raw-verify [--threads T] [--seconds S]\n"
    "       gen-events manifests --db DB [--count N]\n"
    "       gen-events keyid --key KEYFILE\n"
    "       gen-events auth --key KEYFILE --nonce NONCE --origin ORIGIN\n"
    "\n"
    "  sign        write N party.register events signed now by KEYFILE (the regulator's\n"
    "              clear key file), one JSON envelope a line, for POST /v1/events;\n"
    "              parties Y1210200000000000..., numbered from K (0)\n"
    "  append      append the events of FILE to DB in batches of B (100) with T\n"
    "              signature threads (2), durably (synchronous=FULL); print JSON\n"
    "              {\"events\",\"seconds\",\"rate\",\"cpu_seconds\",\"failed\",\"batch\"}\n"
    "  grow        append fresh signed events (parties Y2...) in batches of 1000 until\n"
    "              DB holds N events, then sign a checkpoint\n"
    "  raw-verify  raw Ed25519 verify/s on 1 core and on T threads (cores); print JSON\n"
    "  manifests   print up to N (10) manifest numbers of DB, one a line\n"
    "  keyid       print the key id of KEYFILE\n"
    "  auth        print the body of POST /v1/auth/token: the challenge NONCE signed\n"
    "              for ORIGIN (schema/api.md \"Authentication\")\n";

static void
die(const char *fmt, ...)
{
    va_list ap;

    fputs("gen-events: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- options ------------------------------------------------------------ */

struct opts {
    const char *key, *db, *out, *bodies, *nonce, *origin; /* --NAME FILE/TEXT, NULL if absent */
    unsigned long long count, first, batch, to, threads;  /* --NAME N, 0 if absent */
    double seconds;                                       /* --seconds, 0 if absent */
    int has_count, has_to;                                /* --count / --to given */
};

static unsigned long long
num(const char *opt, const char *s, unsigned long long lo, unsigned long long hi)
{
    char *end = NULL;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || s[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "gen-events: '%s' is not a valid number for %s\n", s, opt);
        exit(2);
    }
    return v;
}

/* Parse options after the verb; `allowed` lists the ones the verb takes. */
static void
parse_opts(int argc, char **argv, const char *allowed, struct opts *o)
{
    int i;

    memset(o, 0, sizeof *o);
    for (i = 2; i < argc; i++) {
        const char *name = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **sp = NULL;
        char want[40];

        snprintf(want, sizeof want, " %s ", name);
        if (strncmp(name, "--", 2) != 0 || strstr(allowed, want) == NULL || v == NULL) {
            fprintf(stderr, "gen-events %s: unexpected '%s'\n%s", argv[1], name, usage);
            exit(2);
        }
        i++;
        if (strcmp(name, "--key") == 0)
            sp = &o->key;
        else if (strcmp(name, "--db") == 0)
            sp = &o->db;
        else if (strcmp(name, "--out") == 0)
            sp = &o->out;
        else if (strcmp(name, "--bodies") == 0)
            sp = &o->bodies;
        else if (strcmp(name, "--nonce") == 0)
            sp = &o->nonce;
        else if (strcmp(name, "--origin") == 0)
            sp = &o->origin;
        else if (strcmp(name, "--count") == 0)
            o->count = num(name, v, 1, 100000000), o->has_count = 1;
        else if (strcmp(name, "--first") == 0)
            o->first = num(name, v, 0, 899999999);
        else if (strcmp(name, "--batch") == 0)
            o->batch = num(name, v, 1, 100000);
        else if (strcmp(name, "--to") == 0)
            o->to = num(name, v, 1, 100000000), o->has_to = 1;
        else if (strcmp(name, "--threads") == 0)
            o->threads = num(name, v, 1, 64);
        else if (strcmp(name, "--seconds") == 0)
            o->seconds = (double)num(name, v, 1, 600);
        if (sp) {
            if (*sp) {
                fprintf(stderr, "gen-events: %s given twice\n", name);
                exit(2);
            }
            *sp = v;
        }
    }
}

static void
need(const char *verb, const char *what, int have)
{
    if (!have) {
        fprintf(stderr, "gen-events %s: %s is required\n%s", verb, what, usage);
        exit(2);
    }
}

static unsigned
cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* ---- keys and events ------------------------------------------------------ */

static struct ld_sig_secret *
load_key(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct ld_sig_secret *s = NULL;
    struct ld_err err;
    char text[4096];
    size_t n;
    enum ld_rc rc;

    if (f == NULL)
        die("cannot open '%s': %s", path, strerror(errno));
    n = fread(text, 1, sizeof text, f);
    fclose(f);
    memset(&err, 0, sizeof err);
    rc = ld_sig_secret_import(text, n, NULL, &s, &err);
    sodium_memzero(text, sizeof text);
    if (rc != LD_OK)
        die("cannot read the key in '%s': %s %s", path, ld_rc_str(rc), err.msg);
    return s;
}

/* A signed party.register event for party `series` + k, at `at`.
 * Returns a new string; caller frees with free(). [out] len. */
static char *
make_event(const struct ld_sig_secret *reg, char series, unsigned long long k, const char *at,
           size_t *len)
{
    cJSON *e = cJSON_CreateObject(), *b = cJSON_CreateObject(), *roles = cJSON_CreateArray();
    char id[19], name[64], *out = NULL;
    struct ld_err err;

    /* "Y" + series: no generated demo party (all "91...") can collide. */
    snprintf(id, sizeof id, "Y%c210200%09llu", series, k);
    id[17] = ld_uscc_check_char(id);
    id[18] = '\0';
    snprintf(name, sizeof name, "大连压测企业%c%llu有限公司", series, k);
    cJSON_AddStringToObject(b, "id", id);
    cJSON_AddStringToObject(b, "name", name);
    cJSON_AddItemToArray(roles, cJSON_CreateString("producer"));
    cJSON_AddItemToObject(b, "roles", roles);
    cJSON_AddStringToObject(b, "district", "210213");
    cJSON_AddNumberToObject(e, "v", 1);
    cJSON_AddStringToObject(e, "type", "party.register");
    cJSON_AddNullToObject(e, "manifest");
    cJSON_AddNullToObject(e, "prev");
    cJSON_AddStringToObject(e, "at", at);
    cJSON_AddStringToObject(e, "actor", LD_EVENT_REGULATOR);
    cJSON_AddItemToObject(e, "body", b);
    memset(&err, 0, sizeof err);
    if (ld_event_sign(e, reg, &out, len, &err) != LD_OK)
        die("cannot sign event %llu: %s %s", k, err.field, err.msg);
    cJSON_Delete(e);
    return out;
}

/* Sign events [first, first+n) of a series on `threads` threads. */
struct signjob {
    const struct ld_sig_secret *reg; /* signer (borrowed) */
    char series;                     /* second USCC character: '1' sign, '2' grow */
    unsigned long long first;        /* party number of out[0] */
    size_t from, to;                 /* slice of out[] this thread fills */
    const char *at;                  /* event.at of every event */
    char **out;                      /* [out] signed events */
    size_t *lens;                    /* [out] their lengths */
};

static void *
sign_slice(void *arg)
{
    struct signjob *j = arg;
    size_t i;

    for (i = j->from; i < j->to; i++)
        j->out[i] = make_event(j->reg, j->series, j->first + i, j->at, &j->lens[i]);
    return NULL;
}

static void
sign_many(const struct ld_sig_secret *reg, char series, unsigned long long first, size_t n,
          unsigned threads, char **out, size_t *lens)
{
    struct signjob job[64];
    pthread_t t[64];
    char at[LD_TM_RFC3339_LEN];
    int64_t now;
    unsigned i;

    if (ld_tm_now(&now) != LD_OK || ld_tm_format(now, at) != LD_OK)
        die("cannot read the clock");
    for (i = 0; i < threads; i++) {
        job[i].reg = reg, job[i].series = series, job[i].first = first, job[i].at = at;
        job[i].out = out, job[i].lens = lens;
        job[i].from = n * i / threads;
        job[i].to = n * (i + 1) / threads;
        if (pthread_create(&t[i], NULL, sign_slice, &job[i]) != 0)
            die("cannot start a thread");
    }
    for (i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
}

static struct ld_ledger *
open_ledger(const char *db, unsigned flags, unsigned threads)
{
    struct ld_ledger_opts o;
    struct ld_ledger *l = NULL;
    struct ld_err err;
    enum ld_rc rc;

    memset(&o, 0, sizeof o);
    memset(&err, 0, sizeof err);
    o.store_flags = flags;
    o.threads = threads;
    rc = ld_ledger_open(db, &o, &l, &err);
    if (rc != LD_OK)
        die("cannot open '%s': %s %s", db, ld_rc_str(rc), err.msg);
    /* The rules `liandan serve` runs with. */
    if (!(flags & LD_STORE_READONLY) && ld_domain_register(l) != LD_OK)
        die("cannot register the domain rules");
    return l;
}

/* CPU seconds of the whole process (all threads). */
static double
cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append items[0..n) in one batch; counts refused items in *failed. Returns
 * seconds spent; [in,out] cpu: adds the process CPU seconds spent. */
static double
append_batch(struct ld_ledger *l, struct ld_ledger_item *items, size_t n, size_t *failed,
             double *cpu)
{
    double t0 = now_s(), c0 = cpu_s();
    enum ld_rc rc = ld_ledger_append_batch(l, items, n);
    double spent = now_s() - t0;
    size_t k;

    *cpu += cpu_s() - c0;

    if (rc != LD_OK)
        die("batch append: %s", ld_rc_str(rc));
    for (k = 0; k < n; k++)
        if (items[k].rc != LD_OK) {
            if (*failed == 0)
                fprintf(stderr, "gen-events: item refused: %s %s %s\n", ld_rc_str(items[k].rc),
                        items[k].err.field, items[k].err.msg);
            (*failed)++;
        }
    return spent;
}

/* ---- verbs ---------------------------------------------------------------- */

static int
cmd_sign(int argc, char **argv)
{
    struct opts o;
    struct ld_sig_secret *reg;
    char **ev;
    size_t *lens, i, n;
    FILE *f;

    parse_opts(argc, argv, " --key --count --out --first --threads ", &o);
    need("sign", "--key", o.key != NULL);
    need("sign", "--count", o.has_count);
    need("sign", "--out", o.out != NULL);
    if (o.first + o.count > 1000000000ULL)
        die("--first + --count must stay below 10^9");
    n = (size_t)o.count;
    reg = load_key(o.key);
    ev = ld_xcalloc(n, sizeof *ev);
    lens = ld_xcalloc(n, sizeof *lens);
    sign_many(reg, '1', o.first, n, o.threads ? (unsigned)o.threads : cores(), ev, lens);
    f = strcmp(o.out, "-") == 0 ? stdout : fopen(o.out, "w");
    if (f == NULL)
        die("cannot create '%s': %s", o.out, strerror(errno));
    for (i = 0; i < n; i++) {
        if (fwrite(ev[i], 1, lens[i], f) != lens[i] || fputc('\n', f) == EOF)
            die("cannot write '%s': %s", o.out, strerror(errno));
        free(ev[i]);
    }
    if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
        die("cannot write '%s': %s", o.out, strerror(errno));
    free(ev);
    free(lens);
    ld_sig_secret_free(reg);
    return 0;
}

static int
cmd_append(int argc, char **argv)
{
    struct opts o;
    struct ld_ledger *l;
    struct ld_ledger_item *items;
    FILE *f;
    char *text = NULL, *p, *end;
    struct stat st;
    size_t batch, n = 0, failed = 0, total = 0;
    double spent = 0, cpu = 0;

    parse_opts(argc, argv, " --db --bodies --batch --threads ", &o);
    need("append", "--db", o.db != NULL);
    need("append", "--bodies", o.bodies != NULL);
    batch = o.batch ? (size_t)o.batch : 100;
    f = fopen(o.bodies, "rb");
    if (f == NULL || fstat(fileno(f), &st) != 0)
        die("cannot open '%s': %s", o.bodies, strerror(errno));
    text = ld_xmalloc((size_t)st.st_size + 1);
    if (fread(text, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        die("cannot read '%s'", o.bodies);
    fclose(f);
    text[st.st_size] = '\0';
    l = open_ledger(o.db, 0, o.threads ? (unsigned)o.threads : 2);
    items = ld_xcalloc(batch, sizeof *items);
    for (p = text, end = text + st.st_size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > 0) {
            memset(&items[n], 0, sizeof items[n]);
            items[n].text = p;
            items[n++].len = len;
        }
        p += len + 1;
        if (n == batch || (p >= end && n > 0)) {
            spent += append_batch(l, items, n, &failed, &cpu);
            total += n;
            n = 0;
        }
    }
    ld_ledger_close(l);
    printf("{\"events\":%zu,\"seconds\":%.3f,\"rate\":%.1f,\"cpu_seconds\":%.3f,\"failed\":%zu,"
           "\"batch\":%zu}\n",
           total, spent, spent > 0 ? (double)total / spent : 0, cpu, failed, batch);
    free(items);
    free(text);
    return failed ? 1 : 0;
}

#define GROW_CHUNK 20000
#define GROW_BATCH 1000

static int
cmd_grow(int argc, char **argv)
{
    struct opts o;
    struct ld_sig_secret *reg;
    struct ld_ledger *l;
    struct ld_ledger_item *items;
    char **ev, *note = NULL;
    size_t *lens, failed = 0;
    uint64_t size, start;
    unsigned threads;
    double t0 = now_s(), cpu = 0;
    int tty = isatty(2);

    parse_opts(argc, argv, " --db --key --to --threads ", &o);
    need("grow", "--db", o.db != NULL);
    need("grow", "--key", o.key != NULL);
    need("grow", "--to", o.has_to);
    threads = o.threads ? (unsigned)o.threads : cores();
    reg = load_key(o.key);
    /* Generated filler: one fsync per batch of 1000 is plenty. */
    l = open_ledger(o.db, LD_STORE_SYNC_NORMAL, threads);
    start = size = ld_ledger_size(l);
    ev = ld_xcalloc(GROW_CHUNK, sizeof *ev);
    lens = ld_xcalloc(GROW_CHUNK, sizeof *lens);
    items = ld_xcalloc(GROW_BATCH, sizeof *items);
    while (size < o.to) {
        size_t n = o.to - size < GROW_CHUNK ? (size_t)(o.to - size) : GROW_CHUNK, i, k;
        /* Party numbers continue from the ledger size: a rerun never repeats one. */
        sign_many(reg, '2', size, n, threads, ev, lens);
        for (i = 0; i < n; i += GROW_BATCH) {
            size_t m = n - i < GROW_BATCH ? n - i : GROW_BATCH;
            for (k = 0; k < m; k++) {
                memset(&items[k], 0, sizeof items[k]);
                items[k].text = ev[i + k];
                items[k].len = lens[i + k];
            }
            append_batch(l, items, m, &failed, &cpu);
            if (failed)
                die("grow stopped at %llu events", (unsigned long long)ld_ledger_size(l));
        }
        for (i = 0; i < n; i++)
            free(ev[i]);
        size = ld_ledger_size(l);
        if (tty)
            fprintf(stderr, "\r  %llu events", (unsigned long long)size);
    }
    if (ld_ledger_checkpoint(l, &note, NULL) != LD_OK)
        die("cannot sign a checkpoint");
    free(note);
    if (tty)
        fprintf(stderr, "\r\033[K");
    printf("{\"events\":%llu,\"added\":%llu,\"seconds\":%.1f}\n", (unsigned long long)size,
           (unsigned long long)(size - start), now_s() - t0);
    ld_ledger_close(l);
    free(items);
    free(ev);
    free(lens);
    ld_sig_secret_free(reg);
    return 0;
}

/* Raw verify/s on `threads` threads for secs seconds (tools/raw-verify.h). */
static double
raw_verify(unsigned threads, double secs)
{
    struct ld_sig_secret *s = NULL;
    double r;

    if (ld_sig_keygen("bench.raw", &s) != LD_OK)
        die("cannot make a key");
    r = raw_verify_rate(s, threads, secs);
    ld_sig_secret_free(s);
    if (r < 0)
        die("raw verify failed or a thread did not start");
    return r;
}

static int
cmd_raw_verify(int argc, char **argv)
{
    struct opts o;
    unsigned threads;
    double secs, one, all;

    parse_opts(argc, argv, " --threads --seconds ", &o);
    threads = o.threads ? (unsigned)o.threads : cores();
    secs = o.seconds > 0 ? o.seconds : 1;
    one = raw_verify(1, secs);
    all = raw_verify(threads, secs);
    printf("{\"verify_1core\":%.0f,\"verify_all\":%.0f,\"threads\":%u}\n", one, all, threads);
    return 0;
}

static int
cmd_manifests(int argc, char **argv)
{
    struct opts o;
    struct ld_ledger *l;
    struct ld_store_q *q = NULL;

    parse_opts(argc, argv, " --db --count ", &o);
    need("manifests", "--db", o.db != NULL);
    l = open_ledger(o.db, LD_STORE_READONLY, 1);
    /* Spread over the year, not just the first ones filed. */
    if (ld_store_q(ld_ledger_store(l),
                   "SELECT number FROM manifests"
                   " ORDER BY ((number % 1000) * 617) % 1000, number LIMIT ?1",
                   &q) != LD_OK)
        die("cannot query '%s'", o.db);
    ld_store_q_int(q, 1, o.has_count ? (int64_t)o.count : 10);
    while (ld_store_q_step(q) == LD_OK)
        printf("%lld\n", (long long)ld_store_q_col_int(q, 0));
    ld_store_q_done(q);
    ld_ledger_close(l);
    return 0;
}

static int
cmd_keyid(int argc, char **argv)
{
    struct opts o;
    struct ld_sig_secret *s;
    struct ld_sig_pub pub;

    parse_opts(argc, argv, " --key ", &o);
    need("keyid", "--key", o.key != NULL);
    s = load_key(o.key);
    ld_sig_secret_pub(s, &pub);
    printf("%s\n", pub.keyid);
    ld_sig_secret_free(s);
    return 0;
}

/* SPEC: schema/api.md "Authentication" step 2: Ed25519 over
 * "liandan/auth/v1\n" || JCS({"key":KEYID,"nonce":NONCE,"origin":ORIGIN}). */
static int
cmd_auth(int argc, char **argv)
{
    struct opts o;
    struct ld_sig_secret *s;
    struct ld_sig_pub pub;
    cJSON *m, *body;
    char *msg = NULL, *b64, *out;
    size_t len = 0;
    uint8_t sig[LD_SIG_SIG];

    parse_opts(argc, argv, " --key --nonce --origin ", &o);
    need("auth", "--key", o.key != NULL);
    need("auth", "--nonce", o.nonce != NULL);
    need("auth", "--origin", o.origin != NULL);
    s = load_key(o.key);
    ld_sig_secret_pub(s, &pub);
    m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "key", pub.keyid);
    cJSON_AddStringToObject(m, "nonce", o.nonce);
    cJSON_AddStringToObject(m, "origin", o.origin);
    if (ld_canon_dup(m, 0, &msg, &len, NULL) != LD_OK)
        die("cannot canonicalise the challenge");
    ld_sig_sign(s, LD_SIG_PURPOSE_AUTH, msg, len, sig);
    b64 = ld_enc_b64_dup(sig, sizeof sig);
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "key", pub.keyid);
    cJSON_AddStringToObject(body, "nonce", o.nonce);
    cJSON_AddStringToObject(body, "sig", b64);
    out = cJSON_PrintUnformatted(body);
    if (out == NULL)
        die("out of memory");
    printf("%s\n", out);
    free(out);
    free(b64);
    free(msg);
    cJSON_Delete(body);
    cJSON_Delete(m);
    ld_sig_secret_free(s);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
} verbs[] = {
    {"sign", cmd_sign},           {"append", cmd_append}, {"grow", cmd_grow},
    {"raw-verify", cmd_raw_verify}, {"manifests", cmd_manifests}, {"keyid", cmd_keyid},
    {"auth", cmd_auth},
};

int
main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (ld_sig_init() != LD_OK)
        die("cannot initialise libsodium");
    for (i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].fn(argc, argv);
    fprintf(stderr, "gen-events: unknown verb '%s'\n%s", argv[1], usage);
    return 2;
}
