/* snapshot.c - atomic snapshots of each glass (the paper's Fig. 10): a slab 6 A thick
 * through the middle of the box (along z), seen from +z, coloured by species (former red,
 * bridging anion yellow, modifier blue, as in the paper; other species from a palette).
 *
 * The glass configuration is the glass job's final.data (LAMMPS data written by glassmd
 * run), read with the study's force field. Atoms whose wrapped z lies within 3 A of the box
 * centre are kept, sorted by z (far first: painter's algorithm) and drawn
 *  - as PNG by a small rasteriser: each atom a disc of radius R (by role, in A, times the
 *    pixel scale) shaded as a sphere lit from the upper left (Lambert diffuse + a Phong-like
 *    highlight, normal n = (dx, dy, sqrt(1 - dx^2 - dy^2)) / R), darker with depth in the
 *    slab so that layers read apart, edges anti-aliased by the pixel's coverage;
 *  - as SVG: the same circles in the same order with a radial gradient per species and a
 *    legend with the species names.
 * Image: 640 px across x, the height from the box's aspect ratio, white background, grey
 * frame (the periodic box). */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/config_io.h"
#include "report_internal.h"

#define SLAB_A 6.0
#define IMAGE_W 640

typedef struct snap_atom {
    double x, y, z;
    int type;
} snap_atom;

void rpt_species_colour(const rpt_report *r, int s, uint8_t rgb[3])
{
    static const uint8_t role[3][3] = {{215, 40, 40}, {240, 205, 30}, {40, 90, 225}};
    static const uint8_t other[4][3] = {
        {40, 170, 80}, {150, 60, 190}, {120, 120, 120}, {240, 130, 20}};
    const uint8_t *c = other[s % 4];
    if (s == r->roles.former) c = role[0];
    if (s == r->roles.bridge) c = role[1];
    if (s == r->roles.modifier) c = role[2];
    memcpy(rgb, c, 3);
}

static double species_radius(const rpt_report *r, int s)
{
    if (s == r->roles.bridge) return 1.0;
    if (s == r->roles.modifier) return 0.85;
    if (s == r->roles.former) return 0.65;
    return 0.8;
}

static int by_depth(const void *a, const void *b)
{
    double za = ((const snap_atom *)a)->z, zb = ((const snap_atom *)b)->z;
    return (za > zb) - (za < zb);
}

/* ---- finding and slicing the glass ---------------------------------------------------- */

/* final.data in the glass job folder or one level below it. */
static int find_final(const char *job, char *path, size_t len)
{
    snprintf(path, len, "%s/final.data", job);
    if (rpt_file_exists(path)) return 1;
    DIR *d = opendir(job);
    if (!d) return 0;
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, len, "%.3000s/%.255s/final.data", job, e->d_name);
        found = rpt_file_exists(path);
    }
    closedir(d);
    return found;
}

static snap_atom *slab_atoms(const gmd_box *box, const gmd_atoms *atoms, size_t *n, gmd_error *err)
{
    snap_atom *a = gmd_calloc(atoms->n ? atoms->n : 1, sizeof *a, "snapshot atoms", err);
    if (!a) return NULL;
    double zc = 0.5 * box->len[2];
    *n = 0;
    for (size_t i = 0; i < atoms->n; i++) {
        double w[3];
        for (int k = 0; k < 3; k++) {
            w[k] = fmod(atoms->r[k][i] - box->lo[k], box->len[k]);
            if (w[k] < 0) w[k] += box->len[k];
        }
        if (fabs(w[2] - zc) > 0.5 * SLAB_A) continue;
        a[(*n)++] = (snap_atom){w[0], w[1], w[2] - zc + 0.5 * SLAB_A, atoms->type[i]};
    }
    qsort(a, *n, sizeof *a, by_depth);
    return a;
}

/* ---- PNG rasteriser ------------------------------------------------------------------- */

