/* runner.c - the scheduler of a study and its local backend, a pool of forked workers.
 *
 * Scheduler. Jobs are scanned in plan order (a topological order). A waiting job whose
 * dependencies are all done gets its inputs hash; if its folder says it finished with that
 * hash it is skipped, else it starts in a free slot. A failed job blocks what depends on
 * it; the others go on. plan.json is rewritten (atomically, by the scheduler only) at
 * every change of state. The backend decides what a slot is: a forked child here, an MPI
 * rank in mpi.c.
 *
 * Local pool. Each job runs in a fork()ed child that calls the job in-process with exactly
 * threads_per_job OpenMP threads, so a job's results never depend on how many jobs run
 * beside it. The scheduler process never starts OpenMP (a libgomp thread pool does not
 * survive fork), and every child asks the kernel to kill it when the scheduler dies
 * (PR_SET_PDEATHSIG), so a study killed with -9 leaves no orphan running; the next run
 * resumes the killed jobs from their checkpoints. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "study_internal.h"

#define WORKER_INTERRUPTED 2 /* exit status of a worker whose job was stopped on request */

double gmd_study_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void emit(const gmd_study_plan *plan, const gmd_study_run_options *opt, gmd_study_event ev,
                 int j, const char *msg)
{
    if (opt->event) opt->event(plan, ev, j, msg, opt->event_user);
}

/* ---- the scheduler ------------------------------------------------------------------------ */

typedef struct sched {
    gmd_study_plan *plan;
    const gmd_study_run_options *opt;
    gmd_study_backend *be;
    int *slot_job;
    int running;
    int stopping; /* a stop was asked: start nothing more */
    int first_failed;
    char first_error[GMD_ERROR_MSG_LEN];
} sched;

static void job_failed(sched *s, int j, const char *msg)
{
    s->plan->jobs[j].state = GMD_JOB_FAILED;
    if (s->first_failed < 0) {
        s->first_failed = j;
        gmd_study_copy(s->first_error, sizeof s->first_error, msg);
    }
    emit(s->plan, s->opt, GMD_STUDY_EV_FAILED, j, msg);
}

/* Starts or skips what is ready; returns GMD_OK unless a backend failed. */
static gmd_status dispatch_ready(sched *s, gmd_error *err)
{
    gmd_study_plan *plan = s->plan;
    for (int j = 0; j < plan->njobs; j++) {
        gmd_study_job *job = &plan->jobs[j];
        if (job->state != GMD_JOB_WAITING) continue;
        int ready = 1, blocked = 0;
        for (int d = 0; d < job->ndeps; d++) {
            gmd_job_state ds = plan->jobs[job->deps[d]].state;
            blocked |= ds == GMD_JOB_FAILED || ds == GMD_JOB_BLOCKED;
            ready &= ds == GMD_JOB_DONE || ds == GMD_JOB_SKIPPED;
        }
        if (blocked) {
            job->state = GMD_JOB_BLOCKED;
            continue;
        }
        if (!ready) continue;
        if (!gmd_study_job_update_hash(plan, j)) {
            char msg[GMD_PATH_LEN + 512];
            snprintf(msg, sizeof msg, "its input %s is missing although the job making it is done",
                     job->input_file);
            job_failed(s, j, msg);
            continue;
        }
        if (gmd_study_job_is_current(job, &job->wall_s)) {
            char warn[GMD_ERROR_MSG_LEN];
            job->state = GMD_JOB_SKIPPED;
            emit(plan, s->opt, GMD_STUDY_EV_SKIPPED, j,
                 gmd_study_job_warning(job, warn, sizeof warn) ? warn : NULL);
            continue;
        }
        if (s->stopping) continue;
        int slot = -1;
        for (int k = 0; k < s->be->nslots && slot < 0; k++)
            if (s->slot_job[k] < 0) slot = k;
        if (slot < 0) continue;
        gmd_status st = s->be->start(s->be->ctx, plan, j, slot, err);
        if (st != GMD_OK) return st;
        s->slot_job[slot] = j;
        s->running++;
        job->state = GMD_JOB_RUNNING;
        job->progress = 0.0;
        emit(plan, s->opt, GMD_STUDY_EV_STARTED, j, NULL);
    }
    return GMD_OK;
}

