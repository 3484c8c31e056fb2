/* mpi.c - a study over MPI ranks (`mpirun -np K glassmd study STUDY`); the only file of
 * glassmd that includes mpi.h. Built with MPI when CMake's GLASSMD_MPI is on (it defines
 * GLASSMD_HAVE_MPI here); otherwise the functions say MPI is absent.
 *
 * Every rank reads the study and lays out the same plan, so only job indices travel.
 * Rank 0 is the scheduler (gmd_study_schedule, as for the local pool) and runs no job:
 * its slots are ranks 1 .. K-1. A worker rank receives {job, inputs hash}, runs the job
 * in-process with threads_per_job OpenMP threads (gmd_study_job_execute: the same code
 * and thread count as a local run, hence the same bits) and answers {ok, wall time}. Each
 * job's files are written by the one rank that runs it, plan.json by rank 0 only; the
 * output folder must be shared by the ranks' nodes. Progress is read from the jobs'
 * progress files, as for the local pool.
 *
 * MPI is initialised only when the process was started by mpirun with more than one rank
 * (OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_SIZE in the environment), so a plain
 * `glassmd study` of an MPI build behaves exactly as a serial build. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "study_internal.h"

static int env_size(void)
{
    const char *names[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && atoi(v) > 0) return atoi(v);
    }
    return 1;
}

#ifndef GLASSMD_HAVE_MPI

int gmd_study_mpi_launched(void)
{
    return 0;
}

gmd_status gmd_study_run_mpi(gmd_study_plan *plan, const gmd_study_run_options *opt, int *is_root,
                             gmd_error *err)
{
    (void)plan, (void)opt;
    *is_root = 1;
    return gmd_fail(err, GMD_ERR_VALUE,
                    "this glassmd was built without MPI (%d ranks asked); rebuild with "
                    "-DGLASSMD_MPI=ON and libopenmpi-dev installed, or run without mpirun",
                    env_size());
}

#else
#include <mpi.h>

enum { TAG_JOB = 1, TAG_RESULT = 2 };

int gmd_study_mpi_launched(void)
{
    return env_size() > 1;
}

typedef struct mpi_ctx {
    int nslots;
    double *t0;
} mpi_ctx;

static gmd_status mpi_start(void *ctx, gmd_study_plan *plan, int j, int slot, gmd_error *err)
{
    mpi_ctx *m = ctx;
    unsigned long long msg[2] = {(unsigned long long)j, plan->jobs[j].hash};
    if (MPI_Send(msg, 2, MPI_UNSIGNED_LONG_LONG, slot + 1, TAG_JOB, MPI_COMM_WORLD) != MPI_SUCCESS)
        return gmd_fail(err, GMD_ERR_IO, "MPI_Send of job %s to rank %d failed", plan->jobs[j].name,
                        slot + 1);
    m->t0[slot] = gmd_study_now();
    return GMD_OK;
}

static int mpi_wait(void *ctx, double timeout_s, int *ok, double *wall_s)
{
    mpi_ctx *m = ctx;
    double until = gmd_study_now() + timeout_s;
    for (;;) {
        int flag = 0;
        MPI_Status status;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &status);
        if (flag) {
            double result[2];
            MPI_Recv(result, 2, MPI_DOUBLE, status.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            int slot = status.MPI_SOURCE - 1;
            *ok = result[0] != 0.0;
            *wall_s = gmd_study_now() - m->t0[slot];
            return slot;
        }
        if (gmd_study_now() >= until) return -1;
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

static void worker_loop(gmd_study_plan *plan)
{
    for (;;) {
        unsigned long long msg[2];
        MPI_Recv(msg, 2, MPI_UNSIGNED_LONG_LONG, 0, TAG_JOB, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (msg[0] == ~0ULL) return;
        int j = (int)msg[0];
        plan->jobs[j].hash = msg[1];
        plan->jobs[j].hash_known = 1;
        gmd_error e;
        gmd_error_clear(&e);
        double t0 = gmd_study_now();
        gmd_status st = gmd_study_job_execute(plan, j, NULL, &e);
        double result[2] = {st == GMD_OK ? 1.0 : 0.0, gmd_study_now() - t0};
        MPI_Send(result, 2, MPI_DOUBLE, 0, TAG_RESULT, MPI_COMM_WORLD);
    }
}

gmd_status gmd_study_run_mpi(gmd_study_plan *plan, const gmd_study_run_options *opt, int *is_root,
                             gmd_error *err)
{
    int provided = 0, rank = 0, size = 1;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return gmd_fail(err, GMD_ERR_IO, "MPI_Init failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    *is_root = rank == 0;
    gmd_status st = GMD_OK;
    if (rank == 0) {
        mpi_ctx m = {.nslots = size - 1};
        m.t0 = gmd_calloc((size_t)size, sizeof *m.t0, "MPI slots", err);
        if (!m.t0) st = GMD_ERR_NOMEM;
        gmd_study_backend be = {
            .nslots = size - 1, .ctx = &m, .start = mpi_start, .wait = mpi_wait};
        if (st == GMD_OK) st = gmd_study_schedule(plan, opt, &be, err);
        free(m.t0);
        unsigned long long stop[2] = {~0ULL, 0};
        for (int r = 1; r < size; r++)
            MPI_Send(stop, 2, MPI_UNSIGNED_LONG_LONG, r, TAG_JOB, MPI_COMM_WORLD);
    } else {
        worker_loop(plan);
    }
    MPI_Finalize();
    return st;
}
#endif
