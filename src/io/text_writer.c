/* text_writer.c - plain text outputs (thermo CSV, run log, LAMMPS dump) that survive a
 * crash and resume exactly.
 *
 * A writer is a buffered stdio stream plus two byte counts: `written`, every byte handed
 * to stdio so far (counted from the start of the file), and `flushed`, the value of
 * `written` at the last gmd_text_flush(), which pushes the stdio buffer to the kernel and
 * fsyncs it. `flushed` is what gmd_text_position() reports and what a checkpoint records:
 * those bytes are on disk. Bytes written after it may or may not have reached the file
 * when the program died.
 *
 * Resume (keep >= 0): the file is cut back to exactly `keep` bytes with ftruncate() and
 * the stream appends from there, so a run continued from a checkpoint rewrites the lost
 * tail byte for byte. A file shorter than keep, or missing while keep > 0, means the
 * output was changed after the checkpoint: that is an error, not something to paper over.
 *
 * A file created here has its directory fsynced too, so that the directory entry is as
 * durable as the bytes a later checkpoint will count. */
#define _POSIX_C_SOURCE 200809L

#include "glassmd/trajectory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trajectory_internal.h"

struct gmd_text_writer {
    FILE *fp;
    char *path;
    long written; /* bytes handed to stdio since the start of the file */
    long flushed; /* bytes known to be on disk: `written` at the last flush */
};

static gmd_status fail_errno(gmd_error *err, const char *path, const char *what)
{
    return gmd_fail(err, GMD_ERR_IO, "%s: cannot %s: %s", path, what, strerror(errno));
}

/* ---- durability helpers shared with the trajectory writers ------------------------- */

gmd_status gmd_fsync_parent_dir(const char *path, gmd_error *err)
{
    size_t len = strlen(path);
    char *dir = gmd_calloc(len + 2, 1, "directory name", err);
    if (!dir) return GMD_ERR_NOMEM;
    const char *slash = strrchr(path, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == path)
        strcpy(dir, "/");
    else
        memcpy(dir, path, (size_t)(slash - path));
    gmd_status st = GMD_OK;
    int fd = open(dir, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) st = fail_errno(err, dir, "sync the directory");
    if (fd >= 0) close(fd);
    free(dir);
    return st;
}

gmd_status gmd_fsync_path(const char *path, gmd_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return fail_errno(err, path, "open the file to sync it");
    gmd_status st = GMD_OK;
    if (fsync(fd) != 0) st = fail_errno(err, path, "sync the file");
    close(fd);
    return st;
}

/* ---- opening ------------------------------------------------------------------------ */

static gmd_status create_file(gmd_text_writer *w, gmd_error *err)
{
    w->fp = fopen(w->path, "w");
    if (!w->fp) return fail_errno(err, w->path, "create the output file");
    return gmd_fsync_parent_dir(w->path, err);
}

/* Opens an existing output for appending after cutting it back to keep bytes. */
static gmd_status reopen_file(gmd_text_writer *w, long keep, gmd_error *err)
{
    int fd = open(w->path, O_WRONLY | O_APPEND);
    if (fd < 0 && errno == ENOENT && keep == 0) return create_file(w, err);
    if (fd < 0 && errno == ENOENT)
        return gmd_fail(err, GMD_ERR_IO,
                        "%s: missing, but the checkpoint says it held %ld bytes; restore the "
                        "file or start the run afresh",
                        w->path, keep);
    if (fd < 0) return fail_errno(err, w->path, "reopen the output file");
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return fail_errno(err, w->path, "stat the output file");
    }
    if ((long long)sb.st_size < (long long)keep) {
        close(fd);
        return gmd_fail(err, GMD_ERR_IO,
                        "%s: holds %lld bytes, but the checkpoint says %ld were written; the "
                        "file was truncated or replaced since; restore it or start the run "
                        "afresh",
                        w->path, (long long)sb.st_size, keep);
    }
    if (ftruncate(fd, (off_t)keep) != 0) {
        close(fd);
        return fail_errno(err, w->path, "cut the output file back to the checkpoint");
    }
    w->fp = fdopen(fd, "a");
    if (!w->fp) {
        close(fd);
        return fail_errno(err, w->path, "reopen the output file");
    }
    return GMD_OK;
}

gmd_status gmd_text_open(gmd_text_writer **out, const char *path, long keep, gmd_error *err)
{
    *out = NULL;
    gmd_text_writer *w = gmd_calloc(1, sizeof *w, "text writer", err);
    if (!w) return GMD_ERR_NOMEM;
    w->path = gmd_calloc(strlen(path) + 1, 1, "text writer path", err);
    if (!w->path) {
        free(w);
        return GMD_ERR_NOMEM;
    }
    strcpy(w->path, path);
    gmd_status st = keep < 0 ? create_file(w, err) : reopen_file(w, keep, err);
    if (st != GMD_OK) {
        if (w->fp) fclose(w->fp);
        free(w->path);
        free(w);
        return st;
    }
    w->written = w->flushed = keep < 0 ? 0 : keep;
    *out = w;
    return GMD_OK;
}

/* ---- writing ------------------------------------------------------------------------ */

gmd_status gmd_text_printf(gmd_text_writer *w, gmd_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(w->fp, fmt, ap);
    va_end(ap);
    if (n < 0) return fail_errno(err, w->path, "write");
    w->written += n;
    return GMD_OK;
}

gmd_status gmd_text_push(gmd_text_writer *w, gmd_error *err)
{
    return fflush(w->fp) != 0 ? fail_errno(err, w->path, "write") : GMD_OK;
}

gmd_status gmd_text_flush(gmd_text_writer *w, gmd_error *err)
{
    if (fflush(w->fp) != 0) return fail_errno(err, w->path, "write");
    if (fsync(fileno(w->fp)) != 0) return fail_errno(err, w->path, "sync");
    w->flushed = w->written;
    return GMD_OK;
}

long gmd_text_position(const gmd_text_writer *w)
{
    return w->flushed;
}

gmd_status gmd_text_close(gmd_text_writer *w, gmd_error *err)
{
    if (!w) return GMD_OK;
    gmd_status st = gmd_text_flush(w, err);
    if (fclose(w->fp) != 0 && st == GMD_OK) st = fail_errno(err, w->path, "close");
    free(w->path);
    free(w);
    return st;
}