static void collect(sched *s, int slot, int ok, double wall)
{
    int j = s->slot_job[slot];
    s->slot_job[slot] = -1;
    s->running--;
    gmd_study_job *job = &s->plan->jobs[j];
    job->wall_s = wall;
    if (ok < 0) {
        job->state = GMD_JOB_INTERRUPTED;
        emit(s->plan, s->opt, GMD_STUDY_EV_TICK, -1, NULL);
    } else if (ok) {
        char warn[GMD_ERROR_MSG_LEN]; /* a state whose volume had not settled (npt.c) */
        job->state = GMD_JOB_DONE;
        emit(s->plan, s->opt, GMD_STUDY_EV_DONE, j,
             gmd_study_job_warning(job, warn, sizeof warn) ? warn : NULL);
    } else {
        char msg[GMD_ERROR_MSG_LEN];
        gmd_study_job_read_error(job, msg, sizeof msg);
        job_failed(s, j, msg);
    }
}

gmd_status gmd_study_schedule(gmd_study_plan *plan, const gmd_study_run_options *opt,
                              gmd_study_backend *be, gmd_error *err)
{
    sched s = {.plan = plan, .opt = opt, .be = be, .first_failed = -1};
    s.slot_job = gmd_calloc((size_t)be->nslots, sizeof *s.slot_job, "slots", err);
    if (!s.slot_job) return GMD_ERR_NOMEM;
    for (int k = 0; k < be->nslots; k++)
        s.slot_job[k] = -1;
    for (int j = 0; j < plan->njobs; j++)
        plan->jobs[j].state = GMD_JOB_WAITING;
    gmd_status st = gmd_study_plan_write_json(plan, err);
    double last_tick = gmd_study_now();
    while (st == GMD_OK) {
        if (!s.stopping && opt->stop && *opt->stop) {
            s.stopping = 1;
            if (be->interrupt) be->interrupt(be->ctx, (int)*opt->stop);
        }
        st = dispatch_ready(&s, err);
        if (st == GMD_OK) st = gmd_study_plan_write_json(plan, err);
        if (st != GMD_OK || s.running == 0) break;
        int ok = 0;
        double wall = 0.0;
        int slot = be->wait(be->ctx, 0.5, &ok, &wall);
        if (slot >= 0) collect(&s, slot, ok, wall);
        if (gmd_study_now() - last_tick >= 1.0) {
            for (int k = 0; k < be->nslots; k++)
                if (s.slot_job[k] >= 0)
                    plan->jobs[s.slot_job[k]].progress =
                        gmd_study_job_read_progress(&plan->jobs[s.slot_job[k]]);
            emit(plan, opt, GMD_STUDY_EV_TICK, -1, NULL);
            last_tick = gmd_study_now();
        }
    }
    free(s.slot_job);
    if (st != GMD_OK) return st;
    int nfailed = 0, nblocked = 0, nstopped = 0, ndone = 0;
    for (int j = 0; j < plan->njobs; j++) {
        nfailed += plan->jobs[j].state == GMD_JOB_FAILED;
        nblocked += plan->jobs[j].state == GMD_JOB_BLOCKED;
        nstopped += plan->jobs[j].state == GMD_JOB_INTERRUPTED;
        ndone += plan->jobs[j].state == GMD_JOB_DONE || plan->jobs[j].state == GMD_JOB_SKIPPED;
    }
    if (s.stopping)
        return gmd_fail(err, GMD_ERR_INTERRUPTED,
                        "stopped on request: %d running job(s) stopped with their checkpoints, "
                        "%d of %d jobs finished; run the study again to continue where it "
                        "stopped",
                        nstopped, ndone, plan->njobs);
    if (nfailed)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%d job(s) failed and %d could not run; first failure: %s: %s (fix it "
                        "and run the study again: finished jobs are kept)",
                        nfailed, nblocked, plan->jobs[s.first_failed].name, s.first_error);
    return GMD_OK;
}

/* ---- the local pool ------------------------------------------------------------------------- */

