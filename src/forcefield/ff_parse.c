/* ff_parse.c - the force-field file parser (format: docs/forcefield.md).
 *
 * Algorithm: one pass over the text, line by line. Comments (`#` to end of line) are cut,
 * blank lines skipped. A line `[name]` opens a section; a name that is not built in (and
 * not within two edits of a built-in one, which is taken for a typo) opens a section kept
 * verbatim for a term kind of the model's registry (gmd_forcefield_section; the model
 * refuses one that no kind claims). Before the first section only
 * `key = value` global settings are allowed. Each section line is split into whitespace
 * separated columns and checked at once, so every error can name FILE:LINE, what is wrong
 * and the fix. Sections must come in dependency order ([species] before the sections that
 * name species). After the pass, whole-file checks run: every unordered species pair given
 * once (a missing one is reported at the line of the [pairs] header), and the collapse
 * distance r_safe of each pair is derived where the file did not give it.
 *
 * Data layout: the result is a plain gmd_forcefield value (fixed-size tables, no heap), the
 * pair table kept symmetric: pair[i][j] and pair[j][i] are the same parameters. The parser
 * state (section, line numbers where things were defined, for "first given at line N"
 * messages) lives in a struct on the stack; nothing is global.
 *
 * r_safe (the Buckingham-collapse distance used by the run-time guard) when not given:
 *   A > 0, C > 0: the radius r_b of the barrier top of A exp(-r/rho) - C/r^6, the smaller
 *     root of dV/dr = 0. With g(r) = ln(A/rho) - r/rho - ln(6C) + 7 ln r, dV/dr < 0 exactly
 *     where g > 0; g rises on (0, 7 rho) and falls after, so a barrier exists iff
 *     g(7 rho) > 0 and r_b is found by bisection on (0, 7 rho). With a wall D/r^n the pair
 *     cannot collapse; r_safe = r_b / 2 then flags a pair driven deep up the wall.
 *   A > 0, C = 0 or A = C = 0: 0 (no collapse possible, no check).
 *   C > 0 with no barrier: an error unless a wall is given (then 0): the pair collapses. */
#include "glassmd/forcefield.h"
#include "glassmd/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/kvfile.h"
#include "glassmd/text.h"

#define LINE_MAX_LEN 1024
#define MAX_COLUMNS 16

typedef enum section {
    SEC_GLOBAL = 0,
    SEC_SPECIES,
    SEC_PAIRS,
    SEC_THREEBODY,
    SEC_COMPOSITION,
    SEC_COUNT,
    SEC_EXTRA /* a section for a registry kind, kept verbatim */
} section;

static const char *const section_names[SEC_COUNT] = {"", "species", "pairs", "threebody",
                                                     "composition"};
static const char *const global_keys[] = {"cutoff", "shift", "kspace", "accuracy"};
static const char *const composition_keys[] = {"modifier", "former"};
#define NGLOBAL_KEYS 4
#define NCOMPOSITION_KEYS 2

typedef struct parser {
    gmd_forcefield *ff;
    const char *name; /* file name for messages */
    int line;         /* current line, 1-based */
    section sec;
    int section_line[SEC_COUNT];
    int global_line[NGLOBAL_KEYS];
    int composition_line[NCOMPOSITION_KEYS];
    int species_line[GMD_MAX_SPECIES];
    int pair_line[GMD_MAX_SPECIES][GMD_MAX_SPECIES];
    int safe_given[GMD_MAX_SPECIES][GMD_MAX_SPECIES];
    int threebody_line[GMD_MAX_THREEBODY];
    gmd_error *err;
} parser;

