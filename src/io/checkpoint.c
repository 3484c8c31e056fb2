/* checkpoint.c - exact restart files (see include/glassmd/checkpoint.h).
 *
 * File layout, version 2. Every integer is little-endian of the stated width; every
 * double is its IEEE-754 bit pattern as a little-endian u64, so values come back bit for
 * bit (negative zero, subnormals, NaN payloads included). Fields are written one by one,
 * never as raw structs, so struct padding never reaches the file.
 *
 *   header   "GLASSMD-CKPT" (12 bytes), u32 version, u64 natoms, u64 blob_len,
 *            u64 file_size (all bytes, checksum included)                        40 bytes
 *   md       i64 step, f64 time_ps, f64 dt_ps, i32 ensemble, f64 t_target_K,
 *            i32 nhc.length, f64 nhc.tdamp_ps, f64 nhc.eta[8], f64 nhc.eta_dot[8],
 *            f64 nhc.mass[8], u64 rng.s[4], i64 dof                           280 bytes
 *   barostat f64 p_target_bar, f64 pdamp_ps, f64 omega_dot, i32 chain.length,
 *            f64 chain.tdamp_ps, f64 chain.eta[8], chain.eta_dot[8], chain.mass[8],
 *            f64 box_ref.lo[3], f64 box_ref.len[3]                            276 bytes
 *   box      f64 lo[3], f64 len[3]                                               48 bytes
 *   tally    f64 energy[16], f64 virial[6] (of the stored forces)              176 bytes
 *   atoms    i64 id[n], i32 type[n], f64 charge[n], f64 r[3][n], f64 v[3][n],
 *            f64 f[3][n], i32 image[3][n] - each array whole, in array order    104 n bytes
 *   meta     i32 stage_index, i64 stage_step, i32 noutputs,
 *            i64 output_position[8], u64 input_hash                             88 bytes
 *   blob     blob_len bytes
 *   checksum u64 FNV-1a 64 of every byte before it
 * Version 1 (before constant pressure) lacks the barostat and tally sections; it is still
 * read, with the barostat at rest (gmd_md_init's), box_ref = box and the tally zero.
 *
 * The file is built in memory first (its size is known from natoms and blob_len), then
 * written in one go to PATH.tmp, flushed, fsynced, renamed over PATH, and the folder is
 * fsynced, so a crash leaves either the old or the new complete file. Reading loads the
 * whole file and checks magic, version, checksum and sizes before touching any output. */
#define _POSIX_C_SOURCE 200809L
#include "glassmd/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char CKPT_MAGIC[12] = {'G', 'L', 'A', 'S', 'S', 'M', 'D', '-', 'C', 'K', 'P', 'T'};

enum {
    CKPT_HEADER_BYTES = 12 + 4 + 3 * 8,
    CKPT_MD_BYTES = 8 + 8 + 8 + 4 + 8 + 4 + 8 + 3 * GMD_NHC_MAX * 8 + 4 * 8 + 8,
    CKPT_BARO_BYTES = 3 * 8 + 4 + 8 + 3 * GMD_NHC_MAX * 8 + 6 * 8,
    CKPT_BOX_BYTES = 6 * 8,
    CKPT_TALLY_BYTES = (GMD_TALLY_MAX_PARTS + 6) * 8,
    CKPT_ATOM_BYTES = 8 + 4 + 8 + 9 * 8 + 3 * 4,
    CKPT_META_BYTES = 4 + 8 + 4 + GMD_CHECKPOINT_MAX_OUTPUTS * 8 + 8,
    CKPT_CHECKSUM_BYTES = 8,
    CKPT_FIXED_BYTES_V1 =
        CKPT_HEADER_BYTES + CKPT_MD_BYTES + CKPT_BOX_BYTES + CKPT_META_BYTES + CKPT_CHECKSUM_BYTES,
    CKPT_FIXED_BYTES = CKPT_FIXED_BYTES_V1 + CKPT_BARO_BYTES + CKPT_TALLY_BYTES,
};

