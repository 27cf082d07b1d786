/*
 * bench_domain.c - the manifest domain's figures for `make bench` (issue 3,
 * "Done means"; tools/bench.c has the trust layer's). Four figures, each
 * printed with its target and its method:
 *   1. append throughput of full manifest events (manifest.file, transport.pickup,
 *      transport.arrive, receipt.accept, disposal.complete with realistic bodies,
 *      signed by certified party keys) through ld_ledger_append_batch, 100 per
 *      commit, synchronous=FULL, signature threads = cores, LIANDAN_NOW per batch
 *      as tools/gen-demo.c does; a ratio to raw 1-core Ed25519 verify/s measured
 *      right before it, as tools/bench.c does for appends;
 *   2. trace latency of a 50-hop lineage (trace.h), median and p99;
 *   3. audit (audit.h) and 4. stats for one year (stats.h) over 10^6 manifests.
 * For 2-4 the derived tables of schema/002_manifest.sql are filled directly with
 * SQL INSERTs by a seeded generator (a year of a provincial ledger: parties in
 * 14 cities, multi-line manifests, the real mix of outcomes, collectors'
 * consolidations, re-shipped rejections, a 50-hop chain), because appending
 * 5 * 10^6 signed events takes too long here; no event backs those rows.
 *
 * Usage: bench-domain [MANIFESTS]   (default $BENCH_MANIFESTS or 1000000; a
 * smaller number scales every part down for a quick run)
 */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <cJSON.h>

#include "liandan/audit.h"
#include "liandan/catalog.h"
#include "liandan/domain.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/ledger.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/merkle.h"
#include "liandan/stats.h"
#include "liandan/tm.h"
#include "liandan/trace.h"
#include "liandan/uscc.h"
#include "liandan/workday.h"
#include "liandan/banned.h"

#include "gen-rng.h"
#include "raw-verify.h"

#define YEAR 2026
#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define KG INT64_C(1000)
#define TONNE INT64_C(1000000)
#define MAXL 4                /* lines of one manifest */
#define MAXDRAW 100           /* draws per line (rules_manifest.c) */
#define BATCH 100             /* events per ld_ledger_append_batch */
#define BATCH_SPAN (20 * 3600) /* a batch spans less than the ledger's one-day clock window */
#define CHAIN_HOPS 50
#define NCAT 51               /* HW01..HW50, indexed by number */

/* The temporary directory and every file the run may leave in it (the two
 * ledgers, their WAL, shared-memory, journal and key files), precomputed so
 * that a signal handler can remove them (unlink and rmdir are async-signal-safe). */
static char tmpdir[64];
static const char *const tmpfiles[] = {"append.db",       "append.db-wal",     "append.db-shm",
                                       "append.db-journal", "append.db.ledger.key", "derived.db",
                                       "derived.db-wal",  "derived.db-shm",    "derived.db-journal",
                                       "derived.db.ledger.key"};
#define NTMP (sizeof tmpfiles / sizeof *tmpfiles)
static char tmppaths[NTMP][128];

static void
cleanup(void)
{
    size_t i;

    if (tmpdir[0] == '\0')
        return;
    for (i = 0; i < NTMP; i++)
        unlink(tmppaths[i]);
    rmdir(tmpdir);
    tmpdir[0] = '\0';
}