/* An error at the current line: "name:line: message". */
static gmd_status fail_at(const parser *p, int line, gmd_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static gmd_status fail_at(const parser *p, int line, gmd_status code, const char *fmt, ...)
{
    char msg[GMD_ERROR_MSG_LEN];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    return gmd_fail(p->err, code, "%s:%d: %s", p->name, line, msg);
}
#define FAIL(p, code, ...) fail_at((p), (p)->line, (code), __VA_ARGS__)

/* ---- small string helpers ---------------------------------------------------------- */

static const char *closest(const char *word, const char *const *choices, int n)
{
    const char *best = choices[0];
    size_t best_d = gmd_kv_edit_distance(word, best);
    for (int i = 1; i < n; i++) {
        size_t d = gmd_kv_edit_distance(word, choices[i]);
        if (d < best_d) best_d = d, best = choices[i];
    }
    return best;
}

static void join_names(const char *const *names, int n, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
    }
}

static void species_list(const gmd_forcefield *ff, char *buf, size_t len)
{
    if (ff->nspecies == 0) {
        snprintf(buf, len, "none yet: [species] must come first");
        return;
    }
    gmd_forcefield_species_list(ff, buf, len);
}

/* ---- values ------------------------------------------------------------------------ */

static gmd_status parse_number(const parser *p, const char *text, const char *what, double *out)
{
    double v;
    if (gmd_text_to_double(text, &v) != 0)
        return FAIL(p, GMD_ERR_PARSE, "%s: '%s' is not a number; write a decimal number", what,
                    text);
    *out = v;
    return GMD_OK;
}

static gmd_status parse_int(const parser *p, const char *text, const char *what, int *out)
{
    long v;
    if (gmd_text_to_long(text, &v) != 0 || v < -1000000 || v > 1000000)
        return FAIL(p, GMD_ERR_PARSE, "%s: '%s' is not an integer; write a whole number", what,
                    text);
    *out = (int)v;
    return GMD_OK;
}

static int species_lookup(const parser *p, const char *name)
{
    return gmd_forcefield_species_index(p->ff, name);
}

static gmd_status need_species(const parser *p, const char *name, const char *where, int *index)
{
    *index = species_lookup(p, name);
    if (*index >= 0) return GMD_OK;
    char known[512];
    species_list(p->ff, known, sizeof known);
    return FAIL(p, GMD_ERR_VALUE, "%s: unknown species '%s'; use a species of [species] (%s)",
                where, name, known);
}

/* ---- global keys -------------------------------------------------------------------- */

static gmd_status set_global(parser *p, int key, const char *value)
{
    gmd_forcefield *ff = p->ff;
    double v = 0;
    gmd_status st;
    switch (key) {
    case 0: /* cutoff */
        if ((st = parse_number(p, value, "cutoff", &v))) return st;
        if (v <= 0) return FAIL(p, GMD_ERR_VALUE, "cutoff = %g must be > 0 (in A; default 10)", v);
        ff->cutoff = v;
        return GMD_OK;
    case 1: /* shift */
        if (!strcmp(value, "yes") || !strcmp(value, "no")) {
            ff->shift_energy = !strcmp(value, "yes");
            return GMD_OK;
        }
        return FAIL(p, GMD_ERR_VALUE, "shift = '%s' is not valid; write 'shift = yes' or 'no'",
                    value);
    case 2: /* kspace */
        if (gmd_kspace_method_from_word(value, &ff->kspace) != 0)
            return FAIL(p, GMD_ERR_VALUE,
                        "kspace = '%s' is not a Coulomb method; write ewald, pppm or none", value);
        return GMD_OK;
    default: /* accuracy */
        if ((st = parse_number(p, value, "accuracy", &v))) return st;
        if (v <= 0 || v >= 1)
            return FAIL(p, GMD_ERR_VALUE,
                        "accuracy = %g must be in (0, 1) (a relative force error, e.g. 1e-5)", v);
        ff->kspace_accuracy = v;
        return GMD_OK;
    }
}

/* Finds key in choices or fails with the closest known key. */
static gmd_status find_key(const parser *p, const char *key, const char *const *choices, int n,
                           const char *context, int *index)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(key, choices[i])) {
            *index = i;
            return GMD_OK;
        }
    char known[256];
    join_names(choices, n, known, sizeof known);
    return FAIL(p, GMD_ERR_PARSE, "unknown key '%s' %s; did you mean '%s'? (known keys: %s)", key,
                context, closest(key, choices, n), known);
}

