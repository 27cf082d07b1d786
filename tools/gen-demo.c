/*
 * gen-demo.c - the data behind `make demo` (issue 3, "Demo data"): a seeded,
 * reproducible ledger of Dalian's hazardous-waste transfers in 2026. A few
 * hundred parties with valid USCCs across Dalian's districts, receivers and
 * collectors licensed from the 2021 catalogue, carriers with fleets, and a
 * year of manifests with the real mix of outcomes, all signed and appended
 * through the library (ld_ledger_append_batch) with the clock (LIANDAN_NOW)
 * set per batch. Event bodies follow schema/events/; the rules are src/rules_*.c.
 *
 * Usage: gen-demo OUTDIR [--seed N] [--manifests N]
 * Writes OUTDIR/ledger.db, its ledger key, development secret keys (clear,
 * mode 0600) of the regulator and of one party per role, OUTDIR/parties.tsv,
 * and prints a summary. Every key is derived from the seed, so the same seed
 * gives the same events and the same Merkle root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "liandan/catalog.h"
#include "liandan/domain.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/ledger.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/merkle.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/workday.h"
#include "liandan/banned.h"

#include "gen-rng.h"

#define YEAR 2026
#define DAY INT64_C(86400)
#define KG INT64_C(1000)
#define TONNE INT64_C(1000000)
#define MAXL 4         /* lines of a producer's manifest */
#define MAXCL 4        /* lines of a consolidated manifest */
#define MAXDRAW 100    /* draws per line (rules_manifest.c) */
#define BATCH_MAX 1000 /* events per ld_ledger_append_batch */
#define PARTY_MAX 600
#define BATCH_SPAN (20 * 3600) /* seconds one batch may span (skew_past is a day) */

static const char usage[] =
    "usage: gen-demo OUTDIR [--seed N] [--manifests N]\n"
    "\nBuilds a realistic Dalian demo ledger for 2026 in OUTDIR (ledger.db, keys,\n"
    "parties.tsv). Same seed, same ledger. Defaults: --seed 2026 --manifests 3000.\n";

