/* cmd_run.c - `glassmd run INPUT [--resume]`: a molecular-dynamics run from a key = value
 * input (docs/run-input.md). Progress (percent, stage, step, time, T, ns/day, ETA) goes to
 * stderr: on a terminal as one line rewritten in place; otherwise (a batch job's log) as a
 * line every --progress seconds (60 by default), so that a Slurm log shows the run going.
 * --quiet prints none. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "glassmd/run.h"

typedef struct progress_state {
    int tty;
    double every_s; /* without a terminal: seconds between lines */
    double last_s;  /* when the last line was printed */
} progress_state;

static void progress_line(const gmd_run_progress *p, void *user)
{
    progress_state *ps = user;
    if (!ps->tty) {
        double t = gmd_cli_now_s();
        if (t - ps->last_s < ps->every_s) return;
        ps->last_s = t;
    }
    double pct = p->total_steps > 0 ? 100.0 * (double)p->step / (double)p->total_steps : 100.0;
    fprintf(stderr,
            "%s[%5.1f%%] stage %d/%d %-8s step %ld  t=%.3f ps  T=%.1f K  %.3g ns/day  ETA %.0f s%s",
            ps->tty ? "\r" : "glassmd run: ", pct, p->stage_index + 1, p->nstages, p->stage_kind,
            p->step, p->time_ps, p->temperature_K, p->ns_per_day, p->eta_s, ps->tty ? "   " : "\n");
    fflush(stderr);
}

/* --resume before the first checkpoint (a run killed during its minimize, say): the
 * library starts from the beginning; say so, since the user expected a continuation. */
static void note_missing_checkpoint(const char *output_dir)
{
    char path[GMD_PATH_LEN + 32];
    struct stat sb;
    snprintf(path, sizeof path, "%s/checkpoint.bin", output_dir);
    if (stat(path, &sb) != 0 && errno == ENOENT)
        fprintf(stderr,
                "glassmd run: note: no checkpoint in %s yet (the run stopped before its first "
                "one); starting from the beginning\n",
                output_dir);
}

static void run_usage(void)
{
    printf("usage: glassmd run INPUT [--resume] [--threads N] [--progress SECONDS] [--quiet]\n\n"
           "Runs the stages of INPUT (key = value file, see docs/run-input.md). Outputs in the\n"
           "input's output_dir: thermo.csv, traj.nc / traj.dump, final.data, run.log and\n"
           "checkpoint.bin. --resume continues a killed run from its last checkpoint and\n"
           "reproduces the uninterrupted run bit for bit at the same thread count; with no\n"
           "checkpoint yet it starts from the beginning. It refuses a checkpoint written\n"
           "with other settings, stages, force field or starting configuration.\n"
           "Progress goes to stderr: on a terminal one line updated in place, otherwise a\n"
           "line every --progress seconds (default 60); --quiet prints none. SIGTERM or\n"
           "Ctrl-C stops the run with a checkpoint (exit status 143 / 130); --resume goes on.\n");
}

int gmd_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"resume", no_argument, 0, 'r'},
                                         {"threads", required_argument, 0, 'n'},
                                         {"stop-after", required_argument, 0, 's'},
                                         {"progress", required_argument, 0, 'p'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    gmd_run_options opt = {.progress_every = 100};
    long threads = 0, stop_after = 0;
    double every_s = 60.0;
    int quiet = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            opt.resume = 1;
            break;
        case 'n':
            if (gmd_text_to_long(optarg, &threads) || threads < 1 || threads > 4096)
                return gmd_cli_error("run", "--threads '%s': give a thread count from 1 to 4096",
                                     optarg);
            break;
        case 's': /* testing aid: behave as if killed after so many steps */
            if (gmd_text_to_long(optarg, &stop_after) || stop_after < 1)
                return gmd_cli_error("run", "--stop-after '%s': give a step count >= 1", optarg);
            break;
        case 'p':
            if (gmd_text_to_double(optarg, &every_s) || every_s <= 0.0)
                return gmd_cli_error("run", "--progress '%s': give the seconds between lines (> 0)",
                                     optarg);
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            run_usage();
            return 0;
        default:
            return gmd_cli_error("run", "unknown or incomplete option '%s'; see glassmd run --help",
                                 argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return gmd_cli_error("run", "give exactly one input file; see glassmd run --help");
    gmd_run_input in;
    gmd_error err;
    gmd_error_clear(&err);
    if (gmd_run_input_read(&in, argv[optind], &err) != GMD_OK)
        return gmd_cli_error("run", "%s", err.message);
    if (threads > 0) in.threads = (int)threads;
    opt.stop_after_steps = stop_after;
    if (opt.resume) note_missing_checkpoint(in.output_dir);
    int tty = isatty(fileno(stderr));
    progress_state ps = {.tty = tty, .every_s = every_s, .last_s = gmd_cli_now_s()};
    if (!quiet) opt.progress = progress_line, opt.progress_user = &ps;
    opt.stop = gmd_cli_catch_stop_signals();
    gmd_status st = gmd_run_execute(&in, &opt, &err);
    if (tty && !quiet) fputc('\n', stderr);
    if (st == GMD_ERR_INTERRUPTED) {
        fprintf(stderr, "glassmd run: %s: %s\n", gmd_cli_stop_signal_name(), err.message);
        return gmd_cli_stop_status();
    }
    if (st != GMD_OK) return gmd_cli_error("run", "%s", err.message);
    fprintf(stderr, "glassmd run: done; outputs in %s\n", in.output_dir);
    return 0;
}