static gmd_status parse_formula(const parser *p, const char *text, gmd_formula *f);

static gmd_status parse_key_value(parser *p, char *line)
{
    char *eq = strchr(line, '=');
    *eq = '\0';
    char *key = gmd_text_trim(line), *value = gmd_text_trim(eq + 1);
    if (!*key || !*value || strchr(value, '='))
        return FAIL(p, GMD_ERR_PARSE, "malformed setting; write 'key = value'");
    int index = 0;
    gmd_status st;
    if (p->sec == SEC_GLOBAL) {
        if ((st = find_key(p, key, global_keys, NGLOBAL_KEYS, "before the first section", &index)))
            return st;
        if (p->global_line[index])
            return FAIL(p, GMD_ERR_PARSE, "'%s' is set twice (first at line %d); keep one", key,
                        p->global_line[index]);
        p->global_line[index] = p->line;
        return set_global(p, index, value);
    }
    if (p->sec != SEC_COMPOSITION)
        return FAIL(p, GMD_ERR_PARSE,
                    "'%s = ...' in [%s]: settings go before the first section or in "
                    "[composition]; move the line",
                    key, section_names[p->sec]);
    if ((st = find_key(p, key, composition_keys, NCOMPOSITION_KEYS, "in [composition]", &index)))
        return st;
    if (p->composition_line[index])
        return FAIL(p, GMD_ERR_PARSE, "'%s' is set twice (first at line %d); keep one", key,
                    p->composition_line[index]);
    p->composition_line[index] = p->line;
    return parse_formula(p, value, index == 0 ? &p->ff->modifier : &p->ff->former);
}

/* ---- sections ----------------------------------------------------------------------- */

/* A section for a registry kind: its header and, line by line (keep_extra_line), its text. */
static gmd_status open_extra_section(parser *p, const char *name)
{
    gmd_forcefield *ff = p->ff;
    if (gmd_forcefield_section(ff, name))
        return FAIL(p, GMD_ERR_PARSE, "section [%s] appears twice (first at line %d); merge them",
                    name, gmd_forcefield_section(ff, name)->line);
    if (ff->nextra_sections >= GMD_FF_MAX_EXTRA_SECTIONS || strlen(name) >= 32)
        return FAIL(p, GMD_ERR_PARSE,
                    "section [%s]: at most %d sections beyond the built-in ones, names under 32 "
                    "characters",
                    name, GMD_FF_MAX_EXTRA_SECTIONS);
    gmd_ff_extra_section *s = &ff->extra_section[ff->nextra_sections++];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->line = p->line;
    s->first = ff->nextra_lines;
    s->count = 0;
    p->sec = SEC_EXTRA;
    return GMD_OK;
}

static gmd_status keep_extra_line(parser *p, const char *line)
{
    gmd_forcefield *ff = p->ff;
    gmd_ff_extra_section *s = &ff->extra_section[ff->nextra_sections - 1];
    if (ff->nextra_lines >= GMD_FF_MAX_EXTRA_LINES || strlen(line) >= GMD_FF_EXTRA_LINE_LEN)
        return FAIL(p, GMD_ERR_PARSE,
                    "[%s]: at most %d lines in the sections beyond the built-in ones, each under "
                    "%d characters",
                    s->name, GMD_FF_MAX_EXTRA_LINES, GMD_FF_EXTRA_LINE_LEN);
    gmd_ff_extra_line *l = &ff->extra_line[ff->nextra_lines++];
    l->line = p->line;
    snprintf(l->text, sizeof l->text, "%s", line);
    s->count++;
    return GMD_OK;
}

const gmd_ff_extra_section *gmd_forcefield_section(const gmd_forcefield *ff, const char *name)
{
    for (int s = 0; s < ff->nextra_sections; s++)
        if (!strcmp(ff->extra_section[s].name, name)) return &ff->extra_section[s];
    return NULL;
}