static void
die(const char *fmt, ...)
{
    va_list ap;

    fputs("gen-demo: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* 32 bytes for an Ed25519 seed: every key of the demo comes from the seed. */
static void
derive_seed(struct rng *r, uint8_t seed[32])
{
    int i;

    for (i = 0; i < 4; i++) {
        uint64_t v = rnd(r);
        memcpy(seed + 8 * i, &v, 8);
    }
}

#define PICK(r, arr) ((arr)[rint_((r), 0, (int64_t)(sizeof(arr) / sizeof *(arr)) - 1)])

/* ---- reference tables ------------------------------------------------------ */

/* A kind of waste as producers ship it. Hazards come from the catalogue. */
struct waste {
    const char *code, *name, *form, *constituents, *packaging;
    int pkg_kg;         /* kilograms per package */
    int min_kg, max_kg; /* usual quantity of one line */
    int exemption;      /* 豁免清单 row exempting transport, used now and then; 0: none */
};

enum {
    W_OIL_SLUDGE,
    W_OIL_WATER,
    W_REF_RESID,
    W_ACID_TAR,
    W_HDS_CAT,
    W_FCC_CAT,
    W_DIST_RES,
    W_SOLVENT,
    W_SOLVENT2,
    W_CARBON,
    W_PACK,
    W_LAB,
    W_EMULSION,
    W_HYDR,
    W_LUBE,
    W_ENGINE,
    W_OILPACK,
    W_BATT,
    W_PAINT,
    W_INK,
    W_PICKLE,
    W_NICKEL,
    W_ETCH,
    W_PCB,
    W_API,
    W_MOTHER,
    W_DRUGS,
    W_MED_INF,
    W_MED_SHARP,
    W_FLYASH,
    W_INC_ASH,
    W_LAMP,
    W_ACID,
    W_RESIN,
    W_CAR_CAT,
    W_BILGE,
    W_COUNT
};

static const struct waste wastes[W_COUNT] = {
    [W_OIL_SLUDGE] = {"251-006-08", "含油污泥", "semi-solid", "石油烃、多环芳烃、硫化物", "吨袋",
                      900, 3000, 22000, 0},
    [W_OIL_WATER] = {"251-001-08", "油/水混合物", "liquid", "石油烃、水", "罐车罐体", 15000, 8000,
                     24000, 0},
    [W_REF_RESID] = {"251-011-08", "炼油过滤残渣", "semi-solid", "石油烃、胶质、沥青质", "吨桶",
                     800, 2000, 12000, 0},
    [W_ACID_TAR] = {"251-013-11", "酸焦油", "semi-solid", "硫酸、焦油", "钢桶", 200, 1000, 6000, 0},
    [W_HDS_CAT] = {"251-016-50", "废加氢精制催化剂", "solid", "镍、钼、钴氧化物，积炭", "吨袋",
                   1000, 5000, 28000, 0},
    [W_FCC_CAT] = {"251-017-50", "废催化裂化催化剂", "solid", "镍、钒、稀土，硅铝载体", "吨袋",
                   1000, 5000, 28000, 30},
    [W_DIST_RES] = {"900-013-11", "精馏残渣", "semi-solid", "高沸点有机物、焦油", "钢桶", 200, 1000,
                    8000, 0},
    [W_SOLVENT] = {"900-402-06", "废有机溶剂", "liquid", "甲苯、二甲苯、苯乙烯", "钢桶", 180, 500,
                   5000, 0},
    [W_SOLVENT2] = {"900-404-06", "废清洗溶剂", "liquid", "乙酸乙酯、丙酮、异丙醇", "吨桶", 800,
                    500, 4000, 0},
    [W_CARBON] = {"900-039-49", "废活性炭", "solid", "吸附的挥发性有机物", "吨袋", 500, 500, 6000,
                  0},
    [W_PACK] = {"900-041-49", "沾染危险化学品的废包装桶", "solid", "残留有机物、酸碱", "捆扎", 100,
                200, 3000, 0},
    [W_LAB] = {"900-047-49", "实验室废物", "liquid", "有机溶剂、酸碱、重金属盐", "塑料桶", 25, 20,
               400, 0},
    [W_EMULSION] = {"900-006-09", "废乳化液", "liquid", "矿物油、表面活性剂、金属屑", "吨桶", 900,
                    1000, 10000, 0},
    [W_HYDR] = {"900-218-08", "废液压油", "liquid", "矿物油", "钢桶", 180, 200, 3000, 0},
    [W_LUBE] = {"900-217-08", "废润滑油", "liquid", "矿物油、金属磨屑", "钢桶", 180, 200, 3000, 0},
    [W_ENGINE] = {"900-214-08", "废机油", "liquid", "矿物油、金属磨屑", "塑料桶", 180, 40, 900, 0},
    [W_OILPACK] = {"900-249-08", "废机油滤芯及沾油包装", "solid", "矿物油", "吨袋", 200, 20, 400,
                   0},
    [W_BATT] = {"900-052-31", "废铅蓄电池", "solid", "铅、硫酸", "托盘", 500, 50, 2000, 18},
    [W_PAINT] = {"900-252-12", "漆渣", "semi-solid", "树脂、有机溶剂、颜料", "钢桶", 200, 200, 5000,
                 0},
    [W_INK] = {"900-253-12", "废油墨渣", "semi-solid", "油墨、有机溶剂", "钢桶", 100, 50, 800, 0},
    [W_PICKLE] = {"336-064-17", "废酸洗液", "liquid", "盐酸、氯化亚铁", "吨桶", 1000, 1000, 10000,
                  0},
    [W_NICKEL] = {"336-054-17", "镀镍废槽渣", "semi-solid", "镍及其化合物", "吨袋", 500, 300, 3000,
                  0},
    [W_ETCH] = {"398-004-22", "废蚀刻液", "liquid", "氯化铜、盐酸", "吨桶", 1000, 1000, 8000, 0},
    [W_PCB] = {"900-045-49", "废电路板", "solid", "铜、铅、溴化阻燃剂", "吨袋", 500, 200, 3000, 28},
    [W_API] = {"271-001-02", "蒸馏及反应残余物", "semi-solid", "有机合成残余物", "钢桶", 200, 500,
               4000, 0},
    [W_MOTHER] = {"271-002-02", "废母液", "liquid", "有机溶剂、反应副产物", "吨桶", 1000, 1000,
                  8000, 0},
    [W_DRUGS] = {"900-002-03", "过期药品", "solid", "失效化学药品", "纸箱", 20, 20, 300, 0},
    [W_MED_INF] = {"841-001-01", "感染性废物", "solid", "病原微生物", "周转箱", 15, 200, 2500, 0},
    [W_MED_SHARP] = {"841-002-01", "损伤性废物", "solid", "针头、刀片等利器", "利器盒", 5, 20, 300,
                     0},
    [W_FLYASH] = {"772-002-18", "生活垃圾焚烧飞灰", "solid", "重金属、二噁英", "吨袋", 1000, 18000,
                  32000, 12},
    [W_INC_ASH] = {"772-003-18", "焚烧残渣及飞灰", "solid", "重金属、二噁英", "吨袋", 1000, 8000,
                   30000, 0},
    [W_LAMP] = {"900-023-29", "废含汞灯管", "solid", "汞", "纸箱", 20, 20, 300, 0},
    [W_ACID] = {"900-300-34", "废酸", "liquid", "硫酸、盐酸", "吨桶", 1000, 500, 5000, 0},
    [W_RESIN] = {"900-015-13", "废离子交换树脂", "solid", "重金属离子、树脂", "吨袋", 500, 500,
                 3000, 0},
    [W_CAR_CAT] = {"900-049-50", "废汽车尾气净化催化剂", "solid", "铂、钯、铑，陶瓷载体", "纸箱",
                   50, 50, 600, 31},
    [W_BILGE] = {"900-210-08", "隔油池浮油及油泥", "semi-solid", "石油烃、泥沙", "吨桶", 800, 1000,
                 8000, 0},
};

/* What the catalogue says of a waste, filled at start. */
struct wref {
    const char *category; /* "HW08" */
    const char *hz[5];    /* declared hazard characteristics */
    int nhz;
};

/* A kind of producer. */
struct industry {
    const char *key;
    int count;              /* producers of this kind */
    int rate_min, rate_max; /* manifests a year each, before scaling */
    const char *usc; /* first two USCC characters: 91 company, 12 institution, 92 individual */
    const char *districts; /* where they sit */
    const char *words;     /* name patterns: "|"-separated, %s = trade name */
    int w[6];              /* wastes, -1 ends */
    int small;             /* 1: ships to a collector */
};

static const struct industry industries[] = {
    {"petrochem",
     12,
     40,
     90,
     "91",
     "210281 210281 210281 210281 210213 210213 210214",
     "大连%s石化有限公司|大连长兴岛%s石油化工有限公司|大连%s炼化有限公司",
     {W_OIL_SLUDGE, W_OIL_WATER, W_REF_RESID, W_HDS_CAT, W_FCC_CAT, W_ACID_TAR},
     0},
    {"chemical",
     18,
     10,
     30,
     "91",
     "210214 210214 210213 210213 210211 210281",
     "大连%s化工有限公司|大连%s精细化工有限公司|大连%s化学有限公司",
     {W_DIST_RES, W_SOLVENT, W_SOLVENT2, W_CARBON, W_PACK, W_ACID},
     0},
    {"heavy",
     14,
     8,
     24,
     "91",
     "210211 210212 210213 210281 210281 210202",
     "大连%s船舶重工有限公司|大连%s重工机械有限公司|瓦房店%s轴承制造有限公司|大连%s机床有限公司",
     {W_PAINT, W_EMULSION, W_LUBE, W_HYDR, W_PACK, -1},
     0},
    {"electronics",
     20,
     6,
     18,
     "91",
     "210211 210211 210213 210204 210214",
     "大连%s电子有限公司|大连%s电路板有限公司|大连%s表面处理有限公司",
     {W_ETCH, W_PICKLE, W_NICKEL, W_PCB, W_RESIN, W_SOLVENT2},
     0},
    {"pharma",
     8,
     6,
     16,
     "91",
     "210213 210213 210212 210211",
     "大连%s制药有限公司|大连%s药业有限公司|大连%s生物医药有限公司",
     {W_API, W_MOTHER, W_SOLVENT, W_CARBON, W_DRUGS, -1},
     0},
    {"printing",
     10,
     3,
     8,
     "91",
     "210211 210204 210213 210203",
     "大连%s印刷有限公司|大连%s包装印务有限公司",
     {W_INK, W_SOLVENT2, W_PACK, -1},
     0},
    {"hospital",
     10,
     12,
     24,
     "12",
     "210202 210203 210204 210211 210212 210283 210281",
     "大连市%s医院|大连%s口腔医院|大连%s妇产医院",
     {W_MED_INF, W_MED_SHARP, -1},
     0},
    {"transport",
     8,
     6,
     14,
     "91",
     "210202 210211 210213 210204",
     "大连%s公交客运有限公司|大连%s港务有限公司|大连%s汽车销售服务有限公司",
     {W_ENGINE, W_BATT, W_BILGE, W_OILPACK, W_CAR_CAT, -1},
     0},
    {"msw", 2, 35, 50, "91", "210211 210213", "大连%s环保能源有限公司", {W_FLYASH, -1}, 0},
    {"autorepair",
     90,
     2,
     6,
     "92",
     "210202 210203 210204 210211 210211 210212 210213 210213 210214",
     "大连%s汽车维修有限公司|大连%s汽车服务有限公司|大连%s机动车维修中心|大连%s汽车修理厂",
     {W_ENGINE, W_OILPACK, W_BATT, -1},
     1},
    {"lab",
     25,
     3,
     8,
     "12",
     "210211 210211 210204 210204 210202 210213",
     "大连%s学院|大连%s研究院|大连%s检测技术有限公司",
     {W_LAB, W_DRUGS, W_LAMP, -1},
     1},
    {"smallfirm",
     45,
     2,
     5,
     "91",
     "210211 210213 210214 210204 210283 210281",
     "大连%s机械加工厂|大连%s家具有限公司|大连%s印务有限公司|大连%s五金制品有限公司",
     {W_EMULSION, W_PAINT, W_ENGINE, W_INK, W_LAMP, -1},
     1},
    {"island",
     12,
     2,
     4,
     "91",
     "210224",
     "长海县%s渔业有限公司|长海县%s海产品加工厂|长海县%s船舶修造有限公司",
     {W_ENGINE, W_BATT, W_OILPACK, -1},
     1},
};
#define NIND (sizeof industries / sizeof *industries)

/* Receivers (disposal licences) and collectors (collection licences). */
struct rspec {
    const char *name, *district, *roles, *kind;
    const char *cats;    /* whole categories licensed */
    const char *bycode;  /* categories licensed code by code, drawn from the catalogue */
    const char *methods; /* licensed methods (disposal) */
    const char *map;     /* category -> method used; "*" for the rest */
    const char *serves;  /* collectors: districts of the small producers they serve */
    int special;         /* weight as a destination: specialised plants are preferred */
    int renew;           /* licence expires and is renewed on this month's 1st (0: no) */
};

static const struct rspec rspecs[] = {
    {"大连海澄环境科技有限公司", "210213", "receiver,producer", "disposal",
     "HW02 HW03 HW04 HW06 HW08 HW09 HW11 HW12 HW13 HW16 HW37 HW39 HW40 HW45 HW49", "HW50", "D10 D9",
     "HW09:D9 *:D10", NULL, 1, 0},
    {"大连北方固废处置有限公司", "210211", "receiver,producer", "disposal",
     "HW02 HW03 HW06 HW08 HW09 HW11 HW12 HW13 HW17 HW22 HW34 HW35 HW49", NULL, "D10 D9",
     "HW17:D9 HW22:D9 HW34:D9 HW35:D9 *:D10", NULL, 1, 10},
    {"大连安泰危险废物安全填埋有限公司", "210214", "receiver", "disposal",
     "HW17 HW18 HW21 HW22 HW36 HW46 HW48 HW50", NULL, "D1", "*:D1", NULL, 2, 0},
    {"大连润达废矿物油再生有限公司", "210214", "receiver", "disposal", "HW09", "HW08", "R9 D9",
     "HW09:D9 *:R9", NULL, 4, 7},
    {"大连恒瑞催化剂回收有限公司", "210281", "receiver", "disposal", "HW46", "HW50", "R8 R4",
     "HW46:R4 *:R8", NULL, 4, 0},
    {"大连清源溶剂再生有限公司", "210213", "receiver", "disposal", "", "HW06", "R2", "*:R2", NULL,
     3, 0},
    {"大连金源金属资源回收有限公司", "210211", "receiver", "disposal", "HW17 HW22 HW29 HW48",
     "HW49", "R4 R6 D9", "HW17:R6 HW34:R6 *:R4", NULL, 3, 0},
    {"大连康洁医疗废物处置有限公司", "210211", "receiver", "disposal", "HW01", NULL, "Y10 Y11",
     "*:Y10", NULL, 5, 0},
    {"大连瓦房店复州湾水泥有限公司", "210281", "receiver", "disposal", "HW18", "HW12", "C1", "*:C1",
     NULL, 2, 0},
    {"营口鑫源再生铅业有限公司", "210800", "receiver", "disposal", "", "HW31", "R4", "*:R4", NULL,
     5, 0},
    {"青岛海晟催化剂再生科技有限公司", "370200", "receiver", "disposal", "", "HW50", "R8", "*:R8",
     NULL, 0, 0},
    {"石家庄冀新资源再生有限公司", "130100", "receiver", "disposal", "HW22", "HW17", "R4 R6",
     "HW17:R6 *:R4", NULL, 0, 0},
    {"大连金普新区绿环危险废物收集有限公司", "210213", "collector,carrier", "collection",
     "HW06 HW08 HW09 HW12 HW29 HW31 HW49", NULL, NULL, NULL, "210213 210214", 0, 0},
    {"大连城环小微危险废物收集有限公司", "210211", "collector,carrier", "collection",
     "HW06 HW08 HW09 HW12 HW29 HW31 HW49", NULL, NULL, NULL, "210202 210203 210204 210211 210212",
     0, 0},
    {"大连科安实验室废物收集有限公司", "210204", "collector,carrier", "collection",
     "HW03 HW06 HW29 HW31 HW49", NULL, NULL, NULL, "lab", 0, 0},
    {"长海县海洁危险废物收集站有限公司", "210224", "collector,carrier", "collection",
     "HW08 HW31 HW49", NULL, NULL, NULL, "210224", 0, 0},
    {"庄河市北海危险废物收集有限公司", "210283", "collector,carrier", "collection",
     "HW06 HW08 HW09 HW12 HW29 HW31 HW49", NULL, NULL, NULL, "210283 210281", 0, 0},
};
#define NRS (sizeof rspecs / sizeof *rspecs)

/* Carriers with fleets. */
struct cspec {
    const char *name, *district, *plate; /* plate prefix: 辽B Dalian, 鲁F Yantai */
    int tractors, trucks;
    int general; /* takes ordinary loads */
};

static const struct cspec cspecs[] = {
    {"大连安顺危险货物运输有限公司", "210213", "辽B", 24, 6, 1},
    {"大连通达危险品物流有限公司", "210211", "辽B", 18, 5, 1},
    {"大连长兴岛顺安运输有限公司", "210281", "辽B", 16, 3, 1},
    {"大连松木岛化工物流有限公司", "210214", "辽B", 14, 4, 1},
    {"大连港湾危险品物流有限公司", "210211", "辽B", 12, 2, 1},
    {"大连恒远危险货物运输有限公司", "210212", "辽B", 10, 4, 1},
    {"大连宏盛运输有限公司", "210213", "辽B", 9, 5, 1},
    {"大连鑫路危险品运输有限公司", "210204", "辽B", 8, 6, 1},
    {"瓦房店市安捷运输有限公司", "210281", "辽B", 8, 3, 1},
    {"庄河市顺通物流有限公司", "210283", "辽B", 6, 3, 1},
    {"大连北方危险废物运输有限公司", "210211", "辽B", 12, 8, 1},
    {"大连金普危险货物运输有限公司", "210213", "辽B", 10, 4, 1},
    {"长海县海陆联运有限公司", "210224", "辽B", 4, 6, 0},
    {"烟台鲁通危险品运输有限公司", "370600", "鲁F", 10, 2, 0},
};
#define NCS (sizeof cspecs / sizeof *cspecs)
#define C_ISLAND 12
#define C_YANTAI 13

static const char *const trades[] = {
    "恒泰", "鑫源", "瑞丰", "宏达", "德润", "新港",   "汇通", "凯盛", "永和", "东升", "中晟",
    "远洋", "博瑞", "锦程", "天元", "隆兴", "华信",   "同创", "金诺", "泰和", "盛达", "万通",
    "嘉禾", "晨光", "富海", "长青", "正阳", "广源",   "兴业", "昌盛", "明达", "宝丰", "恒通",
    "腾飞", "北辰", "亿丰", "润泽", "海川", "蓝海",   "昊天", "鼎盛", "华泰", "凯达", "聚源",
    "合力", "鸿运", "顺达", "祥和", "众诚", "立信",   "科润", "瀚海", "星海", "滨海", "港湾",
    "渤海", "黄海", "金石", "银帆", "红旗", "新世纪", "东方", "北方", "辽南", "海韵", "山海",
    "银杏", "松岚", "槐香", "春柳", "碧海", "金湾"};
static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "孙", "于", "姜",
                                       "曲", "周", "吴", "徐", "高", "林", "郭", "马", "宋", "郑",
                                       "谢", "韩", "唐", "冯", "董", "邹", "丛", "隋", "宫", "毕"};
static const char *const givens[] = {
    "建国", "志强", "海燕", "丽",   "伟",   "磊",   "洋",   "静",   "敏", "晓东", "春雷", "玉梅",
    "国庆", "立新", "红",   "波",   "鹏",   "宇",   "凤琴", "桂兰", "明", "军",   "超",   "强",
    "娜",   "海涛", "振华", "德才", "秀英", "立伟", "长海", "金龙", "雪", "福全", "淑华"};
static const char *const roads[] = {
    "黄河路", "长江路",   "中山路",  "五四路",   "华北路",   "振兴路", "辽河东路", "红星路",
    "松岚街", "金马路",   "双D港路", "黄浦路",   "东北路",   "西南路", "北岗路",   "疏港路",
    "临港路", "化工园路", "滨海路",  "龙王塘路", "复州湾路", "昌盛街"};

/* ---- the simulation's state --------------------------------------------- */

enum { R_PRODUCER = 1, R_CARRIER = 2, R_RECEIVER = 4, R_COLLECTOR = 8 };

struct crew {
    char name[16], licence[16];
};

struct hold { /* a batch a collector holds and has not shipped on */
    char batch[24];
    int waste;
    int64_t qty;
    int64_t since; /* day it came in */
};

struct party {
    char id[19], name[160], district[7], address[220], contact[16], phone[16], emergency[16];
    unsigned roles;
    struct ld_sig_secret *key;
    char head[LD_EVENT_ID_HEX];      /* head of the p:USCC chain */
    int industry;                    /* producers: index into industries, else -1 */
    double rate;                     /* producers: manifests a year */
    int wastes[6], nwastes, dest[6]; /* producers: what it ships, and to whom (party index) */
    int carriers[2], ncarriers;      /* producers: usual carriers */
    int approvals;                   /* cross-province approvals issued to it */
    int rs, cs;                      /* index into rspecs / cspecs, or -1 */
    char **codes;                    /* licence: codes and categories */
    size_t ncodes;
    int64_t lic_from;   /* licence validity start (day) */
    struct hold *holds; /* collectors */
    size_t nholds, caph;
    char tractor[26][16], trailer[26][16], truck[10][16];
    int ntractor, ntruck;
    struct crew crew[16];
    int ncrew;
};

struct draw {
    char batch[24];
    int64_t qty;
};

struct mline {
    int waste;
    int64_t qty, received, accepted, disposed;
    int packages, exempt;
    struct draw *from;
    int nfrom;
};

enum fate { F_NORMAL, F_DISCREP, F_PARTIAL, F_REJECT, F_CANCEL, F_STUCK, F_OVERDUE };
enum mkind { K_PRIMARY, K_CONSOLIDATED, K_RESHIP, K_RETURN, K_REFILE, K_RESIDUE };

struct man {
    int64_t number;
    int filer, receiver, carrier, carrier2;
    int nlines;
    struct mline line[MAXCL];
    enum fate fate;
    enum mkind kind;
    int late, paper, offfleet, split, consignor_receiver;
    int64_t paper_from, paper_to; /* days */
    int holder;                   /* carrier holding the load */
    char head[LD_EVENT_ID_HEX];
    char approval[64];
    int64_t t_file;
    int not_receiver;             /* K_RETURN: the receiver that refused the load */
    int64_t leg_t;                /* start of the current leg */
    char corr[LD_EVENT_ID_HEX];   /* id of a pending manifest.correct */
    int approvers[3], napprovers; /* who still has to approve it */
};

enum act {
    A_FILE,
    A_CANCEL,
    A_PICKUP,
    A_HANDOVER,
    A_ARRIVE,
    A_RECEIPT,
    A_DISPOSE,
    A_RESHIP,
    A_REFILE,
    A_CORRECT,
    A_APPROVE,
    A_REQUEST,
    A_CONSOLIDATE,
    A_RESIDUE,
    A_RENEW,
    A_ROTATE
};

struct action {
    int64_t t;
    uint64_t seq;
    int kind, a;
    int64_t b;
};

struct gen {
    struct rng r;
    struct ld_ledger *l;
    struct ld_catalog *cat;
    struct ld_workday *wd;
    struct ld_sig_secret *reg;
    struct wref wref[W_COUNT];
    struct party *p;
    size_t np;
    struct man *m;
    size_t nm, capm;
    struct action *heap;
    size_t nh, caph;
    uint64_t seq;
    struct ld_map *names, *ids;
    int64_t start_day, end_t, last_at;
    /* the batch being built */
    char **btext;
    size_t *blen, nb;
    int64_t bfirst, blast;
    uint64_t events;
    /* manifest serials per city prefix "YYYYPPCC" */
    struct ld_map *serials;
    /* counts for the summary */
    unsigned long n_legs2, n_cross, n_paper, n_consol, n_reship, n_residue, n_renew, n_rotate,
        n_offfleet, n_late, n_exempt, n_partial, n_reject, n_discrep, n_return, n_correct,
        n_request, n_approve, n_tracks;
    int rs_party[NRS]; /* party index of each rspecs[] entry */
};

/* ---- small helpers -------------------------------------------------------- */

static int64_t
cst(int64_t day, int h, int min)
{
    return day * DAY + (int64_t)h * 3600 + (int64_t)min * 60 - 8 * 3600;
}

static int
workday(const struct gen *g, int64_t day)
{
    return ld_workday_is_workday(g->wd, day);
}

static int64_t
next_workday(const struct gen *g, int64_t day)
{
    do
        day++;
    while (!workday(g, day));
    return day;
}

static void
date_of(int64_t day, char out[LD_TM_DATE_LEN])
{
    if (ld_tm_format_date(day * DAY, out) != LD_OK)
        die("bad day %lld", (long long)day);
}

static void
person(struct gen *g, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", PICK(&g->r, surnames), PICK(&g->r, givens));
}

static void
phone(struct gen *g, const char *district, char *out, size_t cap)
{
    const char *area = strncmp(district, "37", 2) == 0     ? "0532"
                       : strncmp(district, "13", 2) == 0   ? "0311"
                       : strncmp(district, "2108", 4) == 0 ? "0417"
                                                           : "0411";
    snprintf(out, cap, "%s-%08lld", area, (long long)rint_(&g->r, 80000000, 89999999));
}

/* A new, unused USCC: authority+type, registering division, organisation
 * code (GB 11714 check character included), GB 32100 check character. */
/* Ordinary plate: letter + 4 digits or 5 digits; trailer: 4 digits + 挂;
 * new-energy small: D/F + letter/digit + 4 digits. */
static void
plate(struct gen *g, const char *prefix, int kind, char out[16])
{
    static const char letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";

    do {
        if (kind == 't')
            snprintf(out, 16, "%s%04lld挂", prefix, (long long)rint_(&g->r, 1000, 9999));
        else if (kind == 'e')
            snprintf(out, 16, "%s%c%c%04lld", prefix, chance(&g->r, 0.8) ? 'D' : 'F',
                     letters[rint_(&g->r, 0, 23)], (long long)rint_(&g->r, 0, 9999));
        else if (chance(&g->r, 0.6))
            snprintf(out, 16, "%s%c%04lld", prefix, letters[rint_(&g->r, 0, 23)],
                     (long long)rint_(&g->r, 0, 9999));
        else
            snprintf(out, 16, "%s%05lld", prefix, (long long)rint_(&g->r, 10000, 99999));
    } while (ld_map_get(g->ids, out) != NULL);
    ld_map_put(g->ids, out, (void *)1);
    if (!ld_domain_plate_ok(out))
        die("made an invalid plate '%s'", out);
}

static const char *
district_name(struct gen *g, const char *code)
{
    const struct ld_catalog_place *pl = NULL;

    if (ld_catalog_district(g->cat, code, NULL, &pl, NULL) == LD_OK)
        return pl->name_zh;
    return strcmp(code, "370200") == 0   ? "山东省青岛市黄岛区"
           : strcmp(code, "130100") == 0 ? "河北省石家庄市鹿泉区"
           : strcmp(code, "210800") == 0 ? "辽宁省营口市老边区"
           : strcmp(code, "370600") == 0 ? "山东省烟台市芝罘区"
                                         : "";
}

static void
address(struct gen *g, struct party *p)
{
    const char *d = district_name(g, p->district);

    if (strncmp(p->district, "2102", 4) == 0)
        snprintf(p->address, sizeof p->address, "辽宁省大连市%s%s%s%lld号", d,
                 strcmp(p->district, "210281") == 0 && chance(&g->r, 0.5) ? "长兴岛经济区" : "",
                 PICK(&g->r, roads), (long long)rint_(&g->r, 1, 399));
    else
        snprintf(p->address, sizeof p->address, "%s%s%lld号", d, PICK(&g->r, roads),
                 (long long)rint_(&g->r, 1, 399));
}

/* A unique name from a "|"-separated list of patterns with one %s. */
static void
company_name(struct gen *g, const char *patterns, char *out, size_t cap)
{
    char pat[16][96];
    int n = 0, tries = 0;
    const char *s = patterns, *bar;

    while (n < 16 && *s) {
        bar = strchr(s, '|');
        snprintf(pat[n++], sizeof pat[0], "%.*s", (int)(bar ? (size_t)(bar - s) : strlen(s)), s);
        s = bar ? bar + 1 : s + strlen(s);
    }
    do {
        const char *t = PICK(&g->r, trades);
        const char *p = pat[rint_(&g->r, 0, n - 1)];
        const char *pc = strstr(p, "%s");
        if (pc == NULL)
            die("name pattern without %%s: '%s'", p);
        if (++tries > 200)
            snprintf(out, cap, "%.*s%s%lld%s", (int)(pc - p), p, t, (long long)tries, pc + 2);
        else
            snprintf(out, cap, "%.*s%s%s", (int)(pc - p), p, t, pc + 2);
    } while (ld_map_get(g->names, out) != NULL);
    ld_map_put(g->names, out, (void *)1);
}

/* ---- events and batches ------------------------------------------------------ */

static void
flush(struct gen *g)
{
    struct ld_ledger_item *items;
    char now[LD_TM_RFC3339_LEN];
    size_t i;
    enum ld_rc rc;

    if (g->nb == 0)
        return;
    if (ld_tm_format(g->blast, now) != LD_OK)
        die("bad time");
    setenv(LD_TM_NOW_ENV, now, 1);
    items = ld_xcalloc(g->nb, sizeof *items);
    for (i = 0; i < g->nb; i++) {
        items[i].text = g->btext[i];
        items[i].len = g->blen[i];
    }
    rc = ld_ledger_append_batch(g->l, items, g->nb);
    if (rc != LD_OK)
        die("cannot append a batch: %s", ld_rc_str(rc));
    for (i = 0; i < g->nb; i++) {
        if (items[i].rc != LD_OK)
            die("event refused: %s: %s: %s\n  %s", ld_rc_str(items[i].rc), items[i].err.field,
                items[i].err.msg, g->btext[i]);
        free(g->btext[i]);
    }
    g->events += g->nb;
    g->nb = 0;
    free(items);
}

/* Sign an event and queue it; head is the chain's head, updated to the new id. */
static void
emit(struct gen *g, int64_t at, const char *type, int64_t manifest, char head[LD_EVENT_ID_HEX],
     const char *actor, const struct ld_sig_secret *key, cJSON *body)
{
    char ts[LD_TM_RFC3339_LEN], *entry = NULL;
    uint8_t id[LD_MERKLE_HASH];
    struct ld_err err;
    size_t len = 0;
    cJSON *e = cJSON_CreateObject();

    if (at < g->last_at)
        at = g->last_at; /* two actions in the same second: keep the log's times in order */
    g->last_at = at;
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
    if (g->nb && (g->nb == BATCH_MAX || at - g->bfirst > BATCH_SPAN))
        flush(g);
    if (g->nb == 0)
        g->bfirst = at;
    g->blast = at;
    g->btext[g->nb] = entry;
    g->blen[g->nb++] = len;
}

static void
emit_party(struct gen *g, int64_t at, const char *type, struct party *p, cJSON *body)
{
    emit(g, at, type, 0, p->head, LD_EVENT_REGULATOR, g->reg, body);
}

static void
emit_man(struct gen *g, int64_t at, const char *type, struct man *m, struct party *actor,
         cJSON *body)
{
    emit(g, at, type, m->number, m->head, actor->id, actor->key, body);
}

/* ---- the action queue ---------------------------------------------------- */

static int
before(const struct action *a, const struct action *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
schedule(struct gen *g, int64_t t, int kind, int a, int64_t b)
{
    size_t i;
    struct action x;

    if (t > g->end_t)
        return; /* after the end of the year: stays where it is */
    if (g->nh == g->caph) {
        g->caph = g->caph ? 2 * g->caph : 1024;
        g->heap = ld_xrealloc(g->heap, g->caph * sizeof *g->heap);
    }
    x.t = t;
    x.seq = g->seq++;
    x.kind = kind;
    x.a = a;
    x.b = b;
    i = g->nh++;
    while (i > 0 && before(&x, &g->heap[(i - 1) / 2])) {
        g->heap[i] = g->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    g->heap[i] = x;
}

static struct action
pop(struct gen *g)
{
    struct action top = g->heap[0], last = g->heap[--g->nh];
    size_t i = 0, c;

    while ((c = 2 * i + 1) < g->nh) {
        if (c + 1 < g->nh && before(&g->heap[c + 1], &g->heap[c]))
            c++;
        if (!before(&g->heap[c], &last))
            break;
        g->heap[i] = g->heap[c];
        i = c;
    }
    if (g->nh)
        g->heap[i] = last;
    return top;
}

/* ---- parties ---------------------------------------------------------------- */

static struct party *
new_party(struct gen *g, const char *head2, const char *district, unsigned roles)
{
    struct party *p;
    uint8_t seed[32];

    if (g->np == PARTY_MAX)
        die("more than %d parties", PARTY_MAX);
    p = &g->p[g->np++];
    memset(p, 0, sizeof *p);
    p->industry = p->rs = p->cs = -1;
    p->roles = roles;
    snprintf(p->district, sizeof p->district, "%s", district);
    if (!make_uscc(&g->r, g->ids, head2,
                   chance(&g->r, 0.35) ? (strncmp(district, "2102", 4) == 0 ? "210200" : district)
                                       : district,
                   p->id))
        die("cannot make a USCC in %s", district);
    derive_seed(&g->r, seed);
    if (ld_sig_secret_from_seed(p->id, seed, &p->key) != LD_OK)
        die("cannot make a key");
    person(g, p->contact, sizeof p->contact);
    phone(g, district, p->phone, sizeof p->phone);
    phone(g, district, p->emergency, sizeof p->emergency);
    return p;
}

static int
licensed(const struct party *p, const char *code)
{
    char cat[5];
    size_t i;

    snprintf(cat, sizeof cat, "HW%.2s", code + 8);
    for (i = 0; i < p->ncodes; i++)
        if (strcmp(p->codes[i], code) == 0 || strcmp(p->codes[i], cat) == 0)
            return 1;
    return 0;
}

static void
add_code(struct party *p, const char *c)
{
    size_t i;

    for (i = 0; i < p->ncodes; i++)
        if (strcmp(p->codes[i], c) == 0)
            return;
    p->codes = ld_xrealloc(p->codes, (p->ncodes + 1) * sizeof *p->codes);
    p->codes[p->ncodes++] = ld_xstrdup(c);
}

/* Licence scope: whole categories, plus codes drawn from the catalogue for
 * the categories licensed code by code (always including the codes the
 * demo's producers ship). */
static void
licence_codes(struct gen *g, struct party *p, const struct rspec *s)
{
    const struct ld_catalog_waste *w;
    const char *t;
    char cat[8];
    size_t n, i;
    int k;

    for (t = s->cats; *t; t += strcspn(t, " ")) {
        t += strspn(t, " ");
        if (*t) {
            snprintf(cat, sizeof cat, "%.4s", t);
            add_code(p, cat);
        }
    }
    if (!s->bycode)
        return;
    w = ld_catalog_wastes(g->cat, LD_CATALOG_EDITION_2021, &n);
    for (i = 0; i < n; i++)
        if (strstr(s->bycode, w[i].category) && chance(&g->r, 0.6))
            add_code(p, w[i].code);
    for (k = 0; k < W_COUNT; k++)
        if (strstr(s->bycode, g->wref[k].category))
            add_code(p, wastes[k].code);
}

static const char *
method_for(const struct party *p, const char *category)
{
    static char out[8];
    const char *map = rspecs[p->rs].map, *at = strstr(map, category);

    if (at == NULL)
        at = strstr(map, "*");
    at = strchr(at, ':') + 1;
    snprintf(out, sizeof out, "%.*s", (int)strcspn(at, " "), at);
    return out;
}

static int
in_province(const struct party *a, const struct party *b)
{
    return strncmp(a->district, b->district, 2) == 0;
}

/* A disposal receiver for code, other than `not`: specialised plants first,
 * out-of-province ones only when `far` (they need an approval). -1: none. */
static int
pick_receiver(struct gen *g, const char *code, int not, int far, const struct party *from)
{
    int cand[32], weight[32], n = 0, total = 0, i, x;
    size_t k;

    for (k = 0; k < g->np; k++) {
        const struct party *p = &g->p[k];
        if (p->rs < 0 || strcmp(rspecs[p->rs].kind, "disposal") != 0 || (int)k == not ||
            !licensed(p, code))
            continue;
        if (!in_province(p, from) != !!far)
            continue;
        cand[n] = (int)k;
        weight[n] = 1 + rspecs[p->rs].special;
        total += weight[n++];
        if (n == 32)
            break;
    }
    if (n == 0)
        return -1;
    x = (int)rint_(&g->r, 0, total - 1);
    for (i = 0; i < n; i++)
        if ((x -= weight[i]) < 0)
            return cand[i];
    return cand[n - 1];
}

static int
general_carrier(struct gen *g, const char *near)
{
    int i, tries;

    for (tries = 0; tries < 40; tries++) {
        i = (int)rint_(&g->r, 0, (int64_t)NCS - 1);
        if (!cspecs[i].general)
            continue;
        if (near == NULL || strcmp(cspecs[i].district, near) == 0 || tries > 10)
            break;
    }
    for (size_t k = 0; k < g->np; k++)
        if (g->p[k].cs == i)
            return (int)k;
    die("no carrier %d", i);
    return -1;
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

static void
register_party(struct gen *g, int64_t at, struct party *p)
{
    const char *rl[4];
    int n = 0;
    cJSON *b = cJSON_CreateObject();
    struct ld_sig_pub pub;
    char *vkey;

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
    emit_party(g, at, "party.register", p, b);
    ld_sig_secret_pub(p->key, &pub);
    vkey = ld_sig_vkey_format(&pub);
    b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "id", p->id);
    cJSON_AddStringToObject(b, "pub", vkey);
    cJSON_AddStringToObject(b, "until", "2027-12-31T16:00:00Z");
    free(vkey);
    emit_party(g, at + 1, "party.key", p, b);
}

static void
record_licence(struct gen *g, int64_t at, struct party *p, int64_t from, int64_t until, int serial)
{
    const struct rspec *s = &rspecs[p->rs];
    char num[64], d1[LD_TM_DATE_LEN], d2[LD_TM_DATE_LEN], buf[64];
    cJSON *b = cJSON_CreateObject(), *a, *cap;
    size_t i;
    const char *t;

    if (strcmp(s->kind, "disposal") == 0)
        snprintf(num, sizeof num, "%s危废经字%.4s%03d号",
                 strncmp(p->district, "37", 2) == 0   ? "鲁环"
                 : strncmp(p->district, "13", 2) == 0 ? "冀环"
                                                      : "辽环",
                 p->district, serial);
    else
        snprintf(num, sizeof num, "辽环危废收字%.4s%03d号", p->district, serial);
    date_of(from, d1);
    date_of(until, d2);
    cJSON_AddStringToObject(b, "id", p->id);
    cJSON_AddStringToObject(b, "kind", s->kind);
    cJSON_AddStringToObject(b, "number", num);
    cJSON_AddStringToObject(b, "valid_from", d1);
    cJSON_AddStringToObject(b, "valid_until", d2);
    a = cJSON_AddArrayToObject(b, "codes");
    for (i = 0; i < p->ncodes; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(p->codes[i]));
    if (s->methods) {
        a = cJSON_AddArrayToObject(b, "methods");
        for (t = s->methods; *t != '\0'; t += strspn(t, " ")) {
            size_t n = strcspn(t, " ");
            if (n >= sizeof buf)
                die("method list too long");
            memcpy(buf, t, n);
            buf[n] = '\0';
            cJSON_AddItemToArray(a, cJSON_CreateString(buf));
            t += n;
        }
        cap = cJSON_AddObjectToObject(b, "capacity_g");
        for (i = 0; i < p->ncodes; i++)
            if (p->codes[i][0] == 'H')
                cJSON_AddNumberToObject(cap, p->codes[i],
                                        (double)(rint_(&g->r, 10, 300) * 100 * TONNE));
    }
    emit_party(g, at, "party.licence", p, b);
}

static void
record_permit(struct gen *g, int64_t at, struct party *p)
{
    char num[64];
    cJSON *b = cJSON_CreateObject(), *a;
    int i;

    snprintf(num, sizeof num, "%s交运管许可%s字%.6s%06lld号",
             strncmp(p->district, "37", 2) == 0 ? "鲁" : "辽",
             strncmp(p->district, "37", 2) == 0 ? "烟" : "大", p->district,
             (long long)rint_(&g->r, 1, 999));
    cJSON_AddStringToObject(b, "id", p->id);
    cJSON_AddStringToObject(b, "number", num);
    cJSON_AddStringToObject(b, "valid_from", chance(&g->r, 0.5) ? "2024-03-01" : "2025-06-15");
    cJSON_AddStringToObject(b, "valid_until", chance(&g->r, 0.5) ? "2028-02-29" : "2029-06-14");
    a = cJSON_AddArrayToObject(b, "vehicles");
    for (i = 0; i < p->ntractor; i++) {
        cJSON_AddItemToArray(a, cJSON_CreateString(p->tractor[i]));
        cJSON_AddItemToArray(a, cJSON_CreateString(p->trailer[i]));
    }
    for (i = 0; i < p->ntruck; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(p->truck[i]));
    emit_party(g, at, "party.permit", p, b);
}

static void
fleet(struct gen *g, struct party *p, const char *prefix, int tractors, int trucks)
{
    int i;

    p->ntractor = tractors;
    p->ntruck = trucks;
    for (i = 0; i < tractors; i++) {
        plate(g, prefix, 'o', p->tractor[i]);
        plate(g, prefix, 't', p->trailer[i]);
    }
    for (i = 0; i < trucks; i++)
        plate(g, prefix, chance(&g->r, 0.4) ? 'e' : 'o', p->truck[i]);
    p->ncrew = 4 + tractors / 2 + trucks / 2;
    if (p->ncrew > 16)
        p->ncrew = 16;
    for (i = 0; i < p->ncrew; i++) {
        person(g, p->crew[i].name, sizeof p->crew[i].name);
        snprintf(p->crew[i].licence, sizeof p->crew[i].licence, "%.4s%08lld", p->district,
                 (long long)rint_(&g->r, 0, 99999999));
    }
}

/* Build every party, then record registrations, keys, licences and permits
 * on the first working morning of the year. */
static void
make_parties(struct gen *g)
{
    size_t i, k;
    int j, w;
    int64_t t = cst(g->start_day, 8, 30);

    for (i = 0; i < NCS; i++) {
        const struct cspec *c = &cspecs[i];
        struct party *p = new_party(g, "91", c->district, R_CARRIER);
        p->cs = (int)i;
        snprintf(p->name, sizeof p->name, "%s", c->name);
        ld_map_put(g->names, p->name, (void *)1);
        address(g, p);
        fleet(g, p, c->plate, c->tractors, c->trucks);
    }
    for (i = 0; i < NRS; i++) {
        const struct rspec *s = &rspecs[i];
        unsigned roles = (strstr(s->roles, "receiver") ? R_RECEIVER : 0) |
                         (strstr(s->roles, "producer") ? R_PRODUCER : 0) |
                         (strstr(s->roles, "collector") ? R_COLLECTOR : 0) |
                         (strstr(s->roles, "carrier") ? R_CARRIER : 0);
        struct party *p = new_party(g, "91", s->district, roles);
        p->rs = (int)i;
        snprintf(p->name, sizeof p->name, "%s", s->name);
        ld_map_put(g->names, p->name, (void *)1);
        address(g, p);
        licence_codes(g, p, s);
        if (roles & R_CARRIER)
            fleet(g, p, "辽B", 0, 4 + (int)rint_(&g->r, 0, 3));
        g->rs_party[i] = (int)(g->np - 1);
    }
    for (i = 0; i < NIND; i++) {
        const struct industry *ind = &industries[i];
        for (j = 0; j < ind->count; j++) {
            char d[7];
            int nd = (int)(strlen(ind->districts) + 1) / 7;
            struct party *p;
            snprintf(d, sizeof d, "%.6s", ind->districts + 7 * rint_(&g->r, 0, nd - 1));
            p = new_party(g, strcmp(ind->usc, "92") == 0 && chance(&g->r, 0.5) ? "91" : ind->usc, d,
                          R_PRODUCER);
            p->industry = (int)i;
            company_name(g, ind->words, p->name, sizeof p->name);
            address(g, p);
            p->rate = (double)rint_(&g->r, ind->rate_min, ind->rate_max);
            for (w = 0; w < 6 && ind->w[w] >= 0; w++)
                if (w < 2 || chance(&g->r, 0.6))
                    p->wastes[p->nwastes++] = ind->w[w];
        }
    }
    /* Destinations and carriers (needs every receiver). */
    for (k = 0; k < g->np; k++) {
        struct party *p = &g->p[k];
        const struct industry *ind;
        if (p->industry < 0)
            continue;
        ind = &industries[p->industry];
        for (j = 0; j < p->nwastes; j++) {
            const char *code = wastes[p->wastes[j]].code;
            int d = -1;
            if (ind->small) {
                for (i = 0; i < NRS && d < 0; i++) {
                    const struct rspec *s = &rspecs[i];
                    struct party *c = &g->p[g->rs_party[i]];
                    int lab = strcmp(ind->key, "lab") == 0;
                    if (s->serves &&
                        (lab ? strcmp(s->serves, "lab") == 0
                             : strstr(s->serves, p->district) != NULL) &&
                        licensed(c, code))
                        d = g->rs_party[i];
                }
            }
            /* A few large producers send catalysts or plating waste out of province. */
            if (d < 0 &&
                (p->wastes[j] == W_HDS_CAT || p->wastes[j] == W_NICKEL ||
                 p->wastes[j] == W_PICKLE) &&
                chance(&g->r, 0.3))
                d = pick_receiver(g, code, -1, 1, p);
            if (d < 0)
                d = pick_receiver(g, code, -1, 0, p);
            if (d < 0)
                die("no receiver for %s", code);
            p->dest[j] = d;
        }
        p->carriers[p->ncarriers++] = general_carrier(g, p->district);
        if (chance(&g->r, 0.5))
            p->carriers[p->ncarriers++] = general_carrier(g, NULL);
    }
    /* The regulator records everything on the first working morning. */
    for (k = 0; k < g->np; k++, t += 5)
        register_party(g, t, &g->p[k]);
    for (k = 0; k < g->np; k++) {
        struct party *p = &g->p[k];
        if (p->rs >= 0) {
            int64_t from = ld_tm_days_from_civil(2024, (int)rint_(&g->r, 1, 12), 1);
            int64_t until = ld_tm_days_from_civil(2029, (int)rint_(&g->r, 1, 12), 1) - 1;
            if (rspecs[p->rs].renew)
                until = ld_tm_days_from_civil(YEAR, rspecs[p->rs].renew, 1) - 1;
            p->lic_from = from;
            record_licence(g, t += 5, p, from, until, (int)rint_(&g->r, 1, 120));
            if (rspecs[p->rs].renew)
                schedule(g, cst(until + 1, 0, 5), A_RENEW, (int)k, 0);
        }
        if (p->roles & R_CARRIER)
            record_permit(g, t += 5, p);
    }
}

/* ---- manifests ---------------------------------------------------------------- */

static struct man *
new_man(struct gen *g, enum mkind kind, int filer)
{
    struct man *m;

    if (g->nm == g->capm) {
        g->capm = g->capm ? 2 * g->capm : 4096;
        g->m = ld_xrealloc(g->m, g->capm * sizeof *g->m);
    }
    m = &g->m[g->nm++];
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->filer = filer;
    m->carrier2 = -1;
    return m;
}

static int64_t
round_qty(int64_t g_)
{
    if (g_ >= 2 * TONNE)
        return (g_ + 5000) / 10000 * 10000; /* weighbridge: 10 kg */
    return (g_ + 50) / 100 * 100;           /* platform scale: 0.1 kg */
}

static void
set_line(struct gen *g, struct mline *ln, int waste, int64_t qty)
{
    const struct waste *w = &wastes[waste];

    memset(ln, 0, sizeof *ln);
    ln->waste = waste;
    ln->qty = round_qty(qty);
    if (ln->qty < 100)
        ln->qty = 100;
    ln->packages = (int)((ln->qty + (int64_t)w->pkg_kg * KG - 1) / ((int64_t)w->pkg_kg * KG));
    if (ln->packages < 1)
        ln->packages = 1;
    ln->exempt = w->exemption && chance(&g->r, 0.25) ? w->exemption : 0;
}

/* A producer's trip: wastes sharing one destination. */
static void
plan_primary(struct gen *g, int pi, int64_t t)
{
    struct party *p = &g->p[pi];
    struct man *m = new_man(g, K_PRIMARY, pi);
    int first = (int)rint_(&g->r, 0, p->nwastes - 1), j, want;
    double big = industries[p->industry].small ? 0.2 + 0.5 * rreal(&g->r)
                 : p->rate > 30                ? 1.0
                                               : 0.7 + 0.6 * rreal(&g->r);
    const struct party *rc;
    double x;

    m->receiver = p->dest[first];
    want = chance(&g->r, 0.6) ? 1 : chance(&g->r, 0.75) ? 2 : 3;
    for (j = 0; j < p->nwastes && m->nlines < want && m->nlines < MAXL; j++) {
        int k = (first + j) % p->nwastes;
        const struct waste *w = &wastes[p->wastes[k]];
        if (p->dest[k] != m->receiver)
            continue;
        set_line(g, &m->line[m->nlines++], p->wastes[k],
                 (int64_t)(big *
                           (double)rint_(&g->r, (int64_t)w->min_kg * KG, (int64_t)w->max_kg * KG)));
    }
    rc = &g->p[m->receiver];
    m->carrier =
        (rc->roles & R_COLLECTOR) ? m->receiver : p->carriers[rint_(&g->r, 0, p->ncarriers - 1)];
    m->consignor_receiver = (rc->roles & R_COLLECTOR) || chance(&g->r, 0.5);
    if (!in_province(p, rc)) {
        p->approvals = p->approvals ? p->approvals : (int)rint_(&g->r, 10, 300);
        snprintf(m->approval, sizeof m->approval, "辽环危废跨审〔%d〕%d号", YEAR, p->approvals);
        g->n_cross++;
        if (strncmp(rc->district, "37", 2) == 0)
            for (size_t k = 0; k < g->np; k++)
                if (g->p[k].cs == C_YANTAI)
                    m->carrier2 = (int)k;
    } else if (!(rc->roles & R_COLLECTOR) && chance(&g->r, 0.012)) {
        m->carrier2 = general_carrier(g, NULL); /* a hand-over on the way */
        if (m->carrier2 == m->carrier)
            m->carrier2 = -1;
    }
    /* The fate, decided now so that the seed decides everything. */
    x = rreal(&g->r);
    m->fate = x < 0.015   ? F_CANCEL
              : x < 0.018 ? F_STUCK
              : x < 0.028 ? F_OVERDUE
              : x < 0.040 ? F_REJECT
              : x < 0.075 ? F_PARTIAL
              : x < 0.145 ? F_DISCREP
                          : F_NORMAL;
    if ((m->fate == F_REJECT || m->fate == F_PARTIAL) &&
        (!in_province(p, rc) || (rc->roles & R_COLLECTOR && m->fate == F_REJECT)))
        m->fate = F_DISCREP;
    if (m->fate == F_REJECT || m->fate == F_PARTIAL)
        for (j = 0; j < m->nlines; j++)
            if (pick_receiver(g, wastes[m->line[j].waste].code, m->receiver, 0, rc) < 0)
                m->fate = F_DISCREP;
    m->late = m->fate <= F_PARTIAL && chance(&g->r, 0.02);
    m->offfleet = chance(&g->r, 0.005);
    m->split = chance(&g->r, 0.1);
    if (m->fate == F_NORMAL && m->carrier2 < 0 && !rspecs[rc->rs].renew && chance(&g->r, 0.005)) {
        int64_t day = ld_domain_day(t);
        m->paper = 1;
        m->paper_from = day - rint_(&g->r, 2, 20);
        if (m->paper_from < g->start_day + 1)
            m->paper_from = g->start_day + 1;
        m->paper_to = m->paper_from + rint_(&g->r, 0, 1);
        if (m->paper_to > day)
            m->paper_to = day;
    }
    schedule(g, t, A_FILE, (int)(m - g->m), 0);
}

static void
party_json(cJSON *b, const struct party *p)
{
    cJSON *o = cJSON_AddObjectToObject(b, "producer");

    cJSON_AddStringToObject(o, "id", p->id);
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "address", p->address);
    cJSON_AddStringToObject(o, "contact", p->contact);
    cJSON_AddStringToObject(o, "phone", p->phone);
    cJSON_AddStringToObject(o, "emergency_phone", p->emergency);
}

static const char *
emergency(const struct gen *g, int waste)
{
    const struct wref *r = &g->wref[waste];
    const char *form = wastes[waste].form;
    int i, hasI = 0, hasC = 0, hasIn = 0;

    for (i = 0; i < r->nhz; i++) {
        hasI |= strcmp(r->hz[i], "I") == 0;
        hasC |= strcmp(r->hz[i], "C") == 0;
        hasIn |= strcmp(r->hz[i], "In") == 0;
    }
    if (hasIn)
        return "包装破损时用含氯消毒剂喷洒消毒后收集，人员做好个人防护并立即报告";
    if (waste == W_BATT)
        return "电池破损漏酸时用碳酸钠中和，收集至耐酸容器，禁止与金属物品混放";
    if (strcmp(form, "solid") != 0 && hasI)
        return "泄漏时用沙土或吸附棉围堵吸附，远离火源，禁止烟火；收集物装入备用桶";
    if (strcmp(form, "liquid") == 0 && (hasC || strstr(wastes[waste].constituents, "酸")))
        return "泄漏时用沙土围堵，以石灰或碳酸钠中和后收集；佩戴防腐手套和护目镜";
    if (strcmp(form, "solid") != 0)
        return "泄漏时围堵收集，防止进入水体和下水道；作业人员佩戴防护手套和口罩";
    return "包装破损时防止扬尘和散落，收集后装入备用包装；作业人员佩戴防尘口罩和手套";
}

static void
file_manifest(struct gen *g, struct man *m, int64_t t)
{
    struct party *f = &g->p[m->filer];
    cJSON *b = cJSON_CreateObject(), *lines, *o, *a;
    char prefix[16], date[LD_TM_DATE_LEN];
    int64_t *last, day = ld_domain_day(t);
    int i, j;
    int y, mo, d;

    /* The number (Art. 15): year, the filer's city, the next serial. */
    ld_tm_civil_from_days(day, &y, &mo, &d);
    snprintf(prefix, sizeof prefix, "%04d%.4s", y, f->district);
    last = ld_map_get(g->serials, prefix);
    if (last == NULL) {
        last = ld_xcalloc(1, sizeof *last);
        ld_map_put(g->serials, prefix, last);
    }
    m->number = strtoll(prefix, NULL, 10) * 1000000 + ++*last;
    m->t_file = t;
    party_json(b, f);
    cJSON_AddStringToObject(b, "consignor", m->consignor_receiver ? "receiver" : "producer");
    cJSON_AddStringToObject(b, "receiver", g->p[m->receiver].id);
    cJSON_AddStringToObject(b, "carrier", g->p[m->carrier].id);
    if (m->approval[0])
        cJSON_AddStringToObject(b, "approval", m->approval);
    if (m->paper) {
        o = cJSON_AddObjectToObject(b, "paper");
        date_of(m->paper_from, date);
        cJSON_AddStringToObject(o, "transferred_on", date);
        date_of(m->paper_to, date);
        cJSON_AddStringToObject(o, "completed_on", date);
        g->n_paper++;
    }
    lines = cJSON_AddArrayToObject(b, "lines");
    for (i = 0; i < m->nlines; i++) {
        const struct mline *ln = &m->line[i];
        const struct waste *w = &wastes[ln->waste];
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", w->name);
        if (m->kind == K_PRIMARY && chance(&g->r, 0.3)) {
            char internal[100];
            snprintf(internal, sizeof internal, "%s（%s）", w->name,
                     ln->qty > 5 * TONNE ? "批量" : "日常");
            cJSON_AddStringToObject(o, "internal_name", internal);
        }
        cJSON_AddStringToObject(o, "catalogue", LD_CATALOG_EDITION_2021);
        cJSON_AddStringToObject(o, "code", w->code);
        cJSON_AddStringToObject(o, "category", g->wref[ln->waste].category);
        cJSON_AddItemToObject(o, "hazard", strings(g->wref[ln->waste].hz, g->wref[ln->waste].nhz));
        cJSON_AddStringToObject(o, "form", w->form);
        cJSON_AddStringToObject(o, "constituents", w->constituents);
        cJSON_AddStringToObject(o, "packaging", w->packaging);
        cJSON_AddNumberToObject(o, "packages", ln->packages);
        if (ln->packages <= 24 && m->kind == K_PRIMARY && chance(&g->r, 0.4)) {
            a = cJSON_AddArrayToObject(o, "containers");
            for (j = 0; j < ln->packages; j++) {
                char c[40];
                snprintf(c, sizeof c, "%.8s-%.3s%.3s%.2s-%02d%02d%02d-%03d", f->id + 8, w->code,
                         w->code + 4, w->code + 8, y % 100, mo, d, j + 1);
                cJSON_AddItemToArray(a, cJSON_CreateString(c));
            }
        }
        cJSON_AddNumberToObject(o, "qty_g", (double)ln->qty);
        cJSON_AddStringToObject(o, "emergency", emergency(g, ln->waste));
        if (ln->exempt) {
            cJSON_AddNumberToObject(o, "exemption", ln->exempt);
            g->n_exempt++;
        }
        if (ln->nfrom) {
            a = cJSON_AddArrayToObject(o, "from");
            for (j = 0; j < ln->nfrom; j++) {
                cJSON *dr = cJSON_CreateObject();
                cJSON_AddStringToObject(dr, "batch", ln->from[j].batch);
                cJSON_AddNumberToObject(dr, "qty_g", (double)ln->from[j].qty);
                cJSON_AddItemToArray(a, dr);
            }
        }
        cJSON_AddItemToArray(lines, o);
    }
    emit_man(g, t, "manifest.file", m, f, b);
}

static void
crew_json(struct gen *g, cJSON *b, const struct party *c)
{
    int a = (int)rint_(&g->r, 0, c->ncrew - 1),
        e = (a + 1 + (int)rint_(&g->r, 0, c->ncrew - 2)) % c->ncrew;
    cJSON *o = cJSON_AddObjectToObject(b, "driver");

    cJSON_AddStringToObject(o, "name", c->crew[a].name);
    cJSON_AddStringToObject(o, "licence", c->crew[a].licence);
    o = cJSON_AddObjectToObject(b, "escort");
    cJSON_AddStringToObject(o, "name", c->crew[e].name);
    cJSON_AddStringToObject(o, "licence", c->crew[e].licence);
}

static int64_t
total_qty(const struct man *m)
{
    int64_t s = 0;
    int i;

    for (i = 0; i < m->nlines; i++)
        s += m->line[i].qty;
    return s;
}

static void
vehicle_json(struct gen *g, cJSON *b, const struct party *c, const struct man *m)
{
    char fake[16];

    if (m->offfleet) {
        plate(g, "辽B", 'o', fake);
        cJSON_AddStringToObject(b, "vehicle", fake);
        g->n_offfleet++;
    } else if ((total_qty(m) > 3 * TONNE && c->ntractor) || c->ntruck == 0) {
        int v = (int)rint_(&g->r, 0, c->ntractor - 1);
        cJSON_AddStringToObject(b, "vehicle", c->tractor[v]);
        cJSON_AddStringToObject(b, "trailer", c->trailer[v]);
    } else {
        cJSON_AddStringToObject(b, "vehicle", c->truck[rint_(&g->r, 0, c->ntruck - 1)]);
    }
}

/* Rough coordinates (longitude, latitude) of a district or a hand-over place. */
static void
where(const char *code, double *lon, double *lat)
{
    static const struct {
        const char *code;
        double lon, lat;
    } t[] = {{"210202", 121.644, 38.918}, {"210203", 121.612, 38.914},
             {"210204", 121.583, 38.905}, {"210211", 121.525, 38.953},
             {"210212", 121.262, 38.812}, {"210213", 121.782, 39.095},
             {"210214", 121.963, 39.395}, {"210224", 122.588, 39.272},
             {"210281", 121.452, 39.585}, {"210283", 122.967, 39.681},
             {"210200", 121.614, 38.914}, {"210800", 122.235, 40.667},
             {"370200", 120.383, 36.067}, {"370600", 121.448, 37.464},
             {"130100", 114.514, 38.042}, {"yantai-port", 121.401, 37.551},
             {"pikou", 122.338, 39.402},  {"jinpu-park", 121.851, 39.047}};
    size_t i;

    for (i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(t[i].code, code) == 0) {
            *lon = t[i].lon;
            *lat = t[i].lat;
            return;
        }
    *lon = 121.614;
    *lat = 38.914;
}

/* The leg's GPS track as GeoJSON, stored as an attachment; its SHA-256 goes
 * into the event (schema/events/transport.arrive.json "track"). */
static void
track(struct gen *g, cJSON *b, const struct man *m, const char *from, const char *to, int64_t t)
{
    char buf[2048], hash[65], t0[LD_TM_RFC3339_LEN], t1[LD_TM_RFC3339_LEN];
    double x0, y0, x1, y1;
    size_t n;
    int i, k = 8;

    if (!chance(&g->r, 0.75))
        return;
    where(from, &x0, &y0);
    where(to, &x1, &y1);
    ld_tm_format(m->leg_t, t0);
    ld_tm_format(t, t1);
    n = (size_t)snprintf(buf, sizeof buf,
                         "{\"type\":\"Feature\",\"properties\":{\"manifest\":%lld,"
                         "\"start\":\"%s\",\"end\":\"%s\"},\"geometry\":{\"type\":"
                         "\"LineString\",\"coordinates\":[",
                         (long long)m->number, t0, t1);
    for (i = 0; i <= k && n < sizeof buf - 64; i++) {
        double f = (double)i / k, jx = i % k ? (rreal(&g->r) - 0.5) * 0.02 : 0,
               jy = i % k ? (rreal(&g->r) - 0.5) * 0.02 : 0;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s[%.5f,%.5f]", i ? "," : "",
                              x0 + (x1 - x0) * f + jx, y0 + (y1 - y0) * f + jy);
    }
    n += (size_t)snprintf(buf + n, sizeof buf - n, "]}}");
    if (n >= sizeof buf)
        die("track too long");
    if (ld_store_attachment_put(ld_ledger_store(g->l), buf, n, "application/geo+json", t, hash) !=
        LD_OK)
        die("cannot store a track");
    cJSON_AddStringToObject(b, "track", hash);
    g->n_tracks++;
}

static void
pickup(struct gen *g, struct man *m, int64_t t)
{
    struct party *c = &g->p[m->carrier], *f = &g->p[m->filer];
    cJSON *b = cJSON_CreateObject(), *pk;
    char s[200];
    int i;

    vehicle_json(g, b, c, m);
    crew_json(g, b, c);
    snprintf(s, sizeof s, "%s危险废物贮存库", f->name);
    cJSON_AddStringToObject(b, "start", s);
    if (strcmp(f->district, g->p[m->receiver].district) != 0 && chance(&g->r, 0.6)) {
        snprintf(s, sizeof s, "%s—%s", district_name(g, f->district),
                 district_name(g, g->p[m->receiver].district));
        cJSON_AddStringToObject(b, "route", s);
    }
    pk = cJSON_AddArrayToObject(b, "packages");
    for (i = 0; i < m->nlines; i++)
        cJSON_AddItemToArray(pk, cJSON_CreateNumber(m->line[i].packages));
    m->holder = m->carrier;
    m->leg_t = t;
    emit_man(g, t, "transport.pickup", m, c, b);
}

static const char *
handover_place(const struct gen *g, const struct man *m)
{
    if (g->p[m->carrier2].cs == C_YANTAI)
        return "烟台港客滚码头危险货物车辆待检区";
    if (g->p[m->carrier].cs == C_ISLAND)
        return "普兰店区皮口港客货滚装码头";
    return "大连金普新区危险货物运输车辆专用停车场";
}

static void
handover(struct gen *g, struct man *m, int64_t t)
{
    struct party *c = &g->p[m->carrier2];
    cJSON *b = cJSON_CreateObject();
    struct man tmp = *m;

    cJSON_AddStringToObject(b, "from", g->p[m->holder].id);
    cJSON_AddStringToObject(b, "place", handover_place(g, m));
    tmp.offfleet = 0;
    vehicle_json(g, b, c, &tmp);
    crew_json(g, b, c);
    m->holder = m->carrier2;
    m->leg_t = t;
    g->n_legs2++;
    emit_man(g, t, "transport.handover", m, c, b);
}

static void
arrive(struct gen *g, struct man *m, int64_t t)
{
    cJSON *b = cJSON_CreateObject();
    char s[200];

    snprintf(s, sizeof s, "%s地磅房", g->p[m->receiver].name);
    cJSON_AddStringToObject(b, "place", s);
    track(g, b, m,
          m->carrier2 < 0                    ? g->p[m->filer].district
          : g->p[m->carrier2].cs == C_YANTAI ? "yantai-port"
          : g->p[m->carrier].cs == C_ISLAND  ? "pikou"
                                             : "jinpu-park",
          g->p[m->receiver].district, t);
    emit_man(g, t, "transport.arrive", m, &g->p[m->holder], b);
}

static int64_t
weigh(struct gen *g, int64_t qty)
{
    double noise = (rreal(&g->r) - 0.5) * 0.008;
    int64_t r = (int64_t)((double)qty * (1.0 + noise));

    return qty >= 2 * TONNE ? (r + 10000) / 20000 * 20000 : (r + 50) / 100 * 100;
}

static void
hold_batch(struct party *c, const char *batch, int waste, int64_t qty, int64_t day)
{
    struct hold *h;

    if (c->nholds == c->caph) {
        c->caph = c->caph ? 2 * c->caph : 64;
        c->holds = ld_xrealloc(c->holds, c->caph * sizeof *c->holds);
    }
    h = &c->holds[c->nholds++];
    snprintf(h->batch, sizeof h->batch, "%s", batch);
    h->waste = waste;
    h->qty = qty;
    h->since = day;
}

static void
receipt(struct gen *g, struct man *m, int64_t t)
{
    struct party *r = &g->p[m->receiver];
    cJSON *b = cJSON_CreateObject(), *lines, *o, *d;
    int i, bad = (int)rint_(&g->r, 0, m->nlines - 1), any_r = 0;
    char desc[300], batch[24];
    static const char *const reasons[] = {
        "含水率明显偏高，与联单所载特性及合同约定不符，整车拒收",
        "包装严重破损渗漏，不符合入厂接收要求，整车拒收",
        "抽检发现废物特性与联单所载不符，超出许可证核准范围，整车拒收",
        "现场核验废物名称与联单不一致，无法接收，整车退回另行转移"};

    if (m->fate == F_REJECT) {
        cJSON_AddStringToObject(b, "reason", PICK(&g->r, reasons));
        for (i = 0; i < m->nlines; i++) {
            m->line[i].received = m->line[i].qty;
            m->line[i].accepted = 0;
        }
        g->n_reject++;
        emit_man(g, t, "receipt.reject", m, r, b);
        schedule(g, t + DAY * rint_(&g->r, 3, 15), A_RESHIP, (int)(m - g->m), 0);
        return;
    }
    lines = cJSON_AddArrayToObject(b, "lines");
    for (i = 0; i < m->nlines; i++) {
        struct mline *ln = &m->line[i];
        const struct waste *w = &wastes[ln->waste];
        const char *kinds[2];
        int nk = 0;

        ln->received = weigh(g, ln->qty);
        ln->accepted = ln->received;
        desc[0] = '\0';
        if (i == bad && m->fate == F_DISCREP) {
            double x = rreal(&g->r);
            if (x < 0.6) {
                ln->received = round_qty((
                    int64_t)((double)ln->qty * (chance(&g->r, 0.75) ? 0.85 + 0.11 * rreal(&g->r)
                                                                    : 1.04 + 0.06 * rreal(&g->r))));
                ln->accepted = ln->received;
                kinds[nk++] = "quantity";
                snprintf(desc, sizeof desc, "第%d行实收%.3f吨，联单填报%.3f吨，差异%.1f%%", i + 1,
                         (double)ln->received / TONNE, (double)ln->qty / TONNE,
                         100.0 * (double)(ln->received - ln->qty) / (double)ln->qty);
            } else if (x < 0.8) {
                kinds[nk++] = "packaging";
                snprintf(desc, sizeof desc, "%lld个%s破损渗漏，已现场收集并更换包装",
                         (long long)rint_(&g->r, 1, ln->packages > 3 ? 3 : ln->packages),
                         w->packaging);
            } else if (x < 0.92) {
                kinds[nk++] = "characteristics";
                snprintf(desc, sizeof desc, "含水率约%lld%%，高于联单所载，经协商按实接收",
                         (long long)rint_(&g->r, 35, 60));
            } else {
                kinds[nk++] = "form";
                snprintf(desc, sizeof desc, "联单填报为%s，实际呈%s",
                         strcmp(w->form, "liquid") == 0 ? "液态" : "半固态",
                         strcmp(w->form, "liquid") == 0 ? "半固态（含大量沉淀）" : "液态");
            }
            g->n_discrep++;
        } else if (i == bad && m->fate == F_PARTIAL) {
            int k = ln->packages > 1 ? (int)rint_(&g->r, 1, (ln->packages + 2) / 3) : 0;
            int64_t refuse = k ? ln->received / ln->packages * k : ln->received / 3;
            refuse = round_qty(refuse);
            if (refuse >= ln->received)
                refuse = ln->received / 2;
            ln->accepted = ln->received - refuse;
            kinds[nk++] = "characteristics";
            if (chance(&g->r, 0.5))
                kinds[nk++] = "packaging";
            snprintf(desc, sizeof desc, "%d个%s内废物特性与联单不符（%.3f吨），拒收，另行转移",
                     k ? k : 1, w->packaging, (double)refuse / TONNE);
            g->n_partial++;
            any_r = 1;
        }
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "line", i + 1);
        cJSON_AddNumberToObject(o, "received_g", (double)ln->received);
        cJSON_AddNumberToObject(o, "accepted_g", (double)ln->accepted);
        if (nk) {
            d = cJSON_AddObjectToObject(o, "discrepancy");
            cJSON_AddItemToObject(d, "kinds", strings(kinds, nk));
            cJSON_AddStringToObject(d, "description", desc);
        }
        cJSON_AddItemToArray(lines, o);
        if ((r->roles & R_COLLECTOR) && ln->accepted > 0) {
            snprintf(batch, sizeof batch, "%lld-%02d", (long long)m->number, i + 1);
            hold_batch(r, batch, ln->waste, ln->accepted, ld_domain_day(t));
        }
    }
    emit_man(g, t, "receipt.accept", m, r, b);
    if (any_r)
        schedule(g, t + DAY * rint_(&g->r, 3, 15), A_RESHIP, (int)(m - g->m), 0);
    if (r->rs < 0) {
        /* A producer took its refused load back: it ships it elsewhere. */
        schedule(g, cst(next_workday(g, ld_domain_day(t) + rint_(&g->r, 4, 15)), 9, 30), A_REFILE,
                 (int)(m - g->m), 0);
    } else if (!(r->roles & R_COLLECTOR)) {
        int64_t day = m->paper ? ld_domain_day(t) : ld_domain_day(t) + rint_(&g->r, 2, 20);
        schedule(g, m->paper ? t + 600 : cst(day, 17, (int)rint_(&g->r, 0, 50)), A_DISPOSE,
                 (int)(m - g->m), m->split ? 1 : 0);
    }
}

