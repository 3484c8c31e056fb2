/* thermo_stats.c - the measured temperature of a run from its thermo CSV (thermo_stats.h),
 * the reader of a thermo CSV's named columns that it and the study's NPT check and density
 * figures share, and the block standard error they all use.
 *
 * The file is read once into arrays (time, T); the window is then chosen and the mean
 * and block error computed over it. A 10 ns run written every 100 steps is 1e5 rows, so
 * keeping them costs little and keeps the window rule in one place. */
#define _POSIX_C_SOURCE 200809L
#include "glassmd/thermo_stats.h"
#include "glassmd/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Field `index` (0-based) of a comma-separated line, trimmed of white space; 0 when the
 * line has fewer fields. */
static int csv_field(const char *line, int index, const char **start, size_t *len)
{
    const char *p = line;
    for (int k = 0; k < index; k++) {
        p = strchr(p, ',');
        if (!p) return 0;
        p++;
    }
    const char *end = p + strcspn(p, ",\r\n");
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    *start = p;
    *len = (size_t)(end - p);
    return 1;
}

/* The index of the header column called name, or -1. */
static int header_index(const char *header, const char *name)
{
    const char *f;
    size_t len;
    for (int k = 0; csv_field(header, k, &f, &len); k++)
        if (len == strlen(name) && strncmp(f, name, len) == 0) return k;
    return -1;
}

static gmd_status field_number(const char *path, long line_no, const char *line, int index,
                               const char *name, double *out, gmd_error *err)
{
    const char *f;
    size_t len;
    if (!csv_field(line, index, &f, &len))
        return gmd_fail(err, GMD_ERR_PARSE,
                        "%s:%ld: the row has no %s column (too few fields; a run cut short?); "
                        "remove the incomplete row",
                        path, line_no, name);
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return gmd_fail(err, GMD_ERR_PARSE, "%s:%ld: %s '%.*s' is not a number; fix the row", path,
                        line_no, name, (int)(len > 60 ? 60 : len), f);
    memcpy(buf, f, len);
    buf[len] = '\0';
    if (gmd_text_to_double(buf, out) != 0)
        return gmd_fail(err, GMD_ERR_PARSE, "%s:%ld: %s '%s' is not a number; fix the row", path,
                        line_no, name, buf);
    return GMD_OK;
}

static gmd_status push_row(gmd_thermo_table *t, const double *v, gmd_error *err)
{
    if (t->n == t->cap) {
        long cap = t->cap ? 2 * t->cap : 1024;
        for (int c = 0; c < t->ncols; c++) {
            double *g = gmd_realloc(t->col[c], (size_t)cap, sizeof *g, "thermo columns", err);
            if (!g) return GMD_ERR_NOMEM;
            t->col[c] = g;
        }
        t->cap = cap;
    }
    for (int c = 0; c < t->ncols; c++)
        t->col[c][t->n] = v[c];
    t->n++;
    return GMD_OK;
}

static int skippable(const char *line)
{
    const char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0' || *p == '#';
}

/* Finds the wanted columns in the header line. */
static gmd_status read_header(const char *path, long line_no, const char *line,
                              const char *const *names, int ncols, int *index, const char *cure,
                              gmd_error *err)
{
    for (int c = 0; c < ncols; c++)
        if ((index[c] = header_index(line, names[c])) < 0)
            return gmd_fail(err, GMD_ERR_PARSE, "%s:%ld: the header has no %s column; %s", path,
                            line_no, names[c], cure);
    return GMD_OK;
}

/* One data row's wanted fields into v. */
static gmd_status read_row(const char *path, long line_no, const char *line,
                           const char *const *names, int ncols, const int *index, double *v,
                           gmd_error *err)
{
    gmd_status st = GMD_OK;
    for (int c = 0; st == GMD_OK && c < ncols; c++)
        st = field_number(path, line_no, line, index[c], names[c], &v[c], err);
    return st;
}

static gmd_status read_table(const char *path, FILE *fp, const char *const *names, int ncols,
                             const char *cure, gmd_thermo_table *t, gmd_error *err)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long line_no = 0;
    int index[GMD_THERMO_MAX_COLUMNS], have_header = 0;
    gmd_status st = GMD_OK;
    while (st == GMD_OK && (len = getline(&line, &cap, fp)) >= 0) {
        line_no++;
        if (skippable(line)) continue;
        if (!have_header) {
            st = read_header(path, line_no, line, names, ncols, index, cure, err);
            have_header = 1;
            continue;
        }
        double v[GMD_THERMO_MAX_COLUMNS];
        gmd_error row_err;
        st = read_row(path, line_no, line, names, ncols, index, v, &row_err);
        /* a line without its newline is the file's last: a run killed while writing it */
        int torn = st != GMD_OK && (len == 0 || line[len - 1] != '\n');
        if (torn) {
            t->torn_last = 1;
            st = GMD_OK;
        } else if (st != GMD_OK) {
            if (err) *err = row_err;
        } else
            st = push_row(t, v, err);
    }
    free(line);
    if (st == GMD_OK && ferror(fp)) st = gmd_fail(err, GMD_ERR_IO, "%s: read error", path);
    if (st == GMD_OK && t->n == 0)
        st = gmd_fail(err, GMD_ERR_PARSE, "%s: no data rows%s; %s", path,
                      have_header ? "" : " (and no header)", cure);
    return st;
}