static gmd_status open_section(parser *p, char *line)
{
    size_t n = strlen(line);
    if (line[n - 1] != ']')
        return FAIL(p, GMD_ERR_PARSE, "section header '%s' lacks ']'; write '[name]'", line);
    line[n - 1] = '\0';
    char *name = gmd_text_trim(line + 1);
    for (int s = 1; s < SEC_COUNT; s++) {
        if (strcmp(name, section_names[s])) continue;
        if (p->section_line[s])
            return FAIL(p, GMD_ERR_PARSE,
                        "section [%s] appears twice (first at line %d); "
                        "merge them",
                        name, p->section_line[s]);
        p->sec = (section)s;
        p->section_line[s] = p->line;
        return GMD_OK;
    }
    const char *near = closest(name, section_names + 1, SEC_COUNT - 1);
    if (gmd_kv_edit_distance(name, near) <= 2) {
        char known[128];
        join_names(section_names + 1, SEC_COUNT - 1, known, sizeof known);
        return FAIL(p, GMD_ERR_PARSE, "unknown section [%s]; did you mean [%s]? (known: %s)", name,
                    near, known);
    }
    return open_extra_section(p, name);
}

static gmd_status parse_species(parser *p, char **col, int ncol)
{
    gmd_forcefield *ff = p->ff;
    if (ncol != 3)
        return FAIL(p, GMD_ERR_PARSE,
                    "[species] line has %d columns; write 3: name mass(g/mol) charge(e)", ncol);
    const char *name = col[0];
    if (strlen(name) >= GMD_NAME_LEN || strpbrk(name, ",=") || isdigit((unsigned char)name[0]))
        return FAIL(p, GMD_ERR_VALUE,
                    "species name '%s' is not valid; use up to %d characters, starting with a "
                    "letter, without ',' or '='",
                    name, GMD_NAME_LEN - 1);
    int old = species_lookup(p, name);
    if (old >= 0)
        return FAIL(p, GMD_ERR_VALUE,
                    "species '%s' is defined twice (first at line %d); "
                    "keep one",
                    name, p->species_line[old]);
    if (ff->nspecies == GMD_MAX_SPECIES)
        return FAIL(p, GMD_ERR_VALUE, "too many species (at most %d)", GMD_MAX_SPECIES);
    double mass = 0, charge = 0;
    gmd_status st;
    if ((st = parse_number(p, col[1], "mass", &mass)) ||
        (st = parse_number(p, col[2], "charge", &charge)))
        return st;
    if (mass <= 0)
        return FAIL(p, GMD_ERR_VALUE, "species '%s': mass = %g must be > 0 (in g/mol)", name, mass);
    gmd_species *sp = &ff->species[ff->nspecies];
    snprintf(sp->name, sizeof sp->name, "%s", name);
    sp->mass = mass;
    sp->charge = charge;
    p->species_line[ff->nspecies++] = p->line;
    return GMD_OK;
}

/* The optional `wall D n` and `safe R` groups after the 5 pair columns. */
static gmd_status parse_pair_options(parser *p, char **col, int ncol, const char *label,
                                     gmd_pair_params *pp, int *safe_given)
{
    gmd_status st;
    for (int c = 5; c < ncol;) {
        if (!strcmp(col[c], "wall") && c + 2 < ncol) {
            if ((st = parse_number(p, col[c + 1], "wall D", &pp->wall_D)) ||
                (st = parse_int(p, col[c + 2], "wall n", &pp->wall_n)))
                return st;
            if (pp->wall_D <= 0 || pp->wall_n < 7)
                return FAIL(p, GMD_ERR_VALUE,
                            "pair '%s': wall %g %d needs D > 0 (eV A^n) and n >= 7 (to beat "
                            "-C/r^6)",
                            label, pp->wall_D, pp->wall_n);
            c += 3;
        } else if (!strcmp(col[c], "safe") && c + 1 < ncol) {
            if ((st = parse_number(p, col[c + 1], "safe R", &pp->r_safe))) return st;
            if (pp->r_safe < 0)
                return FAIL(p, GMD_ERR_VALUE, "pair '%s': safe %g must be >= 0 (in A)", label,
                            pp->r_safe);
            *safe_given = 1;
            c += 2;
        } else {
            return FAIL(p, GMD_ERR_PARSE,
                        "pair '%s': unexpected column '%s' (or a group missing its values); "
                        "write 'i j A rho C [wall D n] [safe R]'",
                        label, col[c]);
        }
    }
    return GMD_OK;
}

