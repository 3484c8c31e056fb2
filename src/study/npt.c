/* npt.c - a study at constant pressure (study key pressure, docs/study.md): the
 * volume-settled check of an isotherm's or the glass's NPT equilibration, the state it
 * takes (density.json), the configuration scaled to that state, and the columns of
 * thermo.csv (read by thermo_stats.c's reader) that it and the report's density figures use.
 *
 * The check. The second half of equil/thermo.csv's rows (by time) is the settled part;
 * it is cut into two halves A and B. Each half's mean volume gets a standard error from
 * GMD_SETTLE_BLOCKS consecutive block means of its residuals about its own straight-line
 * fit (honest for correlated rows as long as the blocks outlast the correlation time; the
 * line keeps a drift from passing for noise, which would hide it: without it a pure linear
 * drift gives the same z whatever its size). The volume has settled when the two means agree,
 * z = |V_A - V_B| / sqrt(se_A^2 + se_B^2) <= GMD_SETTLE_Z: a volume still drifting (a
 * melt at 1 bar still expanding) makes the halves differ by many standard errors. With
 * fewer than 2 * GMD_SETTLE_MIN_ROWS rows in the settled part nothing can be judged and
 * the state is unsettled too. An unsettled state is not extended (the job stays a fixed,
 * predictable cost that the dry run can state): it is marked, in density.json, the
 * study's log (the runner's warning), the summary tables and the report, with the cure
 * (a longer isotherm_equil).
 *
 * The state: mean volume V and its block standard error over the whole settled part;
 * density N / V (1/A^3) and its mass density (g/cm^3) with the error N se / V^2. The
 * production runs at exactly V: equil/final.data scaled affinely about the box centre
 * (positions and box lengths times (V / V_final)^(1/3); velocities and image flags
 * unchanged) is equil/settled.data. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/config_io.h"
#include "../io/json_util.h"
#include "study_internal.h"

#define GMD_SETTLE_BLOCKS 5            /* blocks per half for its standard error */
#define GMD_SETTLE_MIN_ROWS 10         /* rows per half below which nothing is judged */
#define GMD_SETTLE_Z 4.0               /* halves further apart (in standard errors): not settled */
#define GMD_AMU_A3_G_CM3 1.66053906660 /* 1 g/mol per A^3 in g/cm^3 */

/* ---- thermo.csv ------------------------------------------------------------------------ */

gmd_status gmd_study_thermo_read(const char *path, gmd_thermo_table *t, gmd_error *err)
{
    static const char *const names[4] = {"time_ps", "T_K", "volume_A3", "density_1_A3"};
    return gmd_thermo_table_read(path, names, 4,
                                 "rerun the job (a thermo.csv of glassmd with NPT columns "
                                 "volume_A3 and density_1_A3 is expected)",
                                 t, err);
}

gmd_status gmd_study_settle_volume(const char *thermo, gmd_study_settle *out, gmd_error *err)
{
    memset(out, 0, sizeof *out);
    gmd_thermo_table t;
    gmd_status st = gmd_study_thermo_read(thermo, &t, err);
    if (st != GMD_OK) {
        gmd_thermo_table_free(&t);
        return st;
    }
    const double *time = t.col[0], *V = t.col[2], *rho = t.col[3];
    const size_t nrows = (size_t)t.n;
    double half_t = 0.5 * (time[0] + time[nrows - 1]);
    size_t first = 0;
    while (first < nrows && time[first] < half_t)
        first++;
    size_t n = nrows - first, na = n / 2;
    out->nrows = (long)n;
    out->t0_ps = time[first < nrows ? first : nrows - 1];
    out->t1_ps = time[nrows - 1];
    out->natoms = rho[nrows - 1] * V[nrows - 1];
    out->z = NAN;
    out->half_A3[0] = out->half_A3[1] = out->half_err_A3[0] = out->half_err_A3[1] = NAN;
    if (n == 0) { /* a single row */
        first = nrows - 1;
        n = 1;
    }
    /* the mean (and its error, used when the halves can be judged) in one pass */
    double volume_err;
    gmd_block_mean(V + first, (long)n, 2 * GMD_SETTLE_BLOCKS, 0, &out->volume_A3, &volume_err);
    out->volume_err_A3 = NAN;
    if (na >= GMD_SETTLE_MIN_ROWS) {
        out->volume_err_A3 = volume_err;
        const double *a = V + first, *b = V + first + na;
        gmd_block_mean(a, (long)na, GMD_SETTLE_BLOCKS, 1, &out->half_A3[0], &out->half_err_A3[0]);
        gmd_block_mean(b, (long)(n - na), GMD_SETTLE_BLOCKS, 1, &out->half_A3[1],
                       &out->half_err_A3[1]);
        double diff = fabs(out->half_A3[0] - out->half_A3[1]);
        double se = hypot(out->half_err_A3[0], out->half_err_A3[1]);
        out->z = diff == 0.0 ? 0.0 : se > 0 ? diff / se : INFINITY;
        out->settled = out->z <= GMD_SETTLE_Z;
    }
    out->z_limit = GMD_SETTLE_Z;
    gmd_thermo_table_free(&t);
    return GMD_OK;
}

