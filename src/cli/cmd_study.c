/* cmd_study.c - `glassmd study STUDY [--dry-run] [--only-plan] [--jobs N]
 * [--emit-slurm FILE]`: a whole study from a key = value file (docs/study.md).
 *
 * The study file is read and checked completely before anything runs. The plan then runs
 * on a local pool of forked workers, or over MPI ranks when started by mpirun (rank 0
 * schedules and prints). Events (job started, done, skipped, failed) go to stderr as
 * lines; on a terminal a status line shows jobs done / running / left and the running
 * jobs' progress, and without one (a batch job's log) the same as a line every --progress
 * seconds (60 by default; --quiet: none). --dry-run prints the plan with a cost estimate per job (a
 * short timing of the force field on this machine) and runs nothing. --job NAME runs one job of the
 * plan in this process (what the Slurm script's tasks do). */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "glassmd/study_plan.h"

typedef struct cli_state {
    int tty;
    int status_shown;
    int quiet;      /* no status line, no progress lines */
    double every_s; /* without a terminal: seconds between progress lines */
    double last_s;  /* when the last one was printed */
} cli_state;

static void clear_status(cli_state *s)
{
    if (s->status_shown) fprintf(stderr, "\r\033[K");
    s->status_shown = 0;
}

static void status_line(const gmd_study_plan *plan, cli_state *s)
{
    int done = 0, running = 0;
    for (int j = 0; j < plan->njobs; j++) {
        gmd_job_state st = plan->jobs[j].state;
        done += st == GMD_JOB_DONE || st == GMD_JOB_SKIPPED;
        running += st == GMD_JOB_RUNNING;
    }
    char line[512];
    int n = snprintf(line, sizeof line, "[study] done %d/%d, running %d, left %d |", done,
                     plan->njobs, running, plan->njobs - done - running);
    for (int j = 0; j < plan->njobs && n < (int)sizeof line - 64; j++)
        if (plan->jobs[j].state == GMD_JOB_RUNNING)
            n += snprintf(line + n, sizeof line - (size_t)n, " %s %.0f%%", plan->jobs[j].name,
                          100.0 * plan->jobs[j].progress);
    if (!s->tty) { /* a log: a whole line now and then */
        double t = gmd_cli_now_s();
        if (t - s->last_s < s->every_s) return;
        s->last_s = t;
        fprintf(stderr, "glassmd study: %s\n", line + strlen("[study] "));
        fflush(stderr);
        return;
    }
    clear_status(s);
    fprintf(stderr, "%.150s", line);
    fflush(stderr);
    s->status_shown = 1;
}

static void on_event(const gmd_study_plan *plan, gmd_study_event ev, int j, const char *msg,
                     void *user)
{
    cli_state *s = user;
    if (ev != GMD_STUDY_EV_TICK) {
        clear_status(s);
        const gmd_study_job *job = &plan->jobs[j];
        switch (ev) {
        case GMD_STUDY_EV_STARTED:
            fprintf(stderr, "glassmd study: started %s\n", job->name);
            break;
        case GMD_STUDY_EV_DONE:
            fprintf(stderr, "glassmd study: done    %s (%.1f s)\n", job->name, job->wall_s);
            break;
        case GMD_STUDY_EV_SKIPPED:
            fprintf(stderr, "glassmd study: skipped %s (finished earlier, inputs unchanged)\n",
                    job->name);
            break;
        case GMD_STUDY_EV_FAILED:
            fprintf(stderr, "glassmd study: FAILED  %s: %s\n", job->name, msg ? msg : "");
            break;
        default:
            break;
        }
        if (msg && (ev == GMD_STUDY_EV_DONE || ev == GMD_STUDY_EV_SKIPPED))
            fprintf(stderr, "glassmd study: WARNING %s\n", msg);
    }
    if (!s->quiet) status_line(plan, s);
}

/* Wall time of the plan's remaining jobs on `slots` workers (list scheduling in plan
 * order, each job as soon as its dependencies are done and a worker is free). */
