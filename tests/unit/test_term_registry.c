/* test_term_registry.c - a force term added from outside the library, through the term
 * registry alone: a harmonic wall E = k/2 (z - z0)^2 on every atom above the plane z = z0.
 *
 * The wall lives only in this file. It is registered with gmd_term_registry_add and the
 * model is made with gmd_model_create_from; the tests check that its forces are minus the
 * finite-difference gradient of its energy, that its energy part appears in the tally under
 * its name, that the model honours the cut-off, inner list and time-stepping group it
 * declares, and that the registry refuses inconsistent kinds; and that the wall can take
 * its parameters from its own [harmonic_wall] section of a force-field file. The built-in layout
 * (the parts `glassmd eval` prints, in order) and the built-in terms' needs are checked too. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glassmd/model.h"
#include "testutil.h"

enum { SI = 0, S = 1, NA = 2 }; /* species of tu_reference_ff */

/* ---- the harmonic wall ----------------------------------------------------------- */

typedef struct wall_params {
    double z0, k;        /* A, eV/A^2 */
    gmd_term_needs need; /* what the term declares (group, and any list it asks for) */
    int wanted;          /* what wanted() answers */
} wall_params;

typedef struct wall_state {
    double z0, k;
} wall_state;

/* An external field: its forces are one-body, so it adds no pair virial. */
static gmd_status wall_compute(gmd_term *self, const gmd_compute_args *args, gmd_tally *tally,
                               gmd_error *err)
{
    (void)err;
    const wall_state *s = self->state;
    gmd_atoms *a = args->atoms;
    double e = 0.0;
    for (size_t i = 0; i < a->n; i++) {
        double h = a->r[2][i] - s->z0;
        if (h <= 0.0) continue;
        e += 0.5 * s->k * h * h;
        a->f[2][i] -= s->k * h;
    }
    tally->energy[self->first_part] += e;
    return GMD_OK;
}

static int wall_describe(const gmd_term *self, char *buf, size_t len)
{
    const wall_state *s = self->state;
    return snprintf(buf, len, "{\"style\": \"harmonic_wall\", \"z0\": %g, \"k\": %g}", s->z0, s->k);
}

static void wall_destroy(gmd_term *self)
{
    free(self->state);
    self->state = NULL;
}

static int wall_wanted(const gmd_term_kind *self, const gmd_term_setup *setup)
{
    (void)setup;
    const wall_params *p = self->data;
    return p->wanted;
}

static gmd_status wall_create(const gmd_term_kind *self, const gmd_term_setup *setup,
                              gmd_term **out, gmd_error *err)
{
    (void)setup;
    static const gmd_term template = {.name = "harmonic_wall",
                                      .compute = wall_compute,
                                      .describe = wall_describe,
                                      .destroy = wall_destroy};
    const wall_params *p = self->data;
    *out = gmd_term_new(&template, sizeof(wall_state), err);
    if (!*out) return GMD_ERR_NOMEM;
    (*out)->needs = p->need;
    wall_state *s = (*out)->state;
    s->z0 = p->z0;
    s->k = p->k;
    return GMD_OK;
}

static const gmd_energy_part wall_parts[] = {{"harmonic_wall", NULL}};

static gmd_term_kind wall_kind(const wall_params *p)
{
    return (gmd_term_kind){.name = "harmonic_wall",
                           .nparts = 1,
                           .parts = wall_parts,
                           .wanted = wall_wanted,
                           .create = wall_create,
                           .data = p};
}

/* ---- fixture ------------------------------------------------------------------------ */

typedef struct fixture {
    gmd_forcefield ff;
    gmd_box box;
    gmd_atoms atoms;
    gmd_model_options opt;
} fixture;