/* b: 1 = first of two disposals, 2 = the rest, 0 = all at once. */
static void
dispose(struct gen *g, struct man *m, int64_t t, int64_t part)
{
    struct party *r = &g->p[m->receiver];
    cJSON *b = cJSON_CreateObject(), *lines, *o;
    char date[LD_TM_DATE_LEN];
    int i, n = 0;

    date_of(ld_domain_day(t), date);
    cJSON_AddStringToObject(b, "on", date);
    lines = cJSON_AddArrayToObject(b, "lines");
    for (i = 0; i < m->nlines; i++) {
        struct mline *ln = &m->line[i];
        int64_t q = ln->accepted - ln->disposed;
        if (q <= 0)
            continue;
        if (part == 1 && q > 1000)
            q = round_qty(q * (40 + rint_(&g->r, 0, 30)) / 100);
        ln->disposed += q;
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "line", i + 1);
        cJSON_AddStringToObject(o, "method", method_for(r, g->wref[ln->waste].category));
        cJSON_AddNumberToObject(o, "qty_g", (double)q);
        cJSON_AddItemToArray(lines, o);
        n++;
    }
    if (n == 0) {
        cJSON_Delete(b);
        return;
    }
    emit_man(g, t, "disposal.complete", m, r, b);
    if (part == 1)
        schedule(g, cst(ld_domain_day(t) + rint_(&g->r, 3, 10), 17, 30), A_DISPOSE, (int)(m - g->m),
                 2);
}