static void
on_signal(int sig)
{
    cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
die(const char *fmt, ...)
{
    va_list ap;

    fputs("bench-domain: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2); /* cleanup() runs from atexit */
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
    struct rusage u;

    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static int
by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* ---- raw verify rate (tools/raw-verify.h) ---------------------------------- */

/* Raw verify/s with `threads` threads over a 400-byte message, for one second. */
static double
raw_verify(const struct ld_sig_secret *s, unsigned threads)
{
    double r = raw_verify_rate(s, threads, 1.0);

    if (r < 0)
        die("raw verify failed");
    return r;
}

#define PICK(r, arr) ((arr)[rint_((r), 0, (int64_t)(sizeof(arr) / sizeof *(arr)) - 1)])

/* ---- reference tables (wastes and names as tools/gen-demo.c) ---------------- */

struct waste {
    const char *code, *name, *form, *constituents, *packaging;
    int pkg_kg;         /* kilograms per package */
    int min_kg, max_kg; /* usual quantity of one line */
};

enum {
    W_OIL_SLUDGE, W_OIL_WATER, W_REF_RESID, W_ACID_TAR, W_HDS_CAT, W_FCC_CAT, W_DIST_RES,
    W_SOLVENT, W_SOLVENT2, W_CARBON, W_PACK, W_LAB, W_EMULSION, W_HYDR, W_LUBE, W_ENGINE,
    W_OILPACK, W_BATT, W_PAINT, W_INK, W_PICKLE, W_NICKEL, W_ETCH, W_PCB, W_API, W_MOTHER,
    W_DRUGS, W_MED_INF, W_MED_SHARP, W_FLYASH, W_LAMP, W_ACID, W_RESIN, W_CAR_CAT, W_BILGE,
    W_COUNT
};

static const struct waste wastes[W_COUNT] = {
    [W_OIL_SLUDGE] = {"251-006-08", "含油污泥", "semi-solid", "石油烃、多环芳烃、硫化物", "吨袋",
                      900, 3000, 22000},
    [W_OIL_WATER] = {"251-001-08", "油/水混合物", "liquid", "石油烃、水", "罐车罐体", 15000, 8000,
                     24000},
    [W_REF_RESID] = {"251-011-08", "炼油过滤残渣", "semi-solid", "石油烃、胶质、沥青质", "吨桶",
                     800, 2000, 12000},
    [W_ACID_TAR] = {"251-013-11", "酸焦油", "semi-solid", "硫酸、焦油", "钢桶", 200, 1000, 6000},
    [W_HDS_CAT] = {"251-016-50", "废加氢精制催化剂", "solid", "镍、钼、钴氧化物，积炭", "吨袋",
                   1000, 5000, 28000},
    [W_FCC_CAT] = {"251-017-50", "废催化裂化催化剂", "solid", "镍、钒、稀土，硅铝载体", "吨袋",
                   1000, 5000, 28000},
    [W_DIST_RES] = {"900-013-11", "精馏残渣", "semi-solid", "高沸点有机物、焦油", "钢桶", 200, 1000,
                    8000},
    [W_SOLVENT] = {"900-402-06", "废有机溶剂", "liquid", "甲苯、二甲苯、苯乙烯", "钢桶", 180, 500,
                   5000},
    [W_SOLVENT2] = {"900-404-06", "废清洗溶剂", "liquid", "乙酸乙酯、丙酮、异丙醇", "吨桶", 800,
                    500, 4000},
    [W_CARBON] = {"900-039-49", "废活性炭", "solid", "吸附的挥发性有机物", "吨袋", 500, 500, 6000},
    [W_PACK] = {"900-041-49", "沾染危险化学品的废包装桶", "solid", "残留有机物、酸碱", "捆扎", 100,
                200, 3000},
    [W_LAB] = {"900-047-49", "实验室废物", "liquid", "有机溶剂、酸碱、重金属盐", "塑料桶", 25, 20,
               400},
    [W_EMULSION] = {"900-006-09", "废乳化液", "liquid", "矿物油、表面活性剂、金属屑", "吨桶", 900,
                    1000, 10000},
    [W_HYDR] = {"900-218-08", "废液压油", "liquid", "矿物油", "钢桶", 180, 200, 3000},
    [W_LUBE] = {"900-217-08", "废润滑油", "liquid", "矿物油、金属磨屑", "钢桶", 180, 200, 3000},
    [W_ENGINE] = {"900-214-08", "废机油", "liquid", "矿物油、金属磨屑", "塑料桶", 180, 40, 900},
    [W_OILPACK] = {"900-249-08", "废机油滤芯及沾油包装", "solid", "矿物油", "吨袋", 200, 20, 400},
    [W_BATT] = {"900-052-31", "废铅蓄电池", "solid", "铅、硫酸", "托盘", 500, 50, 2000},
    [W_PAINT] = {"900-252-12", "漆渣", "semi-solid", "树脂、有机溶剂、颜料", "钢桶", 200, 200, 5000},
    [W_INK] = {"900-253-12", "废油墨渣", "semi-solid", "油墨、有机溶剂", "钢桶", 100, 50, 800},
    [W_PICKLE] = {"336-064-17", "废酸洗液", "liquid", "盐酸、氯化亚铁", "吨桶", 1000, 1000, 10000},
    [W_NICKEL] = {"336-054-17", "镀镍废槽渣", "semi-solid", "镍及其化合物", "吨袋", 500, 300, 3000},
    [W_ETCH] = {"398-004-22", "废蚀刻液", "liquid", "氯化铜、盐酸", "吨桶", 1000, 1000, 8000},
    [W_PCB] = {"900-045-49", "废电路板", "solid", "铜、铅、溴化阻燃剂", "吨袋", 500, 200, 3000},
    [W_API] = {"271-001-02", "蒸馏及反应残余物", "semi-solid", "有机合成残余物", "钢桶", 200, 500,
               4000},
    [W_MOTHER] = {"271-002-02", "废母液", "liquid", "有机溶剂、反应副产物", "吨桶", 1000, 1000,
                  8000},
    [W_DRUGS] = {"900-002-03", "过期药品", "solid", "失效化学药品", "纸箱", 20, 20, 300},
    [W_MED_INF] = {"841-001-01", "感染性废物", "solid", "病原微生物", "周转箱", 15, 200, 2500},
    [W_MED_SHARP] = {"841-002-01", "损伤性废物", "solid", "针头、刀片等利器", "利器盒", 5, 20, 300},
    [W_FLYASH] = {"772-002-18", "生活垃圾焚烧飞灰", "solid", "重金属、二噁英", "吨袋", 1000, 18000,
                  32000},
    [W_LAMP] = {"900-023-29", "废含汞灯管", "solid", "汞", "纸箱", 20, 20, 300},
    [W_ACID] = {"900-300-34", "废酸", "liquid", "硫酸、盐酸", "吨桶", 1000, 500, 5000},
    [W_RESIN] = {"900-015-13", "废离子交换树脂", "solid", "重金属离子、树脂", "吨袋", 500, 500,
                 3000},
    [W_CAR_CAT] = {"900-049-50", "废汽车尾气净化催化剂", "solid", "铂、钯、铑，陶瓷载体", "纸箱",
                   50, 50, 600},
    [W_BILGE] = {"900-210-08", "隔油池浮油及油泥", "semi-solid", "石油烃、泥沙", "吨桶", 800, 1000,
                 8000},
};

/* What the catalogue says of a waste, filled at start. */
struct wref {
    const char *category; /* "HW08" (borrowed from the catalogue) */
    const char *hz[5];    /* declared hazard characteristics */
    int nhz;
    int cat;              /* 8 for HW08 */
};

/* A kind of producer: how many (weight), how often it ships, what. */
struct industry {
    int weight, rate_min, rate_max;
    const char *usc;   /* first two USCC characters */
    const char *words; /* "|"-separated name patterns, %s = trade name */
    int w[6];          /* wastes, -1 ends */
    int small;         /* 1: ships to a collector */
};

static const struct industry industries[] = {
    {3, 40, 90, "91", "%s石化有限公司|%s炼化有限公司|%s石油化工有限公司",
     {W_OIL_SLUDGE, W_OIL_WATER, W_REF_RESID, W_HDS_CAT, W_FCC_CAT, W_ACID_TAR}, 0},
    {9, 10, 30, "91", "%s化工有限公司|%s精细化工有限公司|%s化学有限公司",
     {W_DIST_RES, W_SOLVENT, W_SOLVENT2, W_CARBON, W_PACK, W_ACID}, 0},
    {7, 8, 24, "91", "%s重工机械有限公司|%s船舶重工有限公司|%s机床有限公司|%s轴承制造有限公司",
     {W_PAINT, W_EMULSION, W_LUBE, W_HYDR, W_PACK, -1}, 0},
    {10, 6, 18, "91", "%s电子有限公司|%s电路板有限公司|%s表面处理有限公司",
     {W_ETCH, W_PICKLE, W_NICKEL, W_PCB, W_RESIN, W_SOLVENT2}, 0},
    {4, 6, 16, "91", "%s制药有限公司|%s药业有限公司|%s生物医药有限公司",
     {W_API, W_MOTHER, W_SOLVENT, W_CARBON, W_DRUGS, -1}, 0},
    {5, 3, 8, "91", "%s印刷有限公司|%s包装印务有限公司", {W_INK, W_SOLVENT2, W_PACK, -1}, 0},
    {5, 12, 24, "12", "市%s医院|%s口腔医院|%s妇产医院", {W_MED_INF, W_MED_SHARP, -1}, 0},
    {4, 6, 14, "91", "%s公交客运有限公司|%s港务有限公司|%s汽车销售服务有限公司",
     {W_ENGINE, W_BATT, W_BILGE, W_OILPACK, W_CAR_CAT, -1}, 0},
    {1, 35, 50, "91", "%s环保能源有限公司", {W_FLYASH, -1}, 0},
    {25, 2, 6, "92", "%s汽车维修有限公司|%s汽车服务有限公司|%s机动车维修中心|%s汽车修理厂",
     {W_ENGINE, W_OILPACK, W_BATT, -1}, 1},
    {8, 3, 8, "12", "%s学院|%s研究院|%s检测技术有限公司", {W_LAB, W_DRUGS, W_LAMP, -1}, 1},
    {19, 2, 5, "91", "%s机械加工厂|%s家具有限公司|%s印务有限公司|%s五金制品有限公司",
     {W_EMULSION, W_PAINT, W_ENGINE, W_INK, W_LAMP, -1}, 1},
};
#define NIND (sizeof industries / sizeof *industries)

/* Receivers by speciality (disposal licences), and collectors. */
enum { T_INCIN, T_LANDFILL, T_OIL, T_CAT, T_SOLV, T_MED, T_METAL, T_CEMENT, T_COLLECT, T_COUNT };

struct rtpl {
    const char *words, *kind;
    const char *cats;    /* categories licensed */
    const char *methods; /* methods licensed (disposal) */
    const char *map;     /* category -> method used; "*" for the rest */
};

static const struct rtpl rtpls[T_COUNT] = {
    [T_INCIN] = {"%s环境科技有限公司", "disposal",
                 "HW02 HW03 HW04 HW06 HW08 HW09 HW11 HW12 HW13 HW16 HW34 HW39 HW40 HW45 HW49",
                 "D10 D9", "HW09:D9 HW34:D9 *:D10"},
    [T_LANDFILL] = {"%s危险废物安全填埋有限公司", "disposal",
                    "HW17 HW18 HW21 HW22 HW36 HW46 HW48 HW50", "D1", "*:D1"},
    [T_OIL] = {"%s废矿物油再生有限公司", "disposal", "HW08 HW09", "R9 D9", "HW09:D9 *:R9"},
    [T_CAT] = {"%s催化剂回收有限公司", "disposal", "HW46 HW50", "R8 R4", "HW46:R4 *:R8"},
    [T_SOLV] = {"%s溶剂再生有限公司", "disposal", "HW06", "R2", "*:R2"},
    [T_MED] = {"%s医疗废物处置有限公司", "disposal", "HW01", "Y10 Y11", "*:Y10"},
    [T_METAL] = {"%s金属资源回收有限公司", "disposal", "HW17 HW22 HW29 HW31 HW48 HW49",
                 "R4 R6 D9", "HW17:R6 *:R4"},
    [T_CEMENT] = {"%s水泥有限公司", "disposal", "HW12 HW18", "C1", "*:C1"},
    [T_COLLECT] = {"%s危险废物收集有限公司", "collection", "HW03 HW06 HW08 HW09 HW12 HW29 HW31 HW49",
                   NULL, NULL},
};

/* Liaoning's cities: a provincial ledger, since Art. 15 numbers allow 999999
 * manifests per city and year. Weights are shares of producers. */
struct city {
    const char *code, *name, *plate;
    int weight;
    const char *districts; /* GB/T 2260 codes, space-separated */
};

static const struct city cities[] = {
    {"2101", "沈阳", "辽A", 20, "210102 210103 210104 210105 210106 210111 210112 210113 210114"},
    {"2102", "大连", "辽B", 22,
     "210202 210203 210204 210211 210212 210213 210214 210224 210281 210283"},
    {"2103", "鞍山", "辽C", 9, "210302 210303 210304 210311 210381"},
    {"2104", "抚顺", "辽D", 6, "210402 210403 210404 210411"},
    {"2105", "本溪", "辽E", 4, "210502 210503 210504 210505"},
    {"2106", "丹东", "辽F", 4, "210602 210603 210604 210681"},
    {"2107", "锦州", "辽G", 5, "210702 210703 210711 210781"},
    {"2108", "营口", "辽H", 7, "210802 210803 210804 210811 210881"},
    {"2109", "阜新", "辽J", 3, "210902 210903 210904 210905 210911"},
    {"2110", "辽阳", "辽K", 4, "211002 211003 211004 211005 211011"},
    {"2111", "盘锦", "辽L", 7, "211102 211103 211104 211122"},
    {"2112", "铁岭", "辽M", 3, "211202 211204 211221 211281"},
    {"2113", "朝阳", "辽N", 3, "211302 211303 211321 211381"},
    {"2114", "葫芦岛", "辽P", 3, "211402 211403 211404 211481"},
};
#define NCITY (sizeof cities / sizeof *cities)
#define DALIAN 1

static const char *const trades[] = {
    "恒泰", "鑫源", "瑞丰", "宏达", "德润", "新港",   "汇通", "凯盛", "永和", "东升", "中晟",
    "远洋", "博瑞", "锦程", "天元", "隆兴", "华信",   "同创", "金诺", "泰和", "盛达", "万通",
    "嘉禾", "晨光", "富海", "长青", "正阳", "广源",   "兴业", "昌盛", "明达", "宝丰", "恒通",
    "腾飞", "北辰", "亿丰", "润泽", "海川", "蓝海",   "昊天", "鼎盛", "华泰", "凯达", "聚源",
    "合力", "鸿运", "顺达", "祥和", "众诚", "立信",   "科润", "瀚海", "星海", "滨海", "港湾",
    "渤海", "黄海", "金石", "银帆", "红旗", "新世纪", "东方", "北方", "辽南", "海韵", "山海",
    "银杏", "松岚", "槐香", "春柳", "碧海", "金湾"};
static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "孙", "于", "姜",
                                       "曲", "周", "吴", "徐", "高", "林", "郭", "马", "宋", "郑"};
static const char *const givens[] = {"建国", "志强", "海燕", "丽", "伟",   "磊",   "洋",
                                     "静",   "敏",   "晓东", "春雷", "玉梅", "国庆", "立新",
                                     "红",   "波",   "鹏",   "宇",   "凤琴", "桂兰"};
static const char *const roads[] = {"黄河路", "长江路", "中山路", "五四路", "华北路", "振兴路",
                                    "辽河东路", "红星路", "金马路", "疏港路", "临港路",
                                    "化工园路", "滨海路"};

/* ---- parties ------------------------------------------------------------------ */

enum { R_PRODUCER = 1, R_CARRIER = 2, R_RECEIVER = 4, R_COLLECTOR = 8 };

struct party {
    char id[19], name[128], district[7];
    int city;
    unsigned roles;
    int tpl;         /* receivers and collectors: index into rtpls, else -1 */
    int ind;         /* producers: index into industries, else -1 */
    double rate;     /* producers: relative manifests a year */
    double size;     /* producers: quantity factor */
    int nw, w[6], dest[6]; /* producers: wastes, and the receiver of each */
    int car[2], ncar;      /* producers: usual carriers */
    char (*plate)[16];     /* carriers: tractors, then their trailers, then trucks */
    int ntractor, ntruck;
    uint32_t *held;        /* collectors: lines held and not shipped on */
    size_t nheld, capheld;
    /* append figure only */
    struct ld_sig_secret *key;
    char head[LD_EVENT_ID_HEX]; /* head of the p:USCC chain */
    char address[200], contact[16], phone[16], emergency[16];
    char crew[6][16], crewlic[6][16];
};

struct world {
    struct rng r;
    struct ld_map *ids, *names;
    struct party *p;
    size_t np, capp;
    struct wref wref[W_COUNT];
    struct ld_workday *wd;
};

static int64_t
cst(int64_t day, int h, int min)
{
    return day * DAY + (int64_t)h * HOUR + (int64_t)min * 60 - 8 * HOUR;
}

static int64_t
next_workday(const struct world *w, int64_t day)
{
    do
        day++;
    while (!ld_workday_is_workday(w->wd, day));
    return day;
}

/* A new, unused, valid USCC (GB 32100-2015), as gen-demo makes them. */
/* A new plate: ordinary (letter + 4 digits, or 5 digits), trailer (4 digits + 挂). */
static void
plate(struct world *w, const char *prefix, int trailer, char out[16])
{
    static const char letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";

    do {
        if (trailer)
            snprintf(out, 16, "%s%04lld挂", prefix, (long long)rint_(&w->r, 1000, 9999));
        else if (chance(&w->r, 0.6))
            snprintf(out, 16, "%s%c%04lld", prefix, letters[rint_(&w->r, 0, 23)],
                     (long long)rint_(&w->r, 0, 9999));
        else
            snprintf(out, 16, "%s%05lld", prefix, (long long)rint_(&w->r, 10000, 99999));
    } while (ld_map_get(w->ids, out) != NULL);
    ld_map_put(w->ids, out, (void *)1);
    if (!ld_domain_plate_ok(out))
        die("made an invalid plate '%s'", out);
}

/* A unique name: city + trade + one of the "|"-separated patterns. */
static void
company_name(struct world *w, const char *city, const char *patterns, char *out, size_t cap)
{
    char pat[8][96];
    int n = 0, tries = 0;
    const char *s = patterns, *bar;

    while (n < 8 && *s) {
        bar = strchr(s, '|');
        snprintf(pat[n++], sizeof pat[0], "%.*s", (int)(bar ? (size_t)(bar - s) : strlen(s)), s);
        s = bar ? bar + 1 : s + strlen(s);
    }
    do {
        const char *p = pat[rint_(&w->r, 0, n - 1)], *pc = strstr(p, "%s");
        char trade[48];
        if (++tries > 50)
            snprintf(trade, sizeof trade, "%s%s", PICK(&w->r, trades), PICK(&w->r, trades));
        else
            snprintf(trade, sizeof trade, "%s", PICK(&w->r, trades));
        snprintf(out, cap, "%s%.*s%s%s", city, (int)(pc - p), p, trade, pc + 2);
    } while (ld_map_get(w->names, out) != NULL);
    ld_map_put(w->names, out, (void *)1);
}

static void
district_pick(struct world *w, int city, char out[7])
{
    const char *d = cities[city].districts;
    int n = (int)(strlen(d) + 1) / 7;

    snprintf(out, 7, "%.6s", d + 7 * rint_(&w->r, 0, n - 1));
}

static struct party *
new_party(struct world *w, int city, const char *head2, unsigned roles, int keyed)
{
    struct party *p;
    uint8_t seed[32];
    char division[7];
    int i;

    if (w->np == w->capp) {
        w->capp = w->capp ? 2 * w->capp : 256;
        w->p = ld_xrealloc(w->p, w->capp * sizeof *w->p);
    }
    p = &w->p[w->np++];
    memset(p, 0, sizeof *p);
    p->city = city;
    p->roles = roles;
    p->tpl = p->ind = -1;
    district_pick(w, city, p->district);
    snprintf(division, sizeof division, "%s00", cities[city].code); /* city-level registration */
    if (!make_uscc(&w->r, w->ids, head2, chance(&w->r, 0.35) ? division : p->district, p->id))
        die("cannot make a USCC in %s", division);
    if (keyed) {
        for (i = 0; i < 4; i++) {
            uint64_t v = rnd(&w->r);
            memcpy(seed + 8 * i, &v, 8);
        }
        if (ld_sig_secret_from_seed(p->id, seed, &p->key) != LD_OK)
            die("cannot make a key");
        snprintf(p->address, sizeof p->address, "辽宁省%s市%s%lld号", cities[city].name,
                 PICK(&w->r, roads), (long long)rint_(&w->r, 1, 399));
        snprintf(p->contact, sizeof p->contact, "%s%s", PICK(&w->r, surnames),
                 PICK(&w->r, givens));
        snprintf(p->phone, sizeof p->phone, "0411-%08lld", (long long)rint_(&w->r, 80000000, 89999999));
        snprintf(p->emergency, sizeof p->emergency, "0411-%08lld",
                 (long long)rint_(&w->r, 80000000, 89999999));
    }
    return p;
}

static void
fleet(struct world *w, struct party *p, int tractors, int trucks)
{
    int i;

    p->ntractor = tractors;
    p->ntruck = trucks;
    p->plate = ld_xcalloc((size_t)(2 * tractors + trucks), sizeof *p->plate);
    for (i = 0; i < tractors; i++) {
        plate(w, cities[p->city].plate, 0, p->plate[i]);
        plate(w, cities[p->city].plate, 1, p->plate[tractors + i]);
    }
    for (i = 0; i < trucks; i++)
        plate(w, cities[p->city].plate, 0, p->plate[2 * tractors + i]);
    for (i = 0; i < 6; i++) {
        snprintf(p->crew[i], sizeof p->crew[i], "%s%s", PICK(&w->r, surnames), PICK(&w->r, givens));
        snprintf(p->crewlic[i], sizeof p->crewlic[i], "%.4s%08lld", p->district,
                 (long long)rint_(&w->r, 0, 99999999));
    }
}

/* Does receiver template t cover category "HWxx"? */
static int
covers(int t, const char *category)
{
    return strstr(rtpls[t].cats, category) != NULL;
}

/* The method receiver template t uses for a category (its "map"). */
static const char *
method_for(int t, const char *category)
{
    static const char *const methods[] = {"D10", "D9", "D1", "R9", "R8", "R4",
                                          "R2",  "Y10", "R6", "C1"};
    const char *m = strstr(rtpls[t].map, category), *star = strstr(rtpls[t].map, "*:");
    size_t i, n;

    m = m ? m + 5 : star + 2;
    n = strcspn(m, " ");
    for (i = 0; i < sizeof methods / sizeof *methods; i++)
        if (strlen(methods[i]) == n && strncmp(methods[i], m, n) == 0)
            return methods[i];
    die("no method for %s", category);
    return NULL;
}

/* A receiver (not `not`) licensed for the waste's category: the producer's
 * usual receiver when it takes it, else one in the same city, else anywhere. */
static int
pick_receiver(struct world *w, const struct party *from, int waste, int main_dest, int collector,
              int not)
{
    const char *cat = w->wref[waste].category;
    int cand[64], n = 0, pass;
    size_t k;

    if (main_dest >= 0 && main_dest != not && covers(w->p[main_dest].tpl, cat) &&
        (w->p[main_dest].tpl == T_COLLECT) == collector)
        return main_dest;
    for (pass = 0; pass < 2 && n == 0; pass++)
        for (k = 0; k < w->np && n < 64; k++) {
            const struct party *p = &w->p[k];
            if (p->tpl < 0 || (int)k == not || (p->tpl == T_COLLECT) != collector ||
                !covers(p->tpl, cat) || (pass == 0 && p->city != from->city))
                continue;
            cand[n++] = (int)k;
        }
    return n ? cand[rint_(&w->r, 0, n - 1)] : -1;
}

static int
city_carrier(struct world *w, int city)
{
    int cand[64], n = 0;
    size_t k;

    for (k = 0; k < w->np && n < 64; k++)
        if ((w->p[k].roles & R_CARRIER) && w->p[k].tpl < 0 && w->p[k].city == city)
            cand[n++] = (int)k;
    if (n == 0)
        die("no carrier in %s", cities[city].name);
    return cand[rint_(&w->r, 0, n - 1)];
}

static int
pick_weighted_city(struct world *w)
{
    int total = 0, x;
    size_t c;

    for (c = 0; c < NCITY; c++)
        total += cities[c].weight;
    x = (int)rint_(&w->r, 0, total - 1);
    for (c = 0; c < NCITY; c++)
        if ((x -= cities[c].weight) < 0)
            return (int)c;
    return 0;
}

/*
 * Parties: receivers and collectors per city (one city for the append figure),
 * carriers with fleets, then nprod producers with their wastes, receivers and
 * carriers. keyed: make signing keys, addresses and crews (append figure).
 */
static void
build_world(struct world *w, int one_city, size_t nprod, int keyed)
{
    size_t c, k;
    int t, i;

    for (c = 0; c < NCITY; c++) {
        int big = cities[c].weight >= 20, mid = cities[c].weight >= 6, ncar, ncol;
        if (one_city >= 0 && (int)c != one_city)
            continue;
        for (t = 0; t < T_COLLECT; t++) {
            struct party *p;
            if (one_city < 0 && !big &&
                !(t == T_MED || t == T_INCIN || (mid && t == T_LANDFILL) || (!mid && t == T_CEMENT)))
                continue;
            p = new_party(w, (int)c, "91", R_RECEIVER, keyed);
            p->tpl = t;
            company_name(w, cities[c].name, rtpls[t].words, p->name, sizeof p->name);
        }
        ncol = one_city >= 0 ? 0 : big ? 3 : mid ? 2 : 1;
        for (i = 0; i < ncol; i++) {
            struct party *p = new_party(w, (int)c, "91", R_COLLECTOR | R_CARRIER, keyed);
            p->tpl = T_COLLECT;
            company_name(w, cities[c].name, rtpls[T_COLLECT].words, p->name, sizeof p->name);
            fleet(w, p, 0, (int)rint_(&w->r, 3, 6));
        }
        ncar = one_city >= 0 ? 6 : 2 + cities[c].weight / 2;
        for (i = 0; i < ncar; i++) {
            struct party *p = new_party(w, (int)c, "91", R_CARRIER, keyed);
            company_name(w, cities[c].name, "%s危险货物运输有限公司|%s危险品物流有限公司|%s运输有限公司",
                         p->name, sizeof p->name);
            fleet(w, p, (int)rint_(&w->r, 4, 16), (int)rint_(&w->r, 2, 8));
        }
    }
    for (k = 0; k < nprod; k++) {
        int city = one_city >= 0 ? one_city : pick_weighted_city(w), total = 0, x;
        const struct industry *ind;
        struct party *p;
        size_t j;
        for (j = 0; j < NIND; j++)
            if (one_city < 0 || !industries[j].small)
                total += industries[j].weight;
        x = (int)rint_(&w->r, 0, total - 1);
        for (j = 0; j < NIND; j++)
            if ((one_city < 0 || !industries[j].small) && (x -= industries[j].weight) < 0)
                break;
        ind = &industries[j];
        p = new_party(w, city, strcmp(ind->usc, "92") == 0 && chance(&w->r, 0.5) ? "91" : ind->usc,
                      R_PRODUCER, keyed);
        p->ind = (int)j;
        company_name(w, cities[city].name, ind->words, p->name, sizeof p->name);
        p->rate = (double)rint_(&w->r, ind->rate_min, ind->rate_max) *
                  (0.5 + 1.5 * rreal(&w->r) * rreal(&w->r));
        p->size = 0.6 + 0.8 * rreal(&w->r);
        for (i = 0; i < 6 && ind->w[i] >= 0; i++)
            if (i < 2 || chance(&w->r, 0.6)) {
                int d = pick_receiver(w, p, ind->w[i], p->nw ? p->dest[0] : -1, ind->small, -1);
                if (d < 0 && ind->small)
                    d = pick_receiver(w, p, ind->w[i], -1, 0, -1);
                if (d < 0)
                    die("no receiver for %s", wastes[ind->w[i]].code);
                p->w[p->nw] = ind->w[i];
                p->dest[p->nw++] = d;
            }
        p->car[p->ncar++] = city_carrier(w, city);
        if (chance(&w->r, 0.5))
            p->car[p->ncar++] = city_carrier(w, city);
    }
}

static void
world_init(struct world *w, uint64_t seed, const struct ld_catalog *cat, struct ld_workday *wd)
{
    static const char *const hn[5] = {"T", "C", "I", "R", "In"};
    int i, b;

    memset(w, 0, sizeof *w);
    rng_seed(&w->r, seed);
    w->ids = ld_map_new();
    w->names = ld_map_new();
    w->wd = wd;
    for (i = 0; i < W_COUNT; i++) {
        const struct ld_catalog_waste *cw = NULL;
        unsigned bits;
        if (ld_catalog_waste(cat, LD_CATALOG_EDITION_2021, wastes[i].code, NULL, &cw, NULL) != LD_OK)
            die("'%s' is not in the catalogue", wastes[i].code);
        w->wref[i].category = cw->category;
        w->wref[i].cat = atoi(cw->category + 2);
        /* "a,b": has a, may have b: declare them all; "a/b": one or more: the first. */
        bits = strchr(cw->hazard, '/') ? cw->haz_allowed & -cw->haz_allowed : cw->haz_allowed;
        for (b = 0; b < 5; b++)
            if (bits & (1u << b))
                w->wref[i].hz[w->wref[i].nhz++] = hn[b];
    }
}

static void
world_release(struct world *w)
{
    size_t k;

    for (k = 0; k < w->np; k++) {
        ld_sig_secret_free(w->p[k].key);
        free(w->p[k].plate);
        free(w->p[k].held);
    }
    free(w->p);
    ld_map_free(w->ids, NULL);
    ld_map_free(w->names, NULL);
}

/* ==== 1. append throughput of full manifest events =============================== */

struct aline {
    int waste, packages, disc;
    int64_t qty, received;
};

struct aman {
    int filer, receiver, carrier, veh, nlines;
    struct aline l[MAXL];
    int64_t number;
    int64_t t[5]; /* file, pickup, arrive, accept, dispose */
    char head[LD_EVENT_ID_HEX];
};

struct aev {
    int64_t t;
    uint32_t m;
    int k;
};

static int
by_time(const void *a, const void *b)
{
    const struct aev *x = a, *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->m != y->m)
        return x->m < y->m ? -1 : 1;
    return x->k - y->k;
}

struct signed_events {
    char **text;
    size_t *len;
    int64_t *at;
    size_t n, cap;
};

/* Sign an event into se; head is the chain's head, updated to the new id. */
static void
sign_event(struct signed_events *se, int64_t at, const char *type, int64_t manifest,
           char head[LD_EVENT_ID_HEX], const char *actor, const struct ld_sig_secret *key,
           cJSON *body)
{
    char ts[LD_TM_RFC3339_LEN], *entry = NULL;
    uint8_t id[LD_MERKLE_HASH];
    struct ld_err err;
    size_t len = 0;
    cJSON *e = cJSON_CreateObject();

    if (ld_tm_format(at, ts) != LD_OK)
        die("bad time %lld", (long long)at);
    cJSON_AddNumberToObject(e, "v", 1);
    cJSON_AddStringToObject(e, "type", type);
    if (manifest)
        cJSON_AddNumberToObject(e, "manifest", (double)manifest);
    else
        cJSON_AddNullToObject(e, "manifest");
    if (head[0])
        cJSON_AddStringToObject(e, "prev", head);
    else
        cJSON_AddNullToObject(e, "prev");
    cJSON_AddStringToObject(e, "at", ts);
    cJSON_AddStringToObject(e, "actor", actor);
    cJSON_AddItemToObject(e, "body", body);
    memset(&err, 0, sizeof err);
    if (ld_event_sign(e, key, &entry, &len, &err) != LD_OK)
        die("cannot sign %s: %s: %s", type, err.field, err.msg);
    cJSON_Delete(e);
    ld_merkle_leaf_hash(entry, len, id);
    ld_enc_hex(id, sizeof id, head);
    if (se->n == se->cap) {
        se->cap = se->cap ? 2 * se->cap : 1024;
        se->text = ld_xrealloc(se->text, se->cap * sizeof *se->text);
        se->len = ld_xrealloc(se->len, se->cap * sizeof *se->len);
        se->at = ld_xrealloc(se->at, se->cap * sizeof *se->at);
    }
    se->text[se->n] = entry;
    se->len[se->n] = len;
    se->at[se->n++] = at;
}

/*
 * Append se->text[from, to) in batches of at most BATCH, cut short only where
 * the next event is more than BATCH_SPAN after the batch's first (the ledger
 * accepts events up to a day old); LIANDAN_NOW is each batch's last event.
 * [out] nbatches. Returns the seconds spent in ld_ledger_append_batch.
 */
static double
append_events(struct ld_ledger *l, const struct signed_events *se, size_t from, size_t to,
              size_t *nbatches)
{
    struct ld_ledger_item items[BATCH];
    double secs = 0;
    size_t i = from, k, n;

    *nbatches = 0;
    while (i < to) {
        char now[LD_TM_RFC3339_LEN];
        double t0;
        for (n = 1; n < BATCH && i + n < to && se->at[i + n] - se->at[i] <= BATCH_SPAN; n++)
            ;
        memset(items, 0, sizeof items);
        for (k = 0; k < n; k++) {
            items[k].text = se->text[i + k];
            items[k].len = se->len[i + k];
        }
        ld_tm_format(se->at[i + n - 1], now);
        setenv(LD_TM_NOW_ENV, now, 1);
        t0 = now_s();
        if (ld_ledger_append_batch(l, items, n) != LD_OK)
            die("cannot append a batch");
        secs += now_s() - t0;
        for (k = 0; k < n; k++)
            if (items[k].rc != LD_OK)
                die("event %zu refused: %s: %s: %s\n  %s", i + k, ld_rc_str(items[k].rc),
                    items[k].err.field, items[k].err.msg, se->text[i + k]);
        i += n;
        (*nbatches)++;
    }
    return secs;
}

static cJSON *
strings(const char *const *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    int i;

    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

/* Words separated by spaces as a JSON array of strings. */
static cJSON *
words(const char *s)
{
    cJSON *a = cJSON_CreateArray();
    char buf[16];

    while (*s) {
        size_t n = strcspn(s, " ");
        snprintf(buf, sizeof buf, "%.*s", (int)n, s);
        cJSON_AddItemToArray(a, cJSON_CreateString(buf));
        s += n;
        s += strspn(s, " ");
    }
    return a;
}

static void
date_of(int64_t day, char out[LD_TM_DATE_LEN])
{
    if (ld_tm_format_date(day * DAY, out) != LD_OK)
        die("bad day %lld", (long long)day);
}

/* The regulator registers, keys, licenses and permits every party at t. */
static void
sign_parties(struct world *w, struct signed_events *se, const struct ld_sig_secret *reg, int64_t t)
{
    size_t k;

    for (k = 0; k < w->np; k++, t += 3) {
        struct party *p = &w->p[k];
        const char *rl[4];
        int n = 0;
        struct ld_sig_pub pub;
        char *vkey;
        cJSON *b = cJSON_CreateObject();

        if (p->roles & R_PRODUCER)
            rl[n++] = "producer";
        if (p->roles & R_CARRIER)
            rl[n++] = "carrier";
        if (p->roles & R_RECEIVER)
            rl[n++] = "receiver";
        if (p->roles & R_COLLECTOR)
            rl[n++] = "collector";
        cJSON_AddStringToObject(b, "id", p->id);
        cJSON_AddStringToObject(b, "name", p->name);
        cJSON_AddItemToObject(b, "roles", strings(rl, n));
        cJSON_AddStringToObject(b, "district", p->district);
        sign_event(se, t, "party.register", 0, p->head, LD_EVENT_REGULATOR, reg, b);
        ld_sig_secret_pub(p->key, &pub);
        vkey = ld_sig_vkey_format(&pub);
        b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "id", p->id);
        cJSON_AddStringToObject(b, "pub", vkey);
        cJSON_AddStringToObject(b, "until", "2027-12-31T16:00:00Z");
        free(vkey);
        sign_event(se, t + 1, "party.key", 0, p->head, LD_EVENT_REGULATOR, reg, b);
        if (p->tpl >= 0) {
            const struct rtpl *r = &rtpls[p->tpl];
            char num[64];
            cJSON *cap;
            const char *c;
            b = cJSON_CreateObject();
            snprintf(num, sizeof num, "辽环危废经字%.4s%03zu号", p->district, k + 1);
            cJSON_AddStringToObject(b, "id", p->id);
            cJSON_AddStringToObject(b, "kind", r->kind);
            cJSON_AddStringToObject(b, "number", num);
            cJSON_AddStringToObject(b, "valid_from", "2024-07-01");
            cJSON_AddStringToObject(b, "valid_until", "2029-06-30");
            cJSON_AddItemToObject(b, "codes", words(r->cats));
            cJSON_AddItemToObject(b, "methods", words(r->methods));
            cap = cJSON_AddObjectToObject(b, "capacity_g");
            for (c = r->cats; *c; c += 5) {
                char cat[5];
                snprintf(cat, sizeof cat, "%.4s", c);
                cJSON_AddNumberToObject(cap, cat, (double)(rint_(&w->r, 50, 300) * 100 * TONNE));
                if (c[4] == '\0')
                    break;
            }
            sign_event(se, t + 2, "party.licence", 0, p->head, LD_EVENT_REGULATOR, reg, b);
        }
        if (p->roles & R_CARRIER) {
            char num[64];
            int i;
            cJSON *a;
            b = cJSON_CreateObject();
            snprintf(num, sizeof num, "辽交运管许可大字%.6s%06zu号", p->district, k + 1);
            cJSON_AddStringToObject(b, "id", p->id);
            cJSON_AddStringToObject(b, "number", num);
            cJSON_AddStringToObject(b, "valid_from", "2024-03-01");
            cJSON_AddStringToObject(b, "valid_until", "2028-02-29");
            a = cJSON_AddArrayToObject(b, "vehicles");
            for (i = 0; i < 2 * p->ntractor + p->ntruck; i++)
                cJSON_AddItemToArray(a, cJSON_CreateString(p->plate[i]));
            sign_event(se, t + 2, "party.permit", 0, p->head, LD_EVENT_REGULATOR, reg, b);
        }
    }
}

/* What to do on a spill (as gen-demo, shortened). */
static const char *
emergency(const struct world *w, int waste)
{
    const struct wref *r = &w->wref[waste];
    const char *form = wastes[waste].form;
    int i, hasI = 0, hasIn = 0;

    for (i = 0; i < r->nhz; i++) {
        hasI |= strcmp(r->hz[i], "I") == 0;
        hasIn |= strcmp(r->hz[i], "In") == 0;
    }
    if (hasIn)
        return "包装破损时用含氯消毒剂喷洒消毒后收集，人员做好个人防护并立即报告";
    if (strcmp(form, "solid") != 0 && hasI)
        return "泄漏时用沙土或吸附棉围堵吸附，远离火源，禁止烟火；收集物装入备用桶";
    if (strcmp(form, "solid") != 0)
        return "泄漏时围堵收集，防止进入水体和下水道；作业人员佩戴防护手套和口罩";
    return "包装破损时防止扬尘和散落，收集后装入备用包装；作业人员佩戴防尘口罩和手套";
}

static cJSON *
body_file(struct world *w, const struct aman *m, int y, int mo, int d)
{
    const struct party *f = &w->p[m->filer];
    cJSON *b = cJSON_CreateObject(), *o = cJSON_AddObjectToObject(b, "producer"), *lines, *a;
    int i, j;

    cJSON_AddStringToObject(o, "id", f->id);
    cJSON_AddStringToObject(o, "name", f->name);
    cJSON_AddStringToObject(o, "address", f->address);
    cJSON_AddStringToObject(o, "contact", f->contact);
    cJSON_AddStringToObject(o, "phone", f->phone);
    cJSON_AddStringToObject(o, "emergency_phone", f->emergency);
    cJSON_AddStringToObject(b, "consignor", chance(&w->r, 0.5) ? "receiver" : "producer");
    cJSON_AddStringToObject(b, "receiver", w->p[m->receiver].id);
    cJSON_AddStringToObject(b, "carrier", w->p[m->carrier].id);
    lines = cJSON_AddArrayToObject(b, "lines");
    for (i = 0; i < m->nlines; i++) {
        const struct aline *ln = &m->l[i];
        const struct waste *ws = &wastes[ln->waste];
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ws->name);
        if (chance(&w->r, 0.3)) {
            char internal[100];
            snprintf(internal, sizeof internal, "%s（%s）", ws->name,
                     ln->qty > 5 * TONNE ? "批量" : "日常");
            cJSON_AddStringToObject(o, "internal_name", internal);
        }
        cJSON_AddStringToObject(o, "catalogue", LD_CATALOG_EDITION_2021);
        cJSON_AddStringToObject(o, "code", ws->code);
        cJSON_AddStringToObject(o, "category", w->wref[ln->waste].category);
        cJSON_AddItemToObject(o, "hazard", strings(w->wref[ln->waste].hz, w->wref[ln->waste].nhz));
        cJSON_AddStringToObject(o, "form", ws->form);
        cJSON_AddStringToObject(o, "constituents", ws->constituents);
        cJSON_AddStringToObject(o, "packaging", ws->packaging);
        cJSON_AddNumberToObject(o, "packages", ln->packages);
        if (ln->packages <= 24 && chance(&w->r, 0.4)) {
            a = cJSON_AddArrayToObject(o, "containers");
            for (j = 0; j < ln->packages; j++) {
                char c[40];
                snprintf(c, sizeof c, "%.8s-%.3s%.3s%.2s-%02d%02d%02d-%03d", f->id + 8, ws->code,
                         ws->code + 4, ws->code + 8, y % 100, mo, d, j + 1);
                cJSON_AddItemToArray(a, cJSON_CreateString(c));
            }
        }
        cJSON_AddNumberToObject(o, "qty_g", (double)ln->qty);
        cJSON_AddStringToObject(o, "emergency", emergency(w, ln->waste));
        cJSON_AddItemToArray(lines, o);
    }
    return b;
}