#if defined(__LP64__)
/* A guard for "every field": if gmd_md_state gains or loses a field, this fails. Then update
 * put_md / get_md, the layout above, CKPT_MD_BYTES and GMD_CHECKPOINT_VERSION, and change
 * the expected size here. */
_Static_assert(sizeof(gmd_md_state) == 568 && sizeof(gmd_nhc) == 208 &&
                   sizeof(gmd_barostat) == 232 && sizeof(gmd_tally) == 176,
               "gmd_md_state changed: update the checkpoint format (checkpoint.c)");
_Static_assert(sizeof(gmd_checkpoint_meta) == 96,
               "gmd_checkpoint_meta changed: update the checkpoint format (checkpoint.c)");
#endif

uint64_t gmd_fnv1a64(const void *data, size_t len, uint64_t hash)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        hash ^= p[i];
        hash *= 0x100000001b3ULL; /* the 64-bit FNV prime */
    }
    return hash;
}

uint64_t gmd_fnv1a64_file(const char *path, uint64_t hash, int *ok)
{
    FILE *f = fopen(path, "rb");
    if (ok) *ok = f != NULL;
    if (!f) return hash;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        hash = gmd_fnv1a64(buf, n, hash);
    fclose(f);
    return hash;
}

/* Total file size of a file of that version for natoms and blob_len; 0 when it would
 * overflow. */
static uint64_t file_size_for(uint32_t version, uint64_t natoms, uint64_t blob_len)
{
    const uint64_t max = UINT64_MAX / 2;
    if (natoms > max / CKPT_ATOM_BYTES) return 0;
    uint64_t fixed = version == 1 ? CKPT_FIXED_BYTES_V1 : CKPT_FIXED_BYTES;
    uint64_t size = fixed + natoms * CKPT_ATOM_BYTES;
    if (blob_len > max - size) return 0;
    return size + blob_len;
}

/* ---- encoding ---------------------------------------------------------------------- */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int overflow; /* set if a put would pass cap: a bug in the size bookkeeping */
} wbuf;