static void
cancel(struct gen *g, struct man *m, int64_t t)
{
    static const char *const reasons[] = {
        "接受单位设备检修，本次转移推迟，另行填报联单", "运输车辆临时调度变更，本次转移取消",
        "废物数量填报有误，作废后重新填报", "生产计划调整，本批次暂不转移"};
    cJSON *b = cJSON_CreateObject();

    cJSON_AddStringToObject(b, "reason", PICK(&g->r, reasons));
    emit_man(g, t, "manifest.cancel", m, &g->p[m->filer], b);
}

/* Travel time of the first leg (to the hand-over when there is one). */
static int64_t
travel(struct gen *g, const struct man *m, int64_t t)
{
    const struct party *f = &g->p[m->filer], *r = &g->p[m->receiver];

    if (m->carrier2 >= 0 && g->p[m->carrier2].cs == C_YANTAI) /* the night ro-ro ferry */
        return cst(ld_domain_day(t) + 1, 6, (int)rint_(&g->r, 0, 90)) - t;
    if (g->p[m->carrier].cs == C_ISLAND)
        return rint_(&g->r, 3 * 3600, 5 * 3600); /* island ferry to 皮口 */
    if (m->carrier2 >= 0)
        return rint_(&g->r, 2400, 4800);
    if (strncmp(r->district, "13", 2) == 0)
        return rint_(&g->r, 14 * 3600, 20 * 3600);
    if (strncmp(r->district, "2108", 4) == 0)
        return rint_(&g->r, 3 * 3600, 4 * 3600);
    if (strcmp(f->district, r->district) == 0)
        return rint_(&g->r, 2400, 5400);
    if (strstr("210224 210281 210283", f->district) || strstr("210224 210281 210283", r->district))
        return rint_(&g->r, 9000, 16200);
    return rint_(&g->r, 5400, 12600);
}

