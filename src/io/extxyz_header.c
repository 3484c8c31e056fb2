/* extxyz_header.c - the comment line of extended XYZ (see extxyz_header.h).
 *
 * find_value walks the line token by token (a token is key=value, key="quoted value" or a
 * bare flag), so a key's name inside another key's quoted value is never mistaken for the
 * key. Lattice holds the three box vectors as rows; only a diagonal (orthorhombic) one is
 * accepted, off-diagonal terms counting as zero below 1e-10 of the largest diagonal.
 * Properties is cut at ':' into name:type:count triples; the columns of the properties
 * glassmd reads are recorded, every other property only advances the column count. */
#define _POSIX_C_SOURCE 200809L
#include "extxyz_header.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "io_util.h"

#define MAX_PROPERTIES 32

int gmd_xyz_find_value(const char *line, const char *key, char *value, size_t len)
{
    size_t klen = strlen(key);
    const char *c = line;
    while (*c) {
        while (isspace((unsigned char)*c))
            c++;
        const char *start = c;
        while (*c && *c != '=' && !isspace((unsigned char)*c))
            c++;
        int match = (size_t)(c - start) == klen && !strncasecmp(start, key, klen);
        if (*c != '=') continue; /* a flag without a value */
        const char *v = ++c;
        if (*c == '"') {
            v = ++c;
            while (*c && *c != '"')
                c++;
        } else {
            while (*c && !isspace((unsigned char)*c))
                c++;
        }
        if (match) {
            size_t n = (size_t)(c - v) < len - 1 ? (size_t)(c - v) : len - 1;
            memcpy(value, v, n);
            value[n] = '\0';
            return 1;
        }
        if (*c == '"') c++;
    }
    return 0;
}

/* Exactly `count` numbers separated by white space. */
static gmd_status parse_numbers(char *text, const char *key, double *out, int count, char *why,
                                size_t len)
{
    char *col[16];
    int n = gmd_text_split(text, col, 15);
    int ok = n == count;
    for (int i = 0; ok && i < n; i++)
        ok = !gmd_text_to_double(col[i], &out[i]);
    if (ok) return GMD_OK;
    snprintf(why, len, "%s must hold %d numbers", key, count);
    return GMD_ERR_PARSE;
}

gmd_status gmd_xyz_parse_lattice(const char *line, gmd_box *box, char *why, size_t len)
{
    char value[1024];
    double m[9], origin[3] = {0, 0, 0};
    if (!gmd_xyz_find_value(line, "Lattice", value, sizeof value)) {
        snprintf(why, len,
                 "no Lattice=\"Lx 0 0 0 Ly 0 0 0 Lz\" on the comment line; glassmd needs the "
                 "periodic box");
        return GMD_ERR_PARSE;
    }
    gmd_status st = parse_numbers(value, "Lattice", m, 9, why, len);
    if (st) return st;
    double scale = fmax(fabs(m[0]), fmax(fabs(m[4]), fabs(m[8])));
    for (int i = 0; i < 9; i++)
        if (i % 4 != 0 && fabs(m[i]) > 1e-10 * scale) {
            snprintf(why, len,
                     "Lattice is not orthorhombic (off-diagonal %g); glassmd supports "
                     "orthorhombic boxes only",
                     m[i]);
            return GMD_ERR_VALUE;
        }
    if (!(m[0] > 0 && m[4] > 0 && m[8] > 0)) {
        snprintf(why, len, "Lattice diagonal %g %g %g must be positive", m[0], m[4], m[8]);
        return GMD_ERR_VALUE;
    }
    if (gmd_xyz_find_value(line, "Origin", value, sizeof value) &&
        (st = parse_numbers(value, "Origin", origin, 3, why, len)))
        return st;
    for (int k = 0; k < 3; k++) {
        box->lo[k] = origin[k];
        box->len[k] = m[4 * k];
    }
    return GMD_OK;
}

/* Records where one property's columns start; checks the type and count of those read. */
static gmd_status note_property(const char *name, char type, long count, gmd_xyz_columns *c,
                                char *why, size_t len)
{
    int *slot = NULL, want_count = 1;
    char want_type = 'R';
    if (!strcmp(name, "species"))
        slot = &c->species, want_type = 'S';
    else if (!strcmp(name, "pos"))
        slot = &c->pos, want_count = 3;
    else if (!strcmp(name, "id"))
        slot = &c->id, want_type = 'I';
    else if (!strcmp(name, "charge") || !strcmp(name, "q") || !strcmp(name, "initial_charges"))
        slot = &c->q;
    if (slot) {
        if (toupper((unsigned char)type) != want_type || count != want_count) {
            snprintf(why, len, "property %s must be %s:%c:%d", name, name, want_type, want_count);
            return GMD_ERR_VALUE;
        }
        *slot = c->ncols;
    }
    c->ncols += (int)count;
    return GMD_OK;
}

gmd_status gmd_xyz_parse_properties(const char *line, gmd_xyz_columns *c, char *why, size_t len)
{
    char value[1024], *fields[3 * MAX_PROPERTIES + 1];
    *c = (gmd_xyz_columns){0, -1, -1, -1, -1};
    if (!gmd_xyz_find_value(line, "Properties", value, sizeof value))
        snprintf(value, sizeof value, "species:S:1:pos:R:3");
    int n = 0;
    for (char *tok = value, *next; tok && n <= 3 * MAX_PROPERTIES; tok = next) {
        next = strchr(tok, ':');
        if (next) *next++ = '\0';
        fields[n++] = tok;
    }
    if (n % 3 != 0 || n > 3 * MAX_PROPERTIES) {
        snprintf(why, len, "Properties must be name:type:count triples");
        return GMD_ERR_PARSE;
    }
    for (int p = 0; p < n; p += 3) {
        long count;
        if (gmd_text_to_long(fields[p + 2], &count) || count < 1 || count > 16 ||
            strlen(fields[p + 1]) != 1) {
            snprintf(why, len, "Properties entry '%s:%s:%s' is malformed", fields[p], fields[p + 1],
                     fields[p + 2]);
            return GMD_ERR_PARSE;
        }
        gmd_status st = note_property(fields[p], fields[p + 1][0], count, c, why, len);
        if (st) return st;
    }
    if (c->species < 0 || c->pos < 0) {
        snprintf(why, len, "Properties lack species:S:1 or pos:R:3");
        return GMD_ERR_VALUE;
    }
    if (c->ncols > GMD_IO_MAX_COLUMNS - 1) {
        snprintf(why, len, "more than %d columns per atom", GMD_IO_MAX_COLUMNS - 1);
        return GMD_ERR_VALUE;
    }
    return GMD_OK;
}