gmd_status gmd_thermo_table_read(const char *path, const char *const *names, int ncols,
                                 const char *cure, gmd_thermo_table *t, gmd_error *err)
{
    memset(t, 0, sizeof *t);
    if (ncols < 1 || ncols > GMD_THERMO_MAX_COLUMNS)
        return gmd_fail(err, GMD_ERR_INTERNAL, "thermo table: %d columns asked for (1..%d)", ncols,
                        GMD_THERMO_MAX_COLUMNS);
    t->ncols = ncols;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open the thermo file (%s); %s", path,
                        strerror(errno), cure);
    gmd_status st = read_table(path, fp, names, ncols, cure, t, err);
    fclose(fp);
    return st;
}

void gmd_thermo_table_free(gmd_thermo_table *t)
{
    for (int c = 0; c < GMD_THERMO_MAX_COLUMNS; c++)
        free(t->col[c]);
    memset(t, 0, sizeof *t);
}

/* The rows [*first, *last] of the window, or 0 when the window is not comparable. */
static int window_rows(const gmd_thermo_table *r, double t0, double t1, long *first, long *last)
{
    if (!(isfinite(t0) && isfinite(t1) && t0 <= t1)) return 0;
    double tol = 1e-6 * (1.0 + fmax(fabs(t0), fabs(t1)));
    const double *time = r->col[0];
    double tmin = time[0], tmax = time[0];
    for (long i = 1; i < r->n; i++)
        tmin = fmin(tmin, time[i]), tmax = fmax(tmax, time[i]);
    if (t0 < tmin - tol || t1 > tmax + tol) return 0;
    long a = -1, b = -1, count = 0;
    for (long i = 0; i < r->n; i++)
        if (time[i] >= t0 - tol && time[i] <= t1 + tol) {
            if (a < 0) a = i;
            b = i;
            count++;
        }
    /* rows are in time order in a thermo file; a window that is not one contiguous run of
     * rows (times that jump back) is not one we can trust */
    if (count < 2 || count != b - a + 1) return 0;
    *first = a, *last = b;
    return 1;
}

void gmd_block_mean(const double *x, long n, int nblocks, int detrend, double *mean, double *err)
{
    double s = 0.0, sx = 0.0, sxx = 0.0, sxy = 0.0;
    for (long i = 0; i < n; i++) {
        const double u = (double)i;
        s += x[i], sx += u, sxx += u * u, sxy += u * x[i];
    }
    *mean = n > 0 ? s / (double)n : NAN;
    *err = NAN;
    if (nblocks > GMD_THERMO_MAX_BLOCKS) nblocks = GMD_THERMO_MAX_BLOCKS;
    const long B = nblocks < n ? nblocks : n, lost = detrend ? 2 : 1;
    if (B <= lost) return;
    const double den = (double)n * sxx - sx * sx;
    const double slope = detrend && den > 0.0 ? ((double)n * sxy - sx * s) / den : 0.0;
    const double icpt = (s - slope * sx) / (double)n;
    const long m = n / B, skip = n - B * m;
    double bbar = 0.0, ss = 0.0, bm[GMD_THERMO_MAX_BLOCKS];
    for (long k = 0; k < B; k++) {
        double t = 0.0;
        for (long i = skip + k * m; i < skip + (k + 1) * m; i++)
            t += detrend ? x[i] - (icpt + slope * (double)i) : x[i];
        bm[k] = t / (double)m;
        bbar += bm[k];
    }
    bbar /= (double)B;
    for (long k = 0; k < B; k++)
        ss += (bm[k] - bbar) * (bm[k] - bbar);
    *err = sqrt(ss / ((double)B * (double)(B - lost)));
}

gmd_status gmd_thermo_mean_temperature(const char *path, double t0_ps, double t1_ps, int nblocks,
                                       gmd_thermo_mean *out, gmd_error *err)
{
    memset(out, 0, sizeof *out);
    if (nblocks <= 0) nblocks = GMD_THERMO_BLOCKS;
    if (nblocks > GMD_THERMO_MAX_BLOCKS) nblocks = GMD_THERMO_MAX_BLOCKS;
    static const char *const names[2] = {"time_ps", "T_K"};
    gmd_thermo_table rows;
    gmd_status st = gmd_thermo_table_read(
        path, names, 2,
        "give glassmd's thermo.csv (header step,time_ps,T_K,...) of a run that has started, or a "
        "temperature in K",
        &rows, err);
    if (st == GMD_OK) {
        long a = 0, b = rows.n - 1;
        out->whole_file = !window_rows(&rows, t0_ps, t1_ps, &a, &b);
        if (out->whole_file) a = 0, b = rows.n - 1;
        out->nrows = b - a + 1;
        out->nrows_file = rows.n;
        out->t0_ps = rows.col[0][a];
        out->t1_ps = rows.col[0][b];
        long B = nblocks < out->nrows ? nblocks : out->nrows;
        out->nblocks = (int)B;
        gmd_block_mean(rows.col[1] + a, out->nrows, (int)B, 0, &out->mean_K, &out->err_K);
    }
    gmd_thermo_table_free(&rows);
    return st;
}