/* When the receiver weighs and decides: the same afternoon, or the next
 * working morning; late ones well past the 5-working-day deadline. */
static int64_t
receipt_time(struct gen *g, const struct man *m, int64_t arrived)
{
    int64_t day = ld_domain_day(arrived), hour = (arrived + 8 * 3600) % DAY / 3600, t;
    int i;

    if (m->paper)
        return arrived + 120;
    if (hour < 15 && hour >= 8 && workday(g, day))
        t = arrived + rint_(&g->r, 1800, 9000);
    else
        t = cst(day = next_workday(g, day), 8, (int)rint_(&g->r, 40, 150));
    if (m->late) {
        for (i = (int)rint_(&g->r, 6, 12); i > 0; i--)
            day = next_workday(g, day);
        t = cst(day, 10, (int)rint_(&g->r, 0, 59));
        g->n_late++;
    }
    return t;
}

/* Ship on what the receiver of manifest mi holds of it: the refused parts
 * (NUMBER-LLR, by the plant that refused them) or, for a load that went back
 * to its producer, what the producer took back (NUMBER-LL). A load refused
 * whole goes back to its producer half of the time; otherwise lines are
 * grouped by a receiver licensed to take them. */
static void
ship_on(struct gen *g, int mi, int64_t t, int refused)
{
    struct man orig = g->m[mi];
    const struct party *holder = &g->p[orig.receiver];
    int done[MAXCL] = {0}, i, j, rc, not = refused ? orig.receiver : orig.not_receiver;
    int back = refused && orig.fate == F_REJECT && orig.kind == K_PRIMARY &&
               !industries[g->p[orig.filer].industry].small && chance(&g->r, 0.5);

    for (i = 0; i < orig.nlines; i++) {
        struct man *m;
        if (done[i] ||
            (refused ? orig.line[i].received - orig.line[i].accepted : orig.line[i].accepted) <= 0)
            continue;
        rc = back ? orig.filer : pick_receiver(g, wastes[orig.line[i].waste].code, not, 0, holder);
        if (rc < 0)
            die("no receiver to take %lld-%02d%s", (long long)orig.number, i + 1,
                refused ? "R" : "");
        m = new_man(g, back ? K_RETURN : refused ? K_RESHIP : K_REFILE, orig.receiver);
        m->receiver = rc;
        m->not_receiver = orig.receiver;
        m->carrier = back ? orig.carrier : general_carrier(g, holder->district);
        for (j = i; j < orig.nlines; j++) {
            const struct mline *o = &orig.line[j];
            struct mline *ln;
            int64_t q = refused ? o->received - o->accepted : o->accepted;
            if (done[j] || q <= 0 || (!back && !licensed(&g->p[rc], wastes[o->waste].code)))
                continue;
            done[j] = 1;
            ln = &m->line[m->nlines++];
            set_line(g, ln, o->waste, q);
            ln->qty = q;
            ln->exempt = 0;
            ln->from = ld_xcalloc(1, sizeof *ln->from);
            snprintf(ln->from[0].batch, sizeof ln->from[0].batch, "%lld-%02d%s",
                     (long long)orig.number, j + 1, refused ? "R" : "");
            ln->from[0].qty = q;
            ln->nfrom = 1;
        }
        if (back)
            g->n_return++;
        else
            g->n_reship++;
        schedule(g, t, A_FILE, (int)(m - g->m), 0);
    }
}