static cJSON *
body_pickup(struct world *w, const struct aman *m)
{
    const struct party *c = &w->p[m->carrier], *f = &w->p[m->filer];
    cJSON *b = cJSON_CreateObject(), *o, *pk;
    int a = (int)rint_(&w->r, 0, 5), e = (a + 1 + (int)rint_(&w->r, 0, 4)) % 6, i;
    char s[200];

    cJSON_AddStringToObject(b, "vehicle", c->plate[m->veh < c->ntractor ? m->veh
                                                                         : c->ntractor + m->veh]);
    if (m->veh < c->ntractor)
        cJSON_AddStringToObject(b, "trailer", c->plate[c->ntractor + m->veh]);
    o = cJSON_AddObjectToObject(b, "driver");
    cJSON_AddStringToObject(o, "name", c->crew[a]);
    cJSON_AddStringToObject(o, "licence", c->crewlic[a]);
    o = cJSON_AddObjectToObject(b, "escort");
    cJSON_AddStringToObject(o, "name", c->crew[e]);
    cJSON_AddStringToObject(o, "licence", c->crewlic[e]);
    snprintf(s, sizeof s, "%s危险废物贮存库", f->name);
    cJSON_AddStringToObject(b, "start", s);
    if (chance(&w->r, 0.5)) {
        snprintf(s, sizeof s, "%s—%s—%s", PICK(&w->r, roads), PICK(&w->r, roads),
                 w->p[m->receiver].name);
        cJSON_AddStringToObject(b, "route", s);
    }
    pk = cJSON_AddArrayToObject(b, "packages");
    for (i = 0; i < m->nlines; i++)
        cJSON_AddItemToArray(pk, cJSON_CreateNumber(m->l[i].packages));
    return b;
}

