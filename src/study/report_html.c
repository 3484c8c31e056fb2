/* report_html.c - OUT/report/index.html: one self-contained page.
 *
 * Figures are embedded as base64 PNG data: URIs (RFC 2397; base64 of RFC 4648), so the
 * page needs no other file, no network and no JavaScript; each figure also links its PNG,
 * SVG and CSV beside the page. Tables are HTML tables (and CSV files), rows of the
 * comparison with the paper coloured by verdict. Sections: summary, comparison with the
 * paper, activation energies, structure, dynamics, snapshots, notes, provenance (build,
 * the study file's and the force field's text, the jobs' wall times). Every element a
 * reader may link to has an id (fig-..., tab-..., section names). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glassmd/version.h"
#include "report_internal.h"

static void put_escaped(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '&':
            fputs("&amp;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        default:
            fputc(*s, fp);
        }
    }
}

static void put_base64(FILE *fp, const unsigned char *d, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        if (i + 1 < n) v |= (unsigned)d[i + 1] << 8;
        if (i + 2 < n) v |= d[i + 2];
        fputc(tab[(v >> 18) & 63], fp);
        fputc(tab[(v >> 12) & 63], fp);
        fputc(i + 1 < n ? tab[(v >> 6) & 63] : '=', fp);
        fputc(i + 2 < n ? tab[v & 63] : '=', fp);
    }
}

static const char *STYLE =
    "body{font-family:sans-serif;max-width:1150px;margin:1em auto;padding:0 1em;color:#222}\n"
    "h1{font-size:1.6em}h2{border-bottom:2px solid #678;padding-bottom:.2em;margin-top:2em}\n"
    "table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.85em}\n"
    "caption{text-align:left;font-weight:bold;padding:.3em 0}\n"
    "th,td{border:1px solid #bbb;padding:.2em .45em;text-align:left;vertical-align:top}\n"
    "th{background:#e8ecf0}tr.agree td{background:#d8f2d8}tr.disagree td{background:#f7d4d4}\n"
    "tr.missing td{background:#ececec;color:#666}\n"
    "figure{display:inline-block;width:540px;margin:.5em;vertical-align:top}\n"
    "figure img{width:100%;border:1px solid #ddd}figcaption{font-size:.82em}\n"
    ".missing-fig{border:1px dashed #c66;padding:1em;background:#fbeeee;font-size:.9em}\n"
    ".note{color:#933}.tcap{font-size:.85em;color:#444;max-width:1100px}\n"
    "pre{background:#f4f4f4;padding:.6em;overflow:auto;font-size:.8em;max-height:30em}\n"
    ".glance span{display:inline-block;padding:.2em .6em;margin-right:.5em;border-radius:3px}\n";

/* ---- pieces ----------------------------------------------------------------------- */

static int embed_png(FILE *fp, const rpt_report *r, const rpt_figure *f)
{
    char path[RPT_PATH + 128];
    size_t n = 0;
    snprintf(path, sizeof path, "%s/%s.png", r->dir, f->name);
    unsigned char *png = f->have_png ? (unsigned char *)rpt_slurp(path, &n) : NULL;
    if (!png || n < 8) {
        free(png);
        return 0;
    }
    fputs("<img src=\"data:image/png;base64,", fp);
    put_base64(fp, png, n);
    fputs("\" alt=\"", fp);
    put_escaped(fp, f->title);
    fputs("\">\n", fp);
    free(png);
    return 1;
}

static void put_links(FILE *fp, const rpt_figure *f)
{
    const char *ext[3] = {"png", "svg", "csv"};
    const int have[3] = {f->have_png, f->have_svg, f->have_csv};
    int any = 0;
    for (int e = 0; e < 3; e++) {
        if (!have[e]) continue;
        fprintf(fp, "%s<a href=\"%s.%s\">%s</a>", any ? " " : " Files: ", f->name, ext[e], ext[e]);
        any = 1;
    }
}

static void put_figure(FILE *fp, const rpt_report *r, const rpt_figure *f)
{
    fprintf(fp, "<figure id=\"%s\">\n", f->id);
    if (!embed_png(fp, r, f)) {
        fputs("<div class=\"missing-fig\">Figure not drawn: ", fp);
        put_escaped(fp, f->note[0]           ? f->note
                        : r->gnuplot_missing ? "gnuplot is not installed (the data are "
                                               "in the CSV and the tables)"
                                             : "no data");
        fputs("</div>\n", fp);
    }
    fputs("<figcaption><b>", fp);
    put_escaped(fp, f->title);
    fputs(".</b> ", fp);
    put_escaped(fp, f->caption);
    if (f->note[0] && (f->have_png)) {
        fputs(" <span class=\"note\">Note: ", fp);
        put_escaped(fp, f->note);
        fputs("</span>", fp);
    }
    put_links(fp, f);
    fputs("</figcaption></figure>\n", fp);
}