/* Corrections after closing (manifest.correct, manifest.approve): a receiver
 * re-weighs one line after its weighbridge is calibrated, or a producer
 * corrects the constituents the regulator asked about. Every other party on
 * the manifest approves over the following days; now and then one never does. */
static void
correct(struct gen *g, struct man *m, int64_t t, int producer)
{
    struct party *who = &g->p[producer ? m->filer : m->receiver];
    cJSON *b = cJSON_CreateObject(), *ch, *lines, *o;
    int k = (int)rint_(&g->r, 0, m->nlines - 1), cand[4], i, j, n = 0;
    char text[300];
    int64_t when = t;

    cJSON_AddStringToObject(b, "part", producer ? "producer" : "receiver");
    ch = cJSON_AddObjectToObject(b, "changes");
    lines = cJSON_AddArrayToObject(ch, "lines");
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "line", k + 1);
    if (producer) {
        snprintf(text, sizeof text, "%s，含少量重金属", wastes[m->line[k].waste].constituents);
        cJSON_AddStringToObject(o, "constituents", text);
        cJSON_AddStringToObject(b, "reason", "按生态环境部门要求，补充更正主要有害成分");
    } else {
        int64_t q =
            round_qty(m->line[k].received + m->line[k].received * rint_(&g->r, 2, 6) / 1000);
        cJSON_AddNumberToObject(o, "received_g", (double)q);
        cJSON_AddNumberToObject(o, "accepted_g",
                                (double)(q - (m->line[k].received - m->line[k].accepted)));
        snprintf(text, sizeof text, "地磅检定后复核，第%d行实收量更正为%.3f吨", k + 1,
                 (double)q / TONNE);
        cJSON_AddStringToObject(b, "reason", text);
    }
    cJSON_AddItemToArray(lines, o);
    emit_man(g, t, "manifest.correct", m, who, b);
    memcpy(m->corr, m->head, sizeof m->corr);
    g->n_correct++;
    /* The others: producer, receiver, each leg's carrier (once each). */
    cand[0] = m->filer;
    cand[1] = m->receiver;
    cand[2] = m->carrier;
    cand[3] = m->carrier2;
    for (i = 0; i < 4; i++) {
        int dup = cand[i] < 0 || cand[i] == (int)(who - g->p);
        for (j = 0; j < n; j++)
            dup |= m->approvers[j] == cand[i];
        if (i >= 2 && (cand[i] == m->filer || cand[i] == m->receiver))
            dup = 1;
        if (!dup && n < 3)
            m->approvers[n++] = cand[i];
    }
    m->napprovers = n;
    for (i = 0; i < n; i++) {
        if (i == n - 1 && chance(&g->r, 0.2))
            break; /* still pending at the end of the year */
        when = cst(next_workday(g, ld_domain_day(when) + rint_(&g->r, 0, 4)), 10,
                   (int)rint_(&g->r, 0, 59));
        schedule(g, when, A_APPROVE, (int)(m - g->m), m->approvers[i]);
    }
}