/* 600 atoms of 50Na2S-50SiS2 (box 24 A), cut-off 8 A, no Coulomb, three-body as asked. */
static void make_fixture(fixture *f, int threebody)
{
    tu_reference_ff(&f->ff);
    long counts[3] = {100, 300, 200};
    tu_random_system(&f->ff, counts, 0.043, 2.0, 17, &f->box, &f->atoms);
    f->opt = gmd_model_default_options(&f->ff);
    f->opt.kspace = GMD_KSPACE_NONE;
    f->opt.cutoff = 8.0;
    f->opt.threebody = threebody;
}

static void free_fixture(fixture *f)
{
    gmd_atoms_free(&f->atoms);
}

static wall_params default_wall(const fixture *f, unsigned group)
{
    return (wall_params){
        .z0 = 0.6 * f->box.len[2], .k = 2.0, .need = {.group = group}, .wanted = 1};
}

static void make_model(gmd_model **model, fixture *f, const gmd_term_kind *extra)
{
    gmd_term_registry registry = gmd_term_registry_builtin();
    gmd_error err;
    if (extra && gmd_term_registry_add(&registry, extra, &err) != GMD_OK)
        fail_msg("%s", err.message);
    if (gmd_model_create_from(model, &registry, &f->ff, &f->opt, &f->box, &f->atoms, &err) !=
        GMD_OK)
        fail_msg("%s", err.message);
}

static double wall_energy_by_hand(const fixture *f, const wall_params *p)
{
    double e = 0.0;
    for (size_t i = 0; i < f->atoms.n; i++) {
        double h = f->atoms.r[2][i] - p->z0;
        if (h > 0.0) e += 0.5 * p->k * h * h;
    }
    return e;
}

static double *new_forces(size_t n, double *forces[3])
{
    double *block = calloc(3 * n, sizeof *block);
    assert_non_null(block);
    for (int k = 0; k < 3; k++)
        forces[k] = block + (size_t)k * n;
    return block;
}

/* The tally of the terms of `groups`, forces into `forces`. */
static gmd_tally compute_group(gmd_model *model, fixture *f, unsigned groups, double *forces[3])
{
    gmd_tally t;
    gmd_error err;
    if (gmd_model_compute_group(model, groups, &f->box, &f->atoms, forces, &t, &err) != GMD_OK)
        fail_msg("%s", err.message);
    return t;
}

/* The tally of every term, forces into the atoms. */
static gmd_tally compute_all(gmd_model *model, fixture *f)
{
    gmd_tally t;
    gmd_error err;
    if (gmd_model_compute(model, &f->box, &f->atoms, &t, &err) != GMD_OK)
        fail_msg("%s", err.message);
    return t;
}

/* ---- the built-in kinds --------------------------------------------------------------- */