static void shade_pixel(uint8_t *px, const uint8_t base[3], double nx, double ny, double depth,
                        double cover)
{
    const double lx = -0.45, ly = -0.45, lz = 0.77; /* light from the upper left, unit */
    double nz = sqrt(fmax(0.0, 1.0 - nx * nx - ny * ny));
    double diffuse = fmax(0.0, nx * lx + ny * ly + nz * lz);
    double spec = 0.45 * pow(diffuse, 24.0);
    double dim = 0.7 + 0.3 * depth; /* 0: bottom of the slab, 1: top */
    for (int k = 0; k < 3; k++) {
        double c = (base[k] * (0.3 + 0.7 * diffuse) * dim + 255.0 * spec);
        c = c > 255.0 ? 255.0 : c;
        px[k] = (uint8_t)lround(cover * c + (1.0 - cover) * px[k]);
    }
}

static void draw_disc(uint8_t *img, int w, int h, double cx, double cy, double R,
                      const uint8_t base[3], double depth)
{
    int x0 = (int)floor(cx - R - 1), x1 = (int)ceil(cx + R + 1);
    int y0 = (int)floor(cy - R - 1), y1 = (int)ceil(cy + R + 1);
    for (int py = y0 < 0 ? 0 : y0; py <= y1 && py < h; py++)
        for (int px = x0 < 0 ? 0 : x0; px <= x1 && px < w; px++) {
            double dx = px + 0.5 - cx, dy = py + 0.5 - cy, d = sqrt(dx * dx + dy * dy);
            double cover = R - d + 0.5; /* the pixel's share of the disc, edges only */
            if (cover <= 0.0) continue;
            shade_pixel(img + 3 * ((size_t)py * w + px), base, dx / R, dy / R, depth,
                        cover > 1.0 ? 1.0 : cover);
        }
}

static void draw_frame(uint8_t *img, int w, int h)
{
    for (int x = 0; x < w; x++)
        for (int k = 0; k < 3; k++)
            img[3 * x + k] = img[3 * ((size_t)(h - 1) * w + x) + k] = 110;
    for (int y = 0; y < h; y++)
        for (int k = 0; k < 3; k++)
            img[3 * (size_t)y * w + k] = img[3 * ((size_t)y * w + w - 1) + k] = 110;
}

static gmd_status write_png(const rpt_report *r, const char *path, const gmd_box *box,
                            const snap_atom *a, size_t n, gmd_error *err)
{
    double scale = IMAGE_W / box->len[0];
    int w = IMAGE_W, h = (int)lround(box->len[1] * scale);
    uint8_t *img = gmd_calloc((size_t)w * h * 3, 1, "snapshot image", err);
    if (!img) return GMD_ERR_NOMEM;
    memset(img, 255, (size_t)w * h * 3);
    for (size_t i = 0; i < n; i++) {
        uint8_t base[3];
        rpt_species_colour(r, a[i].type, base);
        draw_disc(img, w, h, a[i].x * scale, a[i].y * scale, species_radius(r, a[i].type) * scale,
                  base, a[i].z / SLAB_A);
    }
    draw_frame(img, w, h);
    gmd_status st = rpt_png_write(path, w, h, img, err);
    free(img);
    return st;
}

/* ---- SVG ---------------------------------------------------------------------------- */

static void svg_defs(FILE *fp, const rpt_report *r)
{
    fprintf(fp, "<defs>\n");
    for (int s = 0; s < r->study->ff.nspecies; s++) {
        uint8_t c[3];
        rpt_species_colour(r, s, c);
        fprintf(fp,
                "<radialGradient id=\"sp%d\" cx=\"0.5\" cy=\"0.5\" r=\"0.5\" fx=\"0.33\" "
                "fy=\"0.33\"><stop offset=\"0\" stop-color=\"rgb(%d,%d,%d)\"/>"
                "<stop offset=\"1\" stop-color=\"rgb(%d,%d,%d)\"/></radialGradient>\n",
                s, (c[0] + 255) / 2, (c[1] + 255) / 2, (c[2] + 255) / 2, c[0] * 2 / 5, c[1] * 2 / 5,
                c[2] * 2 / 5);
    }
    fprintf(fp, "</defs>\n");
}