static void
approve(struct gen *g, struct man *m, int64_t t, int party)
{
    cJSON *b = cJSON_CreateObject();

    cJSON_AddStringToObject(b, "correction", m->corr);
    emit_man(g, t, "manifest.approve", m, &g->p[party], b);
    g->n_approve++;
}

/* The regulator asks the producer to correct its part. */
static void
request(struct gen *g, struct man *m, int64_t t)
{
    cJSON *b = cJSON_CreateObject();

    cJSON_AddStringToObject(b, "part", "producer");
    cJSON_AddBoolToObject(b, "request", 1);
    cJSON_AddStringToObject(b, "reason", "抽查发现联单所载主要有害成分不完整，请核实更正");
    emit(g, t, "manifest.correct", m->number, m->head, LD_EVENT_REGULATOR, g->reg, b);
    g->n_request++;
    schedule(g, cst(next_workday(g, ld_domain_day(t) + rint_(&g->r, 1, 5)), 15, 0), A_CORRECT,
             (int)(m - g->m), 1);
}

static int
by_age(const void *a, const void *b)
{
    const struct hold *x = a, *y = b;

    return x->since < y->since ? -1 : x->since > y->since ? 1 : strcmp(x->batch, y->batch);
}

/* A collector ships on what it gathered: one line per kind of waste, drawing
 * on up to 100 of the batches it holds, one manifest per destination. */
static void
consolidate(struct gen *g, int ci, int64_t t)
{
    struct party *c = &g->p[ci];
    int64_t day = ld_domain_day(t), total[W_COUNT] = {0}, oldest[W_COUNT];
    int count[W_COUNT] = {0}, dest[W_COUNT], w, d, island = strcmp(c->district, "210224") == 0;
    size_t i, k;

    if (c->nholds == 0)
        return; /* nothing gathered (qsort must not see a NULL array) */
    qsort(c->holds, c->nholds, sizeof *c->holds, by_age);
    for (w = 0; w < W_COUNT; w++) {
        oldest[w] = day;
        dest[w] = -1;
    }
    for (i = 0; i < c->nholds; i++) {
        w = c->holds[i].waste;
        count[w]++;
        total[w] += c->holds[i].qty;
        if (c->holds[i].since < oldest[w])
            oldest[w] = c->holds[i].since;
    }
    for (w = 0; w < W_COUNT; w++)
        if (count[w] && (count[w] >= 10 || total[w] >= 1500 * KG || day - oldest[w] >= 35))
            dest[w] = pick_receiver(g, wastes[w].code, -1, 0, c);
    for (w = 0; w < W_COUNT; w++) {
        struct man *m;
        int rc = dest[w];
        if (rc < 0)
            continue;
        m = new_man(g, K_CONSOLIDATED, ci);
        m->receiver = rc;
        if (island) {
            for (k = 0; k < g->np; k++)
                if (g->p[k].cs == C_ISLAND)
                    m->carrier = (int)k;
            m->carrier2 = general_carrier(g, "210214");
        } else {
            m->carrier = general_carrier(g, c->district);
        }
        for (d = w; d < W_COUNT && m->nlines < MAXCL; d++) {
            struct mline *ln;
            int64_t q = 0;
            int n = 0;
            if (dest[d] != rc)
                continue;
            dest[d] = -1;
            ln = &m->line[m->nlines++];
            ln->from = ld_xcalloc(MAXDRAW, sizeof *ln->from);
            for (i = 0; i < c->nholds && n < MAXDRAW; i++) {
                if (c->holds[i].waste != d || c->holds[i].qty == 0)
                    continue;
                snprintf(ln->from[n].batch, sizeof ln->from[n].batch, "%s", c->holds[i].batch);
                ln->from[n++].qty = c->holds[i].qty;
                q += c->holds[i].qty;
                c->holds[i].qty = 0; /* shipped on */
            }
            {
                struct draw *keep = ln->from;
                set_line(g, ln, d, q);
                ln->qty = q;
                ln->from = keep;
                ln->nfrom = n;
            }
        }
        if (chance(&g->r, 0.05))
            m->fate = F_DISCREP;
        g->n_consol++;
        schedule(g, t, A_FILE, (int)(m - g->m), 0);
    }
    /* Forget what was shipped on. */
    for (i = k = 0; i < c->nholds; i++)
        if (c->holds[i].qty > 0)
            c->holds[k++] = c->holds[i];
    c->nholds = k;
    schedule(g, cst(next_workday(g, day + 6), 10, 0), A_CONSOLIDATE, ci, 0);
}

/* A hazardous-waste incinerator ships its own fly ash and slag to landfill. */
static void
residue(struct gen *g, int pi, int64_t t)
{
    int rc = pick_receiver(g, wastes[W_INC_ASH].code, pi, 0, &g->p[pi]);
    struct man *m;

    if (rc >= 0) {
        m = new_man(g, K_RESIDUE, pi);
        m->receiver = rc;
        m->carrier = general_carrier(g, g->p[pi].district);
        set_line(g, &m->line[m->nlines++], W_INC_ASH,
                 rint_(&g->r, (int64_t)wastes[W_INC_ASH].min_kg * KG,
                       (int64_t)wastes[W_INC_ASH].max_kg * KG));
        g->n_residue++;
        schedule(g, t, A_FILE, (int)(m - g->m), 0);
    }
    schedule(g, cst(next_workday(g, ld_domain_day(t) + 27), 9, 30), A_RESIDUE, pi, 0);
}

/* A party's signing phone is lost: the regulator revokes the key and
 * certifies a new one. */
static void
rotate(struct gen *g, int pi, int64_t t)
{
    struct party *p = &g->p[pi];
    struct ld_sig_pub pub;
    uint8_t seed[32];
    cJSON *b = cJSON_CreateObject();
    char *vkey;

    ld_sig_secret_pub(p->key, &pub);
    cJSON_AddStringToObject(b, "id", p->id);
    cJSON_AddStringToObject(b, "key", pub.keyid);
    cJSON_AddStringToObject(b, "reason", "签名手机遗失，停用该密钥");
    emit_party(g, t, "party.revoke", p, b);
    ld_sig_secret_free(p->key);
    derive_seed(&g->r, seed);
    if (ld_sig_secret_from_seed(p->id, seed, &p->key) != LD_OK)
        die("cannot make a key");
    ld_sig_secret_pub(p->key, &pub);
    vkey = ld_sig_vkey_format(&pub);
    b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "id", p->id);
    cJSON_AddStringToObject(b, "pub", vkey);
    cJSON_AddStringToObject(b, "until", "2027-12-31T16:00:00Z");
    free(vkey);
    emit_party(g, t + 60, "party.key", p, b);
    g->n_rotate++;
}

/* ---- the year --------------------------------------------------------------- */

/* Example manifests for the summary, one per story. */
enum {
    X_CLOSED,
    X_DISCREP,
    X_PARTIAL,
    X_REJECT,
    X_RESHIP,
    X_RETURN,
    X_CROSS,
    X_ISLAND,
    X_CONSOL,
    X_CORRECT,
    X_OVERDUE,
    X_TRANSIT,
    X_CANCEL,
    X_PAPER,
    X_COUNT
};
static const char *const xnames[X_COUNT] = {"closed, two lines",
                                            "received with a discrepancy",
                                            "accepted in part",
                                            "rejected whole",
                                            "re-shipped refused part",
                                            "returned to its producer",
                                            "cross-province, ferry hand-over",
                                            "island collection, two legs",
                                            "consolidated at a collector",
                                            "corrected after closing",
                                            "arrived, no receipt (overdue)",
                                            "in transit, never arrived",
                                            "cancelled",
                                            "paper manifest entered afterwards"};

static void
run(struct gen *g, int64_t xs[X_COUNT])
{
    while (g->nh) {
        struct action a = pop(g);
        struct man *m = (a.kind <= A_DISPOSE || a.kind == A_CORRECT || a.kind == A_APPROVE ||
                         a.kind == A_REQUEST)
                            ? &g->m[a.a]
                            : NULL;
        int64_t t = a.t;

        switch (a.kind) {
        case A_FILE:
            file_manifest(g, m, t);
            if (m->kind == K_CONSOLIDATED && !xs[X_CONSOL] && m->line[0].nfrom >= 5)
                xs[X_CONSOL] = m->number;
            if (m->kind == K_RESHIP && !xs[X_RESHIP])
                xs[X_RESHIP] = m->number;
            if (m->kind == K_RETURN && !xs[X_RETURN])
                xs[X_RETURN] = m->number;
            if (m->paper && !xs[X_PAPER])
                xs[X_PAPER] = m->number;
            if (m->fate == F_CANCEL) {
                schedule(g, t + rint_(&g->r, 3600, 20 * 3600), A_CANCEL, a.a, 0);
            } else if (m->paper) {
                schedule(g, t + 120, A_PICKUP, a.a, 0);
            } else {
                int64_t day = ld_domain_day(t), hour = (t + 8 * 3600) % DAY / 3600;
                schedule(g,
                         hour < 15 ? t + rint_(&g->r, 1800, 3 * 3600)
                                   : cst(next_workday(g, day), 8, (int)rint_(&g->r, 30, 90)),
                         A_PICKUP, a.a, 0);
            }
            break;
        case A_CANCEL:
            cancel(g, m, t);
            if (!xs[X_CANCEL])
                xs[X_CANCEL] = m->number;
            break;
        case A_PICKUP:
            pickup(g, m, t);
            if (m->fate == F_STUCK) {
                if (!xs[X_TRANSIT])
                    xs[X_TRANSIT] = m->number;
                break;
            }
            schedule(g, m->paper ? t + 120 : t + travel(g, m, t),
                     m->carrier2 >= 0 ? A_HANDOVER : A_ARRIVE, a.a, 0);
            break;
        case A_HANDOVER:
            handover(g, m, t);
            if (g->p[m->carrier2].cs == C_YANTAI && !xs[X_CROSS])
                xs[X_CROSS] = m->number;
            if (g->p[m->carrier].cs == C_ISLAND && !xs[X_ISLAND])
                xs[X_ISLAND] = m->number;
            schedule(g,
                     t + (g->p[m->carrier2].cs == C_YANTAI ? rint_(&g->r, 4 * 3600, 5 * 3600)
                                                           : rint_(&g->r, 3600, 2 * 3600)),
                     A_ARRIVE, a.a, 0);
            break;
        case A_ARRIVE:
            arrive(g, m, t);
            if (m->fate == F_OVERDUE) {
                if (!xs[X_OVERDUE] && t < g->end_t - 30 * DAY)
                    xs[X_OVERDUE] = m->number;
                break;
            }
            schedule(g, receipt_time(g, m, t), A_RECEIPT, a.a, 0);
            break;
        case A_RECEIPT:
            receipt(g, m, t);
            if (m->fate == F_DISCREP && !xs[X_DISCREP])
                xs[X_DISCREP] = m->number;
            if (m->fate == F_PARTIAL && !xs[X_PARTIAL])
                xs[X_PARTIAL] = m->number;
            if (m->fate == F_REJECT && !xs[X_REJECT])
                xs[X_REJECT] = m->number;
            break;
        case A_DISPOSE: {
            int i, open = 0;
            dispose(g, m, t, a.b);
            for (i = 0; i < m->nlines; i++)
                open |= m->line[i].disposed < m->line[i].accepted;
            if (open || m->kind != K_PRIMARY || m->carrier == m->receiver)
                break;
            if (m->fate == F_NORMAL && m->nlines == 2 && !xs[X_CLOSED])
                xs[X_CLOSED] = m->number;
            if (chance(&g->r, 0.012))
                schedule(g, cst(next_workday(g, ld_domain_day(t) + rint_(&g->r, 3, 40)), 14, 0),
                         A_CORRECT, a.a, 0);
            else if (chance(&g->r, 0.004))
                schedule(g, cst(next_workday(g, ld_domain_day(t) + rint_(&g->r, 10, 60)), 9, 0),
                         A_REQUEST, a.a, 0);
            break;
        }
        case A_RESHIP:
            ship_on(g, a.a, t, 1);
            break;
        case A_REFILE:
            ship_on(g, a.a, t, 0);
            break;
        case A_CORRECT:
            correct(g, m, t, (int)a.b);
            if (!xs[X_CORRECT])
                xs[X_CORRECT] = m->number;
            break;
        case A_APPROVE:
            approve(g, m, t, (int)a.b);
            break;
        case A_REQUEST:
            request(g, m, t);
            break;
        case A_CONSOLIDATE:
            consolidate(g, a.a, t);
            break;
        case A_RESIDUE:
            residue(g, a.a, t);
            break;
        case A_RENEW: {
            int64_t day = ld_domain_day(t);
            /* 延续: a new number and term; the start stays, so that earlier
             * filings still read as licensed. */
            record_licence(g, t, &g->p[a.a], g->p[a.a].lic_from, day + 5 * 365 - 1,
                           (int)rint_(&g->r, 121, 240));
            g->n_renew++;
            break;
        }
        case A_ROTATE:
            rotate(g, a.a, t);
            break;
        }
    }
    flush(g);
}

/* ---- output ------------------------------------------------------------------ */

static void
write_file(const char *dir, const char *name, const char *text, int mode)
{
    char path[4096];
    int fd;
    size_t n = strlen(text);

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, text, n) != (ssize_t)n || close(fd) != 0)
        die("cannot write '%s': %s", path, strerror(errno));
}