/* ---- the state: density.json and settled.data ------------------------------------------------ */

double gmd_study_mass_per_atom(const gmd_study *s, int comp)
{
    double m = 0.0, n = 0.0;
    for (int k = 0; k < s->ff.nspecies; k++) {
        m += (double)s->comp[comp].counts[k] * s->ff.species[k].mass;
        n += (double)s->comp[comp].counts[k];
    }
    return n > 0 ? m / n : NAN;
}

/* The verdict in words: what the report, the summary and the log say. */
static void verdict(const gmd_study_settle *g, char *out, size_t len)
{
    if (g->settled)
        snprintf(out, len,
                 "settled: the mean volumes of the two halves of the last half of the NPT "
                 "equilibration differ by %.2f standard errors (limit %g)",
                 g->z, g->z_limit);
    else if (!isfinite(g->z))
        snprintf(out, len,
                 "NOT settled: only %ld thermo rows in the last half of the NPT equilibration "
                 "(%d needed to judge); lengthen isotherm_equil",
                 g->nrows, 2 * GMD_SETTLE_MIN_ROWS);
    else
        snprintf(out, len,
                 "NOT settled: the volume was still drifting, the mean volumes of the two "
                 "halves of the last half of the NPT equilibration (%.6g and %.6g A^3) differ "
                 "by %.2f standard errors (limit %g); its density and results are not those of "
                 "the state at this pressure: lengthen isotherm_equil",
                 g->half_A3[0], g->half_A3[1], g->z, g->z_limit);
}

static gmd_status write_density_json(const gmd_study *s, const gmd_study_job *job,
                                     const gmd_study_settle *g, gmd_error *err)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for density.json");
    double N = round(g->natoms), V = g->volume_A3;
    double rho = N / V, rho_err = N * g->volume_err_A3 / (V * V);
    double to_g = gmd_study_mass_per_atom(s, job->comp) * GMD_AMU_A3_G_CM3;
    char text[512];
    verdict(g, text, sizeof text);
    cJSON_AddNumberToObject(o, "pressure_bar", s->pressure_bar);
    cJSON_AddNumberToObject(o, "T_set_K", job->T_K);
    cJSON_AddNumberToObject(o, "natoms", N);
    cJSON_AddNumberToObject(o, "window_t0_ps", g->t0_ps);
    cJSON_AddNumberToObject(o, "window_t1_ps", g->t1_ps);
    cJSON_AddNumberToObject(o, "window_rows", (double)g->nrows);
    cJSON_AddNumberToObject(o, "volume_A3", V);
    cJSON_AddItemToObject(o, "volume_err_A3", gmd_json_number_or_null(g->volume_err_A3));
    cJSON_AddNumberToObject(o, "density_1_A3", rho);
    cJSON_AddItemToObject(o, "density_err_1_A3", gmd_json_number_or_null(rho_err));
    cJSON_AddNumberToObject(o, "density_g_cm3", rho * to_g);
    cJSON_AddItemToObject(o, "density_err_g_cm3", gmd_json_number_or_null(rho_err * to_g));
    cJSON_AddItemToObject(o, "half1_volume_A3", gmd_json_number_or_null(g->half_A3[0]));
    cJSON_AddItemToObject(o, "half1_err_A3", gmd_json_number_or_null(g->half_err_A3[0]));
    cJSON_AddItemToObject(o, "half2_volume_A3", gmd_json_number_or_null(g->half_A3[1]));
    cJSON_AddItemToObject(o, "half2_err_A3", gmd_json_number_or_null(g->half_err_A3[1]));
    cJSON_AddItemToObject(o, "z", gmd_json_number_or_null(g->z));
    cJSON_AddNumberToObject(o, "z_limit", g->z_limit);
    cJSON_AddBoolToObject(o, "volume_settled", g->settled);
    cJSON_AddStringToObject(o, "verdict", text);
    cJSON_AddStringToObject(o, "production_start", "equil/" GMD_STUDY_SETTLED_FILE);
    char path[GMD_PATH_LEN + 160];
    gmd_study_join(path, sizeof path, job->dir, GMD_STUDY_DENSITY_FILE);
    gmd_status st = gmd_study_write_json_atomic(path, o, err);
    cJSON_Delete(o);
    return st;
}

