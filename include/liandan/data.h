/*
 * data.h - reference data carried inside the binary, and the CSV reader that
 * parses it (the hazardous-waste catalogue, exemptions, method codes, GB/T
 * 2260 places and the State Council holiday calendar; data/README.md).
 *
 * tools/embed-data turns the data/ CSV files into gen/data.c, which defines
 * ld_data_files[] and ld_data_file_count, so nothing is looked up on disk at
 * run time. The texts are immutable: every function here is reentrant, and an
 * ld_data_csv reader belongs to one thread at a time.
 */
#ifndef LIANDAN_DATA_H
#define LIANDAN_DATA_H

#include <stddef.h>

#include "liandan/buf.h"
#include "liandan/err.h"

/* One embedded file. */
struct ld_data_file {
    const char *name; /* base file name, "hw-catalogue-2021.csv" */
    const char *text; /* the file's bytes, unchanged; text[len] == '\0' */
    size_t len;       /* bytes, not counting that NUL */
};

/* Defined by the generated gen/data.c (tools/embed-data), in command-line order. */
extern const struct ld_data_file ld_data_files[];
extern const size_t ld_data_file_count;

/*
 * Find an embedded file by its base name (linear search; there are a handful).
 * [in] name: "hw-catalogue-2021.csv"; borrowed.
 * Returns a pointer into the static table, or NULL if no file has that name.
 */
const struct ld_data_file *ld_data_get(const char *name);

/*
 * CSV reader (RFC 4180) over text in memory, one record at a time.
 *
 * - Records end with CRLF or LF; the last one may lack it. Entirely empty
 *   lines are skipped. A UTF-8 byte order mark at the very start is skipped.
 * - A field is either unquoted (no '"', CR or LF inside) or enclosed in
 *   double quotes, inside which "" stands for one '"' and commas, CR and LF
 *   are data. Nothing may follow a closing quote but ',' or the record end.
 * - Every field must be valid UTF-8 without NUL or control characters other
 *   than TAB (and CR/LF inside quotes).
 * - Every record must have exactly nfields fields.
 *
 * Errors are LD_PARSE; err->field is "NAME:LINE" and err->msg starts with
 * "line LINE: ", LINE being the 1-based line on which the record starts.
 */
#define LD_DATA_CSV_MAX_FIELDS 16

struct ld_data_csv {
    const char *name;  /* source name for messages ("cn-holidays.csv"); borrowed */
    const char *text;  /* input; borrowed */
    size_t len;        /* bytes of input */
    size_t pos;        /* offset of the next unread byte */
    size_t next_line;  /* line number at pos */
    size_t line;       /* line on which the last record read starts */
    size_t nfields;    /* fields every record must have */
    struct ld_buf buf; /* owned: the last record's unquoted, NUL-separated fields */
    const char *field[LD_DATA_CSV_MAX_FIELDS]; /* last record's fields, into buf */
};

/*
 * Start reading text. Nothing is allocated until the first record.
 * [out] c: the reader; release with ld_data_csv_release().
 * [in] name: source name used in messages; borrowed for the reader's life.
 * [in] text, len: the input (need not be NUL-terminated); borrowed likewise.
 * [in] nfields: fields per record, 1..LD_DATA_CSV_MAX_FIELDS (asserted).
 */
void ld_data_csv_init(struct ld_data_csv *c, const char *name, const char *text, size_t len,
                      size_t nfields);

/*
 * Read the next record into c->field[0..nfields-1] (valid until the next call
 * or the release).
 * [out] got: set on LD_OK: 1 when a record was read, 0 at the end of the input.
 * [out] err: may be NULL; receives LD_PARSE with the line number.
 * Returns LD_OK or LD_PARSE; after LD_PARSE the reader must not be used again.
 */
enum ld_rc ld_data_csv_next(struct ld_data_csv *c, int *got, struct ld_err *err);

/*
 * Read the first record and check that it is exactly the header names[0..nfields-1].
 * Returns LD_OK, or LD_PARSE (also for empty input) with the line number.
 */
enum ld_rc ld_data_csv_header(struct ld_data_csv *c, const char *const *names, struct ld_err *err);

/*
 * Record rc and a printf-style message about the last record read, located
 * as the reader's own errors are ("NAME:LINE", "line LINE: ..."), so that
 * callers can refuse a well-formed row: rc = ld_data_csv_fail(c, err, LD_INVALID, "...").
 * Returns rc.
 */
enum ld_rc ld_data_csv_fail(const struct ld_data_csv *c, struct ld_err *err, enum ld_rc rc,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Free the reader's buffer. Safe after any result, and twice. */
void ld_data_csv_release(struct ld_data_csv *c);

#endif
