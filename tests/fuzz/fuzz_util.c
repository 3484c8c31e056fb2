/* fuzz_util.c - the scratch folder and reference force field of the fuzz harnesses
 * (fuzz_util.h). Any failure to set them up is a broken test set-up, not a finding:
 * it is reported on stderr and the process stops. */
#define _POSIX_C_SOURCE 200809L
#include "fuzz_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef GLASSMD_FUZZ_SOURCE_DIR
#error "GLASSMD_FUZZ_SOURCE_DIR must name the source folder"
#endif

static char scratch[64];     /* /tmp/glassmd-fuzz.PID */
static char in_dir[96];      /* scratch/in */
static char input_path[400]; /* the last input written */
static gmd_forcefield reference_ff;
static int ready;

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz set-up: %s %s failed\n", what, path);
    exit(2);
}

static void remove_scratch(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/forcefields/na2s-sis2.ff", scratch);
    unlink(path);
    snprintf(path, sizeof path, "%s/data/forcefields", scratch);
    rmdir(path);
    snprintf(path, sizeof path, "%s/data", scratch);
    rmdir(path);
    DIR *d = opendir(in_dir); /* inputs left behind (a harness's fixed files) */
    for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", in_dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(in_dir);
    rmdir(scratch);
}

static void set_up(void)
{
    if (ready) return;
    const char *ff_src = GLASSMD_FUZZ_SOURCE_DIR "/data/forcefields/na2s-sis2.ff";
    gmd_error err;
    if (gmd_forcefield_read(&reference_ff, ff_src, &err) != GMD_OK) die("reading", ff_src);
    snprintf(scratch, sizeof scratch, "/tmp/glassmd-fuzz.%ld", (long)getpid());
    snprintf(in_dir, sizeof in_dir, "%s/in", scratch);
    char path[512];
    const char *dirs[] = {"", "/in", "/data", "/data/forcefields"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(path, sizeof path, "%s%s", scratch, dirs[i]);
        if (mkdir(path, 0700) != 0) die("mkdir", path);
    }
    atexit(remove_scratch);
    /* the force field the example inputs name, copied byte for byte */
    snprintf(path, sizeof path, "%s/data/forcefields/na2s-sis2.ff", scratch);
    FILE *in = fopen(ff_src, "rb"), *out = fopen(path, "wb");
    if (!in || !out) die("copying", ff_src);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) die("writing", path);
    fclose(in);
    if (fclose(out) != 0) die("writing", path);
    ready = 1;
}

const char *fuzz_write_input(const char *name, const uint8_t *data, size_t size)
{
    set_up();
    snprintf(input_path, sizeof input_path, "%s/%s", in_dir, name);
    FILE *fp = fopen(input_path, "wb");
    if (!fp) return NULL;
    int ok = fwrite(data, 1, size, fp) == size;
    if (fclose(fp) != 0 || !ok) {
        unlink(input_path);
        return NULL;
    }
    return input_path;
}

void fuzz_remove_input(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", in_dir, name);
    unlink(path);
}

const char *fuzz_input_dir(void)
{
    set_up();
    return in_dir;
}

const gmd_forcefield *fuzz_forcefield(void)
{
    set_up();
    return &reference_ff;
}

void fuzz_verdict(gmd_status st, const gmd_error *err)
{
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("GLASSMD_FUZZ_VERBOSE") != NULL;
    if (verbose) fprintf(stderr, "%s\n", st == GMD_OK ? "ok" : err->message);
}