/* The parts and their order are `glassmd eval`'s keys; compute order is k-space first. */
static void test_builtin_layout_and_needs(void **state)
{
    (void)state;
    gmd_term_registry registry = gmd_term_registry_builtin();
    assert_int_equal(registry.nkinds, 3);
    assert_int_equal(registry.nparts, 6);
    assert_non_null(gmd_term_registry_find(&registry, "threebody"));
    assert_null(gmd_term_registry_find(&registry, "harmonic_wall"));

    fixture f;
    make_fixture(&f, 1);
    f.opt.kspace = GMD_KSPACE_EWALD;
    gmd_model *model;
    make_model(&model, &f, NULL);
    const char *names[] = {"buckingham",    "wall",         "coulomb_real",
                           "coulomb_recip", "coulomb_self", "threebody"};
    assert_int_equal(gmd_model_nparts(model), 6);
    for (int p = 0; p < 6; p++) {
        assert_string_equal(gmd_model_part(model, p)->name, names[p]);
        assert_int_equal(gmd_model_part_index(model, names[p]), p);
    }
    assert_int_equal(gmd_model_part_index(model, "coulomb"), -1); /* a total, not a part */
    assert_string_equal(gmd_model_part(model, 3)->sum, "coulomb");

    assert_int_equal(gmd_model_nterms(model), 3);
    assert_string_equal(gmd_model_term(model, 0)->name, "ewald");
    assert_string_equal(gmd_model_term(model, 1)->name, "buckingham/coul");
    assert_string_equal(gmd_model_term(model, 2)->name, "threebody");
    assert_int_equal(gmd_model_term(model, 0)->first_part, 3);
    assert_int_equal(gmd_model_term(model, 1)->first_part, 0);
    assert_int_equal(gmd_model_term(model, 2)->first_part, 5);
    assert_true(gmd_model_term(model, 0)->needs.cutoff == 0.0 &&
                gmd_model_term(model, 0)->needs.group == GMD_GROUP_SLOW);
    assert_true(gmd_model_term(model, 1)->needs.cutoff == 8.0 &&
                gmd_model_term(model, 1)->needs.group == GMD_GROUP_SLOW);
    assert_true(gmd_model_term(model, 2)->needs.cutoff == 2.7 &&
                gmd_model_term(model, 2)->needs.group == GMD_GROUP_FAST);
    assert_true(gmd_neighbor_cutoff(gmd_model_neighbor_list(model)) == 8.0);
    assert_true(gmd_neighbor_inner_cutoff(gmd_model_neighbor_list(model)) == 2.7);
    assert_true(gmd_neighbor_inner_has_types(gmd_model_neighbor_list(model), S, SI) &&
                gmd_neighbor_inner_has_types(gmd_model_neighbor_list(model), SI, S));
    assert_false(gmd_neighbor_inner_has_types(gmd_model_neighbor_list(model), NA, NA));
    gmd_model_free(model);
    free_fixture(&f);
}

/* Without Coulomb and three-body terms only the pair term is made, the parts stay. */
static void test_unwanted_kinds_keep_their_slots(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, 0);
    gmd_model *model;
    make_model(&model, &f, NULL);
    assert_int_equal(gmd_model_nterms(model), 1);
    assert_int_equal(gmd_model_nparts(model), 6);
    assert_int_equal(gmd_model_has_group(model, GMD_GROUP_FAST), 0);
    assert_true(gmd_neighbor_inner_cutoff(gmd_model_neighbor_list(model)) == 0.0);
    gmd_tally t = compute_all(model, &f);
    for (int p = 2; p < GMD_TALLY_MAX_PARTS; p++)
        assert_true(t.energy[p] == 0.0);
    assert_true(t.energy[0] != 0.0);
    gmd_model_free(model);
    free_fixture(&f);
}

/* ---- the wall ----------------------------------------------------------------------- */

/* Its energy is in the tally under its name, after the built-in parts, and in the total. */
static void test_wall_part_by_name(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, 1);
    wall_params p = default_wall(&f, GMD_GROUP_SLOW);
    gmd_term_kind kind = wall_kind(&p);
    gmd_model *model;
    make_model(&model, &f, &kind);
    assert_int_equal(gmd_model_nparts(model), 7);
    int slot = gmd_model_part_index(model, "harmonic_wall");
    assert_int_equal(slot, 6);
    assert_int_equal(gmd_model_nterms(model), 3);
    assert_int_equal(gmd_model_term(model, 2)->first_part, 6); /* after threebody: registry order */

    gmd_tally t = compute_all(model, &f);
    double expect = wall_energy_by_hand(&f, &p);
    assert_true(expect > 100.0);
    assert_true(fabs(t.energy[slot] - expect) <= 1e-12 * expect);
    double others = 0.0;
    for (int q = 0; q < 6; q++)
        others += t.energy[q];
    assert_true(fabs(gmd_tally_total(&t) - (others + t.energy[slot])) <= 1e-9 * fabs(others));
    gmd_model_free(model);
    free_fixture(&f);
}

/* Forces (the fast group holds only the wall here) against central differences of its
 * energy; the energy is quadratic, so the difference is exact up to rounding. */