static cJSON *
body_accept(struct aman *m)
{
    cJSON *b = cJSON_CreateObject(), *lines = cJSON_AddArrayToObject(b, "lines"), *o, *d;
    int i;

    for (i = 0; i < m->nlines; i++) {
        const struct aline *ln = &m->l[i];
        char desc[200];
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "line", i + 1);
        cJSON_AddNumberToObject(o, "received_g", (double)ln->received);
        cJSON_AddNumberToObject(o, "accepted_g", (double)ln->received);
        if (ln->disc) {
            const char *kind = ln->disc == 1 ? "quantity" : "packaging";
            d = cJSON_AddObjectToObject(o, "discrepancy");
            cJSON_AddItemToObject(d, "kinds", strings(&kind, 1));
            if (ln->disc == 1)
                snprintf(desc, sizeof desc, "第%d行实收%.3f吨，联单填报%.3f吨", i + 1,
                         (double)ln->received / TONNE, (double)ln->qty / TONNE);
            else
                snprintf(desc, sizeof desc, "1个%s破损渗漏，已现场收集并更换包装",
                         wastes[ln->waste].packaging);
            cJSON_AddStringToObject(d, "description", desc);
        }
        cJSON_AddItemToArray(lines, o);
    }
    return b;
}

static int64_t
round_qty(int64_t g)
{
    if (g >= 2 * TONNE)
        return (g + 5000) / 10000 * 10000; /* weighbridge: 10 kg */
    return (g + 50) / 100 * 100;           /* platform scale: 0.1 kg */
}

/*
 * Figure 1. nman manifests of Dalian producers over a few weeks, five events
 * each, every one signed beforehand by its party's certified key; appended
 * in time order.
 */
