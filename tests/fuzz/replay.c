/* replay.c - runs a fuzz harness without libFuzzer: feeds every file of the folders (or
 * files) named on the command line to LLVMFuzzerTestOneInput, in name order. Built with
 * each harness for the normal suite (ctest label unit), so that every gcc and sanitizer
 * build replays the seed corpus and the regression inputs. Exit status 0 when every input
 * returned (a crash or a sanitizer report ends the process), 1 when a folder or file cannot
 * be read or no input was found at all (a path that does not exist is skipped). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"

static int replay_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, 2 * cap);
            if (!bigger) free(buf);
            buf = bigger, cap *= 2;
        }
    }
    fclose(fp);
    if (!buf) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays path (a file, or every plain file of a folder); returns the inputs run, -1 on
 * an error. */
static int replay_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) { /* a harness without regressions has no folder for them */
        fprintf(stderr, "replay: %s does not exist (skipped)\n", path);
        return 0;
    }
    if (!S_ISDIR(sb.st_mode)) return replay_file(path);
    DIR *d = opendir(path);
    if (!d) return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **more = realloc(names, cap * sizeof *names);
            if (!more) break;
            names = more;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len))) break;
        snprintf(names[n++], len, "%s/%s", path, e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, by_name);
    int total = 0;
    for (size_t i = 0; i < n; i++) {
        int got = replay_file(names[i]);
        if (got < 0) total = -1;
        if (total >= 0) total += got;
        free(names[i]);
    }
    free(names);
    return total;
}

int main(int argc, char **argv)
{
    int total = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        int got = replay_path(argv[i]);
        if (got < 0)
            failed = 1;
        else
            total += got;
    }
    printf("replayed %d input(s)\n", total);
    if (total == 0) fprintf(stderr, "replay: no inputs found\n");
    return failed || total == 0;
}