static double simulated_wall(const gmd_study_plan *plan, int slots)
{
    double *finish = calloc((size_t)plan->njobs + 1, sizeof *finish);
    double *free_at = calloc((size_t)slots, sizeof *free_at);
    double wall = 0.0;
    if (!finish || !free_at) {
        free(finish);
        free(free_at);
        return -1.0;
    }
    for (int j = 0; j < plan->njobs; j++) {
        const gmd_study_job *job = &plan->jobs[j];
        double ready = 0.0;
        for (int d = 0; d < job->ndeps; d++)
            if (finish[job->deps[d]] > ready) ready = finish[job->deps[d]];
        if (job->state == GMD_JOB_SKIPPED) {
            finish[j] = ready;
            continue;
        }
        int k = 0;
        for (int i = 1; i < slots; i++)
            if (free_at[i] < free_at[k]) k = i;
        double start = free_at[k] > ready ? free_at[k] : ready;
        finish[j] = free_at[k] = start + (job->est_s > 0 ? job->est_s : 0.0);
        if (finish[j] > wall) wall = finish[j];
    }
    free(finish);
    free(free_at);
    return wall;
}

static void human_time(double s, char *buf, size_t len)
{
    if (s < 120)
        snprintf(buf, len, "%.1f s", s);
    else if (s < 7200)
        snprintf(buf, len, "%.1f min", s / 60);
    else if (s < 3 * 86400)
        snprintf(buf, len, "%.1f h", s / 3600);
    else
        snprintf(buf, len, "%.1f days", s / 86400);
}

/* At constant pressure: every MD job's runs (the NPT stages, the volume-settled check)
 * and their share of its estimate. */
static void print_pressure_runs(const gmd_study_plan *plan, int with_estimate)
{
    const gmd_study *s = plan->study;
    printf("at constant pressure %g bar (study key pressure): the MD jobs' runs%s\n",
           s->pressure_bar, with_estimate ? " and their estimates" : "");
    for (int j = 0; j < plan->njobs; j++) {
        gmd_study_run_info runs[2];
        gmd_error err;
        int n = gmd_study_job_runs(plan, j, runs, 2, &err);
        for (int k = 0; k < n; k++) {
            char est[32] = "";
            if (with_estimate && runs[k].est_s >= 0) human_time(runs[k].est_s, est, sizeof est);
            printf("  %-34s %s%s%s%s\n", k ? "" : plan->jobs[j].name, runs[k].what,
                   est[0] ? " [" : "", est, est[0] ? "]" : "");
        }
        if (n < 0) printf("  %-34s (cannot describe: %s)\n", plan->jobs[j].name, err.message);
    }
}

static void print_plan(const gmd_study_plan *plan, int slots, int with_estimate)
{
    const gmd_study *s = plan->study;
    printf("study %s -> %s: %d jobs, %d concurrent, %d thread(s) per job\n", s->path, s->output_dir,
           plan->njobs, slots, s->threads_per_job);
    printf("%-36s %-10s %5s  %-8s %s\n", "job", "kind", "deps", "status",
           with_estimate ? "estimate" : "");
    double total = 0.0;
    for (int j = 0; j < plan->njobs; j++) {
        const gmd_study_job *job = &plan->jobs[j];
        char est[32] = "";
        if (with_estimate && job->state != GMD_JOB_SKIPPED) {
            human_time(job->est_s, est, sizeof est);
            total += job->est_s;
        }
        printf("%-36s %-10s %5d  %-8s %s\n", job->name, gmd_job_kind_name(job->kind), job->ndeps,
               job->state == GMD_JOB_SKIPPED ? "done" : "to do", est);
    }
    if (s->pressure_set) print_pressure_runs(plan, with_estimate);
    if (!with_estimate) return;
    char a[32], b[32];
    human_time(total, a, sizeof a);
    human_time(simulated_wall(plan, slots), b, sizeof b);
    printf("estimated cost of what is left: %s of job time; about %s of wall time with %d "
           "concurrent jobs (force-field timing on this machine; analysis and minimisation "
           "roughly)\n",
           a, b, slots);
}