static void
write_key(const char *dir, const char *name, const struct ld_sig_secret *k)
{
    struct ld_sig_pub pub;
    char *text = NULL, *vkey, *line, file[64];

    if (ld_sig_secret_export(k, NULL, &text) != LD_OK)
        die("cannot export a key");
    snprintf(file, sizeof file, "%s.key", name);
    write_file(dir, file, text, 0600);
    free(text);
    ld_sig_secret_pub(k, &pub);
    vkey = ld_sig_vkey_format(&pub);
    line = ld_xasprintf("%s\n", vkey);
    snprintf(file, sizeof file, "%s.key.pub", name);
    write_file(dir, file, line, 0644);
    free(line);
    free(vkey);
}

static const char *
roles_str(unsigned r, char out[64])
{
    snprintf(out, 64, "%s%s%s%s", r & R_PRODUCER ? "producer," : "",
             r & R_CARRIER ? "carrier," : "", r & R_RECEIVER ? "receiver," : "",
             r & R_COLLECTOR ? "collector," : "");
    if (out[0])
        out[strlen(out) - 1] = '\0';
    return out;
}

static const char *const keyfiles[4] = {"producer", "carrier", "receiver", "collector"};

static void
summary(struct gen *g, const char *dir, const int64_t xs[X_COUNT], const int keyowner[4],
        double secs)
{
    struct ld_store *s = ld_ledger_store(g->l);
    struct ld_store_q *q = NULL;
    uint8_t root[LD_MERKLE_HASH];
    char hex[65];
    unsigned long nrole[4] = {0}, total = 0;
    size_t k;
    int i;

    for (k = 0; k < g->np; k++)
        for (i = 0; i < 4; i++)
            nrole[i] += (g->p[k].roles >> i) & 1;
    printf("gen-demo: %s/ledger.db: %llu events in %.1f s\n", dir,
           (unsigned long long)ld_ledger_size(g->l), secs);
    printf("parties: %zu (producer %lu, carrier %lu, receiver %lu, collector %lu)\n", g->np,
           nrole[0], nrole[1], nrole[2], nrole[3]);
    printf("manifests by state:\n");
    if (ld_store_q(s, "SELECT state, COUNT(*) FROM manifests GROUP BY state ORDER BY 2 DESC", &q) !=
        LD_OK)
        die("cannot query manifests");
    while (ld_store_q_step(q) == LD_OK) {
        printf("  %-26s %6lld\n", ld_store_q_col_text(q, 0), (long long)ld_store_q_col_int(q, 1));
        total += (unsigned long)ld_store_q_col_int(q, 1);
    }
    ld_store_q_done(q);
    printf("  %-26s %6lu\n", "total", total);
    printf("stories: %lu with a discrepancy, %lu accepted in part, %lu rejected whole, "
           "%lu re-shipments,\n  %lu consolidated at collectors, %lu residue shipments, "
           "%lu cross-province (with approval),\n  %lu hand-overs, %lu paper, %lu late "
           "receipts, %lu vehicles off the permit,\n  %lu exempted lines, %lu licence renewals, "
           "%lu key rotations, %lu loads returned to their producer,\n  %lu corrections "
           "(%lu requested by the regulator, %lu approvals), %lu GPS tracks stored\n",
           g->n_discrep, g->n_partial, g->n_reject, g->n_reship, g->n_consol, g->n_residue,
           g->n_cross, g->n_legs2, g->n_paper, g->n_late, g->n_offfleet, g->n_exempt, g->n_renew,
           g->n_rotate, g->n_return, g->n_correct, g->n_request, g->n_approve, g->n_tracks);
    if (ld_ledger_root(g->l, ld_ledger_size(g->l), root) == LD_OK)
        printf("root: %s\n", ld_enc_hex(root, sizeof root, hex));
    printf("examples (liandan show NUMBER):\n");
    for (i = 0; i < X_COUNT; i++)
        if (xs[i])
            printf("  %-34s %lld\n", xnames[i], (long long)xs[i]);
    printf("development keys (unencrypted, never commit them):\n");
    printf("  %s/regulator.key  the regulator (dalian-eeb.regulator)\n", dir);
    for (i = 0; i < 4; i++)
        printf("  %s/%s.key%*s %s %s\n", dir, keyfiles[i], (int)(10 - strlen(keyfiles[i])), "",
               g->p[keyowner[i]].id, g->p[keyowner[i]].name);
}

static void
write_parties(struct gen *g, const char *dir)
{
    size_t k, cap = 4096, n = 0;
    char *buf = ld_xmalloc(cap), roles[64], *line;

    n = (size_t)snprintf(buf, cap, "uscc\tname\troles\tdistrict\n");
    for (k = 0; k < g->np; k++) {
        const struct party *p = &g->p[k];
        line = ld_xasprintf("%s\t%s\t%s\t%s\n", p->id, p->name, roles_str(p->roles, roles),
                            p->district);
        if (n + strlen(line) + 1 > cap) {
            cap = 2 * (n + strlen(line) + 1);
            buf = ld_xrealloc(buf, cap);
        }
        memcpy(buf + n, line, strlen(line) + 1);
        n += strlen(line);
        free(line);
    }
    write_file(dir, "parties.tsv", buf, 0644);
    free(buf);
}

static int
find_party(const struct gen *g, int rs, int cs, int industry)
{
    size_t k;
    int best = -1;

    for (k = 0; k < g->np; k++) {
        const struct party *p = &g->p[k];
        if ((rs >= 0 && p->rs == rs) || (cs >= 0 && p->cs == cs))
            return (int)k;
        if (industry >= 0 && p->industry == industry && (best < 0 || p->rate > g->p[best].rate))
            best = (int)k;
    }
    return best;
}

/* ---- main ---------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
    struct gen g;
    const char *dir = NULL;
    unsigned long long seed = 2026, target = 3000;
    char db[4096], *text = NULL, *vkey = NULL, now[LD_TM_RFC3339_LEN];
    struct ld_err err;
    struct ld_ledger_opts o;
    struct ld_sig_pub regpub;
    struct ld_sig_secret *lkey = NULL;
    uint8_t s32[32];
    struct timespec t0, t1;
    int64_t xs[X_COUNT] = {0};
    int keyowner[4];
    double sum = 0, scale;
    size_t k;
    int i, w;
    struct stat st;

    for (i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], &end, 10);
        } else if (strcmp(argv[i], "--manifests") == 0 && i + 1 < argc) {
            target = strtoull(argv[++i], &end, 10);
            if (target < 1 || target > 200000)
                end = NULL;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (argv[i][0] != '-' && dir == NULL) {
            dir = argv[i];
            continue;
        } else {
            fputs(usage, stderr);
            return 2;
        }
        if (end == NULL || *end != '\0') {
            fprintf(stderr, "gen-demo: '%s' is not a valid number for %s\n", argv[i], argv[i - 1]);
            return 2;
        }
    }
    if (dir == NULL) {
        fputs(usage, stderr);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        die("cannot create '%s': %s", dir, strerror(errno));
    snprintf(db, sizeof db, "%s/ledger.db", dir);
    if (stat(db, &st) == 0)
        die("'%s' already exists: remove it or choose another directory", db);
    if (ld_sig_init() != LD_OK)
        die("cannot initialise libsodium");

    memset(&g, 0, sizeof g);
    memset(&err, 0, sizeof err);
    rng_seed(&g.r, seed);
    g.names = ld_map_new();
    g.ids = ld_map_new();
    g.serials = ld_map_new();
    if (ld_catalog_new(&g.cat, &err) != LD_OK)
        die("cannot load the catalogue: %s", err.msg);
    g.wd = ld_workday_new();
    if (ld_workday_load_builtin(g.wd, &err) != LD_OK)
        die("cannot load the working-day calendar: %s", err.msg);
    for (w = 0; w < W_COUNT; w++) {
        static const char *const hn[5] = {"T", "C", "I", "R", "In"};
        const struct ld_catalog_waste *cw = NULL;
        unsigned bits;
        int b;
        if (ld_catalog_waste(g.cat, LD_CATALOG_EDITION_2021, wastes[w].code, NULL, &cw, NULL) !=
            LD_OK)
            die("'%s' is not in the catalogue", wastes[w].code);
        g.wref[w].category = cw->category;
        /* "a,b": has a, may have b: declare them all; "a/b": one or more: the first. */
        bits = strchr(cw->hazard, '/') ? cw->haz_allowed & -cw->haz_allowed : cw->haz_allowed;
        for (b = 0; b < 5; b++)
            if (bits & (1u << b))
                g.wref[w].hz[g.wref[w].nhz++] = hn[b];
        if (!ld_domain_hazard_ok(LD_CATALOG_EDITION_2021, wastes[w].code, g.wref[w].hz,
                                 (size_t)g.wref[w].nhz))
            die("hazard declaration for %s does not fit '%s'", wastes[w].code, cw->hazard);
        if (wastes[w].exemption && !ld_domain_exemption_covers(wastes[w].exemption, wastes[w].code))
            die("exemption %d does not cover %s", wastes[w].exemption, wastes[w].code);
    }

    /* The ledger, with keys derived from the seed. */
    derive_seed(&g.r, s32);
    if (ld_sig_secret_from_seed("dalian-eeb.regulator", s32, &g.reg) != LD_OK)
        die("cannot make the regulator key");
    derive_seed(&g.r, s32);
    if (ld_sig_secret_from_seed("dalian.example/liandan", s32, &lkey) != LD_OK ||
        ld_sig_secret_export(lkey, NULL, &text) != LD_OK)
        die("cannot make the ledger key");
    write_file(dir, "ledger.db.ledger.key", text, 0600);
    free(text);
    ld_sig_secret_free(lkey);
    ld_sig_secret_pub(g.reg, &regpub);
    g.start_day = ld_tm_days_from_civil(YEAR, 1, 5);
    while (!workday(&g, g.start_day))
        g.start_day++;
    g.end_t = cst(ld_tm_days_from_civil(YEAR, 12, 31), 20, 0);
    ld_tm_format(cst(g.start_day, 8, 0), now);
    setenv(LD_TM_NOW_ENV, now, 1);
    if (ld_ledger_create(db, "dalian.example/liandan", &regpub, NULL, NULL, &vkey, &err) != LD_OK)
        die("cannot create '%s': %s", db, err.msg);
    free(vkey);
    memset(&o, 0, sizeof o);
    o.store_flags = LD_STORE_SYNC_NORMAL; /* generated data: one fsync per batch is plenty */
    if (ld_ledger_open(db, &o, &g.l, &err) != LD_OK || ld_domain_register(g.l) != LD_OK)
        die("cannot open '%s': %s", db, err.msg);
    g.btext = ld_xcalloc(BATCH_MAX, sizeof *g.btext);
    g.blen = ld_xcalloc(BATCH_MAX, sizeof *g.blen);
    g.p = ld_xcalloc(PARTY_MAX, sizeof *g.p);

    make_parties(&g);

    /* The year's plan: producers' trips, collectors' rounds, residues, key rotations. */
    for (k = 0; k < g.np; k++)
        sum += g.p[k].rate;
    scale = (double)target * 0.89 / sum;
    for (k = 0; k < g.np; k++) {
        int n;
        if (g.p[k].industry < 0)
            continue;
        n = (int)(g.p[k].rate * scale + rreal(&g.r));
        while (n-- > 0) {
            int64_t day;
            do
                day = rint_(&g.r, g.start_day + 1, ld_tm_days_from_civil(YEAR, 12, 30));
            while (!workday(&g, day));
            plan_primary(&g, (int)k, cst(day, 8, (int)rint_(&g.r, 30, 8 * 60 + 30)));
        }
    }
    for (k = 0; k < g.np; k++) {
        if (g.p[k].roles & R_COLLECTOR)
            schedule(&g, cst(next_workday(&g, g.start_day + 9 + (int64_t)k % 5), 10, 0),
                     A_CONSOLIDATE, (int)k, 0);
        if (g.p[k].rs >= 0 && (g.p[k].roles & R_PRODUCER))
            schedule(&g, cst(next_workday(&g, g.start_day + 25), 9, 30), A_RESIDUE, (int)k, 0);
    }
    for (i = 0; i < 3; i++) {
        int pi = find_party(&g, -1, -1, (int)rint_(&g.r, 0, 4));
        schedule(&g, cst(next_workday(&g, g.start_day + rint_(&g.r, 60, 280)), 7, 50 + i), A_ROTATE,
                 pi, 0);
    }

    run(&g, xs);

    /* Keys of one party per role: the largest petrochemical producer, the
     * largest carrier, the incinerator, the Jinpu collector. */
    keyowner[0] = find_party(&g, -1, -1, 0);
    keyowner[1] = find_party(&g, -1, 0, -1);
    keyowner[2] = find_party(&g, 0, -1, -1);
    keyowner[3] = find_party(&g, 12, -1, -1);
    write_key(dir, "regulator", g.reg);
    for (i = 0; i < 4; i++)
        write_key(dir, keyfiles[i], g.p[keyowner[i]].key);
    write_parties(&g, dir);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    summary(&g, dir, xs, keyowner,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

    ld_ledger_close(g.l);
    for (k = 0; k < g.np; k++) {
        size_t c;
        ld_sig_secret_free(g.p[k].key);
        for (c = 0; c < g.p[k].ncodes; c++)
            free(g.p[k].codes[c]);
        free(g.p[k].codes);
        free(g.p[k].holds);
    }
    for (k = 0; k < g.nm; k++)
        for (i = 0; i < g.m[k].nlines; i++)
            free(g.m[k].line[i].from);
    free(g.m);
    free(g.p);
    free(g.heap);
    free(g.btext);
    free(g.blen);
    ld_map_free(g.names, NULL);
    ld_map_free(g.ids, NULL);
    ld_map_free(g.serials, free);
    ld_catalog_free(g.cat);
    ld_workday_free(g.wd);
    ld_sig_secret_free(g.reg);
    return 0;
}
