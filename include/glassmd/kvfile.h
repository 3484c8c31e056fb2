/* kvfile.h - a generic reader of `key = value` text files (run inputs, study files).
 *
 * Syntax: one `key = value` per line; `#` starts a comment that runs to the end of the
 * line; blank lines are skipped; whitespace around keys and values is trimmed (CRLF line
 * ends are fine). A key is one word (no spaces); the value is everything after the first
 * '=' (it may contain spaces and further '=' signs, and may be empty). A non-blank line
 * without '=' is an error naming FILE:LINE. Entries keep file order and their line
 * numbers, so callers can report errors at the right place and accept repeated keys
 * (such as `stage`) in order. Knowing which keys are valid is the caller's business:
 * gmd_kv_check_keys and gmd_kv_suggest help it say "did you mean 'thermo_every'?". */
#ifndef GLASSMD_KVFILE_H
#define GLASSMD_KVFILE_H

#include <stddef.h>

#include "glassmd/error.h"

#define GMD_KV_NAME_LEN 1024

typedef struct gmd_kv_entry {
    const char *key;   /* NUL-terminated, trimmed, never empty */
    const char *value; /* NUL-terminated, trimmed, may be empty */
    int line;          /* 1-based line in the file */
} gmd_kv_entry;

typedef struct gmd_kv_file {
    char name[GMD_KV_NAME_LEN]; /* the file (or the name given to gmd_kv_parse) */
    size_t n;                   /* number of entries */
    gmd_kv_entry *entries;      /* in file order */
    char *text;                 /* owned copy of the text the entries point into */
} gmd_kv_file;

/* Reads and splits a file; on error kv is left empty (nothing to free). */
gmd_status gmd_kv_read(gmd_kv_file *kv, const char *path, gmd_error *err);
/* The same from a string; `name` stands for the file in messages. */
gmd_status gmd_kv_parse(gmd_kv_file *kv, const char *text, const char *name, gmd_error *err);
void gmd_kv_free(gmd_kv_file *kv);

/* The first entry with this key, or NULL. */
const gmd_kv_entry *gmd_kv_find(const gmd_kv_file *kv, const char *key);

/* Checks every key against `known` (NULL-terminated): an unknown key is an error naming
 * FILE:LINE with the closest known key suggested; a key given twice is an error unless it
 * is listed in `repeatable` (NULL-terminated, or NULL for none). */
gmd_status gmd_kv_check_keys(const gmd_kv_file *kv, const char *const known[],
                             const char *const repeatable[], gmd_error *err);

/* Levenshtein distance (insertions, deletions, substitutions), ignoring ASCII case. */
size_t gmd_kv_edit_distance(const char *a, const char *b);

/* The known key (NULL-terminated list) closest to `key` by edit distance, if close enough
 * to be a plausible typo (distance <= max(1, min(3, strlen(known)/3))); else NULL. Ties go
 * to the earlier entry of the list. */
const char *gmd_kv_suggest(const char *key, const char *const known[]);

#endif
