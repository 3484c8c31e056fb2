/* kvfile.c - the `key = value` reader (see include/glassmd/kvfile.h).
 *
 * The whole file is read into one owned buffer; each line is cut in place (comment
 * stripped, '=' and line end replaced by NUL, both sides trimmed), so an entry is just
 * two pointers into that buffer and a line number. No line-length limit exists.
 *
 * Suggestions use the classic two-row dynamic programme for the Levenshtein distance on
 * lower-cased characters: keys are short, so a fixed-size row on the stack suffices and
 * longer strings are simply treated as "not close". */
#include "glassmd/kvfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KV_MAX_SUGGEST_LEN 128

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, GMD_KV_NAME_LEN, "%s", src ? src : "(input)");
}

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    return s;
}

static int has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s)) return 1;
    return 0;
}

static gmd_status append_entry(gmd_kv_file *kv, size_t *cap, const char *key, const char *value,
                               int line, gmd_error *err)
{
    if (kv->n == *cap) {
        size_t new_cap = *cap ? 2 * *cap : 16;
        gmd_kv_entry *p = gmd_realloc(kv->entries, new_cap, sizeof *p, "key = value entries", err);
        if (!p) return GMD_ERR_NOMEM;
        kv->entries = p;
        *cap = new_cap;
    }
    kv->entries[kv->n++] = (gmd_kv_entry){.key = key, .value = value, .line = line};
    return GMD_OK;
}

/* Splits one line (already NUL-terminated) into an entry, or skips it when blank. */
static gmd_status split_line(gmd_kv_file *kv, size_t *cap, char *line, int lineno, gmd_error *err)
{
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *text = trim(line);
    if (*text == '\0') return GMD_OK;
    char *eq = strchr(text, '=');
    if (!eq)
        return gmd_fail(err, GMD_ERR_PARSE,
                        "%s:%d: '%s' is not a 'key = value' line; write it as key = value "
                        "(or start it with # to make it a comment)",
                        kv->name, lineno, text);
    *eq = '\0';
    char *key = trim(text);
    char *value = trim(eq + 1);
    if (*key == '\0')
        return gmd_fail(err, GMD_ERR_PARSE,
                        "%s:%d: a line starts with '=' but has no key; "
                        "write it as key = value",
                        kv->name, lineno);
    if (has_space(key))
        return gmd_fail(err, GMD_ERR_PARSE,
                        "%s:%d: key '%s' contains spaces; a key is one word (e.g. "
                        "thermo_every), write it as key = value",
                        kv->name, lineno, key);
    return append_entry(kv, cap, key, value, lineno, err);
}

static gmd_status split_text(gmd_kv_file *kv, gmd_error *err)
{
    size_t cap = 0;
    char *line = kv->text;
    for (int lineno = 1; line; lineno++) {
        char *next = strchr(line, '\n');
        if (next) *next++ = '\0';
        gmd_status st = split_line(kv, &cap, line, lineno, err);
        if (st != GMD_OK) return st;
        line = next;
    }
    return GMD_OK;
}

gmd_status gmd_kv_parse(gmd_kv_file *kv, const char *text, const char *name, gmd_error *err)
{
    memset(kv, 0, sizeof *kv);
    copy_name(kv->name, name);
    size_t len = strlen(text);
    kv->text = gmd_calloc(len + 1, 1, "key = value text", err);
    if (!kv->text) return GMD_ERR_NOMEM;
    memcpy(kv->text, text, len);
    gmd_status st = split_text(kv, err);
    if (st != GMD_OK) gmd_kv_free(kv);
    return st;
}