static void put_table(FILE *fp, const rpt_table *t)
{
    static const char *cls[4] = {"", " class=\"agree\"", " class=\"disagree\"",
                                 " class=\"missing\""};
    fprintf(fp, "<table id=\"%s\">\n<caption>", t->id);
    put_escaped(fp, t->title);
    fprintf(fp, " <a href=\"%s.csv\">(csv)</a></caption>\n<thead><tr>", t->name);
    for (int c = 0; c < t->ncols; c++) {
        fputs("<th>", fp);
        put_escaped(fp, t->header[c]);
        fputs("</th>", fp);
    }
    fputs("</tr></thead>\n<tbody>\n", fp);
    for (int row = 0; row < t->nrows; row++) {
        fprintf(fp, "<tr%s>", cls[t->verdict[row]]);
        for (int c = 0; c < t->ncols; c++) {
            fputs("<td>", fp);
            put_escaped(fp, t->cells[row * t->ncols + c]);
            fputs("</td>", fp);
        }
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table>\n<p class=\"tcap\">", fp);
    put_escaped(fp, t->caption);
    fputs("</p>\n", fp);
}

static const rpt_table *find_table(const rpt_report *r, const char *id)
{
    for (int i = 0; i < r->ntab; i++)
        if (strcmp(r->tab[i].id, id) == 0) return &r->tab[i];
    return NULL;
}

static void put_section_figures(FILE *fp, const rpt_report *r, const char *section)
{
    for (int i = 0; i < r->nfig; i++)
        if (strcmp(r->fig[i].section, section) == 0) put_figure(fp, r, &r->fig[i]);
}

static void put_file(FILE *fp, const char *id, const char *title, const char *path)
{
    char *text = path && *path ? rpt_slurp(path, NULL) : NULL;
    fprintf(fp, "<h3>%s</h3>\n<pre id=\"%s\">", title, id);
    if (text)
        put_escaped(fp, text);
    else {
        fputs("(could not read ", fp);
        put_escaped(fp, path);
        fputs(")", fp);
    }
    fputs("</pre>\n", fp);
    free(text);
}

/* ---- the page ------------------------------------------------------------------------ */

/* At constant pressure: the protocol, and plainly which states' volumes had not settled. */
static void put_pressure(FILE *fp, const rpt_report *r)
{
    fprintf(fp,
            "<p id=\"pressure\">At constant pressure %g bar: NPT melt and quench, each isotherm "
            "and glass equilibrated under NPT and run at its settled volume (<a "
            "href=\"#density\">densities</a>). ",
            r->study->pressure_bar);
    if (r->nunsettled == 0)
        fputs("Every state's volume had settled.</p>\n", fp);
    else {
        fprintf(fp, "<b class=\"unsettled\">WARNING: the volume had NOT settled in %d state(s): ",
                r->nunsettled);
        put_escaped(fp, r->unsettled);
        fputs("; their densities and results are not those of the state at this pressure "
              "(lengthen isotherm_equil).</b></p>\n",
              fp);
    }
}