static void test_wall_forces_are_minus_gradient(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, 0);
    wall_params p = default_wall(&f, GMD_GROUP_FAST);
    gmd_term_kind kind = wall_kind(&p);
    gmd_model *model;
    make_model(&model, &f, &kind);
    int slot = gmd_model_part_index(model, "harmonic_wall");
    size_t n = f.atoms.n;
    double *force[3], *scratch[3];
    double *fblock = new_forces(n, force), *sblock = new_forces(n, scratch);
    gmd_tally t = compute_group(model, &f, GMD_GROUP_FAST, force);
    assert_true(gmd_tally_total(&t) == t.energy[slot]); /* nothing else is fast */
    const double h = 1e-4;
    int above = 0, below = 0;
    for (size_t i = 0; i < n; i += 7) {
        double z = f.atoms.r[2][i];
        if (fabs(z - p.z0) < 2 * h || z < 2 * h || z > f.box.len[2] - 2 * h) continue;
        for (int k = 0; k < 3; k++) {
            double x = f.atoms.r[k][i];
            f.atoms.r[k][i] = x + h;
            double ep = compute_group(model, &f, GMD_GROUP_FAST, scratch).energy[slot];
            f.atoms.r[k][i] = x - h;
            double em = compute_group(model, &f, GMD_GROUP_FAST, scratch).energy[slot];
            f.atoms.r[k][i] = x;
            assert_true(fabs(-(ep - em) / (2 * h) - force[k][i]) < 1e-6);
        }
        if (z > p.z0) {
            above++;
            assert_true(force[2][i] < 0.0);
        } else {
            below++;
            assert_true(force[2][i] == 0.0);
        }
    }
    assert_true(above > 10 && below > 10);
    free(fblock);
    free(sblock);
    gmd_model_free(model);
    free_fixture(&f);
}

/* A fast wall runs in the fast group only, a slow one in the slow group only. */
static void test_wall_runs_in_its_group(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, 0);
    double *force[3];
    double *block = new_forces(f.atoms.n, force);
    for (unsigned group = GMD_GROUP_SLOW; group <= GMD_GROUP_FAST; group++) {
        wall_params p = default_wall(&f, group);
        gmd_term_kind kind = wall_kind(&p);
        gmd_model *model;
        make_model(&model, &f, &kind);
        int slot = gmd_model_part_index(model, "harmonic_wall");
        assert_int_equal(gmd_model_has_group(model, GMD_GROUP_FAST), group == GMD_GROUP_FAST);
        unsigned other = GMD_GROUP_ALL & ~group;
        assert_true(compute_group(model, &f, group, force).energy[slot] > 0.0);
        assert_true(compute_group(model, &f, other, force).energy[slot] == 0.0);
        gmd_model_free(model);
    }
    free(block);
    free_fixture(&f);
}

/* The list reaches the largest cut-off any term declares; inner lists merge. */
static void test_model_honours_declared_lists(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, 1);
    wall_params p = default_wall(&f, GMD_GROUP_SLOW);
    p.need.cutoff = 10.5;
    p.need.inner_cutoff = 3.25;
    p.need.inner_pairs[NA][NA] = 1;
    gmd_term_kind kind = wall_kind(&p);
    gmd_model *model;
    make_model(&model, &f, &kind);
    assert_true(gmd_neighbor_cutoff(gmd_model_neighbor_list(model)) == 10.5);
    assert_true(gmd_neighbor_inner_cutoff(gmd_model_neighbor_list(model)) == 3.25);
    assert_true(gmd_neighbor_inner_has_types(gmd_model_neighbor_list(model), NA, NA));
    assert_true(gmd_neighbor_inner_has_types(gmd_model_neighbor_list(model), S, SI) &&
                gmd_neighbor_inner_has_types(gmd_model_neighbor_list(model), SI, S));
    assert_false(gmd_neighbor_inner_has_types(gmd_model_neighbor_list(model), NA, S));
    compute_all(model, &f);
    gmd_model_free(model);

    p.wanted = 0; /* not wanted: no term, no list needs, the slot stays (and stays 0) */
    make_model(&model, &f, &kind);
    assert_int_equal(gmd_model_nterms(model), 2);
    assert_int_equal(gmd_model_nparts(model), 7);
    assert_true(gmd_neighbor_cutoff(gmd_model_neighbor_list(model)) == 8.0 &&
                gmd_neighbor_inner_cutoff(gmd_model_neighbor_list(model)) == 2.7);
    gmd_model_free(model);
    free_fixture(&f);
}