static void put_bytes(wbuf *b, const void *src, size_t n)
{
    if (n > b->cap - b->len) {
        b->overflow = 1;
        return;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_u64(wbuf *b, uint64_t x)
{
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(x >> (8 * i));
    put_bytes(b, le, 8);
}

static void put_u32(wbuf *b, uint32_t x)
{
    unsigned char le[4];
    for (int i = 0; i < 4; i++)
        le[i] = (unsigned char)(x >> (8 * i));
    put_bytes(b, le, 4);
}

static void put_i64(wbuf *b, long x)
{
    put_u64(b, (uint64_t)(int64_t)x); /* two's complement bits, modulo 2^64 */
}

static void put_i32(wbuf *b, int x)
{
    put_u32(b, (uint32_t)(int32_t)x);
}

static void put_f64(wbuf *b, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    put_u64(b, bits);
}

static void put_f64s(wbuf *b, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_f64(b, x[i]);
}

static void put_nhc(wbuf *b, const gmd_nhc *c)
{
    put_i32(b, c->length);
    put_f64(b, c->tdamp_ps);
    put_f64s(b, c->eta, GMD_NHC_MAX);
    put_f64s(b, c->eta_dot, GMD_NHC_MAX);
    put_f64s(b, c->mass, GMD_NHC_MAX);
}

static void put_md(wbuf *b, const gmd_md_state *md)
{
    put_i64(b, md->step);
    put_f64(b, md->time_ps);
    put_f64(b, md->dt_ps);
    put_i32(b, (int)md->ensemble);
    put_f64(b, md->t_target_K);
    put_nhc(b, &md->nhc);
    for (int i = 0; i < 4; i++)
        put_u64(b, md->rng.s[i]);
    put_i64(b, md->dof);
}

static void put_barostat(wbuf *b, const gmd_md_state *md)
{
    put_f64(b, md->baro.p_target_bar);
    put_f64(b, md->baro.pdamp_ps);
    put_f64(b, md->baro.omega_dot);
    put_nhc(b, &md->baro.chain);
    put_f64s(b, md->box_ref.lo, 3);
    put_f64s(b, md->box_ref.len, 3);
}

static void put_tally(wbuf *b, const gmd_tally *tally)
{
    gmd_tally zero;
    gmd_tally_clear(&zero);
    if (!tally) tally = &zero;
    put_f64s(b, tally->energy, GMD_TALLY_MAX_PARTS);
    put_f64s(b, tally->virial, 6);
}

static void put_atoms(wbuf *b, const gmd_atoms *atoms)
{
    size_t n = atoms->n;
    for (size_t i = 0; i < n; i++)
        put_i64(b, atoms->id[i]);
    for (size_t i = 0; i < n; i++)
        put_i32(b, atoms->type[i]);
    put_f64s(b, atoms->charge, n);
    for (int k = 0; k < 3; k++)
        put_f64s(b, atoms->r[k], n);
    for (int k = 0; k < 3; k++)
        put_f64s(b, atoms->v[k], n);
    for (int k = 0; k < 3; k++)
        put_f64s(b, atoms->f[k], n);
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < n; i++)
            put_i32(b, atoms->image[k][i]);
}

static void put_meta(wbuf *b, const gmd_checkpoint_meta *meta)
{
    put_i32(b, meta->stage_index);
    put_i64(b, meta->stage_step);
    put_i32(b, meta->noutputs);
    for (int i = 0; i < GMD_CHECKPOINT_MAX_OUTPUTS; i++)
        put_i64(b, meta->output_position[i]);
    put_u64(b, (uint64_t)meta->input_hash);
}

static gmd_status encode(wbuf *b, const gmd_checkpoint_state *cs, const gmd_checkpoint_meta *meta,
                         const void *blob, size_t blob_len, const char *path, gmd_error *err)
{
    const gmd_atoms *atoms = cs->atoms;
    uint64_t size = file_size_for(GMD_CHECKPOINT_VERSION, atoms->n, blob_len);
    if (size == 0 || size > SIZE_MAX)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "checkpoint %s: %zu atoms and a %zu-byte blob are "
                        "too large for one file",
                        path, atoms->n, blob_len);
    b->p = gmd_calloc((size_t)size, 1, "checkpoint buffer", err);
    if (!b->p) return GMD_ERR_NOMEM;
    b->cap = (size_t)size;
    put_bytes(b, CKPT_MAGIC, sizeof CKPT_MAGIC);
    put_u32(b, GMD_CHECKPOINT_VERSION);
    put_u64(b, atoms->n);
    put_u64(b, blob_len);
    put_u64(b, size);
    put_md(b, cs->md);
    put_barostat(b, cs->md);
    put_f64s(b, cs->box->lo, 3);
    put_f64s(b, cs->box->len, 3);
    put_tally(b, cs->tally);
    put_atoms(b, atoms);
    put_meta(b, meta);
    if (blob_len) put_bytes(b, blob, blob_len);
    put_u64(b, gmd_fnv1a64(b->p, b->len, GMD_FNV1A64_INIT));
    if (b->overflow || b->len != b->cap)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "checkpoint %s: encoded %zu bytes, expected %zu "
                        "(a bug: please report)",
                        path, b->len, b->cap);
    return GMD_OK;
}

/* ---- atomic write ------------------------------------------------------------------ */

/* fsync of the folder holding path, so that the rename itself is durable. */
static gmd_status sync_folder(const char *path, gmd_error *err)
{
    char *dir = gmd_calloc(strlen(path) + 2, 1, "folder name", err);
    if (!dir) return GMD_ERR_NOMEM;
    strcpy(dir, path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else
        slash[slash == dir ? 1 : 0] = '\0';
    gmd_status st = GMD_OK;
    int fd = open(dir, O_RDONLY);
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL)) /* EINVAL: folder sync unsupported */
        st = gmd_fail(err, GMD_ERR_IO,
                      "checkpoint %s: cannot sync its folder %s (%s); check "
                      "the file system",
                      path, dir, strerror(errno));
    if (fd >= 0) close(fd);
    free(dir);
    return st;
}