typedef struct pool {
    const gmd_study_run_options *opt;
    int nslots;
    pid_t *pid;
    double *t0;
    pid_t scheduler;
    int interrupted; /* the stop was passed on to the workers (pool_interrupt) */
} pool;

static gmd_status pool_start(void *ctx, gmd_study_plan *plan, int j, int slot, gmd_error *err)
{
    pool *p = ctx;
    fflush(NULL); /* no buffered output may be written twice */
    pid_t pid = fork();
    if (pid < 0)
        return gmd_fail(err, GMD_ERR_IO, "cannot start a worker (fork: %s)", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != p->scheduler) _exit(3); /* the scheduler died before prctl */
        gmd_error e;
        gmd_error_clear(&e);
        gmd_status st = gmd_study_job_execute(plan, j, p->opt->stop, &e);
        _exit(st == GMD_OK ? 0 : st == GMD_ERR_INTERRUPTED ? WORKER_INTERRUPTED : 1);
    }
    p->pid[slot] = pid;
    p->t0[slot] = gmd_study_now();
    return GMD_OK;
}

static int pool_wait(void *ctx, double timeout_s, int *ok, double *wall_s)
{
    pool *p = ctx;
    double until = gmd_study_now() + timeout_s;
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (int k = 0; k < p->nslots; k++)
                if (p->pid[k] == pid) {
                    p->pid[k] = 0;
                    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
                    *ok = code == 0 ? 1 : code == WORKER_INTERRUPTED ? -1 : 0;
                    *wall_s = gmd_study_now() - p->t0[k];
                    return k;
                }
            continue; /* not one of ours (cannot happen: workers are our only children) */
        }
        /* a stop asked and not yet passed on: back to the scheduler at once, which passes
         * it on to the workers (waiting out the timeout let a job run on for up to half a
         * second, and finish: a study stopped right then did not mark it interrupted) */
        if (gmd_study_now() >= until || (!p->interrupted && p->opt->stop && *p->opt->stop))
            return -1;
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

/* The workers inherit the caller's handlers (the stop flag is theirs after the fork), so
 * the stop reaches them as a signal. A Ctrl-C reaches the whole process group and Slurm
 * signals every process, so a worker may have had the signal already; the front end's
 * handlers are one-shot (SA_RESETHAND, a second Ctrl-C kills), so the scheduler sends the
 * other one of SIGINT / SIGTERM, whose handler is still armed. */
static void pool_interrupt(void *ctx, int signo)
{
    pool *p = ctx;
    p->interrupted = 1;
    for (int k = 0; k < p->nslots; k++)
        if (p->pid[k] > 0) kill(p->pid[k], signo == SIGINT ? SIGTERM : SIGINT);
}

static int default_jobs(const gmd_study *study, const gmd_study_run_options *opt)
{
    if (opt->jobs > 0) return opt->jobs;
    if (study->jobs > 0) return study->jobs;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = (int)(cores > 0 ? cores : 1) / study->threads_per_job;
    return n > 0 ? n : 1;
}

gmd_status gmd_study_run_local(gmd_study_plan *plan, const gmd_study_run_options *opt,
                               gmd_error *err)
{
    pool p = {.opt = opt, .nslots = default_jobs(plan->study, opt), .scheduler = getpid()};
    p.pid = gmd_calloc((size_t)p.nslots, sizeof *p.pid, "worker pool", err);
    p.t0 = gmd_calloc((size_t)p.nslots, sizeof *p.t0, "worker pool", err);
    gmd_status st = p.pid && p.t0 ? GMD_OK : GMD_ERR_NOMEM;
    gmd_study_backend be = {.nslots = p.nslots,
                            .ctx = &p,
                            .start = pool_start,
                            .wait = pool_wait,
                            .interrupt = pool_interrupt};
    if (st == GMD_OK) st = gmd_study_schedule(plan, opt, &be, err);
    /* on an error of the scheduler itself, leave no worker behind */
    for (int k = 0; p.pid && k < p.nslots; k++)
        if (p.pid[k] > 0) {
            kill(p.pid[k], SIGKILL);
            waitpid(p.pid[k], NULL, 0);
        }
    free(p.pid);
    free(p.t0);
    return st;
}