static gmd_status parse_pair(parser *p, char **col, int ncol)
{
    if (ncol < 5 || ncol > 10)
        return FAIL(p, GMD_ERR_PARSE,
                    "[pairs] line has %d columns; write 'i j A rho C [wall D n] [safe R]'", ncol);
    int i, j;
    gmd_status st;
    if ((st = need_species(p, col[0], "[pairs]", &i)) ||
        (st = need_species(p, col[1], "[pairs]", &j)))
        return st;
    char label[2 * GMD_NAME_LEN + 2];
    snprintf(label, sizeof label, "%s %s", col[0], col[1]);
    if (p->pair_line[i][j])
        return FAIL(p, GMD_ERR_VALUE, "pair '%s' is given twice (first at line %d); keep one",
                    label, p->pair_line[i][j]);
    gmd_pair_params pp = {.defined = 1};
    if ((st = parse_number(p, col[2], "A", &pp.A)) ||
        (st = parse_number(p, col[3], "rho", &pp.rho)) ||
        (st = parse_number(p, col[4], "C", &pp.C)))
        return st;
    if (pp.A < 0 || pp.C < 0)
        return FAIL(p, GMD_ERR_VALUE, "pair '%s': A = %g and C = %g must be >= 0", label, pp.A,
                    pp.C);
    if (pp.rho < 0 || (pp.A > 0 && pp.rho == 0))
        return FAIL(p, GMD_ERR_VALUE,
                    "pair '%s': rho = %g must be > 0 (the Buckingham decay length in A)", label,
                    pp.rho);
    int safe_given = 0;
    if ((st = parse_pair_options(p, col, ncol, label, &pp, &safe_given))) return st;
    p->ff->pair[i][j] = p->ff->pair[j][i] = pp;
    p->pair_line[i][j] = p->pair_line[j][i] = p->line;
    p->safe_given[i][j] = p->safe_given[j][i] = safe_given;
    return GMD_OK;
}

static gmd_status parse_threebody(parser *p, char **col, int ncol)
{
    gmd_forcefield *ff = p->ff;
    if (ncol < 5 || ncol > 7)
        return FAIL(p, GMD_ERR_PARSE,
                    "[threebody] line has %d columns; write 'vertex end k theta0 r3 [width] "
                    "[taper]'",
                    ncol);
    /* Without a taper column: the hard cut, the paper's model (SPEC section 2); the width
     * default serves a later `threebody = smooth` override. */
    gmd_threebody_params t = {.width = 0.2, .taper = GMD_TAPER_HARD};
    gmd_status st;
    double theta_deg = 0;
    if ((st = need_species(p, col[0], "[threebody] vertex", &t.vertex)) ||
        (st = need_species(p, col[1], "[threebody] end", &t.end)) ||
        (st = parse_number(p, col[2], "k", &t.k)) ||
        (st = parse_number(p, col[3], "theta0", &theta_deg)) ||
        (st = parse_number(p, col[4], "r3", &t.r3)) ||
        (ncol > 5 && (st = parse_number(p, col[5], "width", &t.width))))
        return st;
    if (ncol > 6) {
        if (!strcmp(col[6], "hard"))
            t.taper = GMD_TAPER_HARD;
        else if (!strcmp(col[6], "smooth"))
            t.taper = GMD_TAPER_SMOOTH;
        else
            return FAIL(p, GMD_ERR_VALUE, "taper '%s' is not valid; write smooth or hard", col[6]);
    }
    if (t.k < 0 || theta_deg < 0 || theta_deg > 180 || t.r3 <= 0)
        return FAIL(p, GMD_ERR_VALUE,
                    "three-body '%s %s': need k >= 0, 0 <= theta0 <= 180 (degrees), r3 > 0", col[0],
                    col[1]);
    if (t.width < 0 || t.width >= t.r3 || (t.taper == GMD_TAPER_SMOOTH && t.width == 0))
        return FAIL(p, GMD_ERR_VALUE,
                    "three-body '%s %s': width = %g must be in (0, r3) for a smooth taper "
                    "(use taper 'hard' for a step at r3)",
                    col[0], col[1], t.width);
    for (int m = 0; m < ff->nthreebody; m++)
        if (ff->threebody[m].vertex == t.vertex && ff->threebody[m].end == t.end)
            return FAIL(p, GMD_ERR_VALUE,
                        "three-body '%s %s' is given twice (first at line "
                        "%d); keep one",
                        col[0], col[1], p->threebody_line[m]);
    if (ff->nthreebody == GMD_MAX_THREEBODY)
        return FAIL(p, GMD_ERR_VALUE, "too many three-body terms (at most %d)", GMD_MAX_THREEBODY);
    t.theta0 = theta_deg * GMD_PI / 180.0;
    p->threebody_line[ff->nthreebody] = p->line;
    ff->threebody[ff->nthreebody++] = t;
    return GMD_OK;
}