static void put_head(FILE *fp, const rpt_report *r)
{
    const gmd_study *s = r->study;
    const gmd_forcefield *ff = &s->ff;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>glassmd "
          "study report: ",
          fp);
    put_escaped(fp, s->name);
    fprintf(fp,
            "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>glassmd study report: ", STYLE);
    put_escaped(fp, s->name);
    fputs("</h1>\n<p id=\"summary\">", fp);
    if (ff->has_composition) {
        fputs("Glasses x ", fp);
        put_escaped(fp, ff->modifier.text);
        fputs(" + (1 - x) ", fp);
        put_escaped(fp, ff->former.text);
        fputs("; ", fp);
    }
    fprintf(fp, "%d composition(s):", s->ncompositions);
    for (int i = 0; i < s->ncompositions; i++) {
        fputc(' ', fp);
        put_escaped(fp, s->comp[i].label);
    }
    fprintf(fp, "; %ld atoms; isotherms", s->natoms);
    for (int i = 0; i < s->nisotherms; i++)
        fprintf(fp, "%s%g", i ? ", " : " ", s->isotherm_K[i]);
    fprintf(fp, " K; glass at %g K (%g ps). glassmd %s.", s->glass_T_K, s->glass_time_ps,
            GLASSMD_VERSION);
    time_t now = time(NULL);
    struct tm tmv;
    char stamp[64] = "";
    if (gmtime_r(&now, &tmv)) strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M UTC", &tmv);
    fprintf(fp, " Written %s.</p>\n<p id=\"model\">", stamp);
    char model[512];
    rpt_model_text(s, model, sizeof model);
    put_escaped(fp, model);
    fputs("</p>\n", fp);
    fprintf(fp,
            "<p class=\"glance\" id=\"at-a-glance\">Against the paper: "
            "<span style=\"background:#d8f2d8\">%d agree</span>"
            "<span style=\"background:#f7d4d4\">%d disagree</span>"
            "<span style=\"background:#ececec\">%d not computed</span> "
            "(<a href=\"#comparison\">details</a>)</p>\n",
            r->nagree, r->ndisagree, r->nmissing);
    if (s->pressure_set) put_pressure(fp, r);
    fputs("<nav><a href=\"#comparison\">Paper vs glassmd</a> | <a href=\"#activation\">"
          "Activation energies</a> | <a href=\"#structure\">Structure</a> | <a href=\"#dynamics\">"
          "Dynamics</a> | ",
          fp);
    if (s->pressure_set) fputs("<a href=\"#density\">Density</a> | ", fp);
    fputs("<a href=\"#snapshots\">Snapshots</a> | <a href=\"#notes\">Notes</a> | "
          "<a href=\"#provenance\">Provenance</a></nav>\n",
          fp);
}

static void put_tab(FILE *fp, const rpt_report *r, const char *id)
{
    const rpt_table *t = find_table(r, id);
    if (t) put_table(fp, t);
}

static void put_notes(FILE *fp, const rpt_report *r)
{
    fputs("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n", fp);
    if (r->gnuplot_missing)
        fputs("<li>gnuplot is not installed: the figures were not drawn (their gnuplot scripts "
              "and CSV files are in this folder; install gnuplot and re-run the report). The "
              "tables hold the numbers.</li>\n",
              fp);
    for (int i = 0; i < r->nnotes; i++) {
        fputs("<li>", fp);
        put_escaped(fp, r->notes[i]);
        fputs("</li>\n", fp);
    }
    if (!r->gnuplot_missing && r->nnotes == 0) fputs("<li>Nothing is missing.</li>\n", fp);
    fputs("</ul>\n</section>\n", fp);
}

static void put_body(FILE *fp, const rpt_report *r)
{
    fputs("<section id=\"comparison\">\n<h2>glassmd beside the paper</h2>\n", fp);
    put_tab(fp, r, "tab-paper");
    fputs("</section>\n<section id=\"activation\">\n<h2>Activation energies</h2>\n", fp);
    put_tab(fp, r, "tab-activation");
    fputs("</section>\n<section id=\"structure\">\n<h2>Structure of the glasses</h2>\n", fp);
    put_section_figures(fp, r, "structure");
    put_tab(fp, r, "tab-structure");
    fputs("</section>\n<section id=\"dynamics\">\n<h2>Dynamics of the melts</h2>\n", fp);
    put_section_figures(fp, r, "dynamics");
    put_tab(fp, r, "tab-dynamics");
    if (r->study->pressure_set) {
        fputs("</section>\n<section id=\"density\">\n<h2>Density at constant pressure</h2>\n", fp);
        put_section_figures(fp, r, "density");
        put_tab(fp, r, "tab-density");
    }
    fputs("</section>\n<section id=\"snapshots\">\n<h2>Atomic snapshots</h2>\n", fp);
    put_section_figures(fp, r, "snapshot");
    fputs("</section>\n", fp);
    put_notes(fp, r);
    fputs("<section id=\"provenance\">\n<h2>Provenance</h2>\n", fp);
    put_tab(fp, r, "tab-build");
    put_file(fp, "input-study", "The study file", r->study->path);
    put_file(fp, "input-forcefield", "The force field",
             r->study->forcefield[0] ? r->study->forcefield : r->study->ff.path);
    put_tab(fp, r, "tab-jobs");
    fputs("</section>\n</body>\n</html>\n", fp);
}

gmd_status rpt_html(rpt_report *r, gmd_error *err)
{
    char path[RPT_PATH + 32];
    snprintf(path, sizeof path, "%s/index.html", r->dir);
    FILE *fp = fopen(path, "w");
    if (!fp) return gmd_fail(err, GMD_ERR_IO, "%s: cannot create (%s)", path, strerror(errno));
    put_head(fp, r);
    put_body(fp, r);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return gmd_fail(err, GMD_ERR_IO, "%s: write failed (disk full?)", path);
    return GMD_OK;
}
