/* term_registry.c - the built-in term kinds in registry order, and the checks that keep a
 * registry's kinds and their tally slots consistent (term_registry.h). */
#include "glassmd/term_registry.h"

#include <string.h>

#include "glassmd/kspace.h"
#include "glassmd/pair_buck_coul.h"
#include "glassmd/threebody.h"

/* Registry order is the tally layout (and eval's key order): pair parts, then k-space,
 * then three-body. */
static const gmd_term_kind *const builtin_kinds[] = {
    &gmd_pair_buck_coul_kind,
    &gmd_kspace_kind,
    &gmd_threebody_kind,
};
#define NBUILTIN ((int)(sizeof builtin_kinds / sizeof builtin_kinds[0]))

_Static_assert(NBUILTIN <= GMD_REGISTRY_MAX_KINDS, "the built-in kinds must fit a registry");

gmd_term_registry gmd_term_registry_builtin(void)
{
    gmd_term_registry registry = {0};
    for (int k = 0; k < NBUILTIN; k++) {
        registry.kind[registry.nkinds++] = builtin_kinds[k];
        registry.nparts += builtin_kinds[k]->nparts;
    }
    return registry;
}

const gmd_term_kind *gmd_term_registry_find(const gmd_term_registry *registry, const char *name)
{
    for (int k = 0; k < registry->nkinds; k++)
        if (!strcmp(registry->kind[k]->name, name)) return registry->kind[k];
    return NULL;
}

/* 1 when some kind of the registry, or `kind` before part `before`, names part `name`. */
static int part_named(const gmd_term_registry *registry, const gmd_term_kind *kind, int before,
                      const char *name)
{
    for (int k = 0; k < registry->nkinds; k++)
        for (int p = 0; p < registry->kind[k]->nparts; p++)
            if (!strcmp(registry->kind[k]->parts[p].name, name)) return 1;
    for (int p = 0; p < before; p++)
        if (!strcmp(kind->parts[p].name, name)) return 1;
    return 0;
}

/* Every part named, and each name once in the registry: outputs list parts by name. */
static gmd_status check_parts(const gmd_term_registry *registry, const gmd_term_kind *kind,
                              gmd_error *err)
{
    if (!kind->parts)
        return gmd_fail(err, GMD_ERR_VALUE, "term kind '%s' names no energy parts", kind->name);
    for (int p = 0; p < kind->nparts; p++) {
        const char *name = kind->parts[p].name;
        if (!name || !name[0])
            return gmd_fail(err, GMD_ERR_VALUE, "term kind '%s': energy part %d has no name",
                            kind->name, p + 1);
        if (part_named(registry, kind, p, name))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "term kind '%s': energy part '%s' is named by another part already",
                            kind->name, name);
    }
    return GMD_OK;
}

gmd_status gmd_term_registry_add(gmd_term_registry *registry, const gmd_term_kind *kind,
                                 gmd_error *err)
{
    if (!kind || !kind->name || !kind->name[0] || !kind->wanted || !kind->create)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "term kind: a name, a wanted and a create function are required");
    if (gmd_term_registry_find(registry, kind->name))
        return gmd_fail(err, GMD_ERR_VALUE, "term kind '%s' is registered already", kind->name);
    if (registry->nkinds >= GMD_REGISTRY_MAX_KINDS)
        return gmd_fail(err, GMD_ERR_VALUE, "term kind '%s': the registry holds %d kinds at most",
                        kind->name, GMD_REGISTRY_MAX_KINDS);
    if (kind->nparts < 1 || kind->nparts > GMD_TALLY_MAX_PARTS - registry->nparts)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "term kind '%s': %d energy parts; the tally has %d free slots (of "
                        "GMD_TALLY_MAX_PARTS = %d) and a kind needs at least one",
                        kind->name, kind->nparts, GMD_TALLY_MAX_PARTS - registry->nparts,
                        GMD_TALLY_MAX_PARTS);
    gmd_status st = check_parts(registry, kind, err);
    if (st != GMD_OK) return st;
    registry->kind[registry->nkinds++] = kind;
    registry->nparts += kind->nparts;
    return GMD_OK;
}

/* Every section the parser kept for a kind ([name] beyond the built-in ones) must be one a
 * kind of this registry reads: else a typo or a term this program lacks. */
gmd_status gmd_term_registry_check_sections(const gmd_term_registry *registry,
                                            const gmd_forcefield *ff, gmd_error *err)
{
    for (int s = 0; s < ff->nextra_sections; s++) {
        const gmd_ff_extra_section *sec = &ff->extra_section[s];
        int claimed = 0;
        for (int k = 0; k < registry->nkinds && !claimed; k++)
            claimed = registry->kind[k]->section && !strcmp(registry->kind[k]->section, sec->name);
        if (!claimed)
            return gmd_fail(err, GMD_ERR_PARSE,
                            "%s:%d: unknown section [%s]: no force term of this glassmd reads it "
                            "(built in: species, pairs, threebody, composition); fix the name or "
                            "remove the section",
                            ff->path, sec->line, sec->name);
    }
    return GMD_OK;
}