/* A formula such as "Na2S" or "SiS2": at each position the longest species name that
 * matches, then an optional count. */
static gmd_status parse_formula(const parser *p, const char *text, gmd_formula *f)
{
    memset(f, 0, sizeof *f);
    if (strlen(text) >= GMD_FORMULA_LEN)
        return FAIL(p, GMD_ERR_VALUE, "formula '%s' is too long (at most %d characters)", text,
                    GMD_FORMULA_LEN - 1);
    snprintf(f->text, sizeof f->text, "%s", text);
    const char *c = text;
    while (*c) {
        int best = -1;
        size_t best_len = 0;
        for (int s = 0; s < p->ff->nspecies; s++) {
            size_t len = strlen(p->ff->species[s].name);
            if (len > best_len && !strncmp(c, p->ff->species[s].name, len))
                best = s, best_len = len;
        }
        if (best < 0) {
            char known[512];
            species_list(p->ff, known, sizeof known);
            return FAIL(p, GMD_ERR_VALUE,
                        "formula '%s' uses an unknown species at '%s'; write it with species "
                        "of [species] (%s)",
                        text, c, known);
        }
        c += best_len;
        long n = 1;
        if (isdigit((unsigned char)*c)) {
            char *end;
            n = strtol(c, &end, 10);
            c = end;
        }
        if (n < 1 || n > 1000)
            return FAIL(p, GMD_ERR_VALUE, "formula '%s': count %ld must be 1..1000", text, n);
        f->count[best] += (int)n;
        f->natoms += (int)n;
    }
    double q = 0;
    for (int s = 0; s < p->ff->nspecies; s++)
        q += f->count[s] * p->ff->species[s].charge;
    if (fabs(q) >= 1e-6)
        return FAIL(p, GMD_ERR_VALUE,
                    "formula '%s' is not neutral (net charge %+g e); fix the formula or the "
                    "species charges",
                    text, q);
    return GMD_OK;
}

/* ---- whole-file checks --------------------------------------------------------------- */

static gmd_status check_pairs_complete(const parser *p, int last_line)
{
    const gmd_forcefield *ff = p->ff;
    if (ff->nspecies == 0)
        return fail_at(p, last_line, GMD_ERR_PARSE,
                       "no species; add a [species] section with lines 'name mass charge'");
    for (int i = 0; i < ff->nspecies; i++)
        for (int j = i; j < ff->nspecies; j++) {
            if (ff->pair[i][j].defined) continue;
            const char *a = ff->species[i].name, *b = ff->species[j].name;
            if (!p->section_line[SEC_PAIRS])
                return fail_at(p, last_line, GMD_ERR_PARSE,
                               "no [pairs] section; add one with a line per species pair, "
                               "starting with '%s %s A rho C'",
                               a, b);
            return fail_at(p, p->section_line[SEC_PAIRS], GMD_ERR_VALUE,
                           "[pairs] lacks the pair '%s %s'; add a line '%s %s A rho C' (write "
                           "'%s %s 0 1.0 0' for no short-range term)",
                           a, b, a, b, a, b);
        }
    return GMD_OK;
}