/* equil/final.data scaled about the box centre to volume V: equil/settled.data. */
static gmd_status write_scaled(const gmd_study *s, const char *equil, double V, gmd_error *err)
{
    char in[GMD_PATH_LEN + 160], out[GMD_PATH_LEN + 160];
    gmd_study_join(in, sizeof in, equil, "final.data");
    gmd_study_join(out, sizeof out, equil, GMD_STUDY_SETTLED_FILE);
    gmd_box box;
    gmd_atoms atoms;
    memset(&atoms, 0, sizeof atoms);
    gmd_status st = gmd_config_read(in, GMD_CONFIG_LAMMPS_DATA, &s->ff, NULL, &box, &atoms, err);
    if (st != GMD_OK) return st;
    double f = cbrt(V / (box.len[0] * box.len[1] * box.len[2]));
    for (int d = 0; d < 3; d++) {
        double c = box.lo[d] + 0.5 * box.len[d];
        box.len[d] *= f;
        box.lo[d] = c - 0.5 * box.len[d];
        for (size_t i = 0; i < atoms.n; i++)
            atoms.r[d][i] = c + (atoms.r[d][i] - c) * f;
    }
    st = gmd_config_write(out, GMD_CONFIG_LAMMPS_DATA, &s->ff, &box, &atoms,
                          "the NPT equilibration's end scaled to its settled mean volume "
                          "(glassmd study)",
                          err);
    gmd_atoms_free(&atoms);
    return st;
}

gmd_status gmd_study_settle_job(const gmd_study *s, const gmd_study_job *job, const char *equil,
                                gmd_error *err)
{
    char thermo[GMD_PATH_LEN + 160];
    gmd_study_join(thermo, sizeof thermo, equil, "thermo.csv");
    gmd_study_settle g;
    gmd_status st = gmd_study_settle_volume(thermo, &g, err);
    if (st == GMD_OK) st = write_density_json(s, job, &g, err);
    if (st == GMD_OK) st = write_scaled(s, equil, g.volume_A3, err);
    return st;
}

int gmd_study_job_warning(const gmd_study_job *job, char *msg, size_t len)
{
    if (job->kind != GMD_JOB_ISOTHERM && job->kind != GMD_JOB_GLASS) return 0;
    char path[GMD_PATH_LEN + 160];
    gmd_study_join(path, sizeof path, job->dir, GMD_STUDY_DENSITY_FILE);
    cJSON *o = gmd_study_read_json(path);
    const cJSON *ok = o ? cJSON_GetObjectItemCaseSensitive(o, "volume_settled") : NULL;
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, "verdict") : NULL;
    int warn = cJSON_IsFalse(ok);
    if (warn)
        snprintf(msg, len, "%s: the volume has %s", job->name,
                 cJSON_IsString(v) ? v->valuestring : "NOT settled");
    cJSON_Delete(o);
    return warn;
}