/* A lower compute rank is created and computed first, whatever its registry place. */
static void test_compute_rank_orders_terms(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, 1);
    f.opt.kspace = GMD_KSPACE_PPPM;
    wall_params p = default_wall(&f, GMD_GROUP_SLOW);
    gmd_term_kind kind = wall_kind(&p);
    kind.compute_rank = -2;
    gmd_model *model;
    make_model(&model, &f, &kind);
    assert_int_equal(gmd_model_nterms(model), 4);
    const char *order[] = {"harmonic_wall", "pppm", "buckingham/coul", "threebody"};
    for (int t = 0; t < 4; t++)
        assert_string_equal(gmd_model_term(model, t)->name, order[t]);
    assert_int_equal(gmd_model_term(model, 0)->first_part, 6);
    gmd_model_free(model);
    free_fixture(&f);
}

/* ---- what the registry and the model refuse --------------------------------------------- */

static void expect_add_fails(gmd_term_registry *registry, const gmd_term_kind *kind,
                             const char *words)
{
    gmd_error err;
    gmd_error_clear(&err);
    int before = registry->nkinds;
    assert_int_equal(gmd_term_registry_add(registry, kind, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, words));
    assert_int_equal(registry->nkinds, before);
}

static void test_registry_refuses_bad_kinds(void **state)
{
    (void)state;
    wall_params p = {.k = 1.0, .need = {.group = GMD_GROUP_SLOW}, .wanted = 1};
    gmd_term_registry registry = gmd_term_registry_builtin();
    gmd_term_kind kind = wall_kind(&p);

    gmd_term_kind bad = kind;
    bad.name = "threebody";
    expect_add_fails(&registry, &bad, "registered already");
    static const gmd_energy_part clash[] = {{"wall", NULL}};
    bad = kind;
    bad.parts = clash;
    expect_add_fails(&registry, &bad, "'wall' is named");
    static const gmd_energy_part twice[] = {{"a", NULL}, {"a", NULL}};
    bad = kind;
    bad.parts = twice;
    bad.nparts = 2;
    expect_add_fails(&registry, &bad, "'a' is named");
    static const gmd_energy_part unnamed[] = {{NULL, NULL}};
    bad = kind;
    bad.parts = unnamed;
    expect_add_fails(&registry, &bad, "has no name");
    bad = kind;
    bad.nparts = 0;
    expect_add_fails(&registry, &bad, "energy parts");
    bad.nparts = GMD_TALLY_MAX_PARTS;
    expect_add_fails(&registry, &bad, "free slots");
    bad = kind;
    bad.create = NULL;
    expect_add_fails(&registry, &bad, "required");

    /* fill the registry with distinct kinds, then one more */
    static const char *const names[] = {"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"};
    static const gmd_energy_part parts[][1] = {{{"p1", NULL}}, {{"p2", NULL}}, {{"p3", NULL}},
                                               {{"p4", NULL}}, {{"p5", NULL}}, {{"p6", NULL}},
                                               {{"p7", NULL}}, {{"p8", NULL}}};
    gmd_term_kind many[8];
    gmd_error err;
    int k = 0;
    for (; registry.nkinds < GMD_REGISTRY_MAX_KINDS; k++) {
        many[k] = kind;
        many[k].name = names[k];
        many[k].parts = parts[k];
        assert_int_equal(gmd_term_registry_add(&registry, &many[k], &err), GMD_OK);
    }
    many[k] = kind;
    many[k].name = names[k];
    many[k].parts = parts[k];
    expect_add_fails(&registry, &many[k], "kinds at most");
}

