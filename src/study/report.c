/* report.c - gmd_study_report: the study's report, OUT/report/index.html.
 *
 * The driver: load what the finished jobs left (report_data.c), draw the paper's figures
 * (report_figures.c) and the glass snapshots (snapshot.c, png.c), build the tables
 * (report_tables.c), then write the page (report_html.c). Each step appends to one
 * rpt_report (internal, heap-allocated: it holds the figure and table lists). Missing
 * results are notes in the page; the call fails only when the report folder cannot be
 * written or memory runs out. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/study.h"
#include "glassmd/files.h"
#include "report_internal.h"

gmd_status gmd_study_report(const gmd_study *study, gmd_error *err)
{
    if (!study || !study->output_dir[0])
        return gmd_fail(err, GMD_ERR_VALUE, "report: the study has no output folder");
    rpt_report *r = gmd_calloc(1, sizeof *r, "the report", err);
    if (!r) return GMD_ERR_NOMEM;
    r->study = study;
    snprintf(r->out, sizeof r->out, "%s", study->output_dir);
    snprintf(r->dir, sizeof r->dir, "%s/report", study->output_dir);
    gmd_status st = gmd_make_dirs(r->dir, "report folder", err);
    if (!st) st = rpt_load(r, err);
    if (!st) st = rpt_figures(r, err);
    if (!st) st = rpt_density(r, err);
    if (!st) st = rpt_snapshots(r, err);
    if (!st) st = rpt_tables(r, err);
    if (!st) st = rpt_html(r, err);
    rpt_free(r);
    free(r);
    return st;
}