static gmd_status write_atomic(const char *path, const unsigned char *data, size_t len,
                               gmd_error *err)
{
    char *tmp = gmd_calloc(strlen(path) + 5, 1, "checkpoint name", err);
    if (!tmp) return GMD_ERR_NOMEM;
    sprintf(tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp) {
        gmd_status st = gmd_fail(err, GMD_ERR_IO,
                                 "cannot create checkpoint %s (%s); check that "
                                 "the folder exists and is writable",
                                 tmp, strerror(errno));
        free(tmp);
        return st;
    }
    int ok = fwrite(data, 1, len, fp) == len && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
    int saved = errno;
    if (fclose(fp) != 0 && ok) ok = 0, saved = errno;
    if (ok && rename(tmp, path) != 0) ok = 0, saved = errno;
    gmd_status st = GMD_OK;
    if (!ok) {
        unlink(tmp); /* our own partial file; the old PATH is untouched */
        st = gmd_fail(err, GMD_ERR_IO,
                      "cannot write checkpoint %s (%s); check free disk space "
                      "and permissions (the previous checkpoint, if any, is unchanged)",
                      path, strerror(saved));
    }
    free(tmp);
    return st == GMD_OK ? sync_folder(path, err) : st;
}

gmd_status gmd_checkpoint_write(const char *path, const gmd_checkpoint_state *state,
                                const gmd_checkpoint_meta *meta, const void *blob, size_t blob_len,
                                gmd_error *err)
{
    wbuf b = {0};
    gmd_status st = encode(&b, state, meta, blob, blob_len, path, err);
    if (st == GMD_OK) st = write_atomic(path, b.p, b.len, err);
    free(b.p);
    return st;
}

/* ---- reading ----------------------------------------------------------------------- */

typedef struct rbuf {
    const unsigned char *p;
    size_t pos;
} rbuf; /* bounds are verified once, from the sizes, before any get */

static uint64_t get_u64(rbuf *b)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)b->p[b->pos + i] << (8 * i);
    b->pos += 8;
    return x;
}

static uint32_t get_u32(rbuf *b)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; i++)
        x |= (uint32_t)b->p[b->pos + i] << (8 * i);
    b->pos += 4;
    return x;
}

static long get_i64(rbuf *b)
{
    uint64_t u = get_u64(b);
    int64_t x;
    memcpy(&x, &u, sizeof x); /* reinterpret the two's complement bits */
    return (long)x;
}