static void study_usage(void)
{
    printf("usage: glassmd study STUDY [--dry-run] [--only-plan] [--jobs N]\n"
           "                     [--emit-slurm FILE] [--job NAME] [--progress S] [--quiet]\n\n"
           "Runs a whole study (docs/study.md): build, melt, quench, isotherms, glass,\n"
           "analyses, Arrhenius fits, summaries and the report, in OUT (output_dir).\n"
           "Finished jobs whose inputs did not change are skipped; killed jobs resume.\n"
           "  --dry-run         print the plan with a cost estimate per job; run nothing\n"
           "  --only-plan       write OUT/plan.json and print the plan; run nothing\n"
           "  --jobs N          concurrent jobs (default: the study's jobs, else\n"
           "                    cores / threads_per_job)\n"
           "  --emit-slurm FILE write a Slurm submission script (job arrays per level)\n"
           "  --job NAME        run only this job of the plan (its inputs must be done)\n"
           "  --progress S      without a terminal, a progress line every S seconds (60)\n"
           "  --quiet           no progress lines (job events are still printed)\n"
           "SIGTERM or Ctrl-C stops the running jobs with checkpoints (exit status 143 / 130);\n"
           "run the study again to continue. Under mpirun -np K, rank 0 schedules and ranks\n"
           "1..K-1 run the jobs.\n");
}

static int run_one(gmd_study_plan *plan, const char *name)
{
    gmd_study_plan_refresh(plan);
    for (int j = 0; j < plan->njobs; j++) {
        gmd_study_job *job = &plan->jobs[j];
        if (strcmp(job->name, name) != 0) continue;
        char warn[1024];
        if (job->state == GMD_JOB_SKIPPED) {
            fprintf(stderr, "glassmd study: %s is done already (inputs unchanged)\n", name);
            if (gmd_study_job_warning(job, warn, sizeof warn))
                fprintf(stderr, "glassmd study: WARNING %s\n", warn);
            return 0;
        }
        for (int d = 0; d < job->ndeps; d++) {
            const gmd_study_job *dep = &plan->jobs[job->deps[d]];
            if (dep->state != GMD_JOB_SKIPPED)
                return gmd_cli_error("study",
                                     "job %s needs %s, which has not finished; run it "
                                     "first",
                                     name, dep->name);
        }
        gmd_error err;
        gmd_error_clear(&err);
        gmd_status st = gmd_study_job_execute(plan, j, gmd_cli_catch_stop_signals(), &err);
        if (st == GMD_ERR_INTERRUPTED) {
            fprintf(stderr, "glassmd study: %s: %s: %s\n", gmd_cli_stop_signal_name(), name,
                    err.message);
            return gmd_cli_stop_status();
        }
        if (st != GMD_OK) return gmd_cli_error("study", "%s: %s", name, err.message);
        fprintf(stderr, "glassmd study: done %s\n", name);
        if (gmd_study_job_warning(job, warn, sizeof warn))
            fprintf(stderr, "glassmd study: WARNING %s\n", warn);
        return 0;
    }
    return gmd_cli_error("study",
                         "no job named '%s' in the plan; see glassmd study STUDY "
                         "--only-plan",
                         name);
}

/* The Slurm script's tasks run this very executable. */
static int write_slurm(const gmd_study_plan *plan, const char *path)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return gmd_cli_error("study", "cannot find the glassmd executable");
    exe[len] = '\0';
    gmd_error err;
    if (gmd_study_emit_slurm(plan, path, exe, &err) != GMD_OK)
        return gmd_cli_error("study", "%s", err.message);
    fprintf(stderr, "glassmd study: Slurm script written to %s (run it with bash)\n", path);
    return 0;
}

static int summarise(const gmd_study_plan *plan, double wall)
{
    int n[7] = {0};
    for (int j = 0; j < plan->njobs; j++)
        n[plan->jobs[j].state]++;
    fprintf(stderr,
            "glassmd study: %d jobs: %d run, %d skipped (unchanged), %d failed, %d interrupted, "
            "%d not run; %.1f s; outputs in %s\n",
            plan->njobs, n[GMD_JOB_DONE], n[GMD_JOB_SKIPPED], n[GMD_JOB_FAILED],
            n[GMD_JOB_INTERRUPTED], n[GMD_JOB_BLOCKED] + n[GMD_JOB_WAITING], wall,
            plan->study->output_dir);
    return 0;
}