/* Needs the model cannot meet are an error, and the terms made so far are freed (ASan). */
static void test_model_refuses_bad_needs(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, 1);
    wall_params bad_group = default_wall(&f, 0);
    wall_params bad_inner = default_wall(&f, GMD_GROUP_FAST);
    bad_inner.need.cutoff = 2.0;
    bad_inner.need.inner_cutoff = 3.0;
    const wall_params *cases[] = {&bad_group, &bad_inner};
    const char *words[] = {"time-stepping group 0", "inner cut-off 3 A"};
    for (int c = 0; c < 2; c++) {
        gmd_term_registry registry = gmd_term_registry_builtin();
        gmd_term_kind kind = wall_kind(cases[c]);
        gmd_error err;
        assert_int_equal(gmd_term_registry_add(&registry, &kind, &err), GMD_OK);
        gmd_model *model;
        assert_int_equal(
            gmd_model_create_from(&model, &registry, &f.ff, &f.opt, &f.box, &f.atoms, &err),
            GMD_ERR_INTERNAL);
        assert_null(model);
        assert_non_null(strstr(err.message, "harmonic_wall"));
        assert_non_null(strstr(err.message, words[c]));
    }
    free_fixture(&f);
}

/* ---- the wall read from its own force-field section ------------------------------- */

/* [harmonic_wall] holds `z0 = A` and `k = eV/A^2`; a kind that names the section reads it
 * (the parser keeps it verbatim) and is wanted when the file has it. */
static int section_wall_wanted(const gmd_term_kind *self, const gmd_term_setup *setup)
{
    return gmd_forcefield_section(setup->ff, self->section) != NULL;
}

static gmd_status section_wall_create(const gmd_term_kind *self, const gmd_term_setup *setup,
                                      gmd_term **out, gmd_error *err)
{
    const gmd_forcefield *ff = setup->ff;
    const gmd_ff_extra_section *sec = gmd_forcefield_section(ff, self->section);
    wall_params p = {.z0 = NAN, .k = NAN, .need = {.group = GMD_GROUP_SLOW}, .wanted = 1};
    for (int l = sec->first; l < sec->first + sec->count; l++) {
        const gmd_ff_extra_line *line = &ff->extra_line[l];
        char key[16];
        double value;
        if (sscanf(line->text, "%15s = %lf", key, &value) != 2 ||
            (strcmp(key, "z0") && strcmp(key, "k")))
            return gmd_fail(err, GMD_ERR_PARSE,
                            "%s:%d: [harmonic_wall] takes 'z0 = A' and 'k = eV/A^2', not '%s'",
                            ff->path, line->line, line->text);
        *(strcmp(key, "z0") ? &p.k : &p.z0) = value;
    }
    if (isnan(p.z0) || isnan(p.k))
        return gmd_fail(err, GMD_ERR_PARSE, "%s:%d: [harmonic_wall] needs both z0 and k", ff->path,
                        sec->line);
    gmd_term_kind with_params = *self;
    with_params.data = &p;
    return wall_create(&with_params, setup, out, err);
}

static gmd_term_kind section_wall_kind(void)
{
    return (gmd_term_kind){.name = "harmonic_wall",
                           .nparts = 1,
                           .parts = wall_parts,
                           .wanted = section_wall_wanted,
                           .create = section_wall_create,
                           .section = "harmonic_wall"};
}

/* The reference force field's text with `extra` appended. */
static char *ff_text_with(const char *extra)
{
    char path[4096];
    FILE *fp = fopen(tu_source_path("data/forcefields/na2s-sis2.ff", path, sizeof path), "r");
    assert_non_null(fp);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t n = fread(text, 1, 65536 - strlen(extra) - 1, fp);
    fclose(fp);
    memcpy(text + n, extra, strlen(extra) + 1);
    return text;
}