static int get_i32(rbuf *b)
{
    uint32_t u = get_u32(b);
    int32_t x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static double get_f64(rbuf *b)
{
    uint64_t bits = get_u64(b);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static void get_f64s(rbuf *b, double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = get_f64(b);
}

static void get_nhc(rbuf *b, gmd_nhc *c)
{
    c->length = get_i32(b);
    c->tdamp_ps = get_f64(b);
    get_f64s(b, c->eta, GMD_NHC_MAX);
    get_f64s(b, c->eta_dot, GMD_NHC_MAX);
    get_f64s(b, c->mass, GMD_NHC_MAX);
}

static void get_md(rbuf *b, gmd_md_state *md)
{
    memset(md, 0, sizeof *md);
    md->step = get_i64(b);
    md->time_ps = get_f64(b);
    md->dt_ps = get_f64(b);
    md->ensemble = (gmd_ensemble)get_i32(b);
    md->t_target_K = get_f64(b);
    get_nhc(b, &md->nhc);
    for (int i = 0; i < 4; i++)
        md->rng.s[i] = get_u64(b);
    md->dof = get_i64(b);
}

static void get_barostat(rbuf *b, gmd_md_state *md)
{
    md->baro.p_target_bar = get_f64(b);
    md->baro.pdamp_ps = get_f64(b);
    md->baro.omega_dot = get_f64(b);
    get_nhc(b, &md->baro.chain);
    get_f64s(b, md->box_ref.lo, 3);
    get_f64s(b, md->box_ref.len, 3);
}

static void get_tally(rbuf *b, gmd_tally *tally)
{
    get_f64s(b, tally->energy, GMD_TALLY_MAX_PARTS);
    get_f64s(b, tally->virial, 6);
}

static void get_atoms(rbuf *b, gmd_atoms *atoms)
{
    size_t n = atoms->n;
    for (size_t i = 0; i < n; i++)
        atoms->id[i] = get_i64(b);
    for (size_t i = 0; i < n; i++)
        atoms->type[i] = get_i32(b);
    get_f64s(b, atoms->charge, n);
    for (int k = 0; k < 3; k++)
        get_f64s(b, atoms->r[k], n);
    for (int k = 0; k < 3; k++)
        get_f64s(b, atoms->v[k], n);
    for (int k = 0; k < 3; k++)
        get_f64s(b, atoms->f[k], n);
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < n; i++)
            atoms->image[k][i] = get_i32(b);
}

static void get_meta(rbuf *b, gmd_checkpoint_meta *meta)
{
    memset(meta, 0, sizeof *meta);
    meta->stage_index = get_i32(b);
    meta->stage_step = get_i64(b);
    meta->noutputs = get_i32(b);
    for (int i = 0; i < GMD_CHECKPOINT_MAX_OUTPUTS; i++)
        meta->output_position[i] = get_i64(b);
    meta->input_hash = (unsigned long long)get_u64(b);
}

static gmd_status load_file(const char *path, unsigned char **data, size_t *len, gmd_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO, "cannot open checkpoint %s (%s); check the path", path,
                        strerror(errno));
    struct stat sb;
    gmd_status st = GMD_OK;
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) || (uintmax_t)sb.st_size > SIZE_MAX)
        st = gmd_fail(err, GMD_ERR_IO,
                      "checkpoint %s is not a readable regular file; check "
                      "the path",
                      path);
    size_t size = st == GMD_OK ? (size_t)sb.st_size : 0;
    unsigned char *buf = st == GMD_OK ? gmd_calloc(size + 1, 1, "checkpoint file", err) : NULL;
    if (st == GMD_OK && !buf) st = GMD_ERR_NOMEM;
    if (st == GMD_OK && fread(buf, 1, size, fp) != size)
        st = gmd_fail(err, GMD_ERR_IO, "cannot read checkpoint %s (%s); check the file", path,
                      strerror(errno));
    fclose(fp);
    if (st != GMD_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *len = size;
    return GMD_OK;
}

static gmd_status truncated(const char *path, size_t have, uint64_t want, gmd_error *err)
{
    return gmd_fail(err, GMD_ERR_PARSE,
                    "checkpoint %s is truncated (%zu of %llu bytes): delete "
                    "it to start over or restore a backup",
                    path, have, (unsigned long long)want);
}