/* Reads a whole file into a NUL-terminated malloc'ed buffer. */
static gmd_status slurp(const char *path, char **out, gmd_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open (%s); check the path", path,
                        strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = gmd_calloc(cap, 1, "file text", err);
    gmd_status st = buf ? GMD_OK : GMD_ERR_NOMEM;
    while (st == GMD_OK) {
        if (len + 1 >= cap) {
            char *p = gmd_realloc(buf, 2 * cap, 1, "file text", err);
            if (!p) {
                st = GMD_ERR_NOMEM;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) break;
    }
    if (st == GMD_OK && ferror(fp))
        st = gmd_fail(err, GMD_ERR_IO, "%s: read error; check the file", path);
    fclose(fp);
    if (st != GMD_OK) {
        free(buf);
        return st;
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        return gmd_fail(err, GMD_ERR_PARSE,
                        "%s: contains NUL bytes (a binary file?); give a text file", path);
    }
    *out = buf;
    return GMD_OK;
}

gmd_status gmd_kv_read(gmd_kv_file *kv, const char *path, gmd_error *err)
{
    memset(kv, 0, sizeof *kv);
    char *text = NULL;
    gmd_status st = slurp(path, &text, err);
    if (st != GMD_OK) return st;
    copy_name(kv->name, path);
    kv->text = text;
    st = split_text(kv, err);
    if (st != GMD_OK) gmd_kv_free(kv);
    return st;
}

void gmd_kv_free(gmd_kv_file *kv)
{
    free(kv->entries);
    free(kv->text);
    memset(kv, 0, sizeof *kv);
}

const gmd_kv_entry *gmd_kv_find(const gmd_kv_file *kv, const char *key)
{
    for (size_t i = 0; i < kv->n; i++)
        if (strcmp(kv->entries[i].key, key) == 0) return &kv->entries[i];
    return NULL;
}

static int in_list(const char *key, const char *const list[])
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(key, list[i]) == 0) return 1;
    return 0;
}

static gmd_status unknown_key(const gmd_kv_file *kv, const gmd_kv_entry *e,
                              const char *const known[], gmd_error *err)
{
    const char *guess = gmd_kv_suggest(e->key, known);
    if (guess)
        return gmd_fail(err, GMD_ERR_PARSE, "%s:%d: unknown key '%s'; did you mean '%s'?", kv->name,
                        e->line, e->key, guess);
    char list[512] = "";
    for (size_t i = 0; known[i]; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", known[i]);
    }
    return gmd_fail(err, GMD_ERR_PARSE, "%s:%d: unknown key '%s'; known keys are: %s", kv->name,
                    e->line, e->key, list);
}

gmd_status gmd_kv_check_keys(const gmd_kv_file *kv, const char *const known[],
                             const char *const repeatable[], gmd_error *err)
{
    for (size_t i = 0; i < kv->n; i++) {
        const gmd_kv_entry *e = &kv->entries[i];
        if (!in_list(e->key, known)) return unknown_key(kv, e, known, err);
        if (in_list(e->key, repeatable)) continue;
        const gmd_kv_entry *first = gmd_kv_find(kv, e->key);
        if (first != e)
            return gmd_fail(err, GMD_ERR_PARSE,
                            "%s:%d: duplicate key '%s' (first given on line %d); keep only "
                            "one of the two lines",
                            kv->name, e->line, e->key, first->line);
    }
    return GMD_OK;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t gmd_kv_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la >= KV_MAX_SUGGEST_LEN || lb >= KV_MAX_SUGGEST_LEN)
        return la > lb ? la : lb; /* an upper bound: long strings are never "close" */
    size_t prev[KV_MAX_SUGGEST_LEN + 1], cur[KV_MAX_SUGGEST_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            size_t subst = prev[j - 1] + (ca != tolower((unsigned char)b[j - 1]));
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, subst);
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

const char *gmd_kv_suggest(const char *key, const char *const known[])
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; known && known[i]; i++) {
        size_t d = gmd_kv_edit_distance(key, known[i]);
        size_t limit = strlen(known[i]) / 3;
        limit = limit < 1 ? 1 : (limit > 3 ? 3 : limit);
        if (d <= limit && d < best_d) {
            best = known[i];
            best_d = d;
        }
    }
    return best;
}