static void
bench_append(struct world *w, const char *dir, size_t nman, unsigned cores)
{
    struct ld_sig_secret *reg = NULL;
    struct ld_sig_pub regpub;
    struct ld_ledger_opts o;
    struct ld_ledger *l = NULL;
    struct ld_err err;
    struct signed_events se;
    struct aman *m = ld_xcalloc(nman, sizeof *m);
    struct aev *ev = ld_xcalloc(5 * nman, sizeof *ev);
    char db[128], *vkey = NULL, now[LD_TM_RFC3339_LEN];
    int64_t day0 = ld_tm_days_from_civil(YEAR, 3, 2), serial = 0, per_day = 240;
    size_t i, k, nparty_ev, nb_setup, nb, bytes = 0, nlines = 0, ndisc = 0;
    uint8_t seed[32];
    double r1, secs, t0;
    static const char *const types[5] = {"manifest.file", "transport.pickup", "transport.arrive",
                                         "receipt.accept", "disposal.complete"};

    memset(&se, 0, sizeof se);
    memset(&err, 0, sizeof err);
    for (i = 0; i < 32; i++)
        seed[i] = (uint8_t)rnd(&w->r);
    if (ld_sig_secret_from_seed("bench.regulator", seed, &reg) != LD_OK)
        die("cannot make the regulator key");
    ld_sig_secret_pub(reg, &regpub);
    snprintf(db, sizeof db, "%s/append.db", dir);
    ld_tm_format(cst(day0, 5, 0), now);
    setenv(LD_TM_NOW_ENV, now, 1);
    if (ld_ledger_create(db, "bench.example/domain", &regpub, NULL, NULL, &vkey, &err) != LD_OK)
        die("cannot create '%s': %s", db, err.msg);
    free(vkey);
    memset(&o, 0, sizeof o);
    o.threads = cores; /* store_flags 0: synchronous=FULL */
    if (ld_ledger_open(db, &o, &l, &err) != LD_OK || ld_domain_register(l) != LD_OK)
        die("cannot open '%s': %s", db, err.msg);

    /* Parties: registered, keyed, licensed, permitted (appended, not timed). */
    sign_parties(w, &se, reg, cst(day0, 6, 0));
    nparty_ev = se.n;
    append_events(l, &se, 0, nparty_ev, &nb_setup);

    /* The manifests' stories, then their events in time order. */
    for (i = 0; i < nman; i++) {
        struct aman *a = &m[i];
        const struct party *p;
        int first, want, j;
        int64_t day = day0 + (int64_t)i / per_day, rday;
        do
            a->filer = (int)rint_(&w->r, 0, (int64_t)w->np - 1);
        while (!(w->p[a->filer].roles & R_PRODUCER));
        p = &w->p[a->filer];
        first = (int)rint_(&w->r, 0, p->nw - 1);
        a->receiver = p->dest[first];
        want = chance(&w->r, 0.6) ? 1 : chance(&w->r, 0.7) ? 2 : chance(&w->r, 0.8) ? 3 : 4;
        for (j = 0; j < p->nw && a->nlines < want; j++) {
            int x = (first + j) % p->nw;
            const struct waste *ws = &wastes[p->w[x]];
            struct aline *ln;
            if (p->dest[x] != a->receiver)
                continue;
            ln = &a->l[a->nlines++];
            ln->waste = p->w[x];
            ln->qty = round_qty((int64_t)(p->size * (double)rint_(&w->r, ws->min_kg * KG,
                                                                  ws->max_kg * KG)));
            ln->packages = (int)((ln->qty + ws->pkg_kg * KG - 1) / (ws->pkg_kg * KG));
            ln->received = round_qty(ln->qty + (int64_t)((rreal(&w->r) - 0.5) * 0.008 *
                                                         (double)ln->qty));
            if (chance(&w->r, 0.07)) {
                ln->disc = chance(&w->r, 0.6) ? 1 : 2;
                if (ln->disc == 1)
                    ln->received = round_qty(ln->qty * (85 + rint_(&w->r, 0, 10)) / 100);
                ndisc++;
            }
        }
        nlines += (size_t)a->nlines;
        a->carrier = p->car[rint_(&w->r, 0, p->ncar - 1)];
        a->veh = (int)rint_(&w->r, 0, w->p[a->carrier].ntractor + w->p[a->carrier].ntruck - 1);
        a->t[0] = cst(day, 8, 0) + rint_(&w->r, 0, 8 * HOUR);
        a->t[1] = a->t[0] + rint_(&w->r, 1800, 3 * HOUR);
        a->t[2] = a->t[1] + rint_(&w->r, 2400, 4 * HOUR);
        a->t[3] = a->t[2] + rint_(&w->r, 1200, 9000);
        rday = ld_domain_day(a->t[3]) + rint_(&w->r, 1, 5);
        a->t[4] = cst(rday, 15, (int)rint_(&w->r, 0, 180));
        for (k = 0; k < 5; k++) {
            ev[5 * i + k].t = a->t[k];
            ev[5 * i + k].m = (uint32_t)i;
            ev[5 * i + k].k = (int)k;
        }
    }
    qsort(ev, 5 * nman, sizeof *ev, by_time);
    t0 = now_s();
    for (i = 0; i < 5 * nman; i++) {
        struct aman *a = &m[ev[i].m];
        struct party *actor = &w->p[ev[i].k == 0 ? a->filer
                                    : ev[i].k <= 2 ? a->carrier
                                                   : a->receiver];
        cJSON *b = NULL;
        int y, mo, d;
        ld_tm_civil_from_days(ld_domain_day(ev[i].t), &y, &mo, &d);
        switch (ev[i].k) {
        case 0: /* Art. 15: year, the filer's city, the next serial (all Dalian here) */
            a->number = ((int64_t)y * 10000 + atoi(cities[DALIAN].code)) * 1000000 + ++serial;
            b = body_file(w, a, y, mo, d);
            break;
        case 1:
            b = body_pickup(w, a);
            break;
        case 2: {
            char s[200];
            b = cJSON_CreateObject();
            snprintf(s, sizeof s, "%s地磅房", w->p[a->receiver].name);
            cJSON_AddStringToObject(b, "place", s);
            break;
        }
        case 3:
            b = body_accept(a);
            break;
        default: {
            char date[LD_TM_DATE_LEN];
            cJSON *lines;
            int j;
            b = cJSON_CreateObject();
            date_of(ld_domain_day(ev[i].t), date);
            cJSON_AddStringToObject(b, "on", date);
            lines = cJSON_AddArrayToObject(b, "lines");
            for (j = 0; j < a->nlines; j++) {
                cJSON *x = cJSON_CreateObject();
                cJSON_AddNumberToObject(x, "line", j + 1);
                cJSON_AddStringToObject(x, "method", method_for(w->p[a->receiver].tpl,
                                                                w->wref[a->l[j].waste].category));
                cJSON_AddNumberToObject(x, "qty_g", (double)a->l[j].received);
                cJSON_AddItemToArray(lines, x);
            }
        }
        }
        sign_event(&se, ev[i].t, types[ev[i].k], a->number, a->head, actor->id, actor->key, b);
        bytes += se.len[se.n - 1];
    }
    printf("  %zu parties (%zu regulator events), %zu manifests of %.2f lines (%.1f%% with a "
           "discrepancy), %zu events of %.0f B average, signed in %.1f s (not timed)\n",
           w->np, nparty_ev, nman, (double)nlines / (double)nman,
           100.0 * (double)ndisc / (double)nman, 5 * nman, (double)bytes / (double)(5 * nman),
           now_s() - t0);

    r1 = raw_verify(reg, 1);
    secs = append_events(l, &se, nparty_ev, se.n, &nb);
    printf("append, synchronous=FULL, %u sig threads + writer, %zu batches of <= %d: %.0f "
           "events/s = %.2f x raw 1-core verify (%.0f/s just before)  (target >= 0.6)\n",
           cores, nb, BATCH, (double)(se.n - nparty_ev) / secs,
           (double)(se.n - nparty_ev) / secs / r1, r1);
    fflush(stdout);

    ld_ledger_close(l);
    for (i = 0; i < se.n; i++)
        free(se.text[i]);
    free(se.text);
    free(se.len);
    free(se.at);
    free(m);
    free(ev);
    ld_sig_secret_free(reg);
}

/* ==== 2-4. a synthetic year of 10^6 manifests in the derived tables ============== */

enum { S_FILED, S_TRANSIT, S_ARRIVED, S_RECEIVED, S_RECEIVED_D, S_REJECTED, S_CLOSED, S_CANCELLED };
static const char *const state_names[] = {"filed",    "in_transit",
                                          "arrived",  "received",
                                          "received_with_discrepancy", "rejected",
                                          "closed",   "cancelled"};

enum { F_NORMAL, F_DISCREP, F_PARTIAL, F_REJECT, F_CANCEL, F_STUCK, F_OVERDUE };

struct bman {
    int64_t number;
    int64_t filed, picked, handed, arrived, received, closed, completed; /* -1: not (yet) */
    int32_t filer, receiver, carrier, carrier2;
    uint32_t line0; /* first of its lines in g->ln */
    int16_t veh, veh2; /* index into the carrier's plates; -1: a vehicle not in the permit */
    uint8_t nlines, state, paper, disc, open;
};

struct bline {
    uint32_t man, draw0;
    int64_t qty, received, accepted, rejected, disposed; /* received -1: not yet */
    int32_t packages;
    uint16_t ndraw;
    uint8_t waste, line;
    const char *method;
};

struct bdraw {
    uint32_t src; /* line drawn from */
    uint8_t rpart; /* 1: its refused part NUMBER-LLR */
    int64_t qty;
};

enum { H_RESHIP, H_CONSOL, H_CHAIN };

struct hev {
    int64_t t;
    uint64_t seq;
    int kind;
    int64_t a;
};

struct bgen {
    struct world *w;
    struct bman *m;
    size_t nm, capm;
    struct bline *ln;
    size_t nl, capl;
    struct bdraw *dr;
    size_t nd, capd;
    struct hev *heap;
    size_t nh, caph;
    uint64_t seq;
    int64_t serial[NCITY];
    int64_t now; /* the audit instant: nothing after it has happened */
    int64_t *used; /* accepted grams per receiver and category (capacity) */
    int chain_src, chain_a, chain_b, chain_end; /* the chain's parties */
    uint32_t chain_line;                        /* line the next hop draws from */
    int64_t chain_first, chain_last;            /* its first and last manifest */
    unsigned long n_consol, n_reship;
};

