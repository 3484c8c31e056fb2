/* main.c - the glassmd front end: dispatches to one subcommand per file in src/cli. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "glassmd/version.h"

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand SUBCOMMANDS[] = {
    {"build", gmd_cmd_build, "write a random starting configuration for a composition"},
    {"eval", gmd_cmd_eval, "single-point energy, forces and virial of a configuration"},
    {"run", gmd_cmd_run, "molecular dynamics: minimise, NVE, NVT, temperature ramps"},
    {"analyze", gmd_cmd_analyze, "structure, diffusion and conductivity from a trajectory"},
    {"study", gmd_cmd_study, "a whole study: melt, quench, isotherms, analyses, report"},
};
#define NSUB (sizeof SUBCOMMANDS / sizeof SUBCOMMANDS[0])

static void usage(FILE *out)
{
    fprintf(out,
            "glassmd %s - molecular dynamics and analysis for ion-conducting glasses\n\n"
            "usage: glassmd SUBCOMMAND [options]   (glassmd SUBCOMMAND --help)\n\n",
            GLASSMD_VERSION);
    for (size_t i = 0; i < NSUB; i++)
        fprintf(out, "  %-10s %s\n", SUBCOMMANDS[i].name, SUBCOMMANDS[i].summary);
    fprintf(out, "  %-10s %s\n", "version", "print the version and the build");
}

double gmd_cli_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int gmd_cli_error(const char *cmd, const char *fmt, ...)
{
    fprintf(stderr, "glassmd %s: error: ", cmd);
    va_list args;
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    return 1;
}

int main(int argc, char **argv)
{
    /* A write past a file-size limit (ulimit -f, a batch system's quota) would kill the
     * process with SIGXFSZ, silently and mid-write; ignored, the write fails with EFBIG and
     * the library reports which file could not be written, as for a full disk. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? 1 : 0;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        printf("glassmd %s (%s build, %s, flags '%s', built %s)\n", GLASSMD_VERSION,
               GLASSMD_BUILD_TYPE, GLASSMD_COMPILER, GLASSMD_BUILD_FLAGS, GLASSMD_BUILD_DATE);
        return 0;
    }
    for (size_t i = 0; i < NSUB; i++)
        if (!strcmp(argv[1], SUBCOMMANDS[i].name)) return SUBCOMMANDS[i].run(argc - 1, argv + 1);
    fprintf(stderr, "glassmd: error: unknown subcommand '%s'; run 'glassmd --help' for the list\n",
            argv[1]);
    return 1;
}