/* Magic, version, checksum and sizes; fills natoms and blob_len when the file is sound. */
static gmd_status verify(const char *path, const unsigned char *p, size_t len, uint32_t *version,
                         uint64_t *natoms, uint64_t *blob_len, gmd_error *err)
{
    size_t head = len < sizeof CKPT_MAGIC ? len : sizeof CKPT_MAGIC;
    if (memcmp(p, CKPT_MAGIC, head) != 0)
        return gmd_fail(err, GMD_ERR_PARSE,
                        "%s is not a glassmd checkpoint (no GLASSMD-CKPT "
                        "header); give the right file",
                        path);
    if (len < CKPT_FIXED_BYTES_V1) return truncated(path, len, CKPT_FIXED_BYTES_V1, err);
    rbuf b = {p, sizeof CKPT_MAGIC};
    *version = get_u32(&b);
    if (*version != 1 && *version != GMD_CHECKPOINT_VERSION)
        return gmd_fail(err, GMD_ERR_PARSE,
                        "checkpoint %s has format version %u, this glassmd "
                        "reads versions 1 to %d; resume with the glassmd that wrote it or start "
                        "over",
                        path, (unsigned)*version, GMD_CHECKPOINT_VERSION);
    *natoms = get_u64(&b);
    *blob_len = get_u64(&b);
    uint64_t recorded = get_u64(&b);
    rbuf tail = {p, len - CKPT_CHECKSUM_BYTES};
    if (gmd_fnv1a64(p, len - CKPT_CHECKSUM_BYTES, GMD_FNV1A64_INIT) != get_u64(&tail)) {
        if (recorded > len) return truncated(path, len, recorded, err);
        return gmd_fail(err, GMD_ERR_PARSE,
                        "checkpoint %s is corrupt (checksum mismatch): "
                        "delete it to start over or restore a backup",
                        path);
    }
    if (recorded != len || file_size_for(*version, *natoms, *blob_len) != len)
        return gmd_fail(err, GMD_ERR_PARSE,
                        "checkpoint %s is corrupt (its sizes disagree): "
                        "delete it to start over or restore a backup",
                        path);
    return GMD_OK;
}

/* A version-1 file has no barostat: at rest as gmd_md_init leaves it (1 bar, 1 ps, chain
 * of 3), the model's box the stored one. */
static void v1_barostat(gmd_md_state *md, const gmd_box *box)
{
    md->baro.p_target_bar = 1.0;
    md->baro.pdamp_ps = 1.0;
    md->baro.chain.length = 3;
    md->baro.chain.tdamp_ps = 1.0;
    md->box_ref = *box;
}

/* The md, barostat, box and tally sections (the barostat and tally from version 2). */
static void get_state(rbuf *b, uint32_t version, const gmd_checkpoint_state *cs)
{
    get_md(b, cs->md);
    if (version >= 2) get_barostat(b, cs->md);
    get_f64s(b, cs->box->lo, 3);
    get_f64s(b, cs->box->len, 3);
    if (version < 2) v1_barostat(cs->md, cs->box);
    gmd_tally ignored;
    gmd_tally *tally = cs->tally ? cs->tally : &ignored;
    gmd_tally_clear(tally);
    if (version >= 2) get_tally(b, tally);
}

/* Decodes a verified file; only an allocation can fail here. */
static gmd_status decode(const unsigned char *p, uint32_t version, uint64_t natoms,
                         uint64_t blob_len, const gmd_checkpoint_state *cs,
                         gmd_checkpoint_meta *meta, void **blob, size_t *blob_size, gmd_error *err)
{
    gmd_atoms *atoms = cs->atoms;
    void *copy = NULL;
    if (blob_len && !(copy = gmd_calloc((size_t)blob_len, 1, "checkpoint blob", err)))
        return GMD_ERR_NOMEM;
    gmd_status st = gmd_atoms_resize(atoms, (size_t)natoms, err);
    if (st != GMD_OK) {
        free(copy);
        return st;
    }
    atoms->n = (size_t)natoms;
    rbuf b = {p, CKPT_HEADER_BYTES};
    get_state(&b, version, cs);
    get_atoms(&b, atoms);
    get_meta(&b, meta);
    if (blob_len) memcpy(copy, p + b.pos, (size_t)blob_len);
    *blob = copy;
    *blob_size = (size_t)blob_len;
    return GMD_OK;
}

gmd_status gmd_checkpoint_read(const char *path, const gmd_checkpoint_state *state,
                               gmd_checkpoint_meta *meta, void **blob, size_t *blob_len,
                               gmd_error *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    gmd_status st = load_file(path, &data, &len, err);
    if (st != GMD_OK) return st;
    uint64_t natoms = 0, nblob = 0;
    uint32_t version = 0;
    st = verify(path, data, len, &version, &natoms, &nblob, err);
    if (st == GMD_OK) st = decode(data, version, natoms, nblob, state, meta, blob, blob_len, err);
    free(data);
    return st;
}