static int
hev_before(const struct hev *a, const struct hev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
schedule(struct bgen *g, int64_t t, int kind, int64_t a)
{
    struct hev x;
    size_t i;

    if (t > g->now)
        return; /* after the audit instant: has not happened */
    if (g->nh == g->caph) {
        g->caph = g->caph ? 2 * g->caph : 1024;
        g->heap = ld_xrealloc(g->heap, g->caph * sizeof *g->heap);
    }
    x.t = t;
    x.seq = g->seq++;
    x.kind = kind;
    x.a = a;
    i = g->nh++;
    while (i > 0 && hev_before(&x, &g->heap[(i - 1) / 2])) {
        g->heap[i] = g->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    g->heap[i] = x;
}

static struct hev
pop(struct bgen *g)
{
    struct hev top = g->heap[0], last = g->heap[--g->nh];
    size_t i = 0, c;

    while ((c = 2 * i + 1) < g->nh) {
        if (c + 1 < g->nh && hev_before(&g->heap[c + 1], &g->heap[c]))
            c++;
        if (!hev_before(&g->heap[c], &last))
            break;
        g->heap[i] = g->heap[c];
        i = c;
    }
    if (g->nh)
        g->heap[i] = last;
    return top;
}

/* A new manifest filed by `filer` at t, numbered in its city's sequence. */
static struct bman *
new_man(struct bgen *g, int filer, int receiver, int carrier, int64_t t)
{
    struct bman *m;
    int city = g->w->p[filer].city, y, mo, d;

    if (g->nm == g->capm) {
        g->capm = g->capm ? 2 * g->capm : 65536;
        g->m = ld_xrealloc(g->m, g->capm * sizeof *g->m);
    }
    m = &g->m[g->nm++];
    memset(m, 0, sizeof *m);
    ld_tm_civil_from_days(ld_domain_day(t), &y, &mo, &d);
    if (++g->serial[city] > 999999)
        die("more than 999999 manifests in %s in a year", cities[city].name);
    m->number = ((int64_t)y * 10000 + atoi(cities[city].code)) * 1000000 + g->serial[city];
    m->filer = filer;
    m->receiver = receiver;
    m->carrier = carrier;
    m->carrier2 = -1;
    m->filed = t;
    m->picked = m->handed = m->arrived = m->received = m->closed = m->completed = -1;
    m->line0 = (uint32_t)g->nl;
    return m;
}

static struct bline *
new_line(struct bgen *g, struct bman *m, int waste, int64_t qty)
{
    struct bline *l;
    const struct waste *ws = &wastes[waste];

    if (g->nl == g->capl) {
        g->capl = g->capl ? 2 * g->capl : 65536;
        g->ln = ld_xrealloc(g->ln, g->capl * sizeof *g->ln);
    }
    l = &g->ln[g->nl++];
    memset(l, 0, sizeof *l);
    l->man = (uint32_t)(m - g->m);
    l->draw0 = (uint32_t)g->nd;
    l->waste = (uint8_t)waste;
    l->line = ++m->nlines;
    l->qty = round_qty(qty < 100 ? 100 : qty);
    l->received = -1;
    l->packages = (int32_t)((l->qty + ws->pkg_kg * KG - 1) / (ws->pkg_kg * KG));
    return l;
}

static void
add_draw(struct bgen *g, struct bline *l, uint32_t src, int rpart, int64_t qty)
{
    if (g->nd == g->capd) {
        g->capd = g->capd ? 2 * g->capd : 65536;
        g->dr = ld_xrealloc(g->dr, g->capd * sizeof *g->dr);
    }
    g->dr[g->nd].src = src;
    g->dr[g->nd].rpart = (uint8_t)rpart;
    g->dr[g->nd++].qty = qty;
    l->ndraw++;
}

static int
draw_fate(struct bgen *g, int primary)
{
    double x = rreal(&g->w->r);

    if (primary)
        return x < 0.013    ? F_CANCEL
               : x < 0.0165 ? F_STUCK
               : x < 0.0255 ? F_OVERDUE
               : x < 0.0335 ? F_REJECT
               : x < 0.0615 ? F_PARTIAL
               : x < 0.1365 ? F_DISCREP
                            : F_NORMAL;
    return x < 0.002 ? F_STUCK : x < 0.007 ? F_OVERDUE : x < 0.057 ? F_DISCREP : F_NORMAL;
}

/* When the receiver weighs and decides: the same afternoon or the next
 * working morning; a late one 6 to 12 working days after (Art. 18: 5). */
static int64_t
receipt_time(struct bgen *g, int64_t arrived, int late)
{
    struct world *w = g->w;
    int64_t day = ld_domain_day(arrived), hour = (arrived + 8 * HOUR) % DAY / HOUR, t;
    int i;

    if (hour >= 8 && hour < 15 && ld_workday_is_workday(w->wd, day))
        t = arrived + rint_(&w->r, 1800, 9000);
    else
        t = cst(day = next_workday(w, day), 8, (int)rint_(&w->r, 40, 150));
    if (late) {
        for (i = (int)rint_(&w->r, 6, 12); i > 0; i--)
            day = next_workday(w, day);
        t = cst(day, 10, (int)rint_(&w->r, 0, 59));
    }
    return t;
}

static void
hold(struct party *c, uint32_t line)
{
    if (c->nheld == c->capheld) {
        c->capheld = c->capheld ? 2 * c->capheld : 256;
        c->held = ld_xrealloc(c->held, c->capheld * sizeof *c->held);
    }
    c->held[c->nheld++] = line;
}

/* The manifest's lines were drawn on at t: close it when nothing accepted is left. */
static void
drawn_out(struct bgen *g, uint32_t line, int64_t t)
{
    struct bman *m = &g->m[g->ln[line].man];

    if (m->open && --m->open == 0 && (m->state == S_RECEIVED || m->state == S_RECEIVED_D)) {
        m->state = S_CLOSED;
        m->closed = t;
    }
}

/*
 * Play manifest mi from its filing up to g->now: transport, receipt with the
 * fate's quantities, disposal, or holding at a collector; schedules the
 * re-shipping of refused parts. chain: a hop of the 50-hop lineage (exact
 * quantities, held for the next hop rather than for consolidation).
 */
static void
story(struct bgen *g, uint32_t mi, int fate, int chain)
{
    struct world *w = g->w;
    struct bman *m = &g->m[mi];
    struct party *rc = &w->p[m->receiver], *car = &w->p[m->carrier];
    int late = !chain && fate <= F_PARTIAL && chance(&w->r, 0.015), i, bad;
    int64_t t;

    m->veh = (int16_t)rint_(&w->r, 0, car->ntractor + car->ntruck - 1);
    if (!chain && chance(&w->r, 0.007))
        m->veh = -1; /* a vehicle not in the carrier's permit */
    if (fate == F_CANCEL) {
        m->state = S_CANCELLED;
        return;
    }
    if (!chain && fate == F_NORMAL && chance(&w->r, 0.003)) {
        /* A paper manifest entered after the fact: the events follow at once. */
        m->paper = 1;
        m->completed = (ld_domain_day(m->filed) - rint_(&w->r, 2, 20)) * DAY;
        m->picked = m->filed + 60;
        m->arrived = m->filed + 120;
    } else {
        m->picked = m->filed + rint_(&w->r, 1800, 4 * HOUR);
        t = m->picked;
        if (!chain && chance(&w->r, 0.014)) {
            m->carrier2 = city_carrier(w, rc->city);
            if (m->carrier2 == m->carrier)
                m->carrier2 = -1;
            else {
                const struct party *c2 = &w->p[m->carrier2];
                m->handed = t += rint_(&w->r, 2400, 3 * HOUR);
                m->veh2 = (int16_t)rint_(&w->r, 0, c2->ntractor + c2->ntruck - 1);
            }
        }
        m->arrived = t + rint_(&w->r, 2400, 5 * HOUR);
    }
    if (m->picked > g->now) {
        m->picked = m->handed = m->arrived = -1;
        m->state = S_FILED;
        return;
    }
    if (m->handed > g->now)
        m->handed = -1;
    if (fate == F_STUCK || m->arrived > g->now) {
        m->arrived = -1;
        m->state = S_TRANSIT;
        return;
    }
    m->received = m->paper ? m->arrived + 120 : receipt_time(g, m->arrived, late);
    if (fate == F_OVERDUE || m->received > g->now) {
        m->received = -1;
        m->state = S_ARRIVED;
        return;
    }
    bad = (int)rint_(&w->r, 0, m->nlines - 1);
    for (i = 0; i < m->nlines; i++) {
        struct bline *l = &g->ln[m->line0 + (uint32_t)i];
        int64_t r = l->qty;
        if (!chain)
            r = round_qty(l->qty + (int64_t)((rreal(&w->r) - 0.5) * 0.008 * (double)l->qty));
        l->received = r;
        l->accepted = r;
        if (fate == F_REJECT) {
            l->received = l->qty;
            l->accepted = 0;
            l->rejected = l->qty;
        } else if (i == bad && fate == F_DISCREP && chance(&w->r, 0.6)) {
            l->received = l->accepted =
                round_qty(l->qty * (chance(&w->r, 0.75) ? 85 + rint_(&w->r, 0, 11)
                                                        : 104 + rint_(&w->r, 0, 6)) / 100);
        } else if (i == bad && fate == F_PARTIAL) {
            l->rejected = round_qty(l->received / (int64_t)rint_(&w->r, 2, 6));
            l->accepted = l->received - l->rejected;
        }
        g->used[(size_t)m->receiver * NCAT + (size_t)w->wref[l->waste].cat] += l->accepted;
    }
    m->disc = fate == F_DISCREP || fate == F_PARTIAL || fate == F_REJECT;
    if (fate == F_REJECT || fate == F_PARTIAL)
        schedule(g, cst(next_workday(w, ld_domain_day(m->received) + rint_(&w->r, 3, 15)), 9,
                        (int)rint_(&w->r, 0, 59)),
                 H_RESHIP, mi);
    if (fate == F_REJECT) {
        m->state = S_REJECTED;
        return;
    }
    m->state = m->disc ? S_RECEIVED_D : S_RECEIVED;
    if (rc->tpl == T_COLLECT) {
        /* Held until shipped on (a consolidation, or the chain's next hop). */
        for (i = 0; i < m->nlines; i++) {
            uint32_t li = m->line0 + (uint32_t)i;
            if (g->ln[li].accepted > 0) {
                m->open++;
                if (!chain)
                    hold(rc, li);
            }
        }
        return;
    }
    t = m->paper ? m->received + 600
                 : cst(ld_domain_day(m->received) + (chain ? 1 : rint_(&w->r, 1, 20)), 17,
                       (int)rint_(&w->r, 0, 50));
    if (t > g->now)
        return;
    for (i = 0; i < m->nlines; i++) {
        struct bline *l = &g->ln[m->line0 + (uint32_t)i];
        if (l->accepted > 0) {
            l->disposed = l->accepted;
            l->method = method_for(rc->tpl, w->wref[l->waste].category);
        }
    }
    m->state = S_CLOSED;
    m->closed = t;
}

/* A producer's trip, filed at t. */
static void
primary(struct bgen *g, int pi, int64_t t)
{
    struct world *w = g->w;
    struct party *p = &w->p[pi];
    int first = (int)rint_(&w->r, 0, p->nw - 1), want, j, recv = p->dest[first], carrier;
    struct bman *m;

    carrier = w->p[recv].tpl == T_COLLECT ? recv : p->car[rint_(&w->r, 0, p->ncar - 1)];
    m = new_man(g, pi, recv, carrier, t);
    want = chance(&w->r, 0.6) ? 1 : chance(&w->r, 0.7) ? 2 : chance(&w->r, 0.8) ? 3 : 4;
    for (j = 0; j < p->nw && m->nlines < want; j++) {
        int k = (first + j) % p->nw;
        const struct waste *ws = &wastes[p->w[k]];
        if (p->dest[k] == recv)
            new_line(g, m, p->w[k],
                     (int64_t)(p->size * (double)rint_(&w->r, ws->min_kg * KG, ws->max_kg * KG)));
    }
    story(g, (uint32_t)(m - g->m), draw_fate(g, 1), 0);
}

/* The receiver of manifest mi ships the refused parts on to another plant. */
static void
reship(struct bgen *g, uint32_t mi, int64_t t)
{
    struct world *w = g->w;
    struct bman *src = &g->m[mi];
    int holder = src->receiver, i, done[MAXL] = {0};

    for (i = 0; i < src->nlines; i++) {
        uint32_t li = src->line0 + (uint32_t)i, lk;
        struct bline *l = &g->ln[li];
        int dest, k;
        struct bman *m;
        if (done[i] || l->rejected <= 0)
            continue;
        dest = pick_receiver(w, &w->p[holder], l->waste, -1, 0, holder);
        if (dest < 0)
            continue; /* nowhere to go: the refused part stays held */
        m = new_man(g, holder, dest, city_carrier(w, w->p[holder].city), t);
        src = &g->m[mi]; /* new_man may move g->m */
        for (k = i; k < src->nlines && m->nlines < MAXL; k++) {
            struct bline *s = &g->ln[src->line0 + (uint32_t)k], *n;
            if (done[k] || s->rejected <= 0 || !covers(w->p[dest].tpl, w->wref[s->waste].category))
                continue;
            lk = src->line0 + (uint32_t)k;
            n = new_line(g, m, s->waste, g->ln[lk].rejected);
            n->qty = g->ln[lk].rejected;
            add_draw(g, n, lk, 1, g->ln[lk].rejected);
            done[k] = 1;
        }
        g->n_reship++;
        story(g, (uint32_t)(m - g->m), draw_fate(g, 0), 0);
        src = &g->m[mi];
    }
}

/* A collector's weekly round: what it received so far goes on, grouped by
 * waste code, to receivers licensed for it, up to MAXDRAW batches a line. */
static void
consolidate(struct bgen *g, int ci, int64_t t)
{
    struct world *w = g->w;
    struct party *c = &w->p[ci];
    int codes[W_COUNT], dests[W_COUNT], ncodes = 0, i, k;
    size_t j, keep;

    for (j = 0; j < c->nheld; j++) {
        const struct bline *l = &g->ln[c->held[j]];
        for (i = 0; i < ncodes && codes[i] != l->waste; i++)
            ;
        if (i == ncodes && g->m[l->man].received <= t)
            codes[ncodes++] = l->waste;
    }
    for (i = 0; i < ncodes; i++)
        dests[i] = pick_receiver(w, c, codes[i], i ? dests[0] : -1, 0, -1);
    for (i = 0; i < ncodes; i++) {
        struct bman *m;
        if (dests[i] < 0)
            continue;
        m = new_man(g, ci, dests[i], ci, t);
        for (k = i; k < ncodes && m->nlines < MAXL; k++) {
            struct bline *n = NULL;
            if (dests[k] != dests[i])
                continue;
            for (j = 0, keep = 0; j < c->nheld; j++) {
                uint32_t li = c->held[j];
                const struct bline *l = &g->ln[li];
                if (l->waste == codes[k] && g->m[l->man].received <= t &&
                    (n == NULL || n->ndraw < MAXDRAW)) {
                    if (n == NULL) {
                        n = new_line(g, m, codes[k], 0);
                        n->qty = 0;
                    }
                    add_draw(g, n, li, 0, g->ln[li].accepted);
                    n->qty += g->ln[li].accepted;
                    drawn_out(g, li, t);
                } else {
                    c->held[keep++] = li;
                }
            }
            c->nheld = keep;
            if (n) {
                const struct waste *ws = &wastes[n->waste];
                n->packages = (int32_t)((n->qty + ws->pkg_kg * KG - 1) / (ws->pkg_kg * KG));
            }
            if (k != i)
                dests[k] = -1;
        }
        g->n_consol++;
        story(g, (uint32_t)(m - g->m), draw_fate(g, 0), 0);
        c = &w->p[ci];
    }
    schedule(g, cst(next_workday(w, ld_domain_day(t) + 6), 10, 0), H_CONSOL, ci);
}

/* Hop k of the 50-hop lineage: a load of waste oil that goes from its producer
 * through transfer stations, each hop drawing all of the previous one, to its
 * disposal (hop CHAIN_HOPS). */
static void
chain_hop(struct bgen *g, int k, int64_t t)
{
    struct world *w = g->w;
    int filer = k == 0 ? g->chain_src : (k % 2 ? g->chain_a : g->chain_b);
    int dest = k == CHAIN_HOPS ? g->chain_end : (k % 2 ? g->chain_b : g->chain_a);
    struct bman *m = new_man(g, filer, dest, w->p[filer].tpl == T_COLLECT ? filer : city_carrier(w, DALIAN), t);
    struct bline *l = new_line(g, m, W_ENGINE, 500 * KG);

    if (k > 0) {
        add_draw(g, l, g->chain_line, 0, 500 * KG);
        drawn_out(g, g->chain_line, t);
    } else {
        g->chain_first = m->number;
    }
    g->chain_line = (uint32_t)(l - g->ln);
    g->chain_last = m->number;
    story(g, (uint32_t)(m - g->m), F_NORMAL, 1);
}

/* A party of the city with receiver template tpl, or (tpl < 0) a producer
 * of industry ind, or failing that any producer that ships to receivers. */
static int
find_party(const struct world *w, int city, int tpl, int ind)
{
    size_t k;
    int pass;

    for (pass = 0; pass < 2; pass++)
        for (k = 0; k < w->np; k++) {
            const struct party *p = &w->p[k];
            if (p->city == city && p->tpl == tpl &&
                (tpl >= 0 || (pass == 0 ? p->ind == ind : p->ind >= 0 && !industries[p->ind].small)))
                return (int)k;
        }
    die("no such party in %s", cities[city].name);
    return -1;
}

/*
 * A year of manifests: nprim producers' trips spread over the working days,
 * and what they set off (re-shipments of refused parts, collectors' weekly
 * consolidations) and the chain, merged in time order so that numbers follow
 * filing times within each city. Stops at `limit` manifests (the last hours
 * of the year are then left out) or when the year is done.
 */
static void
generate(struct bgen *g, size_t nprim, size_t limit)
{
    struct world *w = g->w;
    int64_t wd[400], d, nwd = 0, first = ld_tm_days_from_civil(YEAR, 1, 1);
    double *cum = ld_xcalloc(w->np, sizeof *cum), total = 0;
    size_t i = 0, k;
    int h;

    for (d = first; d < ld_tm_days_from_civil(YEAR + 1, 1, 1); d++)
        if (ld_workday_is_workday(w->wd, d))
            wd[nwd++] = d;
    for (k = 0; k < w->np; k++)
        cum[k] = total += w->p[k].rate; /* rate is 0 for all but producers */
    g->used = ld_xcalloc(w->np * NCAT, sizeof *g->used);
    g->chain_src = find_party(w, DALIAN, -1, 0);
    for (k = 0; k < w->np && (w->p[k].city != DALIAN || w->p[k].tpl != T_COLLECT); k++)
        ;
    g->chain_a = (int)k;
    for (k++; k < w->np && (w->p[k].city != DALIAN || w->p[k].tpl != T_COLLECT); k++)
        ;
    g->chain_b = (int)k;
    g->chain_end = find_party(w, DALIAN, T_OIL, -1);
    for (h = 0; h <= CHAIN_HOPS; h++)
        schedule(g, cst(wd[2 + (size_t)h * (size_t)(nwd - 8) / CHAIN_HOPS], 9, 30), H_CHAIN, h);
    for (k = 0; k < w->np; k++)
        if (w->p[k].tpl == T_COLLECT)
            schedule(g, cst(wd[5 + k % 5], 10, 0), H_CONSOL, (int64_t)k);
    while (g->nm < limit) {
        int64_t tp = INT64_MAX;
        if (i < nprim) {
            uint64_t x = (uint64_t)i * (uint64_t)nwd;
            tp = cst(wd[x / nprim], 8, 0) + (int64_t)((x % nprim) * 9 * HOUR / nprim);
        }
        if (g->nh && g->heap[0].t <= tp) {
            struct hev e = pop(g);
            if (e.kind == H_RESHIP)
                reship(g, (uint32_t)e.a, e.t);
            else if (e.kind == H_CONSOL)
                consolidate(g, (int)e.a, e.t);
            else
                chain_hop(g, (int)e.a, e.t);
        } else if (i < nprim) {
            double x = rreal(&w->r) * total;
            size_t lo = 0, hi = w->np - 1;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (cum[mid] > x)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            primary(g, (int)lo, tp);
            i++;
        } else {
            break;
        }
    }
    free(cum);
}

/* ---- writing the derived tables ---------------------------------------------- */

static void
q_or_die(struct ld_store *s, const char *sql, struct ld_store_q **q)
{
    if (ld_store_q(s, sql, q) != LD_OK)
        die("cannot prepare: %s", sql);
}

static void
exec_or_die(struct ld_store_q *q, const char *what)
{
    if (ld_store_q_exec(q) != LD_OK)
        die("cannot insert into %s", what);
}

static void
bind_opt(struct ld_store_q *q, int i, int64_t v)
{
    if (v < 0)
        ld_store_q_null(q, i);
    else
        ld_store_q_int(q, i, v);
}

static void
bind_plate(struct ld_store_q *q, int i, const struct party *c, int veh, const struct bman *m)
{
    char fake[16];

    if (veh < 0) {
        snprintf(fake, sizeof fake, "%s%05lld", cities[c->city].plate,
                 (long long)(10000 + m->number % 90000));
        ld_store_q_text(q, i, fake);
    } else {
        ld_store_q_text(q, i, c->plate[veh < c->ntractor ? veh : c->ntractor + veh]);
    }
}

static const char q_party[] =
    "INSERT INTO parties(id, name, roles, district, reg_idx) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char q_lic[] = "INSERT INTO licences(party, kind, number, valid_from, valid_until, idx) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char q_scope[] = "INSERT INTO licence_scope(party, kind, item, capacity_g, licensed) "
                              "VALUES (?1, ?2, ?3, ?4, 1)";
static const char q_vehicle[] = "INSERT INTO vehicles(party, plate) VALUES (?1, ?2)";
static const char q_serial[] = "INSERT INTO serials(prefix, last) VALUES (?1, ?2)";
static const char q_man[] =
    "INSERT INTO manifests(number, producer, receiver, carrier, district, state, paper, "
    "filed_at, picked_at, arrived_at, received_at, closed_at, completed_at, leg, leg_carrier, "
    "discrepancy) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
static const char q_line[] =
    "INSERT INTO lines(batch, manifest, line, code, category, name, qty_g, packages, received_g, "
    "accepted_g, rejected_g, disposed_g, method) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char q_source[] = "INSERT INTO sources(batch, source, qty_g) VALUES (?1, ?2, ?3)";
static const char q_leg[] =
    "INSERT INTO legs(manifest, leg, carrier, vehicle, trailer, in_fleet, started_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/* Parties, licences with capacities from the year's intake (one receiver's
 * category over it: one capacity.exceeded), permits and fleets, serials. */
static void
write_parties(struct bgen *g, struct ld_store *s)
{
    struct world *w = g->w;
    struct ld_store_q *q = NULL;
    int64_t from = ld_tm_days_from_civil(2024, 7, 1), until = ld_tm_days_from_civil(2029, 6, 30);
    size_t k, over = 0, c;
    int i;

    for (k = 0; k < w->np * NCAT; k++)
        if (w->p[k / NCAT].tpl >= 0 && w->p[k / NCAT].tpl != T_COLLECT &&
            g->used[k] > g->used[over])
            over = k;
    for (k = 0; k < w->np; k++) {
        const struct party *p = &w->p[k];
        char roles[64], num[64];
        snprintf(roles, sizeof roles, "%s%s%s%s", p->roles & R_PRODUCER ? "producer," : "",
                 p->roles & R_CARRIER ? "carrier," : "", p->roles & R_RECEIVER ? "receiver," : "",
                 p->roles & R_COLLECTOR ? "collector," : "");
        roles[strlen(roles) - 1] = '\0';
        q_or_die(s, q_party, &q);
        ld_store_q_text(q, 1, p->id);
        ld_store_q_text(q, 2, p->name);
        ld_store_q_text(q, 3, roles);
        ld_store_q_text(q, 4, p->district);
        ld_store_q_int(q, 5, (int64_t)k);
        exec_or_die(q, "parties");
        if (p->tpl >= 0) {
            const struct rtpl *r = &rtpls[p->tpl];
            const char *t;
            snprintf(num, sizeof num, "辽环危废%s字%.4s%03zu号",
                     p->tpl == T_COLLECT ? "收" : "经", p->district, k % 1000);
            q_or_die(s, q_lic, &q);
            ld_store_q_text(q, 1, p->id);
            ld_store_q_text(q, 2, r->kind);
            ld_store_q_text(q, 3, num);
            ld_store_q_int(q, 4, from);
            ld_store_q_int(q, 5, until);
            ld_store_q_int(q, 6, (int64_t)k);
            exec_or_die(q, "licences");
            for (t = r->cats; *t; t += strspn(t, " ")) {
                char item[5];
                size_t u = k * NCAT + (size_t)atoi(t + 2);
                int64_t cap = (g->used[u] + 100 * TONNE) * (130 + rint_(&w->r, 0, 170)) / 100;
                snprintf(item, sizeof item, "%.4s", t);
                t += 4;
                q_or_die(s, q_scope, &q);
                ld_store_q_text(q, 1, p->id);
                ld_store_q_text(q, 2, r->kind);
                ld_store_q_text(q, 3, item);
                if (p->tpl == T_COLLECT)
                    ld_store_q_null(q, 4);
                else
                    ld_store_q_int(q, 4, u == over ? g->used[u] * 93 / 100 : cap / TONNE * TONNE);
                exec_or_die(q, "licence_scope");
            }
            for (t = r->methods ? r->methods : ""; *t; t += strspn(t, " ")) {
                char item[8];
                size_t n = strcspn(t, " ");
                snprintf(item, sizeof item, "%.*s", (int)n, t);
                t += n;
                q_or_die(s, q_scope, &q);
                ld_store_q_text(q, 1, p->id);
                ld_store_q_text(q, 2, r->kind);
                ld_store_q_text(q, 3, item);
                ld_store_q_null(q, 4);
                exec_or_die(q, "licence_scope");
            }
        }
        if (p->roles & R_CARRIER) {
            snprintf(num, sizeof num, "辽交运管许可字%.6s%06zu号", p->district, k);
            q_or_die(s, q_lic, &q);
            ld_store_q_text(q, 1, p->id);
            ld_store_q_text(q, 2, "transport");
            ld_store_q_text(q, 3, num);
            ld_store_q_int(q, 4, from);
            ld_store_q_int(q, 5, until);
            ld_store_q_int(q, 6, (int64_t)k);
            exec_or_die(q, "licences");
            for (i = 0; i < 2 * p->ntractor + p->ntruck; i++) {
                q_or_die(s, q_vehicle, &q);
                ld_store_q_text(q, 1, p->id);
                ld_store_q_text(q, 2, p->plate[i]);
                exec_or_die(q, "vehicles");
            }
        }
    }
    for (c = 0; c < NCITY; c++) {
        char prefix[16];
        if (g->serial[c] == 0)
            continue;
        snprintf(prefix, sizeof prefix, "%d%s", YEAR, cities[c].code);
        q_or_die(s, q_serial, &q);
        ld_store_q_text(q, 1, prefix);
        ld_store_q_int(q, 2, g->serial[c]);
        exec_or_die(q, "serials");
    }
}

/* Manifests with their lines, draws and legs, in filing order. */
static void
write_manifests(struct bgen *g, struct ld_store *s)
{
    struct world *w = g->w;
    struct ld_store_q *q = NULL;
    size_t k;
    int i;

    for (k = 0; k < g->nm; k++) {
        const struct bman *m = &g->m[k];
        const struct party *f = &w->p[m->filer];
        int legs = m->picked < 0 ? 0 : m->handed >= 0 ? 2 : 1;
        q_or_die(s, q_man, &q);
        ld_store_q_int(q, 1, m->number);
        ld_store_q_text(q, 2, f->id);
        ld_store_q_text(q, 3, w->p[m->receiver].id);
        ld_store_q_text(q, 4, w->p[m->carrier].id);
        ld_store_q_text(q, 5, f->district);
        ld_store_q_text(q, 6, state_names[m->state]);
        ld_store_q_int(q, 7, m->paper);
        ld_store_q_int(q, 8, m->filed);
        bind_opt(q, 9, m->picked);
        bind_opt(q, 10, m->arrived);
        bind_opt(q, 11, m->received);
        bind_opt(q, 12, m->closed);
        bind_opt(q, 13, m->paper ? m->completed : -1);
        ld_store_q_int(q, 14, legs);
        if (legs)
            ld_store_q_text(q, 15, w->p[legs == 2 ? m->carrier2 : m->carrier].id);
        else
            ld_store_q_null(q, 15);
        ld_store_q_int(q, 16, m->disc);
        exec_or_die(q, "manifests");
        for (i = 0; i < m->nlines; i++) {
            const struct bline *l = &g->ln[m->line0 + (uint32_t)i];
            const struct waste *ws = &wastes[l->waste];
            char batch[24], src[24];
            uint32_t d;
            snprintf(batch, sizeof batch, "%lld-%02d", (long long)m->number, l->line);
            q_or_die(s, q_line, &q);
            ld_store_q_text(q, 1, batch);
            ld_store_q_int(q, 2, m->number);
            ld_store_q_int(q, 3, l->line);
            ld_store_q_text(q, 4, ws->code);
            ld_store_q_text(q, 5, w->wref[l->waste].category);
            ld_store_q_text(q, 6, ws->name);
            ld_store_q_int(q, 7, l->qty);
            ld_store_q_int(q, 8, l->packages);
            bind_opt(q, 9, l->received);
            bind_opt(q, 10, l->received < 0 ? -1 : l->accepted);
            bind_opt(q, 11, l->received < 0 ? -1 : l->rejected);
            ld_store_q_int(q, 12, l->disposed);
            ld_store_q_text(q, 13, l->method);
            exec_or_die(q, "lines");
            for (d = l->draw0; d < l->draw0 + l->ndraw; d++) {
                const struct bline *sl = &g->ln[g->dr[d].src];
                snprintf(src, sizeof src, "%lld-%02d%s", (long long)g->m[sl->man].number, sl->line,
                         g->dr[d].rpart ? "R" : "");
                q_or_die(s, q_source, &q);
                ld_store_q_text(q, 1, batch);
                ld_store_q_text(q, 2, src);
                ld_store_q_int(q, 3, g->dr[d].qty);
                exec_or_die(q, "sources");
            }
        }
        for (i = 1; i <= legs; i++) {
            const struct party *c = &w->p[i == 1 ? m->carrier : m->carrier2];
            int veh = i == 1 ? m->veh : m->veh2;
            q_or_die(s, q_leg, &q);
            ld_store_q_int(q, 1, m->number);
            ld_store_q_int(q, 2, i);
            ld_store_q_text(q, 3, c->id);
            bind_plate(q, 4, c, veh, m);
            if (veh >= 0 && veh < c->ntractor)
                ld_store_q_text(q, 5, c->plate[c->ntractor + veh]);
            else
                ld_store_q_null(q, 5);
            ld_store_q_int(q, 6, veh >= 0);
            ld_store_q_int(q, 7, i == 1 ? m->picked : m->handed);
            exec_or_die(q, "legs");
        }
    }
}

/* ---- measuring ------------------------------------------------------------------- */

static struct ld_ledger *
open_ro(const char *db)
{
    struct ld_ledger_opts o;
    struct ld_ledger *l = NULL;
    struct ld_err err;

    memset(&o, 0, sizeof o);
    memset(&err, 0, sizeof err);
    o.store_flags = LD_STORE_READONLY;
    if (ld_ledger_open(db, &o, &l, &err) != LD_OK || ld_domain_register(l) != LD_OK)
        die("cannot open '%s': %s", db, err.msg);
    return l;
}

/* Median and p99 of `calls` ld_trace_build(subject) in one open ledger. */
static void
bench_trace(const char *db, const char *subject, const char *what, int calls,
            const struct ld_sig_secret *k)
{
    struct ld_ledger *l = open_ro(db);
    struct ld_store *s = ld_ledger_store(l);
    double *us = ld_xcalloc((size_t)calls, sizeof *us);
    struct ld_trace *t = NULL;
    size_t nodes = 0, broken = 0;
    double r1 = raw_verify(k, 1);
    int i;

    for (i = -20; i < calls; i++) {
        double t0 = now_s();
        if (ld_trace_build(s, subject, &t, NULL) != LD_OK)
            die("cannot trace '%s'", subject);
        if (i >= 0)
            us[i] = (now_s() - t0) * 1e6;
        nodes = t->nnodes;
        broken = t->nbroken;
        ld_trace_free(t);
    }
    qsort(us, (size_t)calls, sizeof *us, by_double);
    printf("trace %s (%s, %zu nodes, %zu broken): median %.0f us, p99 %.0f us over %d calls "
           "(raw 1-core verify just before: %.0f/s)  (target < 1000 us)\n",
           subject, what, nodes, broken, us[calls / 2], us[(calls * 99 + 99) / 100 - 1], calls,
           r1);
    fflush(stdout);
    free(us);
    ld_ledger_close(l);
}

/* ld_audit_run three times, each in a freshly opened ledger (as the CLI). */
static void
bench_audit(const char *db, int64_t at, size_t nman, const struct ld_sig_secret *key)
{
    double wall[3], cpu[3];
    struct ld_audit_opts o = LD_AUDIT_OPTS_INIT;
    struct ld_audit *a = NULL;
    const char *rules[16];
    size_t count[16] = {0}, nrules = 0, n = 0, i, j;
    char line[512];
    int k, len = 0;
    double r1 = raw_verify(key, 1);

    o.now = at;
    for (k = 0; k < 3; k++) {
        struct ld_ledger *l = open_ro(db);
        struct ld_err err;
        double t0 = now_s(), c0 = cpu_s();
        memset(&err, 0, sizeof err);
        if (ld_audit_run(ld_ledger_store(l), &o, &a, &err) != LD_OK)
            die("audit failed: %s", err.msg);
        wall[k] = now_s() - t0;
        cpu[k] = cpu_s() - c0;
        if (k == 0) {
            n = a->n;
            for (i = 0; i < a->n; i++) {
                for (j = 0; j < nrules && strcmp(rules[j], a->items[i].rule) != 0; j++)
                    ;
                if (j == nrules && nrules < 16)
                    rules[nrules++] = a->items[i].rule;
                if (j < 16)
                    count[j]++;
            }
        }
        ld_audit_free(a);
        ld_ledger_close(l);
    }
    qsort(wall, 3, sizeof *wall, by_double);
    qsort(cpu, 3, sizeof *cpu, by_double);
    printf("audit over %zu manifests: %.2f s median of 3 (%.2f-%.2f s; %.2f s CPU), %zu anomalies "
           "(raw 1-core verify just before: %.0f/s)  (target < 2 s)\n",
           nman, wall[1], wall[0], wall[2], cpu[1], n, r1);
    for (j = 0; j < nrules; j++)
        len += snprintf(line + len, sizeof line - (size_t)len, "%s %s %zu", j ? "," : "",
                        rules[j], count[j]);
    printf("  anomalies:%s\n", line);
    fflush(stdout);
}

/* ld_stats_run for YEAR, every grouping, three times each. */
static void
bench_stats(const char *db, const struct ld_sig_secret *key)
{
    double worst = 0, med[LD_STATS_MONTH + 1], r1 = raw_verify(key, 1);
    size_t rows[LD_STATS_MONTH + 1];
    int by, k;

    for (by = LD_STATS_ALL; by <= LD_STATS_MONTH; by++) {
        double wall[3];
        for (k = 0; k < 3; k++) {
            struct ld_ledger *l = open_ro(db);
            struct ld_stats *st = NULL;
            double t0 = now_s();
            if (ld_stats_run(ld_ledger_store(l), (enum ld_stats_by)by, YEAR, &st) != LD_OK)
                die("stats failed");
            wall[k] = now_s() - t0;
            rows[by] = st->n;
            ld_stats_free(st);
            ld_ledger_close(l);
        }
        qsort(wall, 3, sizeof *wall, by_double);
        med[by] = wall[1];
        if (med[by] > worst)
            worst = med[by];
    }
    printf("stats --year %d: %.2f s for the slowest grouping, median of 3 each (raw 1-core verify "
           "just before: %.0f/s)  (target < 1 s)\n ",
           YEAR, worst, r1);
    for (by = LD_STATS_ALL; by <= LD_STATS_MONTH; by++)
        printf(" %s %.2f s (%zu rows)%s", ld_stats_by_name((enum ld_stats_by)by), med[by], rows[by],
               by < LD_STATS_MONTH ? "," : "\n");
    fflush(stdout);
}

/* Figures 2-4 over a synthetic year of nman manifests. */
static void
bench_derived(const char *dir, size_t nman, const struct ld_catalog *cat, struct ld_workday *wd)
{
    struct world w;
    struct bgen g;
    struct ld_sig_secret *reg = NULL;
    struct ld_sig_pub regpub;
    struct ld_store *s = NULL;
    struct ld_err err;
    struct stat sb;
    char db[128], *vkey = NULL, batch[24], now[LD_TM_RFC3339_LEN];
    size_t k, nprod = nman / 150 < 300 ? 300 : nman / 150, nsrc = 0, nlegs = 0, states[8] = {0};
    size_t nprim;
    struct rng saved;
    int pass;
    double t0 = now_s(), t1;

    world_init(&w, 2026, cat, wd);
    build_world(&w, -1, nprod, 0);
    /* Two passes find how many manifests the trips set off; the third plans
     * as many trips as make nman in all (stopping at nman cuts off at most
     * the last hour of the year). */
    saved = w.r;
    nprim = nman - nman / 25;
    for (pass = 0; pass < 3; pass++) {
        if (pass) {
            free(g.m);
            free(g.ln);
            free(g.dr);
            free(g.heap);
            free(g.used);
            for (k = 0; k < w.np; k++)
                w.p[k].nheld = 0;
            w.r = saved;
            nprim = (size_t)((double)nprim * (double)nman * (pass == 2 ? 1.0005 : 1.0) /
                             (double)g.nm);
        }
        memset(&g, 0, sizeof g);
        g.w = &w;
        g.now = cst(ld_tm_days_from_civil(YEAR, 12, 31), 20, 0);
        generate(&g, nprim, pass == 2 ? nman : SIZE_MAX);
    }
    for (k = 0; k < g.nm; k++) {
        states[g.m[k].state]++;
        nlegs += (g.m[k].picked >= 0) + (g.m[k].handed >= 0);
    }
    for (k = 0; k < g.nl; k++)
        nsrc += g.ln[k].ndraw;

    snprintf(db, sizeof db, "%s/derived.db", dir);
    memset(&err, 0, sizeof err);
    ld_sig_keygen("bench.regulator", &reg);
    ld_sig_secret_pub(reg, &regpub);
    ld_tm_format(cst(ld_tm_days_from_civil(YEAR, 1, 1), 0, 0), now);
    setenv(LD_TM_NOW_ENV, now, 1);
    if (ld_ledger_create(db, "bench.example/derived", &regpub, NULL, NULL, &vkey, &err) != LD_OK)
        die("cannot create '%s': %s", db, err.msg);
    free(vkey);
    if (ld_store_open(db, 0, &s, &err) != LD_OK)
        die("cannot open '%s': %s", db, err.msg);
    /* Bulk load: no journal, one transaction, a big cache (the data need no
     * durability); then back to WAL, as every ledger is. */
    if (ld_store_exec(s, "PRAGMA journal_mode = DELETE; PRAGMA journal_mode = OFF; "
                         "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576") != LD_OK ||
        ld_store_begin(s) != LD_OK)
        die("cannot start the bulk load");
    /* Row by row, indexes included, as the rules write them (a sorted index
     * build would pack the indexes tighter than a real ledger's). */
    write_parties(&g, s);
    write_manifests(&g, s);
    if (ld_store_commit(s) != LD_OK || ld_store_exec(s, "PRAGMA journal_mode = WAL") != LD_OK)
        die("cannot commit the bulk load");
    ld_store_close(s);
    t1 = now_s();
    sb.st_size = 0;
    stat(db, &sb);
    printf("  %zu manifests filed over the working days of %d (%lu collectors' consolidations, "
           "%lu re-shipments of refused loads, a %d-hop chain), %zu lines, %zu draws, %zu legs; "
           "%zu parties in %zu cities\n",
           g.nm, YEAR, g.n_consol, g.n_reship, CHAIN_HOPS, g.nl, nsrc, nlegs, w.np,
           (size_t)NCITY);
    printf("  states at %d-12-31 20:00 CST:", YEAR);
    for (k = 0; k < 8; k++)
        printf(" %s %zu%s", state_names[k], states[k], k < 7 ? "," : "\n");
    printf("  generated and written in %.1f s; %.0f MiB; timings below: warm OS page cache, "
           "a fresh read-only open per call (trace: one open for all calls)\n",
           t1 - t0, (double)sb.st_size / 1048576);
    fflush(stdout);

    snprintf(batch, sizeof batch, "%lld-01", (long long)g.chain_first);
    bench_trace(db, batch, "its source batch: 50 hops downstream to the disposal", 2000, reg);
    snprintf(batch, sizeof batch, "%lld", (long long)g.chain_last);
    bench_trace(db, batch, "its last manifest: 50 hops upstream to the source", 2000, reg);
    bench_audit(db, g.now, g.nm, reg);
    bench_stats(db, reg);
    ld_sig_secret_free(reg);

    free(g.m);
    free(g.ln);
    free(g.dr);
    free(g.heap);
    free(g.used);
    world_release(&w);
}

int
main(int argc, char **argv)
{
    const char *env = getenv("BENCH_MANIFESTS");
    unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10)
                           : env    ? strtoull(env, NULL, 10)
                                    : 1000000;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct ld_catalog *cat = NULL;
    struct ld_workday *wd = NULL;
    struct ld_sig_secret *k = NULL;
    struct world w;
    struct ld_err err;
    size_t nappend, i;
    double r1, rall, t0 = now_s();

    if (argc > 2 || n < 10000 || n > 5000000) {
        fputs("usage: bench-domain [MANIFESTS]   (10000 to 5000000, default 1000000)\n", stderr);
        return 2;
    }
    if (cores < 1)
        cores = 1;
    nappend = n / 170 < 200 ? 200 : n / 170 > 6000 ? 6000 : (size_t)(n / 170);
    memset(&err, 0, sizeof err);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/liandan-bench-domain-XXXXXX");
    if (ld_sig_init() != LD_OK || mkdtemp(tmpdir) == NULL)
        die("cannot initialise");
    for (i = 0; i < NTMP; i++)
        snprintf(tmppaths[i], sizeof tmppaths[i], "%s/%s", tmpdir, tmpfiles[i]);
    atexit(cleanup);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGPIPE, on_signal);
    if (ld_catalog_new(&cat, &err) != LD_OK)
        die("cannot load the catalogue: %s", err.msg);
    wd = ld_workday_new();
    if (ld_workday_load_builtin(wd, &err) != LD_OK)
        die("cannot load the working-day calendar: %s", err.msg);

    printf("liandan bench, manifest domain: %llu manifests, %ld cores\n", n, cores);
    ld_sig_keygen("bench.raw", &k);
    r1 = raw_verify(k, 1);
    rall = raw_verify(k, (unsigned)cores);
    ld_sig_secret_free(k);
    printf("raw Ed25519 verify/s: %.0f on 1 core, %.0f on %ld cores\n", r1, rall, cores);

    printf("1. append of signed manifest events (file, pickup, arrive, receipt.accept, "
           "disposal.complete) through ld_ledger_append_batch:\n");
    fflush(stdout);
    world_init(&w, 42, cat, wd);
    build_world(&w, DALIAN, 60, 1);
    bench_append(&w, tmpdir, nappend, (unsigned)cores);
    world_release(&w);

    printf("2-4. trace, audit, stats over derived tables filled synthetically with SQL INSERTs "
           "(a seeded generator in bench_domain.c, no signed events behind them):\n");
    fflush(stdout);
    bench_derived(tmpdir, (size_t)n, cat, wd);

    ld_workday_free(wd);
    ld_catalog_free(cat);
    cleanup();
    printf("bench-domain: %.0f s\n", now_s() - t0);
    return 0;
}