/* A new term's parameters come from a section of the force-field file that only the term
 * knows: the parser keeps it, the kind reads it, and a model without the kind refuses the
 * file at the section's line. A misspelt built-in section is still a parse error. */
static void test_wall_from_forcefield_section(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, 0);
    char *text = ff_text_with("\n[harmonic_wall]   # a plane near the top of the box\n"
                              "z0 = 14.4\nk = 2.5\n");
    gmd_error err;
    assert_int_equal(gmd_forcefield_parse(&f.ff, text, "wall.ff", &err), GMD_OK);
    const gmd_ff_extra_section *sec = gmd_forcefield_section(&f.ff, "harmonic_wall");
    assert_non_null(sec);
    assert_int_equal(sec->count, 2);
    /* the built-in registry has no kind for the section: refused at its line */
    gmd_model *model = NULL;
    assert_int_not_equal(gmd_model_create(&model, &f.ff, &f.opt, &f.box, &f.atoms, &err), GMD_OK);
    assert_null(model);
    char want[64];
    snprintf(want, sizeof want, "wall.ff:%d: unknown section [harmonic_wall]", sec->line);
    if (!strstr(err.message, want)) fail_msg("message '%s' lacks '%s'", err.message, want);
    /* with the kind registered: the wall of the file's z0 and k */
    gmd_term_kind kind = section_wall_kind();
    make_model(&model, &f, &kind);
    int slot = gmd_model_part_index(model, "harmonic_wall");
    assert_true(slot >= 0);
    gmd_tally t = compute_all(model, &f);
    wall_params by_hand = {.z0 = 14.4, .k = 2.5};
    double e = wall_energy_by_hand(&f, &by_hand);
    assert_true(e > 0.0);
    assert_true(fabs(t.energy[slot] - e) <= 1e-12 * e);
    gmd_model_free(model);
    free(text);
    /* a bad line of the section: the kind's own message, at that line */
    text = ff_text_with("\n[harmonic_wall]\nz0 = 14.4\nstiffness = 2.5\n");
    assert_int_equal(gmd_forcefield_parse(&f.ff, text, "wall.ff", &err), GMD_OK);
    gmd_term_registry registry = gmd_term_registry_builtin();
    assert_int_equal(gmd_term_registry_add(&registry, &kind, &err), GMD_OK);
    assert_int_not_equal(
        gmd_model_create_from(&model, &registry, &f.ff, &f.opt, &f.box, &f.atoms, &err), GMD_OK);
    snprintf(want, sizeof want, "wall.ff:%d: [harmonic_wall] takes",
             gmd_forcefield_section(&f.ff, "harmonic_wall")->line + 2);
    if (!strstr(err.message, want)) fail_msg("message '%s' lacks '%s'", err.message, want);
    free(text);
    /* a misspelt built-in section is not taken for a new one */
    text = ff_text_with("\n[threebdy]\n");
    assert_int_not_equal(gmd_forcefield_parse(&f.ff, text, "typo.ff", &err), GMD_OK);
    if (!strstr(err.message, "did you mean [threebody]")) fail_msg("%s", err.message);
    free(text);
    free_fixture(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_layout_and_needs),
        cmocka_unit_test(test_unwanted_kinds_keep_their_slots),
        cmocka_unit_test(test_wall_part_by_name),
        cmocka_unit_test(test_wall_forces_are_minus_gradient),
        cmocka_unit_test(test_wall_runs_in_its_group),
        cmocka_unit_test(test_model_honours_declared_lists),
        cmocka_unit_test(test_compute_rank_orders_terms),
        cmocka_unit_test(test_registry_refuses_bad_kinds),
        cmocka_unit_test(test_model_refuses_bad_needs),
        cmocka_unit_test(test_wall_from_forcefield_section),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