static gmd_status check_composition(const parser *p, int last_line)
{
    gmd_forcefield *ff = p->ff;
    int line = p->section_line[SEC_COMPOSITION];
    if (!line) return GMD_OK;
    for (int k = 0; k < NCOMPOSITION_KEYS; k++)
        if (!p->composition_line[k])
            return fail_at(p, line, GMD_ERR_PARSE,
                           "[composition] lacks '%s = FORMULA'; add it (e.g. modifier = Na2S, "
                           "former = SiS2)",
                           composition_keys[k]);
    if (ff->modifier.natoms != ff->former.natoms)
        return fail_at(p, p->composition_line[1], GMD_ERR_VALUE,
                       "modifier '%s' has %d atoms but former '%s' has %d; formula units of "
                       "equal size are needed (e.g. Na2S and SiS2, 3 atoms each)",
                       ff->modifier.text, ff->modifier.natoms, ff->former.text, ff->former.natoms);
    (void)last_line;
    ff->has_composition = 1;
    return GMD_OK;
}

/* Smaller root of dV/dr = 0 for A exp(-r/rho) - C/r^6, or 0 when there is no barrier. */
static double barrier_radius(double A, double rho, double C)
{
    double base = log(A / rho) - log(6.0 * C);
    double hi = 7.0 * rho;
    if (base - hi / rho + 7.0 * log(hi) <= 0) return 0.0;
    double lo = 1e-6 * rho;
    for (int it = 0; it < 200 && hi - lo > 1e-14 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if (base - mid / rho + 7.0 * log(mid) > 0)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

static gmd_status derive_safe_distances(const parser *p)
{
    gmd_forcefield *ff = p->ff;
    for (int i = 0; i < ff->nspecies; i++)
        for (int j = i; j < ff->nspecies; j++) {
            gmd_pair_params *pp = &ff->pair[i][j];
            if (p->safe_given[i][j]) continue;
            double rb = (pp->A > 0 && pp->C > 0) ? barrier_radius(pp->A, pp->rho, pp->C) : 0;
            if (pp->C > 0 && rb == 0 && pp->wall_D == 0)
                return fail_at(p, p->pair_line[i][j], GMD_ERR_VALUE,
                               "pair '%s %s': -C/r^6 beats A exp(-r/rho) at every distance, so "
                               "the pair collapses; raise A, lower C or add 'wall D n'",
                               ff->species[i].name, ff->species[j].name);
            pp->r_safe = pp->wall_D > 0 ? 0.5 * rb : rb;
            ff->pair[j][i].r_safe = pp->r_safe;
        }
    return GMD_OK;
}

/* ---- driver ------------------------------------------------------------------------- */

static gmd_status parse_line(parser *p, char *raw)
{
    char *hash = strchr(raw, '#');
    if (hash) *hash = '\0';
    char *line = gmd_text_trim(raw);
    if (!*line) return GMD_OK;
    if (line[0] == '[') return open_section(p, line);
    if (p->sec == SEC_EXTRA) return keep_extra_line(p, line);
    if (strchr(line, '=')) return parse_key_value(p, line);
    if (p->sec == SEC_GLOBAL)
        return FAIL(p, GMD_ERR_PARSE,
                    "'%s' is neither 'key = value' nor a section header; settings are "
                    "'key = value', sections start with '[name]'",
                    line);
    if (p->sec == SEC_COMPOSITION)
        return FAIL(p, GMD_ERR_PARSE,
                    "[composition] holds 'modifier = FORMULA' and 'former = FORMULA' lines");
    char *col[MAX_COLUMNS];
    int ncol = gmd_text_split(line, col, MAX_COLUMNS);
    switch (p->sec) {
    case SEC_SPECIES:
        return parse_species(p, col, ncol);
    case SEC_PAIRS:
        return parse_pair(p, col, ncol);
    default:
        return parse_threebody(p, col, ncol);
    }
}

static void set_defaults(gmd_forcefield *ff, const char *name)
{
    memset(ff, 0, sizeof *ff);
    snprintf(ff->path, sizeof ff->path, "%s", name);
    ff->cutoff = 10.0;
    ff->shift_energy = 0;
    ff->kspace = GMD_KSPACE_PPPM;
    ff->kspace_accuracy = 1e-5;
}

gmd_status gmd_forcefield_parse(gmd_forcefield *ff, const char *text, const char *name,
                                gmd_error *err)
{
    parser p = {.ff = ff, .name = name ? name : "(string)", .err = err};
    set_defaults(ff, p.name);
    const char *c = text;
    char buf[LINE_MAX_LEN];
    gmd_status st = GMD_OK;
    while (*c) {
        p.line++;
        size_t n = strcspn(c, "\n");
        if (n >= sizeof buf)
            return FAIL(&p, GMD_ERR_PARSE, "line longer than %d characters; shorten it",
                        LINE_MAX_LEN - 1);
        memcpy(buf, c, n);
        buf[n] = '\0';
        c += n + (c[n] == '\n');
        if ((st = parse_line(&p, buf))) return st;
    }
    int last_line = p.line > 0 ? p.line : 1;
    if ((st = check_pairs_complete(&p, last_line)) || (st = check_composition(&p, last_line)) ||
        (st = derive_safe_distances(&p)))
        return st;
    return GMD_OK;
}

gmd_status gmd_forcefield_read(gmd_forcefield *ff, const char *path, gmd_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open force-field file (%s); check the path",
                        path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *text = gmd_calloc(cap, 1, "force-field text", err);
    if (!text) {
        fclose(fp);
        return GMD_ERR_NOMEM;
    }
    size_t got;
    while ((got = fread(text + len, 1, cap - len - 1, fp)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *bigger = gmd_realloc(text, 2 * cap, 1, "force-field text", err);
            if (!bigger) {
                free(text);
                fclose(fp);
                return GMD_ERR_NOMEM;
            }
            text = bigger, cap *= 2;
        }
    }
    int read_error = ferror(fp);
    fclose(fp);
    text[len] = '\0';
    gmd_status st = read_error ? gmd_fail(err, GMD_ERR_IO, "%s: read error; check the file", path)
                               : gmd_forcefield_parse(ff, text, path, err);
    free(text);
    return st;
}

int gmd_forcefield_species_index(const gmd_forcefield *ff, const char *name)
{
    for (int s = 0; s < ff->nspecies; s++)
        if (!strcmp(ff->species[s].name, name)) return s;
    return -1;
}

void gmd_forcefield_species_list(const gmd_forcefield *ff, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int s = 0; s < ff->nspecies; s++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", s ? ", " : "", ff->species[s].name);
    }
}

gmd_status gmd_forcefield_check_neutral(const gmd_forcefield *ff, const long *counts,
                                        gmd_error *err)
{
    double q = 0;
    for (int s = 0; s < ff->nspecies; s++)
        q += (double)counts[s] * ff->species[s].charge;
    if (fabs(q) < 1e-6) return GMD_OK;
    char detail[512] = "";
    for (int s = 0; s < ff->nspecies; s++) {
        size_t used = strlen(detail);
        snprintf(detail + used, sizeof detail - used, "%s%s %ld x %+g", s ? ", " : "",
                 ff->species[s].name, counts[s], ff->species[s].charge);
    }
    return gmd_fail(err, GMD_ERR_VALUE,
                    "the system is not neutral: net charge %+.6g e (%s); change the counts so "
                    "that the charges add up to zero",
                    q, detail);
}

double gmd_pair_short_energy(const gmd_pair_params *p, double r)
{
    double e = 0;
    if (p->A != 0) e += p->A * exp(-r / p->rho);
    if (p->C != 0) {
        double r2 = r * r;
        e -= p->C / (r2 * r2 * r2);
    }
    if (p->wall_D != 0) e += p->wall_D / pow(r, p->wall_n);
    return e;
}