int gmd_cmd_study(int argc, char **argv)
{
    static const struct option opts[] = {{"dry-run", no_argument, 0, 'd'},
                                         {"only-plan", no_argument, 0, 'p'},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"emit-slurm", required_argument, 0, 's'},
                                         {"job", required_argument, 0, 'J'},
                                         {"progress", required_argument, 0, 'P'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int dry = 0, only_plan = 0, quiet = 0, c;
    double every_s = 60.0;
    long jobs = 0;
    const char *slurm = NULL, *one = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dry = 1;
            break;
        case 'p':
            only_plan = 1;
            break;
        case 'j':
            if (gmd_text_to_long(optarg, &jobs) || jobs < 1)
                return gmd_cli_error("study", "--jobs '%s': give a job count >= 1", optarg);
            break;
        case 's':
            slurm = optarg;
            break;
        case 'J':
            one = optarg;
            break;
        case 'P':
            if (gmd_text_to_double(optarg, &every_s) || every_s <= 0.0)
                return gmd_cli_error(
                    "study", "--progress '%s': give the seconds between lines (> 0)", optarg);
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            study_usage();
            return 0;
        default:
            return gmd_cli_error("study",
                                 "unknown or incomplete option '%s'; see glassmd study "
                                 "--help",
                                 argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return gmd_cli_error("study", "give exactly one study file; see glassmd study --help");
    gmd_study *study = calloc(1, sizeof *study);
    if (!study) return gmd_cli_error("study", "out of memory");
    gmd_error err;
    gmd_error_clear(&err);
    gmd_study_plan plan;
    int rc = 0;
    if (gmd_study_read(study, argv[optind], &err) != GMD_OK ||
        gmd_study_plan_make(&plan, study, &err) != GMD_OK) {
        rc = gmd_cli_error("study", "%s", err.message);
        free(study);
        return rc;
    }
    int slots = jobs > 0 ? (int)jobs : study->jobs;
    if (slots <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        slots = (int)(cores > 0 ? cores : 1) / study->threads_per_job;
        if (slots < 1) slots = 1;
    }
    if (slurm) {
        rc = write_slurm(&plan, slurm);
    } else if (dry || only_plan) {
        gmd_study_plan_refresh(&plan);
        if (dry && gmd_study_plan_estimate(&plan, &err) != GMD_OK)
            rc = gmd_cli_error("study", "timing the force field: %s", err.message);
        if (!rc && only_plan && gmd_study_plan_write_json(&plan, &err) != GMD_OK)
            rc = gmd_cli_error("study", "%s", err.message);
        if (!rc) print_plan(&plan, slots, dry);
    } else if (one) {
        rc = run_one(&plan, one);
    } else {
        cli_state cs = {.tty = isatty(fileno(stderr)),
                        .quiet = quiet,
                        .every_s = every_s,
                        .last_s = gmd_cli_now_s()};
        gmd_study_run_options opt = {.jobs = (int)jobs,
                                     .event = on_event,
                                     .event_user = &cs,
                                     .stop = gmd_cli_catch_stop_signals()};
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int is_root = 1;
        gmd_status st = gmd_study_mpi_launched() ? gmd_study_run_mpi(&plan, &opt, &is_root, &err)
                                                 : gmd_study_run_local(&plan, &opt, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        clear_status(&cs);
        if (is_root) {
            summarise(&plan,
                      (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
            if (st == GMD_ERR_INTERRUPTED) {
                fprintf(stderr, "glassmd study: %s: %s\n", gmd_cli_stop_signal_name(), err.message);
                rc = gmd_cli_stop_status();
            } else if (st != GMD_OK) {
                rc = gmd_cli_error("study", "%s", err.message);
            }
        }
    }
    gmd_study_plan_free(&plan);
    free(study);
    return rc;
}
