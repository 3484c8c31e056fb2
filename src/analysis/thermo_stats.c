/* thermo_stats.c - the measured temperature of a run from its thermo CSV (thermo_stats.h).
 *
 * The file is read once into two arrays (time, T); the window is then chosen and the mean
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

typedef struct thermo_rows {
    double *t, *T;
    long n, cap;
} thermo_rows;

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

static gmd_status push_row(thermo_rows *r, double t, double T, gmd_error *err)
{
    if (r->n == r->cap) {
        long cap = r->cap ? 2 * r->cap : 1024;
        double *nt = gmd_realloc(r->t, (size_t)cap, sizeof *nt, "thermo times", err);
        if (!nt) return GMD_ERR_NOMEM;
        r->t = nt;
        double *nT = gmd_realloc(r->T, (size_t)cap, sizeof *nT, "thermo temperatures", err);
        if (!nT) return GMD_ERR_NOMEM;
        r->T = nT;
        r->cap = cap;
    }
    r->t[r->n] = t;
    r->T[r->n] = T;
    r->n++;
    return GMD_OK;
}

static int skippable(const char *line)
{
    const char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0' || *p == '#';
}

/* Finds the time_ps and T_K columns in the header line. */
static gmd_status read_header(const char *path, long line_no, const char *line, int *it, int *iT,
                              gmd_error *err)
{
    *it = header_index(line, "time_ps");
    *iT = header_index(line, "T_K");
    if (*it >= 0 && *iT >= 0) return GMD_OK;
    return gmd_fail(err, GMD_ERR_PARSE,
                    "%s:%ld: the header has no %s column; give glassmd's thermo.csv (header "
                    "step,time_ps,T_K,...) or a temperature in K",
                    path, line_no, *it < 0 ? "time_ps" : "T_K");
}

static gmd_status read_rows(const char *path, FILE *fp, thermo_rows *rows, gmd_error *err)
{
    char *line = NULL;
    size_t cap = 0;
    long line_no = 0;
    int it = -1, iT = -1;
    gmd_status st = GMD_OK;
    while (st == GMD_OK && getline(&line, &cap, fp) >= 0) {
        line_no++;
        if (skippable(line)) continue;
        if (it < 0) {
            st = read_header(path, line_no, line, &it, &iT, err);
            continue;
        }
        double t = 0.0, T = 0.0;
        st = field_number(path, line_no, line, it, "time_ps", &t, err);
        if (st == GMD_OK) st = field_number(path, line_no, line, iT, "T_K", &T, err);
        if (st == GMD_OK) st = push_row(rows, t, T, err);
    }
    free(line);
    if (st == GMD_OK && ferror(fp)) st = gmd_fail(err, GMD_ERR_IO, "%s: read error", path);
    if (st == GMD_OK && rows->n == 0)
        st = gmd_fail(err, GMD_ERR_PARSE,
                      "%s: no data rows%s; give the thermo.csv of a run that has started", path,
                      it < 0 ? " (and no header)" : "");
    return st;
}

/* The rows [*first, *last] of the window, or 0 when the window is not comparable. */
static int window_rows(const thermo_rows *r, double t0, double t1, long *first, long *last)
{
    if (!(isfinite(t0) && isfinite(t1) && t0 <= t1)) return 0;
    double tol = 1e-6 * (1.0 + fmax(fabs(t0), fabs(t1)));
    double tmin = r->t[0], tmax = r->t[0];
    for (long i = 1; i < r->n; i++)
        tmin = fmin(tmin, r->t[i]), tmax = fmax(tmax, r->t[i]);
    if (t0 < tmin - tol || t1 > tmax + tol) return 0;
    long a = -1, b = -1, count = 0;
    for (long i = 0; i < r->n; i++)
        if (r->t[i] >= t0 - tol && r->t[i] <= t1 + tol) {
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

static void block_stats(const double *T, long n, int nblocks, gmd_thermo_mean *out)
{
    double sum = 0.0;
    for (long i = 0; i < n; i++)
        sum += T[i];
    out->mean_K = sum / (double)n;
    long B = nblocks < n ? nblocks : n;
    out->nblocks = (int)B;
    out->err_K = NAN;
    if (B < 2) return;
    long m = n / B, skip = n - B * m;
    double bbar = 0.0, ss = 0.0, bm[GMD_THERMO_MAX_BLOCKS];
    for (long k = 0; k < B; k++) {
        double s = 0.0;
        for (long i = 0; i < m; i++)
            s += T[skip + k * m + i];
        bm[k] = s / (double)m;
        bbar += bm[k];
    }
    bbar /= (double)B;
    for (long k = 0; k < B; k++)
        ss += (bm[k] - bbar) * (bm[k] - bbar);
    out->err_K = sqrt(ss / ((double)B * (double)(B - 1)));
}

gmd_status gmd_thermo_mean_temperature(const char *path, double t0_ps, double t1_ps, int nblocks,
                                       gmd_thermo_mean *out, gmd_error *err)
{
    memset(out, 0, sizeof *out);
    if (nblocks <= 0) nblocks = GMD_THERMO_BLOCKS;
    if (nblocks > GMD_THERMO_MAX_BLOCKS) nblocks = GMD_THERMO_MAX_BLOCKS;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO,
                        "%s: cannot open the thermo file (%s); give the run's thermo.csv or a "
                        "temperature in K",
                        path, strerror(errno));
    thermo_rows rows = {0};
    gmd_status st = read_rows(path, fp, &rows, err);
    fclose(fp);
    if (st == GMD_OK) {
        long a = 0, b = rows.n - 1;
        out->whole_file = !window_rows(&rows, t0_ps, t1_ps, &a, &b);
        if (out->whole_file) a = 0, b = rows.n - 1;
        out->nrows = b - a + 1;
        out->nrows_file = rows.n;
        out->t0_ps = rows.t[a];
        out->t1_ps = rows.t[b];
        block_stats(rows.T + a, out->nrows, nblocks, out);
    }
    free(rows.t);
    free(rows.T);
    return st;
}