static void svg_legend(FILE *fp, const rpt_report *r, int y)
{
    int x = 10;
    for (int s = 0; s < r->study->ff.nspecies; s++) {
        fprintf(fp,
                "<circle cx=\"%d\" cy=\"%d\" r=\"8\" fill=\"url(#sp%d)\"/>"
                "<text x=\"%d\" y=\"%d\" font-family=\"sans-serif\" font-size=\"14\">%s</text>\n",
                x + 8, y, s, x + 22, y + 5, rpt_species(r, s));
        x += 90;
    }
}

static gmd_status write_svg(const rpt_report *r, const char *path, const gmd_box *box,
                            const snap_atom *a, size_t n, gmd_error *err)
{
    double scale = IMAGE_W / box->len[0];
    int w = IMAGE_W, h = (int)lround(box->len[1] * scale);
    FILE *fp = fopen(path, "w");
    if (!fp) return gmd_fail(err, GMD_ERR_IO, "%s: cannot create", path);
    fprintf(fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
            w, h + 30, w, h + 30);
    svg_defs(fp, r);
    fprintf(fp,
            "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\" "
            "stroke=\"rgb(110,110,110)\"/>\n",
            w, h);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"url(#sp%d)\"/>\n",
                a[i].x * scale, a[i].y * scale, species_radius(r, a[i].type) * scale, a[i].type);
    svg_legend(fp, r, h + 16);
    fprintf(fp, "</svg>\n");
    if (fclose(fp) != 0) return gmd_fail(err, GMD_ERR_IO, "%s: write failed", path);
    return GMD_OK;
}

/* ---- one composition ------------------------------------------------------------------ */

static gmd_status snapshot_comp(rpt_report *r, const rpt_comp *c, gmd_error *err)
{
    char id[RPT_ID_LEN], title[256], data[RPT_PATH + 64], path[RPT_PATH + 160];
    snprintf(id, sizeof id, "fig-snapshot-%s", c->id);
    snprintf(title, sizeof title, "Atomic snapshot: %.0f A slab of the %s glass at %g K", SLAB_A,
             c->c->label, r->study->glass_T_K);
    rpt_figure *f = rpt_add_figure(r, "snapshot", id, title);
    if (!f) return GMD_OK;
    if (!find_final(c->glass_job, data, sizeof data)) {
        snprintf(f->note, sizeof f->note,
                 "no glass configuration (%.400s/final.data): the glass job "
                 "has not finished",
                 c->glass_job);
        return GMD_OK;
    }
    gmd_box box;
    gmd_atoms atoms = {0};
    gmd_error rerr;
    if (gmd_config_read(data, GMD_CONFIG_AUTO, &r->study->ff, NULL, &box, &atoms, &rerr)) {
        snprintf(f->note, sizeof f->note, "the glass configuration could not be read: %.400s",
                 rerr.message);
        return GMD_OK;
    }
    size_t n = 0;
    snap_atom *a = slab_atoms(&box, &atoms, &n, err);
    gmd_status st = a ? GMD_OK : GMD_ERR_NOMEM;
    snprintf(path, sizeof path, "%s/%s.png", r->dir, f->name);
    if (!st) st = write_png(r, path, &box, a, n, err);
    snprintf(path, sizeof path, "%s/%s.svg", r->dir, f->name);
    if (!st) st = write_svg(r, path, &box, a, n, err);
    f->have_png = f->have_svg = st == GMD_OK;
    snprintf(f->caption, sizeof f->caption,
             "%zu of %zu atoms with z within %.1f A of the box centre, seen along -z; "
             "%s red, %s yellow, %s blue; spheres shaded, deeper atoms darker. From %.600s.",
             n, atoms.n, 0.5 * SLAB_A, rpt_species(r, r->roles.former),
             rpt_species(r, r->roles.bridge), rpt_species(r, r->roles.modifier), data);
    free(a);
    gmd_atoms_free(&atoms);
    return st;
}

gmd_status rpt_snapshots(rpt_report *r, gmd_error *err)
{
    for (int i = 0; i < r->ncomp; i++) {
        gmd_status st = snapshot_comp(r, &r->comp[i], err);
        if (st) return st;
    }
    return GMD_OK;
}
